// File descriptors: none leaked by ten thousand connect/accept/close cycles or failed connects,
// and sockets dropped without close() are closed by the FinalizationRegistry (CPython closes
// them in __del__, with a ResourceWarning).
import { describe, expect, test } from "bun:test";
import { readdirSync, readlinkSync } from "node:fs";
import * as socket from "../../src/index.ts";
import { openFdCount } from "../helpers/peer.ts";
import { portOf, sock, tcpListener } from "../helpers/sockets.ts";
import { HAS_FD_LIST, lacks, NO_FD_LIST } from "../helpers/platform.ts";

/** The link targets (`socket:[inode]`, `pipe:[...]`...) of this process's open descriptors. */
function openInodes(): Set<string> {
  const out = new Set<string>();
  for (const fd of readdirSync("/proc/self/fd"))
    try {
      out.add(readlinkSync(`/proc/self/fd/${fd}`));
    } catch {
      // closed while listing
    }
  return out;
}

/**
 * Whether the socket with this `/proc/self/fd` link target gets closed by the collector within ~0.5 s: each
 * turn ends the job (waiting sockets are handed to the finalizer), then collects.
 */
async function closedByCollector(inode: string): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    await Bun.sleep(10);
    Bun.gc(true);
    if (!openInodes().has(inode)) return true;
  }
  return false;
}

/** The fd count once it stopped changing (pipes of earlier tests' peers may still be closing). */
async function settledFdCount(): Promise<number> {
  let last = openFdCount();
  for (let stable = 0, i = 0; stable < 3 && i < 100; i++) {
    await Bun.sleep(10);
    const n = openFdCount();
    stable = n === last ? stable + 1 : 0;
    last = n;
  }
  return last;
}

const CYCLES = 10_000;

// Counting descriptors needs sockets to be descriptors listed in /proc/self/fd (not Winsock handles).
describe.skipIf(lacks(HAS_FD_LIST, NO_FD_LIST))("no descriptor leaks", () => {
  test(`${CYCLES} create/connect/accept/close cycles against one listener leave the fd count unchanged`, async () => {
    const before = await settledFdCount();
    using srv = tcpListener();
    const addr: [string, number] = ["127.0.0.1", portOf(srv)];
    const withListener = openFdCount();
    expect(withListener).toBe(before + 1);
    for (let i = 0; i < CYCLES; i++) {
      const c = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
      c.settimeout(5);
      c.connect(addr);
      const [conn] = srv.accept();
      conn.close(); // the server side closes first: TIME_WAIT stays on the listener's port
      c.close();
    }
    expect(openFdCount()).toBe(withListener);
    srv.close();
    expect(openFdCount()).toBe(before);
  }, 30_000);

  test(`${CYCLES} refused connects, each on a fresh socket, leave the fd count unchanged`, async () => {
    const before = await settledFdCount();
    using holder = sock();
    holder.bind(["127.0.0.1", 0]); // bound, not listening: connects are refused
    const addr: [string, number] = ["127.0.0.1", portOf(holder)];
    const withHolder = openFdCount();
    let refused = 0;
    for (let i = 0; i < CYCLES; i++) {
      const c = socket.socket();
      try {
        c.connect(addr);
      } catch (e) {
        if (e instanceof socket.ConnectionRefusedError) refused++;
        else throw e;
      } finally {
        c.close();
      }
    }
    expect(refused).toBe(CYCLES);
    expect(openFdCount()).toBe(withHolder);
    holder.close();
    expect(openFdCount()).toBe(before);
  }, 30_000);

  test("sockets dropped without close() are closed by the garbage collector", async () => {
    const before = await settledFdCount();
    const N = 1000;
    // Created in a separate function so that no reference survives on this frame's stack.
    const make = (): number => {
      const fds: number[] = [];
      for (let i = 0; i < N; i++) fds.push(socket.socket().fileno());
      return fds.length;
    };
    expect(make()).toBe(N);
    expect(openFdCount()).toBe(before + N);
    let now = openFdCount();
    for (let i = 0; i < 50 && now > before; i++) {
      Bun.gc(true);
      await Bun.sleep(10);
      now = openFdCount();
    }
    expect(now).toBe(before);
  }, 20_000);

  test("a socket dropped alone, with no other socket made after it, is closed by the collector", async () => {
    // Sockets wait in a small list before the finalizer learns of them (src/api/socket.ts, `track`): the last
    // one must not stay reachable from it. Identified by inode, as other tests' garbage may close meanwhile.
    const make = (): string => {
      const fd = socket.socket(socket.AF_INET, socket.SOCK_DGRAM).fileno();
      return readlinkSync(`/proc/self/fd/${fd}`);
    };
    const inode = make();
    expect(inode).toStartWith("socket:");
    expect(await closedByCollector(inode)).toBe(true);
  }, 20_000);

  test("a socket dropped after a full sweep, in the same job, is still closed by the collector", async () => {
    // 64 sockets fill the waiting list and are swept inside the job; the one made after them waits for the
    // microtask queued by the first, which must still run (one queued at a time, not one per sweep).
    const make = (): string => {
      for (let i = 0; i < 64; i++)
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM).close();
      const fd = socket.socket(socket.AF_INET, socket.SOCK_DGRAM).fileno();
      return readlinkSync(`/proc/self/fd/${fd}`);
    };
    const inode = make();
    expect(inode).toStartWith("socket:");
    expect(await closedByCollector(inode)).toBe(true);
  }, 20_000);

  test("sockets closed before the finalizer saw them never have their reused numbers closed by it", async () => {
    const kept: socket.socket[] = [];
    const freed: number[] = [];
    // 200 sockets in one job (three sweeps of 64 inside it); every other one is closed at once.
    for (let i = 0; i < 200; i++) {
      const s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
      if (i % 2) kept.push(s);
      else {
        freed.push(s.fileno());
        s.close();
      }
    }
    // Each closed number was taken by the next socket made: most kept sockets hold a closed one's number.
    expect(
      kept.filter((s) => freed.includes(s.fileno())).length,
    ).toBeGreaterThanOrEqual(50);
    for (let i = 0; i < 5; i++) {
      Bun.gc(true);
      await Bun.sleep(10);
    }
    for (const s of kept)
      expect(s.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE)).toBe(
        socket.SOCK_DGRAM,
      );
    for (const s of kept) s.close();
  }, 20_000);

  test("a synchronous loop of 1,000 sockets queues one sweep microtask, not one per 64 sockets", async () => {
    await Bun.sleep(0); // start from an empty queue: earlier jobs' sweeps have run
    const original = globalThis.queueMicrotask;
    let queued = 0;
    globalThis.queueMicrotask = (cb: () => void): void => {
      queued++;
      original(cb);
    };
    try {
      for (let i = 0; i < 1000; i++)
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM).close();
    } finally {
      globalThis.queueMicrotask = original;
    }
    expect(queued).toBe(1);
  });

  test("the collector never closes a reused descriptor: closed and detached sockets are unregistered", async () => {
    const fdsOf = (): { closedFd: number; detachedFd: number } => {
      const b = socket.socket();
      const a = socket.socket();
      const closedFd = a.fileno();
      a.close(); // explicit close, then the object is dropped
      const detachedFd = b.detach(); // the fd is ours now; b is dropped
      return { closedFd, detachedFd };
    };
    const { closedFd, detachedFd } = fdsOf();
    // The lowest free number is reused: the next socket gets the closed one's fd.
    using reuse = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
    expect(reuse.fileno()).toBe(closedFd);
    using adopted = socket.socket(null, null, null, detachedFd);
    for (let i = 0; i < 5; i++) {
      Bun.gc(true);
      await Bun.sleep(10);
    }
    // Both descriptors are still open and still the sockets we expect.
    expect(reuse.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE)).toBe(
      socket.SOCK_DGRAM,
    );
    expect(adopted.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE)).toBe(
      socket.SOCK_STREAM,
    );
    expect(adopted.fileno()).toBe(detachedFd);
  });
});
