#!/usr/bin/env python3
"""TLS reference peer for bun-socket's ssl tests: CPython's own `ssl` module on the other end.

Usage: python3 tests/tls/tls_peer.py MODE --certs DIR [options]

Standard library only. Every mode stops by itself: --life SECONDS (default 30) arms a daemon thread
that calls os._exit(124); the same thread exits with 125 within ~0.1 s of the parent process going
away. Server modes bind 127.0.0.1 port 0, print exactly one line "READY <port>" (flushed) once
listening, serve --count connections (default 1) one after another, then print one JSON line
{"results": [...]} with one object per connection and exit 0. Client mode prints one JSON object.
An exception inside a connection is reported in its result as {"exc": name, "msg": str(e), ...}.

Byte pattern for bulk data: byte i of a stream is i % 251 (so any lost, duplicated or reordered
16 KiB record shows up as a mismatch).

Server options
  --cert NAME        certificate/key pair from DIR: server (default) or expired
  --tls-min V / --tls-max V   1.2 or 1.3
  --alpn a,b         ALPN protocols (server preference order)
  --verify-client    CERT_REQUIRED for client certificates, trusting DIR/ca.pem
Modes (server)
  echo               echo until EOF, then unwrap() (close_notify)
  source --bytes N   send N pattern bytes, then --end notify (unwrap, default) or vanish (close the TCP
                     socket without close_notify)
  sink --bytes N     read until N bytes or EOF, check the pattern, reply with the JSON result, unwrap
  info               after the handshake send one JSON line (version, cipher, alpn, client subject),
                     then read until EOF and unwrap
  late --delay S     after the handshake sleep S seconds, send b"late\\n", unwrap
  lazy-close --delay S   read until EOF (the client's close_notify), sleep S seconds, then unwrap()
  unwrap             read until the data ends with b"bye", unwrap(), then over plain TCP send
                     b"plain-from-python" and read the plain reply until EOF
Mode (client): client --port P
  --hostname H (default localhost), --no-verify, --cert NAME (client certificate from DIR),
  --tls-max / --tls-min, --alpn a,b, --send-bytes N (sendall N pattern bytes), --recv-bytes N (read N
  pattern bytes and check them), --end notify|close|vanish|wait-eof (default close; vanish = os._exit
  after --vanish-after bytes of --send-bytes were sent), --timeout S (default 10)
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import socket
import ssl
import sys
import threading
import time

EXIT_LIFE = 124
EXIT_ORPHAN = 125
PAT = bytes(range(251)) * 1100  # covers any chunk up to 276,100 bytes at any phase


def arm_life(seconds: float) -> None:
    parent = os.getppid()
    deadline = time.monotonic() + seconds

    def watch() -> None:
        while True:
            time.sleep(0.1)
            if time.monotonic() > deadline:
                sys.stderr.write("tls_peer: life ended\n")
                os._exit(EXIT_LIFE)
            if os.getppid() != parent:
                os._exit(EXIT_ORPHAN)

    threading.Thread(target=watch, daemon=True).start()


def version_of(v: str | None):
    return {"1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}[v] if v else None


def exc_json(e: BaseException) -> dict:
    d = {"exc": type(e).__name__, "msg": str(e)}
    for k in ("errno", "library", "reason", "verify_code", "verify_message"):
        if hasattr(e, k):
            d[k] = getattr(e, k)
    return d


class Checker:
    """Checks a received stream against the pattern and hashes it."""

    def __init__(self) -> None:
        self.n = 0
        self.mismatch = -1
        self.h = hashlib.sha256()

    def feed(self, d: bytes) -> None:
        if self.mismatch < 0:
            off = 0
            while off < len(d):
                part = d[off : off + 262144]
                q = (self.n + off) % 251
                if part != PAT[q : q + len(part)]:
                    for i, b in enumerate(part):
                        if b != (self.n + off + i) % 251:
                            self.mismatch = self.n + off + i
                            break
                    break
                off += len(part)
        self.h.update(d)
        self.n += len(d)

    def result(self) -> dict:
        return {"received": self.n, "mismatch": self.mismatch, "sha256": self.h.hexdigest()}


def send_pattern(s, n: int, stop_after: int | None = None) -> int:
    sent = 0
    chunk = 251 * 1000
    while sent < n:
        k = min(chunk, n - sent)
        if stop_after is not None and sent + k > stop_after:
            k = stop_after - sent
            if k <= 0:
                return sent
        q = sent % 251
        s.sendall(PAT[q : q + k])
        sent += k
    return sent


def server_context(a) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(a.certs, a.cert + ".pem"), os.path.join(a.certs, a.cert + ".key"))
    if a.tls_min:
        ctx.minimum_version = version_of(a.tls_min)
    if a.tls_max:
        ctx.maximum_version = version_of(a.tls_max)
    if a.alpn:
        ctx.set_alpn_protocols(a.alpn.split(","))
    if a.verify_client:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(os.path.join(a.certs, "ca.pem"))
    return ctx


def serve_one(a, ctx: ssl.SSLContext, raw: socket.socket) -> dict:
    raw.settimeout(a.timeout)
    s = ctx.wrap_socket(raw, server_side=True)
    res: dict = {"version": s.version(), "cipher": s.cipher()[0], "alpn": s.selected_alpn_protocol()}
    if a.mode == "echo":
        n = 0
        while True:
            d = s.recv(262144)
            if not d:
                break
            n += len(d)
            s.sendall(d)
        res["echoed"] = n
        s.unwrap()
    elif a.mode == "source":
        res["sent"] = send_pattern(s, a.bytes)
        if a.end == "vanish":
            time.sleep(0.05)
            s.detach()  # the SSL object goes away with no close_notify ...
            raw.close()  # ... and the TCP socket closes (FIN)
        else:
            # Wait for the client's close_notify, as unwrap() does.
            s.unwrap()
    elif a.mode == "sink":
        c = Checker()
        while c.n < a.bytes:
            d = s.recv(262144)
            if not d:
                break
            c.feed(d)
        res.update(c.result())
        s.sendall((json.dumps(c.result()) + "\n").encode())
        s.unwrap()
    elif a.mode == "info":
        cert = s.getpeercert()
        subject = dict(x[0] for x in cert["subject"]) if cert else None
        s.sendall((json.dumps({"version": s.version(), "alpn": s.selected_alpn_protocol(),
                               "client": subject}) + "\n").encode())
        while s.recv(65536):
            pass
        s.unwrap()
    elif a.mode == "lazy-close":
        while s.recv(65536):
            pass
        time.sleep(a.delay)
        s.unwrap()
    elif a.mode == "late":
        time.sleep(a.delay)
        s.sendall(b"late\n")
        s.unwrap()
    elif a.mode == "unwrap":
        buf = b""
        while not buf.endswith(b"bye"):
            d = s.recv(65536)
            if not d:
                break
            buf += d
        res["got"] = buf.decode()
        plain = s.unwrap()
        plain.sendall(b"plain-from-python")
        got = b""
        while True:
            d = plain.recv(65536)
            if not d:
                break
            got += d
        res["plain"] = got.decode()
        plain.close()
    return res


def run_server(a) -> int:
    ctx = server_context(a)
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(16)
    print(f"READY {ls.getsockname()[1]}", flush=True)
    results = []
    for _ in range(a.count):
        raw, _addr = ls.accept()
        try:
            results.append(serve_one(a, ctx, raw))
        except Exception as e:  # reported, next connection
            results.append(exc_json(e))
        finally:
            raw.close()
    print(json.dumps({"results": results}), flush=True)
    return 0


def run_client(a) -> int:
    ctx = ssl.create_default_context(cafile=os.path.join(a.certs, "ca.pem"))
    if a.no_verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if a.cert:
        ctx.load_cert_chain(os.path.join(a.certs, a.cert + ".pem"), os.path.join(a.certs, a.cert + ".key"))
    if a.tls_min:
        ctx.minimum_version = version_of(a.tls_min)
    if a.tls_max:
        ctx.maximum_version = version_of(a.tls_max)
    if a.alpn:
        ctx.set_alpn_protocols(a.alpn.split(","))
    res: dict = {}
    try:
        raw = socket.create_connection(("127.0.0.1", a.port), timeout=a.timeout)
        s = ctx.wrap_socket(raw, server_hostname=a.hostname)
        cert = s.getpeercert()
        res.update({"version": s.version(), "cipher": s.cipher()[0], "alpn": s.selected_alpn_protocol(),
                    "server": dict(x[0] for x in cert["subject"]) if cert else None})
        if a.send_bytes:
            stop = a.vanish_after if a.end == "vanish" else None
            res["sent"] = send_pattern(s, a.send_bytes, stop)
            if a.end == "vanish":
                print(json.dumps(res), flush=True)
                os._exit(0)  # no close_notify, no FIN handshake from Python: the kernel closes the socket
        if a.recv_bytes:
            c = Checker()
            while c.n < a.recv_bytes:
                d = s.recv(262144)
                if not d:
                    break
                c.feed(d)
            res.update(c.result())
        if a.end == "notify":
            s.unwrap()
            res["unwrapped"] = True
        elif a.end == "wait-eof":
            extra = b""
            while True:
                d = s.recv(65536)
                if not d:
                    break
                extra += d
            res["tail"] = extra.decode(errors="replace")
            res["eof"] = True
        s.close()
    except Exception as e:
        res.update(exc_json(e))
    print(json.dumps(res), flush=True)
    return 0


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["echo", "source", "sink", "info", "late", "lazy-close", "unwrap", "client"])
    p.add_argument("--certs", required=True)
    p.add_argument("--cert", default=None)
    p.add_argument("--life", type=float, default=30.0)
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--tls-min", choices=["1.2", "1.3"])
    p.add_argument("--tls-max", choices=["1.2", "1.3"])
    p.add_argument("--alpn")
    p.add_argument("--verify-client", action="store_true")
    p.add_argument("--bytes", type=int, default=0)
    p.add_argument("--end", default=None)
    p.add_argument("--delay", type=float, default=1.0)
    p.add_argument("--timeout", type=float, default=10.0)
    p.add_argument("--port", type=int)
    p.add_argument("--hostname", default="localhost")
    p.add_argument("--no-verify", action="store_true")
    p.add_argument("--send-bytes", type=int, default=0)
    p.add_argument("--recv-bytes", type=int, default=0)
    p.add_argument("--vanish-after", type=int, default=0)
    a = p.parse_args()
    arm_life(a.life)
    if a.mode == "client":
        a.end = a.end or "close"
        return run_client(a)
    a.cert = a.cert or "server"
    a.end = a.end or "notify"
    return run_server(a)


if __name__ == "__main__":
    sys.stdout.flush()
    rc = main()
    sys.stdout.flush()
    os._exit(rc)
