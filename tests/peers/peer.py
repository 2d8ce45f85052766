#!/usr/bin/env python3
"""Reference peer for bun-socket tests: CPython's own socket module on the other end.

Usage: python3 tests/peers/peer.py MODE [flags]

Standard library only. Every mode stops by itself: `--life SECONDS` (default 10,
accepted by every mode) arms a daemon thread that calls os._exit(124) and writes
"peer: life ended" to stderr, so a test can never hang on this process. The same
thread exits with 125 ("peer: parent exited") within ~0.1 s of the parent process
going away (bun test does not reap subprocesses a test left running).

Output protocol
  * Server modes bind to port 0 (or --port, or the Unix --path), then print exactly
    one line "READY <port>" (TCP/UDP) or "READY <path>" (AF_UNIX) to stdout,
    flushed, once listening, and only then serve.
  * Client modes and the modes that report print JSON objects, one per line.
    An OSError in a client mode prints
        {"exc": "ConnectionRefusedError", "errno": 111, "strerror": "...", "msg": "..."}
    and exits 1 ("errno" is null for socket.timeout / TimeoutError from a timeout).
  * Exit codes: 0 done, 1 OSError reported as JSON, 2 usage error, 124 --life
    expired, 125 parent exited.

Common flags of the stream server modes (echo, send-then-close, rst, hold, sink, source,
trickle, fds-send, fds-recv)
  --family 4|6|unix   address family (default 4)
  --host H            bind address (default 127.0.0.1, or ::1 with --family 6)
  --port N            bind port (default 0: the kernel picks; READY reports it)
  --path P            AF_UNIX path (required with --family unix); "@name" means the
                      Linux abstract name "\\0name" and is reported back as "@name"
  --backlog N         listen backlog (default 16)
  --rcvbuf N          set SO_RCVBUF on the listener before listen (accepted sockets
                      inherit it)
  --life S            see above

Modes
  echo [--once | --count N]
      Accept, echo every chunk back as it arrives until EOF, close; serve connections
      one after another until life ends, or after 1 (--once) / N (--count) of them.
      A connection that fails (reset, ...) is dropped and the next one is served.
      With --delay-ms D, sleep D ms after accept before echoing.
  udp-echo [--family 4|6] [--host H] [--port N] [--count N]
      Bind a UDP socket; recvfrom -> sendto the same bytes back to the sender.
      Serves until life ends, or N datagrams with --count.
  unix-dgram-echo --path P [--count N]
      The same on an AF_UNIX SOCK_DGRAM socket bound at P. Senders must be bound to
      get an answer; datagrams from unbound senders are dropped.
  send-then-close --data HEX [--delay-ms D] [--keep-open]
      Accept one connection, (sleep D ms,) sendall the bytes, close, exit 0.
      With --keep-open: after sending, do not close; read and discard until the
      client closes (EOF) or life ends.
  rst [--data HEX] [--wait-data] [--delay-ms D]
      Accept one connection, (send HEX,) (wait for the first chunk from the client
      with --wait-data,) (sleep D ms,) set SO_LINGER (1, 0) and close: the kernel
      sends RST and the client's next recv/send fails with ECONNRESET (or EPIPE).
      TCP only.
  hold [--rcvbuf N]
      Listener with SO_RCVBUF (default 4096 here) set before listen. Accept every
      connection and keep it open without reading or writing until life ends, so
      a client's send buffer fills (slow reader / sendall timeout tests).
  sink [--chunk N] [--chunk-delay-ms D]
      Accept one connection, read until EOF, print
      {"received": N, "sha256": "<hex digest>"} and exit 0. --chunk sets the recv
      size (default 65536); --chunk-delay-ms sleeps between reads (a slow reader).
  source --bytes N
      Accept one connection, sendall N bytes of the pattern byte[i] = i % 251,
      close, exit 0. Prints nothing after READY.
  client --host H --port P [--family 4|6|unix] [--path P] --send HEX
         [--send-pattern N] [--timeout S] [--no-shutdown]
      Connect, sendall HEX, shutdown(SHUT_WR) (unless --no-shutdown), read until EOF,
      print {"received": "<hex>"}. --send-pattern N sends N bytes of the `source`
      pattern after HEX (an argument is limited to 128 KiB). --timeout is the socket
      timeout (default 5). --family is inferred from the host when omitted (":" in
      it means 6).
  unix-client --path P --send HEX [--send-pattern N] [--timeout S] [--no-shutdown]
      The same over AF_UNIX SOCK_STREAM.
  udp-client --host H --port P --send HEX [--family 4|6] [--timeout S]
      sendto, recvfrom with a timeout (default 5), print
      {"received": "<hex>", "from": [host, port]}.
  unix-dgram-client --path P --send HEX --bind B [--timeout S]
      Bind at B, sendto P, recvfrom, print {"received": "<hex>", "from": "<path>"}.
  trickle --chunks HEX[,HEX...] [--delay-ms D] [--keep-open]
      Accept one connection (TCP_NODELAY on TCP), sendall each chunk, sleeping D ms
      (default 50) between chunks so each arrives as its own segment, then close.
      With --keep-open: after the last chunk, read and discard until the client
      closes (EOF) or life ends, then close (a reader can time out meanwhile).
  fds-send --family unix --path P --file F [--count N] [--data HEX]
      Accept one connection, open F read-only N times (default 1), pass the N
      descriptors in one message with socket.send_fds(conn, [data], fds) (data
      defaults to "fds"), close its own copies, print {"sent": N}, then read until
      the client closes and exit 0.
  fds-recv --family unix --path P [--maxfds N] [--bufsize N]
      Accept one connection, socket.recv_fds(conn, bufsize (default 1024), maxfds
      (default 16)); for each descriptor received: a regular file is read from
      offset 0 (os.pread), a pipe is read once (os.read), a socket is adopted with
      socket.socket(fileno=fd) and sent b"from python" (then closed); print
      {"data": hex, "flags": msg_flags, "fds": [{"kind": "file"|"pipe"|"socket"|
      "other", "content": hex, "size": st_size}]} and exit 0.
  signals --pid PID --signal USR1 [--interval-ms 5] [--count 1] [--delay-ms 0]
      Sleep delay, then send the signal (name with or without "SIG", or a number)
      COUNT times to PID, INTERVAL ms apart; print {"sent": COUNT} and exit 0.
      Used to interrupt a blocking call with EINTR. A vanished PID prints the
      ProcessLookupError as JSON and exits 1.
  oracle --code PY
      Not a server: exec the snippet (with `socket`, `json`, `sys`, `os` imported);
      it must print JSON itself. An exception escaping the snippet is printed as
      {"exc": "<class name>", "errno": <errno or null>, "msg": "<str(exc)>"} and the
      exit status is still 0, so differential tests can compare exceptions.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import signal
import socket
import struct
import sys
import threading
import time

EXIT_LIFE = 124
EXIT_ORPHAN = 125
PARENT_POLL = 0.1  # seconds between checks that the parent process still exists


# ---------------------------------------------------------------------------
# plumbing


def emit(obj: object) -> None:
    """Print one JSON line and flush it (the reader may be waiting on it)."""
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def ready(where: object) -> None:
    sys.stdout.write(f"READY {where}\n")
    sys.stdout.flush()


def exc_json(e: BaseException) -> dict:
    return {
        "exc": type(e).__name__,
        "errno": getattr(e, "errno", None),
        "strerror": getattr(e, "strerror", None),
        "msg": str(e),
    }


def arm_life(seconds: float) -> None:
    """Hard stop after `seconds`, or soon after our parent exits, whatever the main
    thread is blocked in (a daemon thread calls os._exit)."""
    deadline = time.monotonic() + seconds
    parent = os.getppid()

    def stop(code: int, why: str) -> None:
        try:
            sys.stderr.write(f"peer: {why}\n")
            sys.stderr.flush()
        finally:
            os._exit(code)

    def watch() -> None:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                stop(EXIT_LIFE, "life ended")
            time.sleep(min(left, PARENT_POLL))
            if os.getppid() != parent:
                stop(EXIT_ORPHAN, "parent exited")

    threading.Thread(target=watch, name="life", daemon=True).start()


def unix_addr(path: str) -> str | bytes:
    # "@name" -> Linux abstract namespace
    if path.startswith("@"):
        return b"\0" + path[1:].encode()
    return path


def unlink_stale(path: str) -> None:
    if path.startswith("@"):
        return
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def family_of(args: argparse.Namespace) -> int:
    fam = args.family
    if fam is None:
        host = getattr(args, "host", None) or ""
        fam = "6" if ":" in host else "4"
    return {"4": socket.AF_INET, "6": socket.AF_INET6, "unix": socket.AF_UNIX}[fam]


def default_host(family: int) -> str:
    return "::1" if family == socket.AF_INET6 else "127.0.0.1"


def bind_addr(args: argparse.Namespace, family: int):
    if family == socket.AF_UNIX:
        if not args.path:
            die("--path is required with --family unix")
        unlink_stale(args.path)
        return unix_addr(args.path)
    return (args.host or default_host(family), args.port)


def ready_where(sock: socket.socket, args: argparse.Namespace, family: int) -> object:
    if family == socket.AF_UNIX:
        return args.path
    return sock.getsockname()[1]


def die(msg: str) -> None:
    sys.stderr.write(f"peer: {msg}\n")
    sys.stderr.flush()
    sys.exit(2)


def listen(args: argparse.Namespace, rcvbuf: int | None = None) -> socket.socket:
    family = family_of(args)
    srv = socket.socket(family, socket.SOCK_STREAM)
    if family != socket.AF_UNIX:
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    size = args.rcvbuf if args.rcvbuf is not None else rcvbuf
    if size is not None:
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, size)
    srv.bind(bind_addr(args, family))
    srv.listen(args.backlog)
    ready(ready_where(srv, args, family))
    return srv


def sleep_ms(ms: float) -> None:
    if ms > 0:
        time.sleep(ms / 1000)


def pattern(n: int) -> bytes:
    """byte[i] = i % 251, built without a per-byte Python loop."""
    block = bytes(range(251))
    reps, rest = divmod(n, 251)
    return block * reps + block[:rest]


# ---------------------------------------------------------------------------
# stream servers


def mode_echo(args: argparse.Namespace) -> None:
    srv = listen(args)
    limit = 1 if args.once else args.count
    served = 0
    while limit is None or served < limit:
        conn, _ = srv.accept()
        served += 1
        with conn:
            try:
                sleep_ms(args.delay_ms)
                while True:
                    data = conn.recv(65536)
                    if not data:
                        break
                    conn.sendall(data)
            except OSError as e:
                sys.stderr.write(f"peer: echo connection: {e!r}\n")
                sys.stderr.flush()


def mode_send_then_close(args: argparse.Namespace) -> None:
    srv = listen(args)
    conn, _ = srv.accept()
    sleep_ms(args.delay_ms)
    conn.sendall(bytes.fromhex(args.data))
    if args.keep_open:
        try:
            while conn.recv(65536):
                pass
        except OSError:
            pass
    conn.close()


def mode_rst(args: argparse.Namespace) -> None:
    if family_of(args) == socket.AF_UNIX:
        die("rst is TCP only")
    srv = listen(args)
    conn, _ = srv.accept()
    if args.data:
        conn.sendall(bytes.fromhex(args.data))
    if args.wait_data:
        conn.recv(65536)
    sleep_ms(args.delay_ms)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def mode_hold(args: argparse.Namespace) -> None:
    srv = listen(args, rcvbuf=4096)
    held = []
    while True:
        conn, _ = srv.accept()
        held.append(conn)  # keep a reference: never read, never close


def mode_sink(args: argparse.Namespace) -> None:
    srv = listen(args)
    conn, _ = srv.accept()
    digest = hashlib.sha256()
    total = 0
    with conn:
        while True:
            data = conn.recv(args.chunk)
            if not data:
                break
            total += len(data)
            digest.update(data)
            sleep_ms(args.chunk_delay_ms)
    emit({"received": total, "sha256": digest.hexdigest()})


def mode_source(args: argparse.Namespace) -> None:
    srv = listen(args)
    conn, _ = srv.accept()
    with conn:
        conn.sendall(pattern(args.bytes))


def mode_trickle(args: argparse.Namespace) -> None:
    srv = listen(args)
    conn, _ = srv.accept()
    if conn.family != socket.AF_UNIX:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    chunks = [bytes.fromhex(c) for c in args.chunks.split(",")]
    for i, chunk in enumerate(chunks):
        if i:
            sleep_ms(args.delay_ms)
        conn.sendall(chunk)
    if args.keep_open:
        try:
            while conn.recv(65536):
                pass
        except OSError:
            pass
    conn.close()


def mode_fds_send(args: argparse.Namespace) -> None:
    srv = listen(args)
    conn, _ = srv.accept()
    with conn:
        fds = [os.open(args.file, os.O_RDONLY) for _ in range(args.count)]
        try:
            socket.send_fds(conn, [bytes.fromhex(args.data)], fds)
        finally:
            for fd in fds:
                os.close(fd)
        emit({"sent": len(fds)})
        try:
            while conn.recv(65536):
                pass
        except OSError:
            pass


def describe_fd(fd: int) -> dict:
    import stat

    st = os.fstat(fd)
    if stat.S_ISREG(st.st_mode):
        return {"kind": "file", "content": os.pread(fd, 65536, 0).hex(), "size": st.st_size}
    if stat.S_ISFIFO(st.st_mode):
        return {"kind": "pipe", "content": os.read(fd, 65536).hex(), "size": st.st_size}
    if stat.S_ISSOCK(st.st_mode):
        with socket.socket(fileno=os.dup(fd)) as s:
            s.sendall(b"from python")
        return {"kind": "socket", "content": "", "size": st.st_size}
    return {"kind": "other", "content": "", "size": st.st_size}


def mode_fds_recv(args: argparse.Namespace) -> None:
    srv = listen(args)
    conn, _ = srv.accept()
    with conn:
        conn.settimeout(args.life)
        data, fds, flags, _addr = socket.recv_fds(conn, args.bufsize, args.maxfds)
        described = []
        for fd in fds:
            try:
                described.append(describe_fd(fd))
            finally:
                os.close(fd)
    emit({"data": data.hex(), "flags": flags, "fds": described})


# ---------------------------------------------------------------------------
# datagram servers


def mode_udp_echo(args: argparse.Namespace) -> None:
    family = family_of(args)
    if family == socket.AF_UNIX:
        die("udp-echo takes --family 4 or 6; use unix-dgram-echo")
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.bind((args.host or default_host(family), args.port))
    ready(s.getsockname()[1])
    n = 0
    while args.count is None or n < args.count:
        data, addr = s.recvfrom(65535)
        n += 1
        s.sendto(data, addr)


def mode_unix_dgram_echo(args: argparse.Namespace) -> None:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    unlink_stale(args.path)
    s.bind(unix_addr(args.path))
    ready(args.path)
    n = 0
    while args.count is None or n < args.count:
        data, addr = s.recvfrom(65535)
        n += 1
        if addr:  # unbound senders have no address to answer
            s.sendto(data, addr)


# ---------------------------------------------------------------------------
# clients


def stream_client(family: int, addr, send: bytes, timeout: float, shutdown: bool) -> None:
    try:
        with socket.socket(family, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.connect(addr)
            s.sendall(send)
            if shutdown:
                s.shutdown(socket.SHUT_WR)
            chunks = []
            while True:
                data = s.recv(65536)
                if not data:
                    break
                chunks.append(data)
    except OSError as e:
        emit(exc_json(e))
        sys.exit(1)
    emit({"received": b"".join(chunks).hex()})


def payload(args: argparse.Namespace) -> bytes:
    return bytes.fromhex(args.send) + pattern(args.send_pattern)


def mode_client(args: argparse.Namespace) -> None:
    family = family_of(args)
    if family == socket.AF_UNIX:
        if not args.path:
            die("--path is required with --family unix")
        addr = unix_addr(args.path)
    else:
        if args.host is None or args.port is None:
            die("client needs --host and --port")
        addr = (args.host, args.port)
    stream_client(family, addr, payload(args), args.timeout, not args.no_shutdown)


def mode_unix_client(args: argparse.Namespace) -> None:
    stream_client(
        socket.AF_UNIX,
        unix_addr(args.path),
        payload(args),
        args.timeout,
        not args.no_shutdown,
    )


def mode_udp_client(args: argparse.Namespace) -> None:
    family = family_of(args)
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as s:
            s.settimeout(args.timeout)
            s.sendto(bytes.fromhex(args.send), (args.host, args.port))
            data, addr = s.recvfrom(65535)
    except OSError as e:
        emit(exc_json(e))
        sys.exit(1)
    emit({"received": data.hex(), "from": [addr[0], addr[1]]})


def mode_unix_dgram_client(args: argparse.Namespace) -> None:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
            s.settimeout(args.timeout)
            unlink_stale(args.bind)
            s.bind(unix_addr(args.bind))
            s.sendto(bytes.fromhex(args.send), unix_addr(args.path))
            data, addr = s.recvfrom(65535)
    except OSError as e:
        emit(exc_json(e))
        sys.exit(1)
    finally:
        if not args.bind.startswith("@"):
            try:
                os.unlink(args.bind)
            except OSError:
                pass
    if isinstance(addr, bytes):
        addr = "@" + addr[1:].decode(errors="replace")
    emit({"received": data.hex(), "from": addr})


# ---------------------------------------------------------------------------
# signals and oracle


def parse_signal(name: str) -> int:
    if name.isdigit():
        return int(name)
    name = name.upper()
    if not name.startswith("SIG"):
        name = "SIG" + name
    try:
        return int(getattr(signal, name))
    except AttributeError:
        die(f"unknown signal {name}")
        raise  # unreachable


def mode_signals(args: argparse.Namespace) -> None:
    signum = parse_signal(args.signal)
    sleep_ms(args.delay_ms)
    sent = 0
    try:
        for i in range(args.count):
            if i:
                sleep_ms(args.interval_ms)
            os.kill(args.pid, signum)
            sent += 1
    except OSError as e:
        emit({**exc_json(e), "sent": sent})
        sys.exit(1)
    emit({"sent": sent})


def mode_oracle(args: argparse.Namespace) -> None:
    scope = {"__name__": "__oracle__", "socket": socket, "json": json, "sys": sys, "os": os}
    try:
        exec(compile(args.code, "<oracle>", "exec"), scope)
    except SystemExit:
        raise
    except BaseException as e:  # the exception is the answer
        emit(exc_json(e))
    sys.stdout.flush()


# ---------------------------------------------------------------------------
# command line


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--life", type=float, default=10.0, help="hard stop after S seconds")

    server = argparse.ArgumentParser(add_help=False)
    server.add_argument("--family", choices=["4", "6", "unix"])
    server.add_argument("--host")
    server.add_argument("--port", type=int, default=0)
    server.add_argument("--path")
    server.add_argument("--backlog", type=int, default=16)
    server.add_argument("--rcvbuf", type=int)

    p = argparse.ArgumentParser(
        prog="peer.py",
        description="bun-socket test peer (see the module docstring)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(dest="mode", required=True)

    def add(name: str, fn, *parents: argparse.ArgumentParser) -> argparse.ArgumentParser:
        sp = sub.add_parser(name, parents=[common, *parents])
        sp.set_defaults(fn=fn)
        return sp

    sp = add("echo", mode_echo, server)
    g = sp.add_mutually_exclusive_group()
    g.add_argument("--once", action="store_true")
    g.add_argument("--count", type=int)
    sp.add_argument("--delay-ms", type=float, default=0)

    sp = add("send-then-close", mode_send_then_close, server)
    sp.add_argument("--data", required=True)
    sp.add_argument("--delay-ms", type=float, default=0)
    sp.add_argument("--keep-open", action="store_true")

    sp = add("rst", mode_rst, server)
    sp.add_argument("--data", default="")
    sp.add_argument("--wait-data", action="store_true")
    sp.add_argument("--delay-ms", type=float, default=0)

    add("hold", mode_hold, server)

    sp = add("sink", mode_sink, server)
    sp.add_argument("--chunk", type=int, default=65536)
    sp.add_argument("--chunk-delay-ms", type=float, default=0)

    sp = add("source", mode_source, server)
    sp.add_argument("--bytes", type=int, required=True)

    sp = add("trickle", mode_trickle, server)
    sp.add_argument("--chunks", required=True)
    sp.add_argument("--delay-ms", type=float, default=50)
    sp.add_argument("--keep-open", action="store_true")

    sp = add("fds-send", mode_fds_send, server)
    sp.add_argument("--file", required=True)
    sp.add_argument("--count", type=int, default=1)
    sp.add_argument("--data", default=b"fds".hex())

    sp = add("fds-recv", mode_fds_recv, server)
    sp.add_argument("--maxfds", type=int, default=16)
    sp.add_argument("--bufsize", type=int, default=1024)

    sp = add("udp-echo", mode_udp_echo)
    sp.add_argument("--family", choices=["4", "6"])
    sp.add_argument("--host")
    sp.add_argument("--port", type=int, default=0)
    sp.add_argument("--count", type=int)

    sp = add("unix-dgram-echo", mode_unix_dgram_echo)
    sp.add_argument("--path", required=True)
    sp.add_argument("--count", type=int)

    sp = add("client", mode_client)
    sp.add_argument("--host")
    sp.add_argument("--port", type=int)
    sp.add_argument("--family", choices=["4", "6", "unix"])
    sp.add_argument("--path")
    sp.add_argument("--send", default="")
    sp.add_argument("--send-pattern", type=int, default=0)
    sp.add_argument("--timeout", type=float, default=5.0)
    sp.add_argument("--no-shutdown", action="store_true")

    sp = add("unix-client", mode_unix_client)
    sp.add_argument("--path", required=True)
    sp.add_argument("--send", default="")
    sp.add_argument("--send-pattern", type=int, default=0)
    sp.add_argument("--timeout", type=float, default=5.0)
    sp.add_argument("--no-shutdown", action="store_true")

    sp = add("udp-client", mode_udp_client)
    sp.add_argument("--host", required=True)
    sp.add_argument("--port", type=int, required=True)
    sp.add_argument("--family", choices=["4", "6"])
    sp.add_argument("--send", default="")
    sp.add_argument("--timeout", type=float, default=5.0)

    sp = add("unix-dgram-client", mode_unix_dgram_client)
    sp.add_argument("--path", required=True)
    sp.add_argument("--bind", required=True)
    sp.add_argument("--send", default="")
    sp.add_argument("--timeout", type=float, default=5.0)

    sp = add("signals", mode_signals)
    sp.add_argument("--pid", type=int, required=True)
    sp.add_argument("--signal", default="USR1")
    sp.add_argument("--interval-ms", type=float, default=5)
    sp.add_argument("--count", type=int, default=1)
    sp.add_argument("--delay-ms", type=float, default=0)

    sp = add("oracle", mode_oracle)
    sp.add_argument("--code", required=True)

    return p


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    arm_life(args.life)
    # SIGPIPE stays ignored (CPython's default): a peer that vanishes mid-send is an
    # OSError (EPIPE) handled by the mode, not the death of this process.
    args.fn(args)
    sys.stdout.flush()
    # os._exit: no waiting on the life timer thread or interpreter teardown.
    os._exit(0)


if __name__ == "__main__":
    main()
