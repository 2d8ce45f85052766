#!/usr/bin/env python3
"""Process broker for the Windows test run under Wine: starts Linux processes for bun.exe.

Why: a Windows process under Wine can exec a Linux binary, but the child's stdout/stderr pipes and its
exit status do not come back (checked with Wine 8.0: output lost, exit status always 0). The tests need
both from their Python peers (READY lines, JSON results). scripts/test-windows.sh starts this broker as a
native Linux process and passes its address in BUN_SOCKET_PEER_BROKER; tests/helpers/peer.ts then asks it
to run each peer and relays the peer's output and exit status over a loopback TCP connection.

Usage: python3 tests/peers/broker.py [--port N]    prints "READY <port>", then serves until killed
(or until its parent process exits).

Protocol, one child per connection:
  client -> broker  one JSON line {"argv": [...], "cwd": "..."}; argv[0] "@python" is this interpreter;
                    Windows paths on Wine's Z: drive ("Z:\\work\\x") are turned into Unix paths.
                    Afterwards, lines "KILL <signal>" send that signal (name like SIGKILL or a number).
                    Closing the connection kills a child that is still running (SIGKILL).
  broker -> client  frames: one byte kind (b"O" stdout, b"E" stderr, b"X" exit), a 4-byte big-endian
                    length, then the payload; the exit payload is JSON {"code": int|null, "signal": str|null}.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import socketserver
import struct
import subprocess
import sys
import threading

WINE_PATH = re.compile(r"^[Zz]:[\\/]")


def unix_path(arg: str) -> str:
    return "/" + arg[3:].replace("\\", "/") if WINE_PATH.match(arg) else arg


class Handler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        conn: socket.socket = self.request
        f = conn.makefile("rb")
        line = f.readline()
        if not line:
            return
        req = json.loads(line)
        argv = [sys.executable if a == "@python" else unix_path(a) for a in req["argv"]]
        cwd = unix_path(req.get("cwd") or os.getcwd())
        send_lock = threading.Lock()

        def send(kind: bytes, data: bytes) -> None:
            with send_lock:
                try:
                    conn.sendall(kind + struct.pack(">I", len(data)) + data)
                except OSError:
                    pass

        try:
            proc = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        except OSError as e:
            send(b"E", f"broker: cannot start {argv[0]}: {e}\n".encode())
            send(b"X", json.dumps({"code": 127, "signal": None}).encode())
            return

        def pump(stream, kind: bytes) -> None:
            while True:
                data = stream.read1(65536)
                if not data:
                    break
                send(kind, data)

        pumps = [threading.Thread(target=pump, args=(proc.stdout, b"O"), daemon=True),
                 threading.Thread(target=pump, args=(proc.stderr, b"E"), daemon=True)]
        for t in pumps:
            t.start()

        def control() -> None:
            # KILL lines while the child runs; EOF (client gone) kills it.
            for cmd in f:
                parts = cmd.decode(errors="replace").split()
                if len(parts) == 2 and parts[0] == "KILL":
                    sig = int(parts[1]) if parts[1].isdigit() else getattr(signal, parts[1], signal.SIGKILL)
                    try:
                        proc.send_signal(sig)
                    except ProcessLookupError:
                        pass
            if proc.poll() is None:
                proc.kill()

        threading.Thread(target=control, daemon=True).start()
        rc = proc.wait()
        for t in pumps:
            t.join()
        code, sig = (rc, None) if rc >= 0 else (None, signal.Signals(-rc).name)
        send(b"X", json.dumps({"code": code, "signal": sig}).encode())
        try:
            conn.shutdown(socket.SHUT_WR)
        except OSError:
            pass


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    srv = Server(("127.0.0.1", args.port), Handler)
    parent = os.getppid()

    def watch() -> None:
        while True:
            threading.Event().wait(0.5)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, daemon=True).start()
    print(f"READY {srv.server_address[1]}", flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
