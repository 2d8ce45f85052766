"""Sends N short lines ("line 123456\n") to each client, then closes; prints READY <port> first."""
import socket, sys

n = int(sys.argv[1])
data = b"".join(b"line %d\n" % i for i in range(n))
srv = socket.create_server(("127.0.0.1", 0))
print("READY", srv.getsockname()[1], flush=True)
srv.settimeout(120)
while True:
    try:
        conn, _ = srv.accept()
    except OSError:
        break
    with conn:
        conn.sendall(data)
