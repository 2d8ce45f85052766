#!/usr/bin/env python3
"""CPython `ssl` side of the TLS benchmark (bench/tls/run.ts): the same modes and output as impl.ts
(`cpu`: this process's CPU seconds, all threads, during the timed part only).

  python3 bench/tls/impl.py client download|upload|handshakes --port P [--http PATH] [--bytes N] [--secs S] --cafile F
  python3 bench/tls/impl.py server sink|source|handshake --cert C --key K [--bytes N]
"""
import argparse
import json
import socket
import ssl
import time

CHUNK = 65536


def drain(s, buf):
    """Reads s to EOF into buf; the byte count (warm-up and timed part run the same code, as impl.ts)."""
    n = 0
    while True:
        k = s.recv_into(buf)
        if not k:
            return n
        n += k


def pump(s, chunk, total):
    """Sends total bytes of chunk (repeated) on s."""
    sent = 0
    while sent < total:
        k = min(CHUNK, total - sent)
        s.sendall(chunk if k == CHUNK else chunk[:k])
        sent += k


def handshakes(connect, end, limit):
    """New TCP connections with a full handshake, closed, until end (perf_counter) or limit; the count."""
    ops = 0
    while ops < limit and time.perf_counter() < end:
        connect().close()
        ops += 1
    return ops


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("role")
    p.add_argument("mode")
    p.add_argument("--port", type=int)
    p.add_argument("--http", default="")
    p.add_argument("--bytes", type=int, default=0)
    p.add_argument("--secs", type=float, default=2.0)
    p.add_argument("--cafile")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--warmup-http", default="")
    p.add_argument("--warmup-bytes", type=int, default=0)
    p.add_argument("--warmup-ops", type=int, default=0)
    p.add_argument("--warmup-secs", type=float, default=0.0)
    a = p.parse_args()
    warm_until = time.perf_counter() + a.warmup_secs
    warm_runs = [0]

    def warm_again():
        """The warm-up work runs once, then again until --warmup-secs have passed (as impl.ts)."""
        warm_runs[0] += 1
        return warm_runs[0] == 1 or time.perf_counter() < warm_until

    if a.role == "client":
        ctx = ssl.create_default_context(cafile=a.cafile)

        def connect():
            s = socket.create_connection(("127.0.0.1", a.port), timeout=30)
            return ctx.wrap_socket(s, server_hostname="localhost")

        if a.mode == "download":
            buf = bytearray(CHUNK)
            while (a.warmup_http or a.warmup_secs > 0) and warm_again():
                w = connect()
                if a.warmup_http:
                    w.sendall(f"GET {a.warmup_http} HTTP/1.0\r\n\r\n".encode())
                drain(w, buf)
                w.close()
            s = connect()
            if a.http:
                s.sendall(f"GET {a.http} HTTP/1.0\r\n\r\n".encode())
            c0 = time.process_time()
            t0 = time.perf_counter()
            n = drain(s, buf)
            secs = time.perf_counter() - t0
            cpu = time.process_time() - c0
            s.close()
            print(json.dumps({"bytes": n, "secs": secs, "rate": n / secs, "cpu": cpu}))
        elif a.mode == "upload":
            chunk = b"b" * CHUNK
            while a.warmup_bytes and warm_again():
                w = connect()
                pump(w, chunk, a.warmup_bytes)
                w.close()
            s = connect()
            c0 = time.process_time()
            t0 = time.perf_counter()
            pump(s, chunk, a.bytes)
            ack = s.recv(64).decode()
            secs = time.perf_counter() - t0
            cpu = time.process_time() - c0
            s.close()
            assert int(ack) == a.bytes, ack
            print(json.dumps({"bytes": a.bytes, "secs": secs, "rate": a.bytes / secs, "cpu": cpu}))
        elif a.mode == "handshakes":
            while a.warmup_ops and warm_again():
                handshakes(connect, float("inf"), a.warmup_ops)
            c0 = time.process_time()
            t0 = time.perf_counter()
            ops = handshakes(connect, t0 + a.secs, float("inf"))
            dt = time.perf_counter() - t0
            cpu = time.process_time() - c0
            print(json.dumps({"ops": ops, "secs": dt, "rate": ops / dt, "cpu": cpu}))
    else:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.cert, a.key)
        ls = socket.socket()
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind(("127.0.0.1", 0))
        ls.listen(128)
        print(f"READY {ls.getsockname()[1]}", flush=True)
        buf = bytearray(CHUNK)
        chunk = b"a" * CHUNK
        while True:
            conn, _ = ls.accept()
            conn.settimeout(30)
            try:
                s = ctx.wrap_socket(conn, server_side=True)
                if a.mode == "sink":
                    n = 0
                    while n < a.bytes:
                        k = s.recv_into(buf)
                        if not k:
                            break
                        n += k
                    s.sendall(str(n).encode())
                elif a.mode == "source":
                    sent = 0
                    while sent < a.bytes:
                        k = min(CHUNK, a.bytes - sent)
                        s.sendall(chunk if k == CHUNK else chunk[:k])
                        sent += k
                s.close()
            except OSError:
                conn.close()


if __name__ == "__main__":
    main()
