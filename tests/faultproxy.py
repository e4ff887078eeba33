"""A fault-injecting HTTP proxy on 127.0.0.1 for collector tests: real botocore talks to it, it forwards to a moto
server (or answers nothing at all) and breaks the calls a test names.

Only loopback; a bounded number of requests and a bounded lifetime: the proxy stops by itself after ``lifetime``
seconds or ``max_requests`` requests, whichever comes first, and on leaving its ``with`` block.
"""

from __future__ import annotations

import http.client
import re
import socket
import struct
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Optional

EC2_XML_ERROR = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message>'
    "</Error></Errors><RequestID>fault-proxy</RequestID></Response>"
)

STS_XML_ERROR = (
    '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>{code}</Code>'
    "<Message>{message}</Message></Error><RequestId>fault-proxy</RequestId></ErrorResponse>"
)

Fault = Optional[str]
"""What to do with one request: None (forward it), ``plain503`` / ``plain500`` (a text body, not XML), ``xml500``
(EC2's error document, InternalError), ``truncate`` (the real answer cut in the middle, connection closed),
``garbage`` (HTTP 200 with a body that is not XML), ``reset`` (connection reset before any answer), ``hang``
(accept, read, never answer until the proxy stops), ``denied`` (HTTP 403 as AWS refuses a call: STS's
``AccessDenied`` for ``AssumeRole``, EC2's ``UnauthorizedOperation`` otherwise)."""


@dataclass(frozen=True)
class Request:
    """What :attr:`FaultProxy.decide` sees of a request: its action, the region of its signature, its query
    parameters (of the body or the URL), the account its credentials were issued for by an ``AssumeRole`` that went
    through this proxy (None for other credentials), and its URL path (REST APIs such as Route 53 name the
    operation there, not in ``Action``)."""

    action: str
    region: str
    params: dict[str, str]
    account: Optional[str]
    path: str = "/"


class FaultProxy:
    """``FaultProxy(upstream, choose)``: ``choose(action, n, region)`` gets the request's ``Action``, how many
    requests of that action and region came before (0 for the first) and the region of its signature, and returns a
    :data:`Fault`. ``upstream`` None answers every request with ``choose``'s fault (a forwarded request then gets a
    502). ``decide`` sees each request without a fault from ``choose``; ``answer`` may then give the body of an
    HTTP 200 answer in place of moto's (for what AWS answers and moto can't)."""

    def __init__(self, upstream: Optional[str], choose: Callable[[str, int, str], Fault], lifetime: float = 60.0,
                 max_requests: int = 2000, decide: Optional[Callable[[Request], Fault]] = None,
                 answer: Optional[Callable[[Request], Optional[bytes]]] = None) -> None:
        self.upstream = urllib.parse.urlsplit(upstream) if upstream else None
        self.choose, self.lifetime, self.max_requests, self.decide = choose, lifetime, max_requests, decide
        self.answer = answer
        self.keys: dict[str, str] = {}
        """Access key id -> the account an AssumeRole answer through this proxy issued it for."""
        self.seen: Counter[tuple[str, str]] = Counter()
        """Requests by (action, region)."""
        self.faults: Counter[tuple[str, str, str]] = Counter()
        """Faults injected by (action, region, fault)."""
        self.stopped = threading.Event()
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                try:
                    proxy._handle(self)
                except OSError:  # the client went away (a read timeout): nothing to answer
                    self.close_connection = True

            do_GET = do_POST

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> "FaultProxy":
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        timer = threading.Timer(self.lifetime, self.stop)
        timer.daemon = True
        timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        if not self.stopped.is_set():
            self.stopped.set()
            self.server.shutdown()
            self.server.server_close()

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        body = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        url = urllib.parse.urlsplit(handler.path)
        params = {k: v[0] for text in (url.query, body.decode("utf-8", "replace"))
                  for k, v in urllib.parse.parse_qs(text).items()}
        action = params.get("Action", "?")
        scope = (handler.headers.get("Authorization") or "").split("Credential=")[-1].split("/")
        region = scope[2] if len(scope) > 2 else "?"
        with self._lock:
            count = self.seen[(action, region)]
            self.seen[(action, region)] += 1
            total = sum(self.seen.values())
        if total > self.max_requests:
            self.stop()
            return _reset(handler)
        fault = self.choose(action, count, region)
        with self._lock:
            account = self.keys.get(scope[0])
        request = Request(action, region, params, account, url.path)
        if self.decide is not None and not fault:
            fault = self.decide(request)
        answered = self.answer(request) if self.answer is not None and not fault else None
        if answered is not None:
            return _answer(handler, 200, answered, "text/xml")
        if fault:
            with self._lock:
                self.faults[(action, region, fault)] += 1
        if fault == "hang":
            self.stopped.wait(self.lifetime)
            return _reset(handler)
        if fault == "reset":
            return _reset(handler)
        if fault in ("plain503", "plain500"):
            status = int(fault[-3:])
            return _answer(handler, status, b"Service Unavailable\n" if status == 503 else b"oops\n", "text/plain")
        if fault == "xml500":
            return _answer(handler, 500, EC2_XML_ERROR.format(code="InternalError", message="fault proxy").encode(), "text/xml")
        if fault == "garbage":
            return _answer(handler, 200, b"<DescribeSomethingResponse><oops", "text/xml")
        if fault == "denied":
            message = f"not authorized to perform: {action} (fault proxy)"
            template = STS_XML_ERROR if action == "AssumeRole" else EC2_XML_ERROR
            code = "AccessDenied" if action == "AssumeRole" else "UnauthorizedOperation"
            return _answer(handler, 403, template.format(code=code, message=message).encode(), "text/xml")
        if self.upstream is None:
            return _answer(handler, 502, b"no upstream\n", "text/plain")
        status, headers, answer = self._forward(handler, body)
        if action == "AssumeRole" and status == 200:
            key = re.search(rb"<AccessKeyId>([^<]+)</AccessKeyId>", answer)
            if key:
                with self._lock:
                    self.keys[key[1].decode()] = params.get("RoleArn", "").split(":")[4]
        if fault == "truncate":
            handler.send_response(status)
            handler.send_header("Content-Type", headers.get("Content-Type", "text/xml"))
            handler.send_header("Content-Length", str(len(answer)))
            handler.end_headers()
            handler.wfile.write(answer[: len(answer) // 2])
            handler.wfile.flush()
            handler.close_connection = True
            handler.connection.shutdown(socket.SHUT_RDWR)
            return None
        return _answer(handler, status, answer, headers.get("Content-Type", "text/xml"))

    def _forward(self, handler: BaseHTTPRequestHandler, body: bytes) -> tuple[int, dict[str, str], bytes]:
        assert self.upstream is not None
        connection = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port, timeout=30)
        try:
            headers = {k: v for k, v in handler.headers.items() if k.lower() not in ("host", "connection")}
            connection.request(handler.command, handler.path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()


def _answer(handler: BaseHTTPRequestHandler, status: int, body: bytes, content_type: str) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def _reset(handler: BaseHTTPRequestHandler) -> None:
    """Close the connection with a TCP reset (SO_LINGER 0), no answer."""
    handler.close_connection = True
    try:
        handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        handler.connection.close()
    except OSError:
        pass


def wait_until(predicate: Callable[[], bool], timeout: float) -> bool:
    """Poll ``predicate`` until it holds or ``timeout`` seconds pass."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()
