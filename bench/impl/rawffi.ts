/**
 * The floor for any Bun program: the benchmark programs written straight on `bun:ffi` + libc, with no
 * library in between (no argument checks, no Python semantics, preallocated everything). The gap
 * between this and C is Bun's (runtime, FFI, process footprint); the gap between bun-socket and this
 * is bun-socket's.
 *
 *   bun bench/impl/rawffi.ts <mode> <args...>
 *
 * Modes (same arguments and output as bench/impl/bunsocket.ts): pp-server, pp-client (A),
 * bulk-send (B), conn-server, conn-client (C), udp-server, udp-client (D). Servers print `READY <port>`.
 */
import {
  S,
  loopback,
  AF_INET,
  SOCK_STREAM,
  SOCK_DGRAM,
  SOCK_CLOEXEC,
  IPPROTO_TCP,
  TCP_NODELAY,
  SHUT_WR,
  SOL_SOCKET,
  SO_REUSEADDR,
  MSG_NOSIGNAL,
} from "./libc.ts";

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

const one = new Int32Array(new ArrayBuffer(4));
one[0] = 1;

function dial(sa: Uint8Array): number {
  const fd = check(S.socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), "socket");
  check(S.connect(fd, sa, 16), "connect");
  return fd;
}
/** A listening (TCP) or bound (UDP) socket on 127.0.0.1:port; prints `READY <port>`. */
function serve(type: number, port: number): number {
  const fd = check(S.socket(AF_INET, type | SOCK_CLOEXEC, 0), "socket");
  S.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, one, 4);
  const sa = loopback(port);
  check(S.bind(fd, sa, 16), "bind");
  if (type === SOCK_STREAM) check(S.listen(fd, 1024), "listen");
  const len = new Uint32Array([16]);
  check(S.getsockname(fd, sa, len), "getsockname");
  process.stdout.write(`READY ${(sa[2]! << 8) | sa[3]!}\n`);
  return fd;
}
/** recv() exactly n bytes; false at EOF before the first byte. */
function recvFull(fd: number, buf: Uint8Array, n: number): boolean {
  let got = 0;
  while (got < n) {
    const r = S.recv(
      fd,
      got === 0 ? buf : buf.subarray(got),
      n - got,
      0,
    ) as number;
    if (r === 0 && got === 0) return false;
    if (r <= 0) throw new Error("recv failed or EOF");
    got += r;
  }
  return true;
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
  if (!recvFull(fd, buf, n)) throw new Error("recv failed or EOF");
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
  case "pp-server": {
    const size = num(1);
    const l = serve(SOCK_STREAM, num(0));
    const c = check(S.accept4(l, null, null, SOCK_CLOEXEC), "accept4");
    S.setsockopt(c, IPPROTO_TCP, TCP_NODELAY, one, 4);
    const buf = new Uint8Array(new ArrayBuffer(size));
    let msgs = 0;
    while (recvFull(c, buf, size)) {
      sendAll(c, buf, size);
      msgs++;
    }
    S.close(c);
    out({ msgs });
    break;
  }
  case "conn-server": {
    const l = serve(SOCK_STREAM, num(0));
    for (;;) S.close(check(S.accept4(l, null, null, SOCK_CLOEXEC), "accept4"));
  }
  case "udp-server": {
    const size = num(1);
    const fd = serve(SOCK_DGRAM, num(0));
    const buf = new Uint8Array(new ArrayBuffer(size + 1));
    const from = new Uint8Array(new ArrayBuffer(128));
    const fromLen = new Uint32Array(new ArrayBuffer(4));
    for (;;) {
      fromLen[0] = 128;
      const n = check(
        S.recvfrom(fd, buf, size + 1, 0, from, fromLen) as number,
        "recvfrom",
      );
      check(S.sendto(fd, buf, n, 0, from, fromLen[0]!) as number, "sendto");
    }
  }
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
