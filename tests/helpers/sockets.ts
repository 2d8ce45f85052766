/**
 * Small helpers for the tests in `tests/socket/`: loopback sockets of OUR library with a
 * timeout already set (so a test bug raises TimeoutError instead of hanging the runner),
 * address accessors, read-to-EOF, and exception capture.
 *
 * @module
 */
import * as socket from "../../src/index.ts";

/** Seconds every test socket waits at most (a blocking call with no peer is a test bug). */
export const TEST_TIMEOUT = 5;

/** A new socket with `settimeout(TEST_TIMEOUT)` (or `timeout` when given). */
export function sock(
  family: number = socket.AF_INET,
  type: number = socket.SOCK_STREAM,
  timeout: number | null = TEST_TIMEOUT,
): socket.socket {
  const s = socket.socket(family, type);
  s.settimeout(timeout);
  return s;
}

/** A TCP listener of ours on `host` port 0 (127.0.0.1 or ::1), with a timeout. */
export function tcpListener(
  host = "127.0.0.1",
  backlog?: number,
): socket.socket {
  const s = sock(host.includes(":") ? socket.AF_INET6 : socket.AF_INET);
  s.bind([host, 0]);
  s.listen(backlog);
  return s;
}

/** The `[host, port]` (or 4-tuple) of an IP socket's `getsockname()`/`getpeername()` result. */
export function ipAddr(
  a: socket.AddressOut,
): [string, number] | [string, number, number, number] {
  if (!Array.isArray(a) || typeof a[0] !== "string")
    throw new Error(`not an IP address: ${String(a)}`);
  return a as [string, number] | [string, number, number, number];
}

/** The port an IP socket is bound to. */
export function portOf(s: socket.socket): number {
  return ipAddr(s.getsockname())[1];
}

/** A connected pair of our own TCP sockets on 127.0.0.1: `[client, server-side conn]`. */
export function tcpPair(
  listener?: socket.socket,
): [socket.socket, socket.socket] {
  const srv = listener ?? tcpListener();
  try {
    const c = sock();
    c.connect(["127.0.0.1", portOf(srv)]);
    const [conn] = srv.accept();
    conn.settimeout(TEST_TIMEOUT);
    return [c, conn];
  } finally {
    if (listener === undefined) srv.close();
  }
}

/** `recv` until the peer's EOF (an empty Buffer); returns everything read. */
export function recvUntilEof(s: socket.socket, chunk = 65536): Buffer {
  const parts: Buffer[] = [];
  for (;;) {
    const b = s.recv(chunk);
    if (b.length === 0) return Buffer.concat(parts);
    parts.push(b);
  }
}

/** The exception `fn` throws; fails the test if it returns normally. */
export function raises(fn: () => unknown): socket.OSError {
  try {
    fn();
  } catch (e) {
    return e as socket.OSError;
  }
  throw new Error("expected an exception, none was raised");
}

/** Seconds `fn` took (monotonic), and what it threw (or undefined). */
export function timed(fn: () => unknown): {
  seconds: number;
  error: socket.OSError | undefined;
} {
  const t0 = Bun.nanoseconds();
  let error: socket.OSError | undefined;
  try {
    fn();
  } catch (e) {
    error = e as socket.OSError;
  }
  return { seconds: (Bun.nanoseconds() - t0) / 1e9, error };
}

/** Hex of a string's UTF-8 bytes, or of bytes (for peer.py `--send`/`--data`). */
export function hex(data: string | Uint8Array): string {
  return Buffer.from(data).toString("hex");
}

/** SHA-256 of bytes, as lowercase hex (peer.py `sink` reports this). */
export function sha256(data: Uint8Array): string {
  return new Bun.CryptoHasher("sha256").update(data).digest("hex");
}

/** `n` random bytes. */
export function randomBytes(n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let off = 0; off < n; off += 65536)
    crypto.getRandomValues(b.subarray(off, Math.min(n, off + 65536)));
  return b;
}

/** An exception as `peer.py` prints it (`exc_json`), for comparing with {@link oracle} answers. */
export interface ExcJson {
  exc: string;
  errno: number | null;
  strerror: string | null;
  msg: string;
}

/** Our exception in `peer.py`'s `exc_json` shape: Python class name, errno, strerror, str(e). */
export function excJson(e: socket.OSError): ExcJson {
  return { exc: e.name, errno: e.errno, strerror: e.strerror, msg: e.message };
}
