#!/usr/bin/env python3
"""HTTP on the wire against a running ocspbox: framing, Expect, deadlines,
keep-alive, Date, and rude clients beside real ones. Raw sockets, so that
nothing between the test and the server tidies up what is sent.

  wire.py --port P --admin-port A --token T --req OCSP.der

Prints "ok   NAME" or "FAIL NAME" and detail lines, one check each, and
exits 0; test_http.sh counts them.
"""
import argparse
import socket
import threading
import time

A = None
RESULTS = []
LOCK = threading.Lock()


def ok(name):
    with LOCK:
        RESULTS.append("ok   " + name)


def fail(name, *detail):
    with LOCK:
        RESULTS.append("FAIL " + name + "".join("\n  " + str(d) for d in detail))


def check(name, cond, *detail):
    if cond:
        ok(name)
    else:
        fail(name, *detail)


class Conn:
    """A client connection and the bytes it received past one answer."""

    def __init__(self, port=None, timeout=5.0):
        self.s = socket.create_connection(("127.0.0.1", port or A.port),
                                          timeout=timeout)
        self.buf = b""

    def sendall(self, data):
        self.s.sendall(data)

    def close(self):
        self.s.close()

    def _recv(self, until):
        self.s.settimeout(max(0.01, until - time.monotonic()))
        try:
            d = self.s.recv(65536)
        except (socket.timeout, OSError):
            return None
        return d or None

    def response(self, deadline=5.0):
        """One response: (status, {lowercase name: value}, body), or None
        if the connection closed or timed out before one came."""
        until = time.monotonic() + deadline
        while b"\r\n\r\n" not in self.buf:
            d = self._recv(until)
            if d is None:
                return None
            self.buf += d
        head, _, rest = self.buf.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        hdrs = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            hdrs[k.strip().lower()] = v.strip()
        n = 0 if status in (100, 304) else int(hdrs.get("content-length", "0"))
        while len(rest) < n:
            d = self._recv(until)
            if d is None:
                break
            rest += d
        self.buf = rest[n:]
        return status, hdrs, rest[:n]

    def closed(self, within=3.0):
        """Whether the server closes within `within` seconds, sending
        nothing more."""
        if self.buf:
            return False
        self.s.settimeout(within)
        try:
            return self.s.recv(65536) == b""
        except ConnectionResetError:
            return True
        except (socket.timeout, OSError):
            return False


def conn(port=None, timeout=5.0):
    return Conn(port, timeout)


def exchange(raw, port=None):
    c = conn(port)
    c.sendall(raw)
    return c, c.response()


OCSP_REQ = None


def post(body, extra=b""):
    return (b"POST / HTTP/1.1\r\nHost: t\r\n"
            b"Content-Type: application/ocsp-request\r\n" + extra +
            b"Content-Length: %d\r\n\r\n" % len(body) + body)


HEALTH = b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"
SMUGGLED = b"GET /healthz HTTP/1.1\r\nHost: smuggled\r\n\r\n"


def framing():
    cases = [
        ("Transfer-Encoding with Content-Length", 400,
         b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n"
         b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + SMUGGLED),
        ("Content-Lengths that differ", 400,
         b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n"
         b"Content-Length: 44\r\n\r\n" + SMUGGLED),
        ("obsolete line folding", 400,
         b"POST / HTTP/1.1\r\nHost: t\r\nX-A: a\r\n b\r\n"
         b"Content-Length: 44\r\n\r\n" + SMUGGLED),
        ("65 header fields", 400,
         b"POST / HTTP/1.1\r\nHost: t\r\n" +
         b"".join(b"X-%d: y\r\n" % i for i in range(63)) +
         b"Content-Length: 44\r\n\r\n" + SMUGGLED),
        ("whitespace before a colon", 400,
         b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length : 44\r\n\r\n" +
         SMUGGLED),
        ("a malformed request line", 400,
         b"GET  /healthz HTTP/1.1\r\nHost: t\r\n\r\n"),
        ("Transfer-Encoding in HTTP/1.0", 400,
         b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
        ("Content-Length 2^63-1", 413,
         b"POST / HTTP/1.1\r\nHost: t\r\n"
         b"Content-Length: 9223372036854775807\r\n\r\n"),
        ("Content-Length past 64 KiB", 413,
         b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 65537\r\n\r\n"),
        ("a transfer coding other than chunked", 501,
         b"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n"),
        ("an Expect other than 100-continue", 417,
         b"POST / HTTP/1.1\r\nHost: t\r\nExpect: 200-ok\r\n"
         b"Content-Length: 3\r\n\r\n"),
        ("a head over 16 KiB", 431,
         b"GET /healthz HTTP/1.1\r\nX-Big: " + b"a" * 17000 + b"\r\n\r\n"),
        ("a request target over 16 KiB", 414,
         b"GET /" + b"a" * 17000 + b" HTTP/1.1\r\nHost: t\r\n\r\n"),
        ("an absolute-form target without a path", 400,
         b"GET http://127.0.0.1 HTTP/1.1\r\nHost: t\r\n\r\n"),
        ("an asterisk target with GET", 400,
         b"GET * HTTP/1.1\r\nHost: t\r\n\r\n"),
        ("an unknown method", 501, b"FOO / HTTP/1.1\r\nHost: t\r\n\r\n"),
        ("HTTP/1.1 without Host", 400, b"GET /healthz HTTP/1.1\r\n\r\n"),
        ("two Host fields", 400,
         b"GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
        ("HTTP/1.2", 505, b"GET /healthz HTTP/1.2\r\nHost: t\r\n\r\n"),
    ]
    for name, want, raw in cases:
        s, r = exchange(raw)
        if r is None:
            fail("%s: %d" % (name, want), "no answer")
            s.close()
            continue
        status, hdrs, body = r
        check("%s: %d, Connection: close, Date, closed, nothing smuggled"
              % (name, want),
              status == want and hdrs.get("connection") == "close" and
              "date" in hdrs and s.closed(),
              "got %d %s" % (status, hdrs), body)
        s.close()
    # RFC 9112 3.2.2: a server accepts the absolute form, whatever host
    # and port it names, as its path; and on a kept-alive connection.
    for target in (b"http://127.0.0.1:%d/healthz" % A.port,
                   b"HTTP://other.example/healthz"):
        s, r = exchange(b"GET " + target + b" HTTP/1.1\r\nHost: t\r\n\r\n")
        check("absolute-form %s: answered as /healthz" % target.decode(),
              r is not None and r[0] == 200 and r[2] == b"ok\n", r)
        s.close()
    # Pipelined behind an ordinary request, and sent just after its
    # answer (a worker lingering for the next request meets it first):
    # each is answered, and the request after it too.
    plain = b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"
    for name, odd in (("absolute-form",
                       b"GET http://e/healthz HTTP/1.1\r\nHost: t\r\n\r\n"),
                      ("OPTIONS *", b"OPTIONS * HTTP/1.1\r\nHost: t\r\n\r\n")):
        s = conn()
        s.sendall(plain + odd + plain)
        got = [s.response() for _ in range(2)]
        check("pipelined %s after a request: both answered" % name,
              all(r is not None and r[0] == 200 for r in got), got)
        s.close()
        s = conn()
        s.sendall(plain)
        first = s.response()
        time.sleep(0.005)
        s.sendall(odd)
        second = s.response()
        check("%s 5 ms after an answer on its connection: answered" % name,
              first is not None and second is not None and
              second[0] == 200, first, second)
        s.close()
    # RFC 9110 9.3.7: OPTIONS * is answered, with what the server allows.
    s, r = exchange(b"OPTIONS * HTTP/1.1\r\nHost: t\r\n\r\n")
    check("OPTIONS *: 200 with Allow",
          r is not None and r[0] == 200 and
          r[1].get("allow") == "GET, HEAD, POST" and "date" in r[1], r)
    s.close()
    # 64 fields are fine.
    s, r = exchange(b"GET /healthz HTTP/1.1\r\nHost: t\r\n" +
                    b"".join(b"X-%d: y\r\n" % i for i in range(63)) +
                    b"\r\n")
    check("64 header fields: 200", r is not None and r[0] == 200, r)
    s.close()
    # The status line says HTTP/1.1, whatever the client said.
    s = conn()
    s.sendall(b"GET /healthz HTTP/1.2\r\nHost: t\r\n\r\n")
    line = s.s.recv(64)
    check("HTTP/1.2: answered with an HTTP/1.1 status line",
          line.startswith(b"HTTP/1.1 505"), line)
    s.close()
    # An error answer to HEAD has no body.
    s = conn()
    s.sendall(b"HEAD /healthz HTTP/1.1\r\n\r\n")
    r = s.response()
    check("HEAD without Host: 400 with no body after the head",
          r is not None and r[0] == 400 and r[2] == b"" and s.closed(), r)
    s.close()
    # A tab is whitespace around a value; leading zeros in a chunk size.
    s, r = exchange(b"POST / HTTP/1.1\r\nHost: t\r\n"
                    b"Content-Type:\tapplication/ocsp-request\r\n"
                    b"Content-Length:\t%d\t\r\n\r\n" % len(OCSP_REQ) +
                    OCSP_REQ)
    check("tabs around values: answered",
          r is not None and r[0] == 200 and
          r[1].get("content-type") == "application/ocsp-response", r)
    s.close()
    n = len(OCSP_REQ)
    s, r = exchange(b"POST / HTTP/1.1\r\nHost: t\r\n"
                    b"Transfer-Encoding: chunked\r\n\r\n000000%x\r\n" % n +
                    OCSP_REQ + b"\r\n00\r\n\r\n")
    check("leading zeros in chunk sizes: answered, and says it closes",
          r is not None and r[0] == 200 and
          r[1].get("connection") == "close" and s.closed(), r)
    s.close()
    # Two equal Content-Lengths are one.
    s, r = exchange(b"POST / HTTP/1.1\r\nHost: t\r\n"
                    b"Content-Type: application/ocsp-request\r\n"
                    b"Content-Length: %d\r\nContent-Length: %d\r\n\r\n" %
                    (len(OCSP_REQ), len(OCSP_REQ)) + OCSP_REQ)
    check("two equal Content-Lengths: answered",
          r is not None and r[0] == 200 and
          r[1].get("content-type") == "application/ocsp-response", r)
    s.close()


def keepalive():
    # Pipelined: both answered, in order, on one connection.
    s = conn()
    s.sendall(post(OCSP_REQ) + HEALTH)
    r1 = s.response()
    r2 = s.response()
    check("two pipelined requests: both answered, in order",
          r1 is not None and r2 is not None and
          r1[1].get("content-type") == "application/ocsp-response" and
          r2[2] == b"ok\n", r1 and r1[0], r2 and r2[0])
    # A third on the same connection later, within the idle timeout.
    time.sleep(0.3)
    s.sendall(HEALTH)
    r3 = s.response()
    check("the same connection serves again after a pause",
          r3 is not None and r3[0] == 200, r3)
    s.close()
    # A chunked OCSP request: answered, then the connection closes.
    n = len(OCSP_REQ)
    body = b"%x\r\n" % (n // 2) + OCSP_REQ[:n // 2] + b"\r\n" + \
        b"%x\r\n" % (n - n // 2) + OCSP_REQ[n // 2:] + b"\r\n0\r\n\r\n"
    s, r = exchange(b"POST / HTTP/1.1\r\nHost: t\r\n"
                    b"Content-Type: application/ocsp-request\r\n"
                    b"Transfer-Encoding: chunked\r\n\r\n" + body + SMUGGLED)
    check("a chunked request: answered, then closed (no keep-alive after "
          "chunked)",
          r is not None and r[0] == 200 and
          r[1].get("content-type") == "application/ocsp-response" and
          s.closed(), r and r[1])
    s.close()


def closing():
    """Connection: close among other options, or in a second field, closes,
    and the answer says so (RFC 9112 9.6)."""
    for name, hdr in (("keep-alive, close",
                       b"Connection: keep-alive, close\r\n"),
                      ("a second Connection field",
                       b"Connection: keep-alive\r\nConnection: close\r\n")):
        s = conn()
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n" + hdr + b"\r\n" +
                  HEALTH)
        r = s.response()
        check("Connection: %s: answered with Connection: close, then closed, "
              "the request after it unanswered" % name,
              r is not None and r[0] == 200 and
              r[1].get("connection") == "close" and s.closed(), r)
        s.close()
    # HTTP/1.0 without keep-alive: told, and closed.
    s = conn()
    s.sendall(b"GET /healthz HTTP/1.0\r\n\r\n")
    r = s.response()
    check("HTTP/1.0: Connection: close, then closed",
          r is not None and r[0] == 200 and
          r[1].get("connection") == "close" and s.closed(), r)
    s.close()
    # HTTP/1.0 that asks for keep-alive: kept, and told so (RFC 9112 9.3).
    s = conn()
    s.sendall(b"GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
    r = s.response()
    s.sendall(b"GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
    r2 = s.response()
    check("HTTP/1.0 with Connection: keep-alive: says keep-alive, and "
          "answers the next request on it",
          r is not None and r[1].get("connection", "").lower() ==
          "keep-alive" and r2 is not None and r2[0] == 200, r and r[1])
    s.close()
    # HTTP/1.0 asks no 100 Continue (RFC 9110 10.1.1, 15.2).
    s = conn()
    s.sendall(b"POST / HTTP/1.0\r\nExpect: 100-continue\r\n"
              b"Content-Type: application/ocsp-request\r\n"
              b"Content-Length: %d\r\n\r\n" % len(OCSP_REQ))
    s.s.settimeout(1.0)
    try:
        early = s.s.recv(64)
    except socket.timeout:
        early = b""
    s.sendall(OCSP_REQ)
    s.buf = early
    r = s.response()
    check("HTTP/1.0 with Expect: no 100 Continue, the body answered",
          early == b"" and r is not None and r[0] == 200, early, r)
    s.close()


def expect():
    # The 100 comes as soon as the head is in; then the body is answered.
    s = conn()
    t0 = time.monotonic()
    s.sendall(b"POST / HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\n"
              b"Content-Type: application/ocsp-request\r\n"
              b"Content-Length: %d\r\n\r\n" % len(OCSP_REQ))
    r = s.response(2.0)
    dt = time.monotonic() - t0
    check("Expect: 100-continue: 100 Continue at once (%.0f ms)" % (dt * 1000),
          r is not None and r[0] == 100 and dt < 0.5, r)
    s.sendall(OCSP_REQ)
    r = s.response()
    check("... then the body is answered",
          r is not None and r[0] == 200 and
          r[1].get("content-type") == "application/ocsp-response", r)
    s.close()
    # Too big: the final 413 at once, no 100.
    s = conn()
    t0 = time.monotonic()
    s.sendall(b"POST / HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\n"
              b"Content-Length: 100000\r\n\r\n")
    r = s.response(2.0)
    dt = time.monotonic() - t0
    check("Expect: 100-continue with 100,000 bytes: 413 at once, no 100",
          r is not None and r[0] == 413 and dt < 0.5, r)
    s.close()


def deadlines():
    """Each in a thread: they wait seconds each."""
    def silent():
        s = conn(timeout=10)
        t0 = time.monotonic()
        closed = s.closed(8)
        dt = time.monotonic() - t0
        check("a connection that sends nothing is closed after ~2 s "
              "(%.1f s)" % dt, closed and 1.5 <= dt <= 3.5)
        s.close()

    def drip(head, byte):
        """Sends head, then byte every 0.5 s until an answer comes; returns
        it (or None) and the seconds since the first byte."""
        s = conn(timeout=10)
        t0 = time.monotonic()
        s.sendall(head)
        r = None
        try:
            for _ in range(16):
                s.sendall(byte)
                s.s.settimeout(0.5)
                try:
                    r = s.s.recv(65536)
                    break
                except socket.timeout:
                    continue
        except OSError:
            pass
        s.close()
        return r, time.monotonic() - t0

    def partial():
        r, dt = drip(b"GET /healthz HTTP/1.1\r\nX: ", b"a")
        check("a head sent a byte at a time: 408 after the 5 s deadline "
              "(%.1f s)" % dt,
              r is not None and r.startswith(b"HTTP/1.1 408") and
              b"\r\nDate: " in r and 4.5 <= dt <= 6.5, r)

    def trickle():
        r, dt = drip(b"POST / HTTP/1.1\r\nHost: t\r\n"
                     b"Content-Type: application/ocsp-request\r\n"
                     b"Content-Length: 1000\r\n\r\n", b"x")
        check("a body sent a byte at a time: 408 after the 5 s deadline, "
              "not re-armed by each byte (%.1f s)" % dt,
              r is not None and r.startswith(b"HTTP/1.1 408") and
              4.5 <= dt <= 6.5, r)

    def idle_keepalive():
        s = conn(timeout=10)
        s.sendall(HEALTH)
        r = s.response()
        t0 = time.monotonic()
        closed = r is not None and s.closed(9)
        dt = time.monotonic() - t0
        check("an idle keep-alive connection is closed after ~5 s (%.1f s)"
              % dt, closed and 4.5 <= dt <= 6.5)
        s.close()

    ts = [threading.Thread(target=f) for f in
          (silent, partial, trickle, idle_keepalive)]
    for t in ts:
        t.start()
    return ts


def real_requests(n):
    """n real clients, one after the other, each on a new connection:
    the slowest answer's seconds, and how many got no 200."""
    slowest, bad = 0.0, 0
    for _ in range(n):
        t0 = time.monotonic()
        c = conn(timeout=10)
        c.sendall(post(OCSP_REQ, b"Connection: close\r\n"))
        r = c.response(10)
        slowest = max(slowest, time.monotonic() - t0)
        if r is None or r[0] != 200:
            bad += 1
        c.close()
    return slowest, bad


def rude_beside_real():
    """Rude clients on every worker and more; real requests still fast."""
    held = []
    stop = threading.Event()
    try:
        for _ in range(60):
            held.append(conn(timeout=10))  # silent
        for _ in range(60):
            s = conn(timeout=10)
            s.sendall(b"POST / HTTP/1.1\r\nHost: t\r\nX: ")
            held.append(s)  # partial head
        for _ in range(60):
            s = conn(timeout=10)
            s.sendall(b"POST / HTTP/1.1\r\nHost: t\r\n"
                      b"Content-Length: 60000\r\n\r\nx")
            held.append(s)  # trickled body
        talkers = []
        for _ in range(20):
            s = conn(timeout=10)
            talkers.append(s)

        def talk():
            while not stop.is_set():
                for s in talkers:
                    try:
                        s.sendall(HEALTH)
                    except OSError:
                        pass
                stop.wait(0.2)
        t = threading.Thread(target=talk)
        t.start()
        time.sleep(0.3)
        slowest, bad = real_requests(30)
        # The admin listener holds up the same way.
        aheld = [conn(A.admin_port, timeout=10) for _ in range(40)]
        t0 = time.monotonic()
        s = conn(A.admin_port)
        s.sendall(b"GET /api/v1/cache/stats HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
                  b"Authorization: Bearer %s\r\nConnection: close\r\n\r\n" %
                  (A.admin_port, A.token.encode()))
        r = s.response()
        adt = time.monotonic() - t0
        s.close()
        for a in aheld:
            a.close()
        stop.set()
        t.join()
        check("30 real requests beside 180 rude connections and 20 keep-alive "
              "talkers on %s workers: all answered, slowest %.0f ms"
              % (A.threads, slowest * 1000),
              bad == 0 and slowest < 1.0, "failed %d" % bad)
        check("an admin request beside 40 idle admin connections (%.0f ms)"
              % (adt * 1000), r is not None and r[0] == 200 and adt < 1.0, r)
    finally:
        stop.set()
        for s in held:
            s.close()


def non_readers():
    """Clients that pipeline many requests and never read the answers:
    their answers wait in the gate, not in a worker."""
    rude = []
    many = post(OCSP_REQ) * 4000  # some 6 MB of answers
    for _ in range(8):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect(("127.0.0.1", A.port))
        s.setblocking(False)
        try:
            s.send(many)
        except BlockingIOError:
            pass
        rude.append(s)
    time.sleep(0.5)
    slowest, bad = real_requests(20)
    for s in rude:
        s.close()
    check("20 real requests beside 8 clients that pipeline 4,000 requests "
          "and never read: all answered, slowest %.0f ms"
          % (slowest * 1000), bad == 0 and slowest < 1.0, "failed %d" % bad)


def dates():
    """Date on answers of every kind (RFC 9110 6.6.1)."""
    import base64
    import urllib.parse
    path = "/" + urllib.parse.quote(base64.b64encode(OCSP_REQ).decode(),
                                    safe="")
    cases = [
        ("a cacheable GET", b"GET %s HTTP/1.1\r\nHost: t\r\n\r\n"
         % path.encode(), 200),
        ("a POST", post(OCSP_REQ), 200),
        ("/healthz", HEALTH, 200),
        ("a 404", b"GET /crl/nobody.crl HTTP/1.1\r\nHost: t\r\n\r\n", 404),
        ("a 405", b"DELETE / HTTP/1.1\r\nHost: t\r\n\r\n", 405),
        ("a 415", b"POST / HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain"
         b"\r\nContent-Length: 3\r\n\r\nabc", 415),
        ("an unknown method (501)", b"FOO / HTTP/1.1\r\nHost: t\r\n\r\n",
         501),
    ]
    for name, raw, want in cases:
        s, r = exchange(raw)
        check("Date on %s (%d)" % (name, want),
              r is not None and r[0] == want and "date" in r[1] and
              r[1]["date"].endswith(" GMT"), r and (r[0], r[1]))
        s.close()
    s, r = exchange(b"GET %s HTTP/1.1\r\nHost: t\r\n\r\n" % path.encode())
    etag = r[1].get("etag", "") if r else ""
    s.close()
    s, r = exchange(b"GET %s HTTP/1.1\r\nHost: t\r\nIf-None-Match: %s\r\n\r\n"
                    % (path.encode(), etag.encode()))
    check("Date on a 304", r is not None and r[0] == 304 and "date" in r[1],
          r and (r[0], r[1]))
    s.close()
    s, r = exchange(b"GET /api/v1/issuers HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
                    b"\r\n" % A.admin_port, A.admin_port)
    check("Date on the admin listener's 401",
          r is not None and r[0] == 401 and "date" in r[1], r)
    s.close()


def admin_413_closes():
    body = b'{"issuer_id":"' + b"a" * 5000 + b'"}'
    s, r = exchange(b"POST /api/v1/revoke HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
                    b"Authorization: Bearer %s\r\n"
                    b"Content-Type: application/json\r\n"
                    b"Content-Length: %d\r\n\r\n" %
                    (A.admin_port, A.token.encode(), len(body)) + body +
                    b"GET /api/v1/issuers HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
                    b"Authorization: Bearer %s\r\n\r\n" %
                    (A.admin_port, A.token.encode()), A.admin_port)
    check("admin: a 413 that says Connection: close closes, the pipelined "
          "request after it unanswered",
          r is not None and r[0] == 413 and
          r[1].get("connection", "").lower() == "close" and s.closed(),
          r and (r[0], r[1]))
    s.close()


def gate_count():
    """requests.answered_by_gate from the admin listener's stats."""
    import json
    s, r = exchange(b"GET /api/v1/cache/stats HTTP/1.1\r\n"
                    b"Host: 127.0.0.1:%d\r\nAuthorization: Bearer %s\r\n"
                    b"Connection: close\r\n\r\n"
                    % (A.admin_port, A.token.encode()), A.admin_port)
    s.close()
    return json.loads(r[2])["server"]["requests"]["answered_by_gate"]


def same_answer(a, b):
    """Whether two answers are the same but for Date."""
    if a is None or b is None:
        return False
    ha = {k: v for k, v in a[1].items() if k != "date"}
    hb = {k: v for k, v in b[1].items() if k != "date"}
    return a[0] == b[0] and ha == hb and a[2] == b[2]


def gate_answers():
    """Cached answers the gate gives without a worker: the very bytes a
    worker sends, counted, in order among pipelined requests; and every
    request that is not plain left to a worker."""
    import base64
    import urllib.parse
    path = ("/" + urllib.parse.quote(base64.b64encode(OCSP_REQ).decode(),
                                     safe="")).encode()
    get = b"GET %s HTTP/1.1\r\nHost: t\r\n\r\n" % path
    s, r = exchange(post(OCSP_REQ))  # cached now, if it was not
    s.close()
    n0 = gate_count()
    s, r = exchange(post(OCSP_REQ))
    s.close()
    s, r2 = exchange(get)
    s.close()
    n1 = gate_count()
    check("a cached POST and GET answered by the gate (counted: %d)"
          % (n1 - n0),
          n1 - n0 == 2 and r is not None and r[0] == 200 and
          r[1].get("content-type") == "application/ocsp-response" and
          r2 is not None and "max-age=" in r2[1].get("cache-control", ""),
          r, r2)
    # The same requests with a field the gate leaves to a worker: the
    # same answers but for Date (tried again across a second's edge).
    for name, plain, other in (
            ("GET", get, b"GET %s HTTP/1.1\r\nHost: t\r\n"
             b"If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n"
             % path),
            ("POST", post(OCSP_REQ), post(OCSP_REQ, b"Expect: x-none\r\n")
             .replace(b"Expect: x-none\r\n", b"If-Match: *\r\n"))):
        for _ in range(3):
            n0 = gate_count()
            s, ra = exchange(plain)
            s.close()
            s, rb = exchange(other)
            s.close()
            n1 = gate_count()
            if same_answer(ra, rb):
                break
        check("%s: the gate's answer has a worker's status, fields and body "
              "but for Date, and only the plain one is the gate's" % name,
              same_answer(ra, rb) and n1 - n0 == 1,
              ra and (ra[0], ra[1]), rb and (rb[0], rb[1]), n1 - n0)
    # Not plain: answered as always, by a worker.
    n0 = gate_count()
    s, r = exchange(post(OCSP_REQ, b"Connection: close\r\n"))
    check("Connection: close: answered, says so and closes",
          r is not None and r[0] == 200 and
          r[1].get("connection", "").lower() == "close" and s.closed(), r)
    s.close()
    s, r = exchange(post(OCSP_REQ).replace(b"HTTP/1.1", b"HTTP/1.0"))
    check("HTTP/1.0: answered, then closed",
          r is not None and r[0] == 200 and s.closed(), r)
    s.close()
    s = conn()
    s.sendall(get.replace(b"GET ", b"HEAD "))
    head = b""
    until = time.monotonic() + 5
    while b"\r\n\r\n" not in head and time.monotonic() < until:
        d = s._recv(until)
        if d is None:
            break
        head += d
    more = s._recv(time.monotonic() + 0.3)
    check("HEAD: the head alone, with the GET's Content-Length",
          head.startswith(b"HTTP/1.1 200 ") and head.endswith(b"\r\n\r\n")
          and b"Content-Length: " in head and more is None, head, more)
    s.close()
    n1 = gate_count()
    check("none of these was the gate's", n1 == n0, n1 - n0)
    # Pipelined: the gate answers up to the first request that is not
    # plain, and the worker that gets it answers the rest, in order.
    n0 = gate_count()
    query = get.replace(path, path + b"?q=1")
    absolute = b"GET http://t%s HTTP/1.1\r\nHost: t\r\n\r\n" % path
    want = None
    # (An absolute-form target behind /healthz would go back to the gate
    # from the worker, which leaves the gate's rewriting to the gate.)
    for name, reqs in (("/healthz second", [post(OCSP_REQ), HEALTH, get,
                                            query, get]),
                       ("/healthz last", [post(OCSP_REQ), get, query,
                                          absolute, HEALTH])):
        s = conn()
        s.sendall(b"".join(reqs))
        rs = [s.response() for _ in reqs]
        kinds = [x is not None and x[1].get("content-type") ==
                 "application/ocsp-response" for x in rs]
        bodies = set(x[2] for x, k in zip(rs, kinds) if k)
        check("five pipelined requests, %s: all answered, in order" % name,
              kinds == [r != HEALTH for r in reqs] and len(bodies) == 1 and
              all(x is not None for x in rs),
              [x and x[0] for x in rs])
        want = bodies
        if reqs[1] == HEALTH:
            s.close()
    # A request cut in two behind a whole one, once the worker that
    # answered /healthz gave the connection back (after 20 ms).
    time.sleep(0.1)
    whole = post(OCSP_REQ)
    s.sendall(whole + whole[:40])
    r1 = s.response()
    time.sleep(0.1)
    s.sendall(whole[40:])
    r2 = s.response()
    check("a whole request and half of the next: both answered",
          r1 is not None and r2 is not None and {r1[2], r2[2]} == want,
          r1 and r1[0], r2 and r2[0])
    s.close()
    # Answers the client does not take at once: what the gate keeps
    # arrives whole and in order once it reads.
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(("127.0.0.1", A.port))
    c = Conn.__new__(Conn)
    c.s, c.buf = s, b""
    c.sendall(whole * 300)
    time.sleep(0.5)
    got = [c.response() for _ in range(300)]
    check("300 pipelined answers a client reads only later: all whole, "
          "in order", all(r is not None and r[0] == 200 and {r[2]} == want
                          for r in got),
          sum(1 for r in got if r is None))
    c.close()
    n1 = gate_count()
    check("the gate answered the plain ones before /healthz, an "
          "absolute-form one among them, both halves and the 300 read "
          "later (307 = 1 + 4 + 2 + 300): %d"
          % (n1 - n0), n1 - n0 == 307, n1 - n0)


def main():
    global A, OCSP_REQ
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--admin-port", type=int, required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--req", required=True)
    p.add_argument("--threads", default="?")
    A = p.parse_args()
    OCSP_REQ = open(A.req, "rb").read()
    # First, while nothing else talks to the server: it counts.
    try:
        gate_answers()
    except Exception as e:
        fail("gate_answers", repr(e))
    waiting = deadlines()
    for f in (framing, keepalive, closing, expect, dates, admin_413_closes,
              rude_beside_real, non_readers):
        try:
            f()
        except Exception as e:  # a check that crashed is a failure
            fail(f.__name__, repr(e))
    for t in waiting:
        t.join()
    print("\n".join(RESULTS))


if __name__ == "__main__":
    main()
