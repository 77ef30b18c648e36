"""Shared by the benchmark scripts: a release `lantai` binary, a node in a fresh data dir
(`lantai serve` on a free loopback port) and plain HTTP calls. Standard library only."""

import http.client
import os
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_BINARY = os.path.join(ROOT, ".build", "release", "lantai")


def log(msg):
    print(msg, file=sys.stderr, flush=True)


class BenchError(Exception):
    pass


# --- The server ---------------------------------------------------------------------------

def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_binary(path):
    if os.path.isfile(path) and os.access(path, os.X_OK):
        return path
    if os.path.abspath(path) != DEFAULT_BINARY:
        raise BenchError(f"--binary {path}: no such executable")
    log("==> .build/release/lantai is missing: building it (swift build -c release --product lantai; "
        "several minutes the first time)")
    subprocess.run(["swift", "build", "-c", "release", "--product", "lantai"], cwd=ROOT, check=True)
    if not os.path.isfile(path):
        raise BenchError(f"the release build did not produce {path}")
    return path


def node_env(data_dir, database_url):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANTAI_")}
    env["LANTAI_DATA_DIR"] = data_dir
    env["LANTAI_BCRYPT_COST"] = "4"
    if database_url:
        env["LANTAI_DATABASE_URL"] = database_url
    return env


def cli(binary, env, *args, stdin=None):
    p = subprocess.run([binary, *args], cwd=ROOT, env=env, input=stdin, capture_output=True, text=True)
    if p.returncode != 0:
        raise BenchError(f"lantai {' '.join(args)} exited {p.returncode}:\n{p.stdout}{p.stderr}")
    return p.stdout


class Node:
    """`lantai serve` in the background, its output in a log file in the data dir."""

    def __init__(self, binary, env, data_dir):
        self.port = free_port()
        self.log_path = os.path.join(data_dir, "serve.log")
        self.log_file = open(self.log_path, "wb")
        self.proc = subprocess.Popen([binary, "serve", "--hostname", "127.0.0.1", "--port", str(self.port)],
                                     cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=self.log_file,
                                     stderr=subprocess.STDOUT, start_new_session=True)

    def log_tail(self, n=40):
        try:
            with open(self.log_path, "r", errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""

    def wait_healthy(self, timeout=90):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"lantai serve exited {self.proc.returncode}:\n{self.log_tail()}")
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                c.request("GET", "/healthz")
                r = c.getresponse()
                r.read()
                c.close()
                if r.status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise BenchError(f"lantai serve did not answer /healthz within {timeout}s:\n{self.log_tail()}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log_file.close()


def request(conn, method, path, token, body=None):
    headers = {"Authorization": f"Bearer {token}"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=body, headers=headers)
    r = conn.getresponse()
    return r.status, r.read()


