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
    a = p.parse_args()
    if a.role == "client":
        ctx = ssl.create_default_context(cafile=a.cafile)

        def connect():
            s = socket.create_connection(("127.0.0.1", a.port), timeout=30)
            return ctx.wrap_socket(s, server_hostname="localhost")

        if a.mode == "download":
            if a.warmup_http:
                w = connect()
                w.sendall(f"GET {a.warmup_http} HTTP/1.0\r\n\r\n".encode())
                b = bytearray(CHUNK)
                while w.recv_into(b):
                    pass
                w.close()
            s = connect()
            if a.http:
                s.sendall(f"GET {a.http} HTTP/1.0\r\n\r\n".encode())
            buf = bytearray(CHUNK)
            n = 0
            c0 = time.process_time()
            t0 = time.perf_counter()
            while True:
                k = s.recv_into(buf)
                if not k:
                    break
                n += k
            secs = time.perf_counter() - t0
            cpu = time.process_time() - c0
            s.close()
            print(json.dumps({"bytes": n, "secs": secs, "rate": n / secs, "cpu": cpu}))
        elif a.mode == "upload":
            chunk = b"b" * CHUNK
            if a.warmup_bytes:
                w = connect()
                for _ in range(0, a.warmup_bytes, CHUNK):
                    w.sendall(chunk)
                w.close()
            s = connect()
            c0 = time.process_time()
            t0 = time.perf_counter()
            sent = 0
            while sent < a.bytes:
                k = min(CHUNK, a.bytes - sent)
                s.sendall(chunk if k == CHUNK else chunk[:k])
                sent += k
            ack = s.recv(64).decode()
            secs = time.perf_counter() - t0
            cpu = time.process_time() - c0
            s.close()
            assert int(ack) == a.bytes, ack
            print(json.dumps({"bytes": a.bytes, "secs": secs, "rate": a.bytes / secs, "cpu": cpu}))
        elif a.mode == "handshakes":
            for _ in range(a.warmup_ops):
                connect().close()
            ops = 0
            c0 = time.process_time()
            t0 = time.perf_counter()
            end = t0 + a.secs
            while time.perf_counter() < end:
                connect().close()
                ops += 1
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
