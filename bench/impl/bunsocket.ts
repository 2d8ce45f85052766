/**
 * The bun-socket side of every benchmark: the same programs as `bench/c/*.c`, written the way a
 * Python programmer would write them with `import socket`, against the public module.
 *
 *   bun bench/impl/bunsocket.ts <mode> <args...>
 *
 * Modes (ports may be 0; servers print `READY <port>` first; every mode ends with one JSON line):
 * - `pp-server <port> <size>` / `pp-client <port> <size> <warmup_s> <secs> [timeout_s]` (A)
 * - `bulk-sink <port> <chunk>` / `bulk-send <port> <total> <chunk> [nodelay]` (B; `nodelay`: set TCP_NODELAY)
 * - `conn-server <port>` / `conn-client <port> <warmup_s> <secs>` (C)
 * - `udp-server <port> <size>` / `udp-client <port> <size> <warmup_s> <secs> [timeout_s]` (D)
 * - `mem <pairs> <warmup_pairs>`: RSS and open descriptors around send/recv pairs (F)
 * - `gai <calls> <warmup_calls>`: getaddrinfo calls per second, RSS and descriptors around them (G)
 * - `startup`: create and close one socket (E runs it under `bun -e`)
 */
import { readdirSync } from "node:fs";
import * as socket from "../../src/index.ts";

const HOST = "127.0.0.1";
const [mode = "", ...rest] = process.argv.slice(2);
const num = (i: number): number => {
  const v = Number(rest[i]);
  if (rest[i] === undefined || Number.isNaN(v))
    throw new Error(`argument ${i + 1} of ${mode}: a number is required`);
  return v;
};
const optTimeout = (i: number): number | null =>
  rest[i] === undefined ? null : Number(rest[i]);
const now = (): number => Bun.nanoseconds() / 1e9;

function out(o: object): void {
  process.stdout.write(JSON.stringify(o) + "\n");
}

function listener(type: number, port: number): socket.socket {
  const s = socket.socket(socket.AF_INET, type);
  s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
  s.bind([HOST, port]);
  if (type === socket.SOCK_STREAM) s.listen(1024);
  process.stdout.write(`READY ${portOf(s)}\n`);
  return s;
}

/** The port of an AF_INET socket's own address. */
function portOf(s: socket.socket): number {
  return (s.getsockname() as [host: string, port: number])[1];
}

function dial(port: number, timeout: number | null): socket.socket {
  const s = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  if (timeout !== null) s.settimeout(timeout);
  s.connect([HOST, port]);
  return s;
}

/** Reads exactly `n` bytes into `buf`; false at EOF before the first byte. */
function recvExact(s: socket.socket, buf: Buffer, n: number): boolean {
  let got = s.recv_into(buf, n);
  if (got === n) return true;
  if (got === 0) return false;
  while (got < n) {
    const r = s.recv_into(buf.subarray(got), n - got);
    if (r === 0) throw new Error("recv: short message");
    got += r;
  }
  return true;
}

/** Runs `op` for `warmup` seconds, then counts it for `secs` seconds; prints the rate. */
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

function rssKb(): number {
  return Math.round(process.memoryUsage().rss / 1024);
}
function fdCount(): number {
  return readdirSync("/proc/self/fd").length;
}

switch (mode) {
  case "pp-server": {
    const size = num(1);
    const l = listener(socket.SOCK_STREAM, num(0));
    const [c] = l.accept();
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1);
    const buf = Buffer.alloc(size);
    let msgs = 0;
    while (recvExact(c, buf, size)) {
      c.sendall(buf);
      msgs++;
    }
    c.close();
    l.close();
    out({ msgs });
    break;
  }
  case "pp-client": {
    const size = num(1);
    const s = dial(num(0), optTimeout(4));
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1);
    const buf = Buffer.alloc(size, "x");
    timed(num(2), num(3), () => {
      s.sendall(buf);
      recvExact(s, buf, size);
    });
    s.close();
    break;
  }
  case "bulk-sink": {
    const buf = Buffer.alloc(num(1));
    const l = listener(socket.SOCK_STREAM, num(0));
    const [c] = l.accept();
    let bytes = 0;
    for (;;) {
      const r = c.recv_into(buf);
      if (r === 0) break;
      bytes += r;
    }
    c.sendall("k");
    c.close();
    l.close();
    out({ bytes });
    break;
  }
  case "bulk-send": {
    const total = num(1);
    const chunk = num(2);
    const buf = Buffer.alloc(chunk, "x");
    const s = dial(num(0), null);
    if (rest[3] === "nodelay")
      s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1);
    const t0 = now();
    let left = total;
    while (left > 0) {
      s.sendall(left >= chunk ? buf : buf.subarray(0, left));
      left -= chunk;
    }
    s.shutdown(socket.SHUT_WR);
    if (s.recv(1).length !== 1) throw new Error("no ack");
    const secs = now() - t0;
    s.close();
    out({ bytes: total, secs, rate: total / secs });
    break;
  }
  case "conn-server": {
    const l = listener(socket.SOCK_STREAM, num(0));
    for (;;) {
      const [c] = l.accept();
      c.close();
    }
  }
  case "conn-client": {
    const port = num(0);
    timed(num(1), num(2), () => {
      const s = dial(port, null);
      while (s.recv(16).length !== 0);
      s.close();
    });
    break;
  }
  case "udp-server": {
    const size = num(1);
    const s = listener(socket.SOCK_DGRAM, num(0));
    const buf = Buffer.alloc(size + 1);
    for (;;) {
      const [n, addr] = s.recvfrom_into(buf);
      s.sendto(buf.subarray(0, n), addr as socket.Address);
    }
  }
  case "udp-client": {
    const size = num(1);
    const to: [string, number] = [HOST, num(0)];
    const s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
    const t = optTimeout(4);
    if (t !== null) s.settimeout(t);
    const msg = Buffer.alloc(size, "x");
    timed(num(2), num(3), () => {
      s.sendto(msg, to);
      s.recvfrom(size);
    });
    s.close();
    break;
  }
  case "mem": {
    // One connected TCP pair in this process; a pair = send(64) on one end + recv(64) on the other,
    // alternating direction. recv(n) allocates its result, so the GC has work to do.
    const pairs = num(0);
    const warm = num(1);
    const l = listener(socket.SOCK_STREAM, 0);
    const a = dial(portOf(l), null);
    const [b] = l.accept();
    l.close();
    const msg = Buffer.alloc(64, "m");
    const run = (n: number): void => {
      for (let i = 0; i < n; i++) {
        const [x, y] = i & 1 ? [b, a] : [a, b];
        x.send(msg);
        if (y.recv(64).length !== 64) throw new Error("short recv");
      }
    };
    run(warm);
    Bun.gc(true);
    const rss0 = rssKb();
    const fd0 = fdCount();
    const t0 = now();
    run(pairs);
    const secs = now() - t0;
    Bun.gc(true);
    out({
      pairs,
      secs,
      rss_kb_before: rss0,
      rss_kb_after: rssKb(),
      fds_before: fd0,
      fds_after: fdCount(),
    });
    a.close();
    b.close();
    break;
  }
  case "gai": {
    const calls = num(0);
    const warm = num(1);
    const one = (): void => {
      if (socket.getaddrinfo(HOST, 80, 0, socket.SOCK_STREAM).length === 0)
        throw new Error("no result");
    };
    for (let i = 0; i < warm; i++) one();
    Bun.gc(true);
    const rss0 = rssKb();
    const fd0 = fdCount();
    const t0 = now();
    for (let i = 0; i < calls; i++) one();
    const secs = now() - t0;
    Bun.gc(true);
    out({
      ops: calls,
      secs,
      rate: calls / secs,
      rss_kb_before: rss0,
      rss_kb_after: rssKb(),
      fds_before: fd0,
      fds_after: fdCount(),
    });
    break;
  }
  case "startup": {
    socket.socket(socket.AF_INET, socket.SOCK_STREAM).close();
    break;
  }
  default:
    process.stderr.write(`unknown mode ${JSON.stringify(mode)}\n`);
    process.exit(64);
}
