/**
 * The floor for any Bun program: the benchmark clients written straight on `bun:ffi` + libc, with no
 * library in between (no argument checks, no Python semantics, preallocated everything). The gap
 * between this and C is Bun's (runtime, FFI, process footprint); the gap between bun-socket and this
 * is bun-socket's.
 *
 *   bun bench/impl/rawffi.ts <mode> <args...>
 *
 * Modes (clients only, same arguments and output as bench/impl/bunsocket.ts): pp-client (A),
 * bulk-send (B), conn-client (C), udp-client (D).
 */
import { dlopen, FFIType } from "bun:ffi";

const libc = dlopen("libc.so.6", {
  socket: { args: ["i32", "i32", "i32"], returns: "i32" },
  connect: { args: ["i32", "ptr", "u32"], returns: "i32" },
  close: { args: ["i32"], returns: "i32" },
  shutdown: { args: ["i32", "i32"], returns: "i32" },
  setsockopt: { args: ["i32", "i32", "i32", "ptr", "u32"], returns: "i32" },
  send: { args: ["i32", "ptr", "u64", "i32"], returns: FFIType.i64_fast },
  recv: { args: ["i32", "ptr", "u64", "i32"], returns: FFIType.i64_fast },
  sendto: {
    args: ["i32", "ptr", "u64", "i32", "ptr", "u32"],
    returns: FFIType.i64_fast,
  },
  recvfrom: {
    args: ["i32", "ptr", "u64", "i32", "ptr", "ptr"],
    returns: FFIType.i64_fast,
  },
});
const S = libc.symbols;

// Linux x86-64/arm64 numbers.
const AF_INET = 2;
const SOCK_STREAM = 1;
const SOCK_DGRAM = 2;
const SOCK_CLOEXEC = 0o2000000;
const IPPROTO_TCP = 6;
const TCP_NODELAY = 1;
const SHUT_WR = 1;
const MSG_NOSIGNAL = 0x4000;

const [mode = "", ...rest] = process.argv.slice(2);
const num = (i: number): number => Number(rest[i]);
const now = (): number => Bun.nanoseconds() / 1e9;
const out = (o: object): void => {
  process.stdout.write(JSON.stringify(o) + "\n");
};
function check(r: number, what: string): number {
  if (r < 0) throw new Error(`${what} failed`);
  return r;
}

/** sockaddr_in for 127.0.0.1:port, in memory that never moves. */
function loopback(port: number): Uint8Array {
  const sa = new Uint8Array(new ArrayBuffer(16));
  const v = new DataView(sa.buffer);
  v.setUint16(0, AF_INET, true);
  v.setUint16(2, port, false);
  sa.set([127, 0, 0, 1], 4);
  return sa;
}
const one = new Int32Array(new ArrayBuffer(4));
one[0] = 1;

function dial(sa: Uint8Array): number {
  const fd = check(S.socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), "socket");
  check(S.connect(fd, sa, 16), "connect");
  return fd;
}
function sendAll(fd: number, buf: Uint8Array, n: number): void {
  let off = 0;
  while (off < n) {
    const r = S.send(
      fd,
      off === 0 ? buf : buf.subarray(off),
      n - off,
      MSG_NOSIGNAL,
    ) as number; // i64_fast: a number for every value a ssize_t can take here
    if (r < 0) throw new Error("send failed");
    off += r;
  }
}
function recvExact(fd: number, buf: Uint8Array, n: number): void {
  let got = 0;
  while (got < n) {
    const r = S.recv(
      fd,
      got === 0 ? buf : buf.subarray(got),
      n - got,
      0,
    ) as number;
    if (r <= 0) throw new Error("recv failed or EOF");
    got += r;
  }
}
function timed(warmup: number, secs: number, op: () => void): void {
  let end = now() + warmup;
  while (now() < end) op();
  let ops = 0;
  const t0 = now();
  let t1: number;
  end = t0 + secs;
  do {
    op();
    ops++;
  } while ((t1 = now()) < end);
  out({ ops, secs: t1 - t0, rate: ops / (t1 - t0) });
}

switch (mode) {
  case "pp-client": {
    const size = num(1);
    const fd = dial(loopback(num(0)));
    S.setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, one, 4);
    const buf = new Uint8Array(new ArrayBuffer(size)).fill(120);
    timed(num(2), num(3), () => {
      sendAll(fd, buf, size);
      recvExact(fd, buf, size);
    });
    S.close(fd);
    break;
  }
  case "bulk-send": {
    const total = num(1);
    const chunk = num(2);
    const buf = new Uint8Array(new ArrayBuffer(chunk)).fill(120);
    const fd = dial(loopback(num(0)));
    const t0 = now();
    for (let left = total; left > 0; left -= chunk)
      sendAll(fd, buf, Math.min(left, chunk));
    check(S.shutdown(fd, SHUT_WR), "shutdown");
    recvExact(fd, buf, 1);
    const secs = now() - t0;
    S.close(fd);
    out({ bytes: total, secs, rate: total / secs });
    break;
  }
  case "conn-client": {
    const sa = loopback(num(0));
    const b = new Uint8Array(new ArrayBuffer(16));
    timed(num(1), num(2), () => {
      const fd = dial(sa);
      while (S.recv(fd, b, 16, 0) > 0);
      S.close(fd);
    });
    break;
  }
  case "udp-client": {
    const size = num(1);
    const to = loopback(num(0));
    const fd = check(S.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), "socket");
    const buf = new Uint8Array(new ArrayBuffer(size)).fill(120);
    const from = new Uint8Array(new ArrayBuffer(128));
    const fromLen = new Uint32Array(new ArrayBuffer(4));
    timed(num(2), num(3), () => {
      check(S.sendto(fd, buf, size, 0, to, 16) as number, "sendto");
      fromLen[0] = 128;
      check(S.recvfrom(fd, buf, size, 0, from, fromLen) as number, "recvfrom");
    });
    S.close(fd);
    break;
  }
  default:
    process.stderr.write(`unknown mode ${JSON.stringify(mode)}\n`);
    process.exit(64);
}
