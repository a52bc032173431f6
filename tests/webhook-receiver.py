#!/usr/bin/env python3
"""webhook-receiver: the test stack's HTTPS endpoint for webhooks.

usage: webhook-receiver.py --listen ADDR --port PORT --cert PEM --key PEM
                           --log FILE

Answers by the path's first segment:
  /ok/...          200 {"ok":true}
  /fail/...        500 {"ok":false}
  /status/NNN/...  NNN (no body for 204 and 304)
  /slow/...        waits 20 s, then 200 {"ok":true}
  anything else    404
Every request is appended to FILE as one JSON line when it arrives, with
the status it is about to get: path, method, headers (lower-case names),
body (the raw body, as UTF-8 text), status, at (unix time).  Python's
standard library only; scripts/test starts it (lib.sh receiver_start).
"""
import argparse
import json
import socket
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SLOW_SECONDS = 20
LOG_LOCK = threading.Lock()


def answer_for(path):
    """The status a path gets."""
    parts = path.split("?", 1)[0].split("/")
    first = parts[1] if len(parts) > 1 else ""
    if first == "ok" or first == "slow":
        return 200
    if first == "fail":
        return 500
    if first == "status" and len(parts) > 2 and parts[2].isdigit():
        code = int(parts[2])
        if 100 <= code <= 599:
            return code
    return 404


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "haas-webhook-receiver"
    timeout = 60

    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline().strip():
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def record(self, body, status, at):
        headers = {}
        for name, value in self.headers.items():
            name = name.lower()
            headers[name] = headers[name] + ", " + value if name in headers else value
        line = json.dumps({
            "path": self.path,
            "method": self.command,
            "headers": headers,
            "body": body.decode("utf-8", errors="replace"),
            "status": status,
            "at": at,
        }, ensure_ascii=False)
        with LOG_LOCK, open(self.server.log_path, "a", encoding="utf-8") as f:
            f.write(line + "\n")
            f.flush()

    def handle_any(self):
        at = time.time()
        body = self.read_body()
        status = answer_for(self.path)
        self.record(body, status, at)
        if self.path.startswith("/slow/"):
            time.sleep(SLOW_SECONDS)
        reply = b""
        if status not in (204, 304) and status >= 200:
            reply = json.dumps({"ok": status < 300}).encode() + b"\n"
        self.send_response(status)
        if reply:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = handle_any

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.log_date_time_string(), fmt % args))


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def finish_request(self, request, client_address):
        # The TLS handshake runs in the request's thread: a client that
        # stalls in it holds up no one else.
        request.settimeout(60)
        try:
            tls = self.tls.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as e:
            sys.stderr.write("TLS handshake with %s failed: %s\n" % (client_address[0], e))
            return
        try:
            self.RequestHandlerClass(tls, client_address, self)
        finally:
            try:
                tls.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            tls.close()


def main():
    p = argparse.ArgumentParser(description="HTTPS webhook receiver for tests")
    p.add_argument("--listen", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--log", required=True)
    a = p.parse_args()
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(a.cert, a.key)
    server = Server((a.listen, a.port), Handler)
    server.tls = tls
    server.log_path = a.log
    sys.stderr.write("listening on https://%s:%d, logging to %s\n" % (a.listen, a.port, a.log))
    server.serve_forever()


if __name__ == "__main__":
    main()
