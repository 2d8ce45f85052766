// Timeout accuracy: recv/accept/connect/sendall timeouts of 10 ms, 100 ms and 1 s raise
// TimeoutError no earlier than asked (monotonic clock) and within 20 ms after. On a loaded 2-core
// CI machine one scheduling hiccup can exceed 20 ms, so each case takes the best of 3 attempts
// for the upper bound; the lower bound (never early) must hold on every attempt.
import { afterEach, describe, expect, test } from "bun:test";
import * as socket from "../../src/index.ts";
import { killAllPeers } from "../helpers/peer.ts";

afterEach(killAllPeers);

const open: socket.socket[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});
function track<T extends socket.socket>(s: T): T {
  open.push(s);
  return s;
}

/** Runs `op` (which must raise TimeoutError) 3 times; returns the smallest overshoot in seconds. */
function bestOvershoot(t: number, prepare: () => () => unknown): number {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const op = prepare();
    const t0 = Bun.nanoseconds();
    let err: unknown = null;
    try {
      op();
    } catch (e) {
      err = e;
    }
    const dt = (Bun.nanoseconds() - t0) / 1e9;
    expect(err).toBeInstanceOf(socket.TimeoutError);
    expect((err as Error).message).toBe("timed out");
    expect(dt).toBeGreaterThanOrEqual(t); // never early
    best = Math.min(best, dt - t);
    if (best <= 0.02) break;
  }
  return best;
}

function silentPair(t: number): [socket.socket, socket.socket] {
  const srv = socket.socket();
  srv.bind(["127.0.0.1", 0]);
  srv.listen();
  const c = track(socket.socket());
  c.connect(srv.getsockname() as [string, number]);
  const [a] = srv.accept();
  srv.close();
  track(a);
  c.settimeout(t);
  return [c, a];
}

describe("timeouts fire no earlier than asked and within 20 ms after (best of 3)", () => {
  for (const t of [0.01, 0.1, 1]) {
    test(`recv, settimeout(${t})`, () => {
      expect(
        bestOvershoot(t, () => {
          const [c] = silentPair(t);
          return () => c.recv(10);
        }),
      ).toBeLessThanOrEqual(0.02);
    }, 15_000);

    test(`accept, settimeout(${t})`, () => {
      expect(
        bestOvershoot(t, () => {
          const srv = track(socket.socket());
          srv.bind(["127.0.0.1", 0]);
          srv.listen();
          srv.settimeout(t);
          return () => srv.accept();
        }),
      ).toBeLessThanOrEqual(0.02);
    }, 15_000);

    test(`sendall to a peer that never reads, settimeout(${t})`, () => {
      expect(
        bestOvershoot(t, () => {
          const [c] = silentPair(t);
          c.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096);
          return () => c.sendall(Buffer.alloc(64 << 20));
        }),
      ).toBeLessThanOrEqual(0.02);
    }, 15_000);

    test(`connect to a full listen backlog, settimeout(${t})`, () => {
      expect(
        bestOvershoot(t, () => {
          // backlog 0 and nobody accepting: once the queue is full, SYNs are dropped.
          const srv = track(socket.socket());
          srv.bind(["127.0.0.1", 0]);
          srv.listen(0);
          const addr = srv.getsockname() as [string, number];
          for (let i = 0; i < 8; i++) {
            const f = track(socket.socket());
            f.setblocking(false);
            f.connect_ex(addr);
          }
          const c = track(socket.socket());
          c.settimeout(t);
          return () => c.connect(addr);
        }),
      ).toBeLessThanOrEqual(0.02);
    }, 15_000);
  }
});
