import LantaiServer
import ArgumentParser
print("x")
