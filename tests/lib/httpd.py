#!/usr/bin/env python3
"""A small HTTP server on 127.0.0.1 for the fetch and serve tests: real
sockets, real HTTP, and the faults range sources and webhook receivers have.
It picks a free port, writes it to the file named by argv[1], and serves files
from the checkout (argv[2]) until killed. With argv[3], every POST is
appended to that file as one JSON line {"path", "content_type", "body"}.

  /aws.json           the bundled AWS file, ETag "v1"; 304 to If-None-Match "v1"
  /flaky/NAME/N       503 for the first N requests to NAME, then the AWS file
  /slow               200, then a few bytes per second (trips a total timeout)
  /big                2 MiB of body (over a small size cap)
  /garbage            the first 50,000 bytes of the AWS file (does not parse)
  /shrunk             a valid AWS-format file with 3 prefixes
  /missing            404
  POST /hook          204 (a webhook receiver)
  POST /hook/fail/N/NAME  500 for the first N POSTs to NAME, then 204
  POST /hook/500      500, always
"""
import http.server
import json
import os
import socketserver
import sys
import threading
import time

top = sys.argv[2]
record = sys.argv[3] if len(sys.argv) > 3 else None
counts = {}
lock = threading.Lock()
AWS = os.path.join(top, "data/ranges/aws/ip-ranges-2025-07-24.json")
FILES = {
    "/garbage": os.path.join(top, "tests/fixtures/ranges/bad/aws-truncated.json"),
    "/shrunk": os.path.join(top, "tests/fixtures/ranges/aws-unmapped-region.json"),
}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send_file(self, path, etag=None):
        with open(path, "rb") as f:
            body = f.read()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if etag:
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", "Thu, 24 Jul 2025 20:23:14 GMT")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        p = self.path
        if p == "/aws.json":
            if self.headers.get("If-None-Match") == '"v1"':
                self.send_response(304)
                self.send_header("ETag", '"v1"')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            return self.send_file(AWS, '"v1"')
        if p.startswith("/flaky/"):
            _, _, name, n = p.split("/")
            counts[name] = counts.get(name, 0) + 1
            if counts[name] <= int(n):
                self.send_response(503)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            return self.send_file(AWS, '"v1"')
        if p == "/slow":
            self.send_response(200)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            for _ in range(60):
                try:
                    self.wfile.write(b" ")
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(0.5)
            return
        if p == "/big":
            body = b" " * (2 * 1024 * 1024)
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except OSError:
                pass
            return
        if p in FILES:
            return self.send_file(FILES[p])
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()


    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode("utf-8", "replace")
        p = self.path
        with lock:
            if record:
                with open(record, "a") as f:
                    f.write(json.dumps({"path": p,
                                        "content_type": self.headers.get("Content-Type"),
                                        "body": body}) + "\n")
            status = 404
            if p == "/hook":
                status = 204
            elif p == "/hook/500":
                status = 500
            elif p.startswith("/hook/fail/"):
                _, _, _, n_fail, name = p.split("/")
                counts[name] = counts.get(name, 0) + 1
                status = 500 if counts[name] <= int(n_fail) else 204
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass  # clients that give up (timeouts, size caps) are what the tests do


srv = Server(("127.0.0.1", 0), Handler)
tmp = sys.argv[1] + ".tmp"
with open(tmp, "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(tmp, sys.argv[1])
srv.serve_forever()
