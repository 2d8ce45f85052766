// Soak and load: mixed TCP / UDP / Unix traffic between this process and several Python peer
// processes for BUN_SOCKET_SOAK_SECONDS (default 8; `npm run soak` runs 60), every byte checked
// (random sizes, random content, echoes compared, bulk transfers SHA-256 or pattern checked),
// every socket with a timeout. RSS (after a full GC) and the open-fd count are sampled every
// second: RSS may grow
// less than 50 MB after a 2 s warm-up, and the fd count must be back to its start at the end.
// Then load on our own listener: 10,000 sequential connections (connect / accept / send / recv /
// close) and 1,000 simultaneous connections held open and each served.
import { afterEach, describe, expect, test } from "bun:test";
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import * as socket from "../../src/index.ts";
import {
  killAllPeers,
  newFds,
  openFdCount,
  openFdSet,
  sourcePattern,
  startPeer,
  tmpDir,
  type Peer,
} from "../helpers/peer.ts";
import { HAS_FD_LIST, lacks, NO_FD_LIST } from "../helpers/platform.ts";

afterEach(killAllPeers);

const SECONDS = Number(process.env.BUN_SOCKET_SOAK_SECONDS || 8);
const TIMEOUT = 5;
const MB = 1024 * 1024;

function sock(family: number, type: number): socket.socket {
  const s = socket.socket(family, type);
  s.settimeout(TIMEOUT);
  return s;
}

/** A random integer in [lo, hi]. */
function rand(lo: number, hi: number): number {
  return lo + Math.floor(Math.random() * (hi - lo + 1));
}

/** recv exactly `n` bytes (fails on an early EOF). */
function recvExactly(s: socket.socket, n: number): Buffer {
  const parts: Buffer[] = [];
  let got = 0;
  while (got < n) {
    const b = s.recv(Math.min(65536, n - got));
    if (b.length === 0) throw new Error(`EOF after ${got} of ${n} bytes`);
    parts.push(b);
    got += b.length;
  }
  return Buffer.concat(parts);
}

function recvUntilEof(s: socket.socket): Buffer {
  const parts: Buffer[] = [];
  for (;;) {
    const b = s.recv(262144);
    if (b.length === 0) return Buffer.concat(parts);
    parts.push(b);
  }
}

/** Wait (up to 3 s) until no descriptor beyond `before` is open; returns the extra ones. */
async function settledNewFds(before: Set<number>): Promise<number[]> {
  let extra = newFds(before);
  for (let i = 0; i < 300 && extra.length > 0; i++) {
    Bun.gc(true);
    await Bun.sleep(10);
    extra = newFds(before);
  }
  return extra;
}

function mb(n: number): string {
  return (n / MB).toFixed(1);
}

describe.skipIf(lacks(HAS_FD_LIST, NO_FD_LIST))("soak and load", () => {
  test(
    `${SECONDS} s of mixed TCP/UDP/Unix traffic with Python peers: every byte checked, RSS and fds bounded`,
    async () => {
      await settledNewFds(openFdSet()); // let earlier tests' pipes close
      const fdsBefore = openFdSet();
      const fdStart = openFdCount();
      const life = SECONDS + 30;
      const dir = tmpDir();
      const peers: Peer[] = [];
      const open: socket.socket[] = [];
      const bytes = {
        tcp: 0,
        unix: 0,
        udp: 0,
        unixDgram: 0,
        sink: 0,
        source: 0,
      };
      const ops = { tcp: 0, unix: 0, udp: 0, unixDgram: 0, sink: 0, source: 0 };
      let reconnects = 0;
      const rss: number[] = [];
      const fds: number[] = [];
      try {
        const tcpEcho = await startPeer(["echo"], { life });
        const unixEcho = await startPeer(
          ["echo", "--family", "unix", "--path", dir.join("echo.sock")],
          { life },
        );
        const udpEcho = await startPeer(["udp-echo"], { life });
        const dgramPath = dir.join("dgram.sock");
        const dgramEcho = await startPeer(
          ["unix-dgram-echo", "--path", dgramPath],
          { life },
        );
        peers.push(tcpEcho, unixEcho, udpEcho, dgramEcho);

        // The echo peers serve one connection at a time: a reconnect closes the old one first.
        const streams = {
          tcp: {
            family: socket.AF_INET,
            addr: ["127.0.0.1", tcpEcho.port] as [string, number],
            s: null as socket.socket | null,
          },
          unix: {
            family: socket.AF_UNIX,
            addr: dir.join("echo.sock"),
            s: null as socket.socket | null,
          },
        };
        const udp = sock(socket.AF_INET, socket.SOCK_DGRAM);
        open.push(udp);
        const dgram = sock(socket.AF_UNIX, socket.SOCK_DGRAM);
        open.push(dgram);
        dgram.bind(dir.join("client.sock")); // unbound senders get no answer

        const streamEcho = (kind: "tcp" | "unix"): void => {
          const st = streams[kind];
          if (st.s !== null && Math.random() < 0.02) {
            st.s.close();
            st.s = null;
            reconnects++;
          }
          if (st.s === null) {
            st.s = sock(st.family, socket.SOCK_STREAM);
            open.push(st.s);
            st.s.connect(st.addr);
          }
          // ≤ 64 KiB: the echo fits in the socket buffers while we are still sending
          const data = randomBytes(rand(1, 65536));
          st.s.sendall(data);
          const back = recvExactly(st.s, data.length);
          expect(back.equals(data)).toBe(true);
          bytes[kind] += data.length;
          ops[kind]++;
        };
        const udpEchoOnce = (): void => {
          const data = randomBytes(rand(1, 8192));
          udp.sendto(data, ["127.0.0.1", udpEcho.port]);
          const [back, from] = udp.recvfrom(65536);
          expect(from).toEqual(["127.0.0.1", udpEcho.port]);
          expect(back.equals(data)).toBe(true);
          bytes.udp += data.length;
          ops.udp++;
        };
        const dgramEchoOnce = (): void => {
          const data = randomBytes(rand(1, 8192));
          dgram.sendto(data, dgramPath);
          const back = dgram.recv(65536);
          expect(back.equals(data)).toBe(true);
          bytes.unixDgram += data.length;
          ops.unixDgram++;
        };
        const bulk = async (): Promise<void> => {
          // sink: random content, SHA-256 compared by the peer's report
          const sink = await startPeer(["sink"], { life });
          peers.push(sink);
          const data = randomBytes(rand(1, 4 * MB));
          const c = sock(socket.AF_INET, socket.SOCK_STREAM);
          open.push(c);
          c.connect(["127.0.0.1", sink.port]);
          c.sendall(data);
          c.close();
          const r = await sink.result<{ received: number; sha256: string }>();
          expect(r).toEqual({
            received: data.length,
            sha256: createHash("sha256").update(data).digest("hex"),
          });
          bytes.sink += data.length;
          ops.sink++;
          // source: the peer's pattern, read to EOF and compared
          const n = rand(1, 4 * MB);
          const source = await startPeer(["source", "--bytes", String(n)], {
            life,
          });
          peers.push(source);
          const d = sock(socket.AF_INET, socket.SOCK_STREAM);
          open.push(d);
          d.connect(["127.0.0.1", source.port]);
          const got = recvUntilEof(d);
          d.close();
          expect(got.equals(sourcePattern(n))).toBe(true);
          bytes.source += n;
          ops.source++;
          await source.exited;
        };

        const t0 = performance.now();
        let nextSample = t0;
        for (;;) {
          const now = performance.now();
          if (now >= nextSample) {
            Bun.gc(true); // measure what is kept alive, not garbage not yet collected
            rss.push(process.memoryUsage.rss());
            fds.push(openFdCount());
            nextSample += 1000;
            if (now - t0 >= SECONDS * 1000) break;
            await bulk(); // once a second, between samples
          }
          const pick = Math.random();
          if (pick < 0.3) streamEcho("tcp");
          else if (pick < 0.6) streamEcho("unix");
          else if (pick < 0.8) udpEchoOnce();
          else dgramEchoOnce();
        }
      } finally {
        for (const s of open) s.close();
        for (const p of peers) p.kill();
        await Promise.all(peers.map((p) => p.exited));
        killAllPeers();
        dir.cleanup();
      }

      const total = Object.values(bytes).reduce((a, b) => a + b, 0);
      const opsTotal = Object.values(ops).reduce((a, b) => a + b, 0);
      const warm = rss[Math.min(2, rss.length - 1)] ?? 0;
      const growth = Math.max(...rss.slice(2)) - warm;
      console.log(
        `soak: ${SECONDS} s, ${opsTotal} exchanges, ${mb(total)} MB checked byte for byte ` +
          `(TCP echo ${mb(bytes.tcp)}, Unix echo ${mb(bytes.unix)}, UDP ${mb(bytes.udp)}, ` +
          `Unix dgram ${mb(bytes.unixDgram)}, sink ${mb(bytes.sink)}, source ${mb(bytes.source)} MB), ` +
          `${reconnects} reconnects, ${ops.sink + ops.source} bulk peers`,
      );
      console.log(
        `soak: RSS ${mb(rss[0] ?? 0)} -> ${mb(warm)} (after 2 s warm-up) -> max ${mb(Math.max(...rss))} MB ` +
          `(growth after warm-up ${mb(growth)} MB); fds start ${fdStart}, max ${Math.max(...fds)}`,
      );
      expect(rss.length).toBeGreaterThanOrEqual(Math.min(SECONDS, 3));
      expect(growth).toBeLessThan(50 * MB);
      expect(Math.max(...fds) - fdStart).toBeLessThan(64);
      expect(await settledNewFds(fdsBefore)).toEqual([]);
    },
    (SECONDS + 60) * 1000,
  );

  test("10,000 sequential connections to our own listener: connect / accept / send / recv / close", async () => {
    const N = 10_000;
    const before = openFdSet();
    const srv = sock(socket.AF_INET, socket.SOCK_STREAM);
    srv.bind(["127.0.0.1", 0]);
    srv.listen();
    const addr = srv.getsockname() as [string, number];
    let checked = 0;
    const t0 = performance.now();
    try {
      for (let i = 0; i < N; i++) {
        const c = sock(socket.AF_INET, socket.SOCK_STREAM);
        try {
          c.connect(addr);
          const [conn] = srv.accept();
          try {
            conn.settimeout(TIMEOUT);
            const msg = randomBytes(rand(1, 256));
            c.sendall(msg);
            const got = recvExactly(conn, msg.length);
            conn.sendall(got);
            const back = recvExactly(c, msg.length);
            if (!back.equals(msg))
              throw new Error(`connection ${i}: echo differs`);
            checked += msg.length * 2;
          } finally {
            conn.close(); // server side first: TIME_WAIT stays on the listener's port
          }
        } finally {
          c.close();
        }
      }
    } finally {
      srv.close();
    }
    const secs = (performance.now() - t0) / 1000;
    console.log(
      `load: ${N} sequential connections in ${secs.toFixed(1)} s (${Math.round(N / secs)}/s), ${checked} bytes checked`,
    );
    expect(await settledNewFds(before)).toEqual([]);
  }, 60_000);

  test("1,000 simultaneous connections held open, each served", async () => {
    const N = 1000;
    const m = /Max open files\s+(\d+|unlimited)/.exec(
      readFileSync("/proc/self/limits", "utf8"),
    );
    const limit = m?.[1] === "unlimited" ? Infinity : Number(m?.[1] ?? 1024);
    // 2 descriptors per connection; raise `ulimit -n` (soft limit) before the run if this fails
    expect(limit).toBeGreaterThan(2 * N + 100);
    const somaxconn = Number(
      readFileSync("/proc/sys/net/core/somaxconn", "utf8").trim(),
    );
    const batch = Math.max(1, Math.min(N, Math.floor(somaxconn / 2)));

    const before = openFdSet();
    const srv = sock(socket.AF_INET, socket.SOCK_STREAM);
    srv.bind(["127.0.0.1", 0]);
    srv.listen(Math.min(N, somaxconn));
    const addr = srv.getsockname() as [string, number];
    const clients = new Map<number, socket.socket>(); // by local port
    const accepted: socket.socket[] = [];
    let checked = 0;
    try {
      // Connect (timeout mode) up to the backlog, then accept that batch; all stay open.
      while (clients.size < N) {
        const n = Math.min(batch, N - clients.size);
        for (let i = 0; i < n; i++) {
          const c = sock(socket.AF_INET, socket.SOCK_STREAM);
          c.connect(addr);
          clients.set((c.getsockname() as [string, number])[1], c);
        }
        for (let i = 0; i < n; i++) {
          const [conn] = srv.accept();
          conn.settimeout(TIMEOUT);
          accepted.push(conn);
        }
      }
      expect(clients.size).toBe(N);
      expect(accepted.length).toBe(N);
      const held = openFdCount();
      // every client sends its own message...
      const sent = new Map<number, Buffer>();
      for (const [port, c] of clients) {
        const msg = Buffer.concat([
          Buffer.from(`${port}:`),
          randomBytes(rand(1, 512)),
        ]);
        sent.set(port, msg);
        c.sendall(msg);
      }
      // ...each accepted socket reads it (knowing its peer's port) and echoes it back...
      for (const conn of accepted) {
        const port = (conn.getpeername() as [string, number])[1];
        const msg = sent.get(port);
        if (msg === undefined) throw new Error(`unknown peer port ${port}`);
        const got = recvExactly(conn, msg.length);
        expect(got.equals(msg)).toBe(true);
        conn.sendall(got);
      }
      // ...and each client gets its own message back.
      for (const [port, c] of clients) {
        const msg = sent.get(port) as Buffer;
        const back = recvExactly(c, msg.length);
        if (!back.equals(msg)) throw new Error(`client ${port}: echo differs`);
        checked += msg.length * 2;
      }
      console.log(
        `load: ${N} simultaneous connections held open (${held} fds open; soft limit ${limit}), ` +
          `each served an echo, ${checked} bytes checked`,
      );
    } finally {
      for (const c of clients.values()) c.close();
      for (const a of accepted) a.close();
      srv.close();
    }
    expect(await settledNewFds(before)).toEqual([]);
  }, 60_000);
});
