"""Reads every line with makefile("rb").readline(); prints {"lines", "secs"}."""
import json, socket, sys, time

s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 30)
f = s.makefile("rb")
t0 = time.perf_counter()
n = 0
while f.readline():
    n += 1
print(json.dumps({"lines": n, "secs": time.perf_counter() - t0}))
