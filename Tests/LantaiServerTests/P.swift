import XCTest
import XCTVapor
