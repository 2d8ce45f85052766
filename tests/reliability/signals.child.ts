/**
 * Child process for signals.test.ts: one kind of blocking call of ours while three CPython
 * `signals` peers send SIGUSR1, SIGWINCH and SIGCHLD to this process, each every 3 ms. JS
 * listeners for all three are installed, so Bun has real handlers (SA_RESTART): poll() returns
 * EINTR on each signal, plain blocking recv/accept/send are restarted (research/bun-ffi.md §5).
 *
 * Usage: bun tests/reliability/signals.child.ts MODE
 * Prints one JSON line: {mode, attempts: [{seconds, signals, bySignal, error, data}], total,
 * payload} (`payload`: the hex the Python peers send in the blocking recv/accept/poll modes).
 * `signals` counts the JS listener calls (all three signals) delivered during the timed call;
 * JS listeners run only once the call returned, so they are counted after it.
 *
 * Run it with a kill timer (runChild): a bug here could block forever.
 */
import { createHash, randomBytes } from "node:crypto";
import * as socket from "../../src/index.ts";
import * as select from "../../src/select.ts";
import {
  killAllPeers,
  pythonCmd,
  spawnPeer,
  startPeer,
  type SpawnedPeer,
} from "../helpers/peer.ts";

const mode = process.argv[2] ?? "";
const SIGNALS = ["SIGUSR1", "SIGWINCH", "SIGCHLD"] as const;
const counts: Record<string, number> = {};
let signals = 0;
for (const name of SIGNALS) {
  counts[name] = 0;
  process.on(name, () => {
    signals++;
    counts[name] = (counts[name] ?? 0) + 1;
  });
}

/** One signal source per signal; returns once each signal has reached its JS listener. */
async function signalsFlowing(): Promise<SpawnedPeer[]> {
  const before = { ...counts };
  const peers = SIGNALS.map((name) =>
    spawnPeer(
      [
        "signals",
        "--pid",
        String(process.pid),
        "--signal",
        name.slice(3),
        "--interval-ms",
        "3",
        "--count",
        "10000",
      ],
      { life: 25 },
    ),
  );
  const t0 = Bun.nanoseconds();
  while (SIGNALS.some((n) => counts[n] === before[n])) {
    if (Bun.nanoseconds() - t0 > 5e9) throw new Error("no signal arrived");
    await Bun.sleep(2);
  }
  return peers;
}

const T = 0.5;
const keep: unknown[] = [];

function listener(backlog?: number): socket.socket {
  const s = socket.socket();
  s.settimeout(5);
  s.bind(["127.0.0.1", 0]);
  s.listen(backlog);
  keep.push(s);
  return s;
}

function port(s: socket.socket): number {
  return (s.getsockname() as [string, number])[1];
}

function silentPair(): [socket.socket, socket.socket] {
  const srv = listener();
  const c = socket.socket();
  c.settimeout(5);
  c.connect(["127.0.0.1", port(srv)]);
  const [conn] = srv.accept();
  srv.close();
  keep.push(c, conn);
  return [c, conn];
}

/** A Python one-liner started now (asynchronously) that runs `code` after `delayMs`. */
function pythonLater(code: string, delayMs: number): Promise<string> {
  const proc = Bun.spawn({
    cmd: [
      ...pythonCmd(),
      "-c",
      `import socket, time, sys\ntime.sleep(${delayMs / 1000})\n${code}`,
    ],
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => proc.kill("SIGKILL"), 10_000);
  return (async () => {
    const [out, err] = await Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
    ]);
    const code = await proc.exited;
    clearTimeout(timer);
    if (code !== 0) throw new Error(`python exit ${code}: ${err}`);
    return out.trim();
  })();
}

/** Prepares (may await) and returns the blocking call to time, and a check run afterwards. */
type Op = () => Promise<{
  call: () => unknown;
  after?: (data: unknown) => Promise<unknown>;
}>;

const PAYLOAD = randomBytes(64).toString("hex");

const modes: Record<string, Op> = {
  // --- timeout mode: settimeout(0.5) on something that never becomes ready
  async "recv-timeout"() {
    const [c] = silentPair();
    c.settimeout(T);
    return { call: () => c.recv(100) };
  },
  async "accept-timeout"() {
    const srv = listener();
    srv.settimeout(T);
    return { call: () => srv.accept() };
  },
  async "connect-timeout"() {
    const srv = listener(0);
    for (let i = 0; i < 4; i++) {
      const c = socket.socket();
      c.settimeout(0.1);
      keep.push(c);
      if (c.connect_ex(["127.0.0.1", port(srv)]) !== 0) break;
    }
    const c = socket.socket();
    keep.push(c);
    c.settimeout(T);
    return { call: () => c.connect(["127.0.0.1", port(srv)]) };
  },
  async "sendall-timeout"() {
    const [c] = silentPair();
    c.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096);
    c.settimeout(T);
    const data = Buffer.alloc(16 * 1024 * 1024, 1);
    return { call: () => c.sendall(data) };
  },
  async "poll-timeout"() {
    const [c] = silentPair();
    const p = select.poll();
    p.register(c, select.POLLIN);
    return { call: () => p.poll(T * 1000) };
  },
  async "select-timeout"() {
    const [c] = silentPair();
    return { call: () => select.select([c], [], [], T) };
  },
  // --- blocking mode (no timeout): the call returns when a Python peer acts after 300 ms
  async "recv-blocking"() {
    const peer = await startPeer([
      "send-then-close",
      "--data",
      PAYLOAD,
      "--delay-ms",
      "300",
    ]);
    const c = socket.socket();
    keep.push(c);
    c.settimeout(5);
    c.connect(["127.0.0.1", peer.port]);
    c.settimeout(null);
    return {
      call: () => {
        const parts: Buffer[] = [];
        for (;;) {
          const b = c.recv(65536);
          if (b.length === 0) break;
          parts.push(b);
        }
        return Buffer.concat(parts).toString("hex");
      },
    };
  },
  async "accept-blocking"() {
    const srv = listener();
    srv.settimeout(null);
    const client = pythonLater(
      `s = socket.create_connection(("127.0.0.1", ${port(srv)}), timeout=5)\n` +
        `s.sendall(bytes.fromhex("${PAYLOAD}"))\ns.close()`,
      300,
    );
    return {
      call: () => {
        const [conn] = srv.accept();
        keep.push(conn);
        conn.settimeout(5);
        const parts: Buffer[] = [];
        for (;;) {
          const b = conn.recv(65536);
          if (b.length === 0) break;
          parts.push(b);
        }
        return Buffer.concat(parts).toString("hex");
      },
      after: async (data) => {
        await client;
        return data;
      },
    };
  },
  async "sendall-blocking"() {
    // The sink reads 64 KiB chunks with 3 ms pauses: 8 MB take ~400 ms, so sends block often.
    const peer = await startPeer(["sink", "--chunk-delay-ms", "3"]);
    const c = socket.socket();
    keep.push(c);
    c.settimeout(5);
    c.connect(["127.0.0.1", peer.port]);
    c.settimeout(null);
    const data = randomBytes(8 * 1024 * 1024);
    const sha256 = createHash("sha256").update(data).digest("hex");
    return {
      call: () => {
        c.sendall(data);
        c.close();
        return null;
      },
      after: async () => {
        const r = await peer.result<{ received: number; sha256: string }>();
        return {
          received: r.received,
          sha256Match: r.sha256 === sha256,
          sent: data.length,
        };
      },
    };
  },
  async "poll-blocking"() {
    const peer = await startPeer([
      "send-then-close",
      "--data",
      PAYLOAD,
      "--delay-ms",
      "300",
    ]);
    const c = socket.socket();
    keep.push(c);
    c.settimeout(5);
    c.connect(["127.0.0.1", peer.port]);
    const p = select.poll();
    p.register(c, select.POLLIN);
    return {
      call: () => {
        const ready = p.poll(); // no timeout
        return { ready: ready.length, data: c.recv(65536).toString("hex") };
      },
    };
  },
};

interface Attempt {
  seconds: number;
  signals: number;
  /** Listener calls during the call, per signal. */
  bySignal: Record<string, number>;
  error: { name: string; message: string } | null;
  data: unknown;
}

async function attempt(prepare: Op): Promise<Attempt> {
  const { call, after } = await prepare();
  const before = signals;
  const beforeBy = { ...counts };
  const t0 = Bun.nanoseconds();
  let error: Attempt["error"] = null;
  let data: unknown = null;
  try {
    data = call();
  } catch (e) {
    const err = e as Error;
    error = { name: err.name, message: err.message };
  }
  const seconds = (Bun.nanoseconds() - t0) / 1e9;
  await Bun.sleep(20); // deferred JS signal listeners run now
  const during = signals - before;
  const bySignal: Record<string, number> = {};
  for (const n of SIGNALS) bySignal[n] = (counts[n] ?? 0) - (beforeBy[n] ?? 0);
  if (after !== undefined && error === null) data = await after(data);
  if (Array.isArray(data) && mode.startsWith("accept")) data = "accepted";
  return { seconds, signals: during, bySignal, error, data };
}

async function main(): Promise<void> {
  const prepare = modes[mode];
  if (prepare === undefined) throw new Error(`unknown mode ${mode}`);
  const sources = await signalsFlowing();
  const attempts: Attempt[] = [];
  const n = mode.endsWith("-timeout") ? 3 : 1;
  for (let i = 0; i < n; i++) attempts.push(await attempt(prepare));
  for (const s of sources) s.kill("SIGKILL");
  await Promise.all(sources.map((s) => s.output()));
  killAllPeers();
  console.log(
    JSON.stringify({ mode, attempts, total: counts, payload: PAYLOAD }),
  );
  process.exit(0);
}

await main();
