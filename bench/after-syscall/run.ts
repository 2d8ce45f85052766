/**
 * What a Python-shaped result costs right after a system call: the limit behind bun-socket's last few
 * percent to raw `bun:ffi` on D (UDP ping-pong) and C (connections).
 *
 *   taskset -c 0 bun bench/after-syscall/run.ts [--rounds N] [--batch N]     (Linux)
 *
 * One process, one UDP pair on 127.0.0.1. Every case sends one 64-byte datagram with a raw `sendto` and
 * receives it on the other socket, so each iteration is the same two system calls; the cases differ only in
 * what JavaScript does with the datagram:
 * - raw recvfrom: the floor (preallocated buffers, nothing returned);
 * - + new Uint8Array(n) / + Buffer.allocUnsafe(n) and copy / + [n, [host, port]] / + both: raw calls, then
 *   the objects recv, recvfrom_into and recvfrom must return (a fresh bytes object, a fresh address pair);
 * - bun-socket recv_into, recvfrom_into, recv, recvfrom: the library after the same raw `sendto`.
 * Then the same allocations without system calls, for contrast. Cases run in batches (`--batch`, default
 * 20,000 iterations) in a rotated order for `--rounds` rounds (default 40; the first 3 are warm-up); the
 * table gives each case's median ns per iteration and its difference to the floor's median.
 */
import * as socket from "../../src/index.ts";
import { loopback, S } from "../impl/libc.ts";

const argv = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const ROUNDS = opt("--rounds", 40);
const BATCH = opt("--batch", 20000);
const WARM_ROUNDS = 3;

const tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
const rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
tx.bind(["127.0.0.1", 0]);
rx.bind(["127.0.0.1", 0]);
rx.settimeout(5); // a lost datagram raises instead of hanging (none is lost on loopback)
const [, rxPort] = rx.getsockname() as [string, number];
const txFd = tx.fileno();
const rxFd = rx.fileno();

// The raw calls' arguments, allocated once (ArrayBuffer-backed: their addresses do not move).
const to = loopback(rxPort);
const msg = new Uint8Array(new ArrayBuffer(64)).fill(120);
const data = Buffer.from(new ArrayBuffer(65536));
const from = new Uint8Array(new ArrayBuffer(128));
const fromLen = new Uint32Array(new ArrayBuffer(4));
const into = Buffer.alloc(65);
const HOST = "127.0.0.1";

const send = (): void => {
  if ((S.sendto(txFd, msg, 64, 0, to, 16) as number) !== 64)
    throw new Error("sendto failed");
};
const recvRaw = (): number => {
  fromLen[0] = 128;
  const n = S.recvfrom(rxFd, data, 65, 0, from, fromLen) as number;
  if (n !== 64) throw new Error("recvfrom failed");
  return n;
};
const port = (): number => (from[2]! << 8) | from[3]!;

let sink: unknown;
const withSyscalls: Record<string, () => void> = {
  "raw recvfrom (floor)": () => {
    send();
    sink = recvRaw();
  },
  "+ new Uint8Array(n)": () => {
    send();
    sink = new Uint8Array(recvRaw());
  },
  "+ Buffer.allocUnsafe(n), copy": () => {
    send();
    const n = recvRaw();
    const b = Buffer.allocUnsafe(n);
    data.copy(b, 0, 0, n);
    sink = b;
  },
  "+ [n, [host, port]]": () => {
    send();
    sink = [recvRaw(), [HOST, port()]];
  },
  "+ both (recvfrom's result)": () => {
    send();
    const n = recvRaw();
    const b = Buffer.allocUnsafe(n);
    data.copy(b, 0, 0, n);
    sink = [b, [HOST, port()]];
  },
  "bun-socket recv_into": () => {
    send();
    sink = rx.recv_into(into);
  },
  "bun-socket recvfrom_into": () => {
    send();
    sink = rx.recvfrom_into(into);
  },
  "bun-socket recv": () => {
    send();
    sink = rx.recv(65);
  },
  "bun-socket recvfrom": () => {
    send();
    sink = rx.recvfrom(65);
  },
};
const FLOOR = "raw recvfrom (floor)";

let n64 = 64;
const withoutSyscalls: Record<string, () => void> = {
  nothing: () => {
    sink = n64;
  },
  "new Uint8Array(n)": () => {
    sink = new Uint8Array(n64);
  },
  "Buffer.allocUnsafe(n), copy": () => {
    const b = Buffer.allocUnsafe(n64);
    data.copy(b, 0, 0, n64);
    sink = b;
  },
  "[n, [host, port]]": () => {
    sink = [n64, [HOST, port()]];
  },
};

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
};

/** Runs every case `BATCH` times per round in a rotated order; the median ns per iteration of each. */
function measure(cases: Record<string, () => void>): Map<string, number> {
  const keys = Object.keys(cases);
  const per = new Map<string, number[]>(keys.map((k) => [k, []]));
  for (let r = 0; r < ROUNDS + WARM_ROUNDS; r++)
    for (let j = 0; j < keys.length; j++) {
      const k = keys[(j + r) % keys.length]!;
      const f = cases[k]!;
      const t0 = Bun.nanoseconds();
      for (let i = 0; i < BATCH; i++) f();
      const ns = (Bun.nanoseconds() - t0) / BATCH;
      if (r >= WARM_ROUNDS) per.get(k)!.push(ns);
    }
  return new Map(keys.map((k) => [k, median(per.get(k)!)]));
}

function print(title: string, m: Map<string, number>, floor: string): void {
  const base = m.get(floor)!;
  const w = Math.max(...[...m.keys()].map((k) => k.length));
  process.stdout.write(`${title}\n`);
  for (const [k, v] of m) {
    const d = v - base;
    const diff =
      k === floor ? "" : `  ${d >= 0 ? "+" : "−"}${Math.abs(d).toFixed(0)}`;
    process.stdout.write(
      `  ${k.padEnd(w)}  ${v.toFixed(0).padStart(6)} ns${diff}\n`,
    );
  }
}

process.stdout.write(
  `after-syscall: ${ROUNDS} rounds of ${BATCH} per case (medians; ${WARM_ROUNDS} warm-up rounds)\n`,
);
print(
  "One raw sendto + one receive on loopback, then (ns per iteration, difference to the floor):",
  measure(withSyscalls),
  FLOOR,
);
print(
  "The same objects without system calls:",
  measure(withoutSyscalls),
  "nothing",
);
void sink;
tx.close();
rx.close();
