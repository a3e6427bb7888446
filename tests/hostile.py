#!/usr/bin/env python3
"""Rude HTTP clients, and a real one that times its answers.

  hostile.py flood --port P [--silent N] [--partial N] [--trickle N]
                   [--talkers N] [--nonreaders N] [--seconds S]
                   [--request FILE]
      holds N connections of each kind open against 127.0.0.1:P, each
      re-opened when the server drops it, for S seconds:
        silent   connects and sends nothing;
        partial  sends a request head one byte every 2 s, never ending it;
        trickle  sends a whole head announcing a 60,000-byte body, then
                 the body one byte every 2 s;
        talkers  keep-alive: one valid request every 4 s on one connection
                 (the OCSP request FILE as a POST, else GET /healthz);
        nonreaders  pipeline 1,000 such requests with a 4 KiB receive
                 buffer and never read an answer.
      Prints one line: what it held and how often the server dropped it.

  hostile.py probe --port P --request FILE [--seconds S] [--every MS]
      a real client: every MS milliseconds a new connection POSTs FILE
      and reads the whole answer. Prints "probe n=... p50_ms=... p99_ms=...
      max_ms=... failed=..."; a failure is no 200 within 10 s.

  hostile.py rss --pid PID
      the peak resident set (VmHWM) of PID, in KiB.

Python's standard library only, so that it runs wherever the tests do.
"""
import argparse
import heapq
import resource
import selectors
import socket
import sys
import time


def content_length(head):
    """The Content-Length of a response head (bytes), 0 if none."""
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            return int(v.strip())
    return 0


def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


class Conn:
    __slots__ = ("kind", "sock", "sent", "inbuf", "answers", "dead")

    def __init__(self, kind):
        self.kind = kind
        self.sock = None
        self.sent = 0
        self.inbuf = b""
        self.answers = 0
        self.dead = False


def flood(a):
    raise_nofile()
    body = open(a.request, "rb").read() if a.request else None
    if body is not None:
        talk = (b"POST / HTTP/1.1\r\nHost: t\r\n"
                b"Content-Type: application/ocsp-request\r\n"
                b"Content-Length: %d\r\n\r\n" % len(body)) + body
    else:
        talk = b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"
    pipeline = talk * 1000
    partial = b"POST / HTTP/1.1\r\nHost: t\r\nX-Slow: " + b"a" * 4000
    trickle_head = (b"POST / HTTP/1.1\r\nHost: t\r\n"
                    b"Content-Type: application/ocsp-request\r\n"
                    b"Content-Length: 60000\r\n\r\n")
    sel = selectors.DefaultSelector()
    timers = []  # (when, seq, conn)
    seq = [0]
    stats = {"opened": 0, "dropped": 0, "answers": 0, "connect_failed": 0}
    pending = []  # kinds waiting to (re)connect, ramped
    nonreaders = []  # not in the selector: counted apart

    def later(conn, dt):
        seq[0] += 1
        heapq.heappush(timers, (time.monotonic() + dt, seq[0], conn))

    def close(conn):
        if conn.sock is not None:
            try:
                sel.unregister(conn.sock)
            except (KeyError, ValueError):
                pass
            conn.sock.close()
            conn.sock = None
        conn.dead = True

    def open_conn(kind):
        conn = Conn(kind)
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if kind == "nonreader":
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.setblocking(False)
        try:
            s.connect_ex(("127.0.0.1", a.port))
        except OSError:
            s.close()
            stats["connect_failed"] += 1
            pending.append(kind)
            return
        conn.sock = s
        # Non-readers are watched for nothing: they never read.
        if kind != "nonreader":
            sel.register(s, selectors.EVENT_READ, conn)
        else:
            nonreaders.append(conn)
        stats["opened"] += 1
        if kind in ("talker", "partial", "trickle", "nonreader"):
            later(conn, 0.05)

    def send(conn, data):
        try:
            conn.sock.send(data)
            return True
        except (BlockingIOError, InterruptedError):
            return True
        except OSError:
            return False

    def act(conn):
        if conn.dead or conn.sock is None:
            return
        if conn.kind == "nonreader":
            # Keep the pipeline full; the selector never reads for it.
            if conn.sent < len(pipeline):
                try:
                    conn.sent += conn.sock.send(pipeline[conn.sent:])
                except (BlockingIOError, InterruptedError):
                    pass
                except OSError:
                    drop(conn)
                    return
            later(conn, 0.5)
            return
        if conn.kind == "talker":
            ok = send(conn, talk)
            later(conn, 4.0)
        elif conn.kind == "partial":
            if conn.sent < len(partial):
                ok = send(conn, partial[conn.sent:conn.sent + 1])
                conn.sent += 1
            else:
                ok = True
            later(conn, 2.0)
        else:  # trickle
            if conn.sent == 0:
                ok = send(conn, trickle_head + b"x")
            else:
                ok = send(conn, b"x")
            conn.sent += 1
            later(conn, 2.0)
        if not ok:
            drop(conn)

    def drop(conn):
        kind = conn.kind
        close(conn)
        stats["dropped"] += 1
        pending.append(kind)

    for kind, n in (("silent", a.silent), ("partial", a.partial),
                    ("trickle", a.trickle), ("talker", a.talkers),
                    ("nonreader", a.nonreaders)):
        pending.extend([kind] * n)
    end = time.monotonic() + a.seconds
    ramp = 2000  # new connections per second at most
    last = time.monotonic()
    budget = 0.0
    while time.monotonic() < end:
        now = time.monotonic()
        budget = min(budget + (now - last) * ramp, ramp / 10)
        last = now
        while pending and budget >= 1:
            open_conn(pending.pop())
            budget -= 1
        timeout = 0.05
        if timers:
            timeout = max(0.0, min(timeout, timers[0][0] - now))
        for key, _ in sel.select(timeout):
            conn = key.data
            try:
                data = conn.sock.recv(65536)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                data = b""
            if not data:
                drop(conn)
                continue
            conn.inbuf += data
            # Count answers (talkers); others just get error answers.
            while b"\r\n\r\n" in conn.inbuf:
                head, _, rest = conn.inbuf.partition(b"\r\n\r\n")
                clen = content_length(head)
                if len(rest) < clen:
                    break
                conn.inbuf = rest[clen:]
                stats["answers"] += 1
        now = time.monotonic()
        while timers and timers[0][0] <= now:
            _, _, conn = heapq.heappop(timers)
            act(conn)
    held = len(sel.get_map())
    held += sum(1 for c in nonreaders if c.sock is not None)
    print("flood silent=%d partial=%d trickle=%d talkers=%d nonreaders=%d "
          "held_at_end=%d opened=%d dropped=%d answers=%d connect_failed=%d" % (
              a.silent, a.partial, a.trickle, a.talkers, a.nonreaders, held,
              stats["opened"], stats["dropped"], stats["answers"],
              stats["connect_failed"]))
    sys.stdout.flush()


def probe_once(port, req, timeout=10.0):
    t0 = time.monotonic()
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    except OSError:
        return None
    try:
        s.settimeout(max(0.001, timeout - (time.monotonic() - t0)))
        s.sendall(req)
        buf = b""
        while b"\r\n\r\n" not in buf:
            d = s.recv(65536)
            if not d:
                return None
            buf += d
        head, _, rest = buf.partition(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 200"):
            return None
        clen = content_length(head)
        while len(rest) < clen:
            d = s.recv(65536)
            if not d:
                return None
            rest += d
        return time.monotonic() - t0
    except OSError:
        return None
    finally:
        s.close()


def percentile(xs, p):
    if not xs:
        return 0.0
    xs = sorted(xs)
    k = min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))
    return xs[k]


def probe(a):
    body = open(a.request, "rb").read()
    req = (b"POST / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
           b"Content-Type: application/ocsp-request\r\n"
           b"Content-Length: %d\r\n\r\n" % len(body)) + body
    lat, failed = [], 0
    end = time.monotonic() + a.seconds
    while time.monotonic() < end:
        t = probe_once(a.port, req)
        if t is None:
            failed += 1
            lat.append(10.0)
        else:
            lat.append(t)
        time.sleep(a.every / 1000.0)
    print("probe n=%d p50_ms=%.1f p99_ms=%.1f max_ms=%.1f failed=%d" % (
        len(lat), 1000 * percentile(lat, 50), 1000 * percentile(lat, 99),
        1000 * max(lat) if lat else 0, failed))


def rss(a):
    with open("/proc/%d/status" % a.pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                print(line.split()[1])
                return
    sys.exit("no VmHWM for pid %d" % a.pid)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("flood")
    f.add_argument("--port", type=int, required=True)
    for k in ("silent", "partial", "trickle", "talkers", "nonreaders"):
        f.add_argument("--" + k, type=int, default=0)
    f.add_argument("--seconds", type=float, default=10)
    f.add_argument("--request")
    q = sub.add_parser("probe")
    q.add_argument("--port", type=int, required=True)
    q.add_argument("--request", required=True)
    q.add_argument("--seconds", type=float, default=10)
    q.add_argument("--every", type=float, default=20)
    r = sub.add_parser("rss")
    r.add_argument("--pid", type=int, required=True)
    a = p.parse_args()
    {"flood": flood, "probe": probe, "rss": rss}[a.cmd](a)


if __name__ == "__main__":
    main()
