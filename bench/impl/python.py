"""The Python 3 `socket` side of the benchmarks: the same programs as bench/c/*.c.

    python3 bench/impl/python.py <mode> <args...>

Modes mirror bench/impl/bunsocket.ts: pp-server, pp-client (A; optional timeout), bulk-sink,
bulk-send (B; optional last argument nodelay: set TCP_NODELAY), conn-server, conn-client (C), udp-server, udp-client (D; optional timeout),
gai (G), startup (E). Servers print "READY <port>" first; every mode ends with one JSON line.
"""
import json
import os
import socket
import sys
import time

HOST = "127.0.0.1"
now = time.monotonic


def out(o):
    sys.stdout.write(json.dumps(o) + "\n")
    sys.stdout.flush()


def listener(kind, port):
    s = socket.socket(socket.AF_INET, kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((HOST, port))
    if kind == socket.SOCK_STREAM:
        s.listen(1024)
    sys.stdout.write("READY %d\n" % s.getsockname()[1])
    sys.stdout.flush()
    return s


def dial(port, timeout):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if timeout is not None:
        s.settimeout(timeout)
    s.connect((HOST, port))
    return s


def recv_exact(s, view, n):
    got = s.recv_into(view, n)
    if got == n:
        return True
    if got == 0:
        return False
    while got < n:
        r = s.recv_into(view[got:], n - got)
        if r == 0:
            raise ConnectionError("recv: short message")
        got += r
    return True


def timed(warmup, secs, op):
    end = now() + warmup
    while now() < end:
        op()
    ops = 0
    t0 = now()
    end = t0 + secs
    while True:
        op()
        ops += 1
        t1 = now()
        if t1 >= end:
            break
    out({"ops": ops, "secs": t1 - t0, "rate": ops / (t1 - t0)})


def rss_kb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def main():
    mode, args = sys.argv[1], sys.argv[2:]
    num = lambda i: float(args[i]) if "." in args[i] else int(args[i])
    opt_timeout = lambda i: float(args[i]) if len(args) > i else None

    if mode == "pp-server":
        size = num(1)
        l = listener(socket.SOCK_STREAM, num(0))
        c, _ = l.accept()
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        buf = bytearray(size)
        view = memoryview(buf)
        msgs = 0
        while recv_exact(c, view, size):
            c.sendall(buf)
            msgs += 1
        c.close()
        out({"msgs": msgs})
    elif mode == "pp-client":
        size = num(1)
        s = dial(num(0), opt_timeout(4))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        buf = bytearray(b"x" * size)
        view = memoryview(buf)

        def op():
            s.sendall(buf)
            recv_exact(s, view, size)

        timed(num(2), num(3), op)
        s.close()
    elif mode == "bulk-sink":
        buf = bytearray(num(1))
        l = listener(socket.SOCK_STREAM, num(0))
        c, _ = l.accept()
        total = 0
        while True:
            r = c.recv_into(buf)
            if r == 0:
                break
            total += r
        c.sendall(b"k")
        c.close()
        out({"bytes": total})
    elif mode == "bulk-send":
        total, chunk = num(1), num(2)
        buf = b"x" * chunk
        view = memoryview(buf)
        s = dial(num(0), None)
        if len(args) > 3 and args[3] == "nodelay":
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        t0 = now()
        left = total
        while left > 0:
            s.sendall(buf if left >= chunk else view[:left])
            left -= chunk
        s.shutdown(socket.SHUT_WR)
        if len(s.recv(1)) != 1:
            raise ConnectionError("no ack")
        secs = now() - t0
        s.close()
        out({"bytes": total, "secs": secs, "rate": total / secs})
    elif mode == "conn-server":
        l = listener(socket.SOCK_STREAM, num(0))
        while True:
            c, _ = l.accept()
            c.close()
    elif mode == "conn-client":
        port = num(0)

        def op():
            s = dial(port, None)
            while s.recv(16):
                pass
            s.close()

        timed(num(1), num(2), op)
    elif mode == "udp-server":
        size = num(1)
        s = listener(socket.SOCK_DGRAM, num(0))
        buf = bytearray(size + 1)
        view = memoryview(buf)
        while True:
            n, addr = s.recvfrom_into(buf)
            s.sendto(view[:n], addr)
    elif mode == "udp-client":
        size = num(1)
        to = (HOST, num(0))
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        t = opt_timeout(4)
        if t is not None:
            s.settimeout(t)
        msg = b"x" * size

        def op():
            s.sendto(msg, to)
            s.recvfrom(size)

        timed(num(2), num(3), op)
        s.close()
    elif mode == "gai":
        calls, warm = num(0), num(1)
        for _ in range(warm):
            socket.getaddrinfo(HOST, 80, 0, socket.SOCK_STREAM)
        rss0, fd0 = rss_kb(), len(os.listdir("/proc/self/fd"))
        t0 = now()
        for _ in range(calls):
            socket.getaddrinfo(HOST, 80, 0, socket.SOCK_STREAM)
        secs = now() - t0
        out({"ops": calls, "secs": secs, "rate": calls / secs, "rss_kb_before": rss0,
             "rss_kb_after": rss_kb(), "fds_before": fd0,
             "fds_after": len(os.listdir("/proc/self/fd"))})
    elif mode == "startup":
        socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
    else:
        sys.stderr.write("unknown mode %r\n" % mode)
        sys.exit(64)


if __name__ == "__main__":
    main()
