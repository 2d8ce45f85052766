#!/usr/bin/env python3
"""Python side of the selectors benchmark: one DefaultSelector loop over IDLE idle connections + 1 active.

    python3 bench/select/selectors_loop.py [idle=1000] [iters=20000] [size=64]

Opens IDLE+1 loopback TCP connections, registers the server side of each with
selectors.DefaultSelector for EVENT_READ (the idle ones never become ready), then runs ITERS rounds
of: the active client sends SIZE bytes; sel.select() reports the active connection; the server
side recv()s and send()s the bytes back; the client recv()s them. Prints one JSON line.
"""

import json
import selectors
import socket
import sys
import time

idle = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
iters = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
size = int(sys.argv[3]) if len(sys.argv) > 3 else 64

lst = socket.socket()
lst.bind(("127.0.0.1", 0))
lst.listen(1024)
addr = lst.getsockname()
clients, conns = [], []
for _ in range(idle + 1):
    c = socket.create_connection(addr)
    s, _ = lst.accept()
    clients.append(c)
    conns.append(s)
active_client, active = clients[-1], conns[-1]
for c in clients:
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
for s in conns:
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

sel = selectors.DefaultSelector()
for s in conns:
    sel.register(s, selectors.EVENT_READ, None)

payload = b"x" * size


def run(n: int) -> None:
    for _ in range(n):
        active_client.sendall(payload)
        got = 0
        for key, events in sel.select():
            conn = key.fileobj
            data = conn.recv(65536)
            conn.sendall(data)
        while got < size:
            got += len(active_client.recv(65536))


run(min(2000, iters))  # warm-up
t0 = time.perf_counter()
run(iters)
secs = time.perf_counter() - t0
print(json.dumps({
    "impl": "python",
    "selector": type(sel).__name__,
    "idle": idle,
    "iters": iters,
    "size": size,
    "seconds": secs,
    "us_per_iter": secs / iters * 1e6,
}))
