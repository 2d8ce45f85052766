/**
 * Child process for eintr.test.ts: one blocking call of ours while CPython's `signals` peer
 * sends SIGUSR1 to this process every 5 ms. A JS listener is installed, so Bun has a real
 * handler (SA_RESTART) and poll() returns EINTR on every signal (research/bun-ffi.md §5).
 *
 * Usage: bun tests/socket/eintr.child.ts MODE
 * Prints one JSON line: {mode, seconds, signals, error: {name, errno, message} | null, data}.
 * `signals` counts the JS listener's calls that were delivered while the call blocked.
 *
 * Run it with a kill timer (runChild): a bug here could block forever.
 */
import * as socket from "../../src/index.ts";
import {
  killAllPeers,
  spawnPeer,
  startPeer,
  type SpawnedPeer,
} from "../helpers/peer.ts";

const mode = process.argv[2] ?? "";
let signals = 0;
const onSignal = (): void => {
  signals++;
};
process.on("SIGUSR1", onSignal);

/** Starts the signal source and waits until its first signal reached our JS listener. */
async function signalsFlowing(): Promise<SpawnedPeer> {
  const before = signals;
  const p = spawnPeer([
    "signals",
    "--pid",
    String(process.pid),
    "--signal",
    "USR1",
    "--interval-ms",
    "5",
    "--count",
    "1000",
  ]);
  const t0 = Bun.nanoseconds();
  while (signals === before) {
    if (Bun.nanoseconds() - t0 > 5e9) throw new Error("no signal arrived");
    await Bun.sleep(2);
  }
  return p;
}

function listener(backlog?: number): socket.socket {
  const s = socket.socket();
  s.settimeout(5);
  s.bind(["127.0.0.1", 0]);
  s.listen(backlog);
  return s;
}

function port(s: socket.socket): number {
  return (s.getsockname() as [string, number])[1];
}

/** A connected pair whose server end never sends or reads. */
function silentPair(): [socket.socket, socket.socket] {
  const srv = listener();
  const c = socket.socket();
  c.settimeout(5);
  c.connect(["127.0.0.1", port(srv)]);
  const [conn] = srv.accept();
  srv.close();
  return [c, conn];
}

type Op = () => Promise<() => unknown>;

// Sockets the blocking call needs alive: an unreferenced socket is closed by the GC finalizer.
const keep: unknown[] = [];

/** Each mode prepares (may await: peers start here) and returns the one blocking call to time. */
const modes: Record<string, Op> = {
  async "recv-timeout"() {
    const [c, conn] = silentPair();
    keep.push(conn);
    c.settimeout(1.0);
    return () => c.recv(100);
  },
  async "recv-blocking-late"() {
    const peer = await startPeer([
      "send-then-close",
      "--data",
      Buffer.from("after 500 ms").toString("hex"),
      "--delay-ms",
      "500",
    ]);
    const c = socket.socket();
    c.settimeout(5);
    c.connect(["127.0.0.1", peer.port]);
    c.settimeout(null); // blocking: no deadline, no poll
    return () => c.recv(100).toString();
  },
  async "recv-timeout-late"() {
    const peer = await startPeer([
      "send-then-close",
      "--data",
      Buffer.from("after 500 ms").toString("hex"),
      "--delay-ms",
      "500",
    ]);
    const c = socket.socket();
    c.settimeout(5);
    c.connect(["127.0.0.1", peer.port]);
    return () => c.recv(100).toString();
  },
  async "accept-timeout"() {
    const srv = listener();
    keep.push(srv);
    srv.settimeout(1.0);
    return () => srv.accept();
  },
  async "connect-timeout"() {
    const srv = listener(0);
    keep.push(srv);
    for (let i = 0; i < 4; i++) {
      const c = socket.socket();
      c.settimeout(0.1);
      keep.push(c);
      if (c.connect_ex(["127.0.0.1", port(srv)]) !== 0) break;
    }
    const c = socket.socket();
    c.settimeout(1.0);
    return () => c.connect(["127.0.0.1", port(srv)]);
  },
  async "sendall-timeout"() {
    const [c, conn] = silentPair();
    keep.push(conn);
    c.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096);
    c.settimeout(1.0);
    const data = Buffer.alloc(8 * 1024 * 1024, 1);
    return () => c.sendall(data);
  },
};

async function main(): Promise<void> {
  const prepare = modes[mode];
  if (prepare === undefined) throw new Error(`unknown mode ${mode}`);
  const source = await signalsFlowing(); // signals arrive from here on, also while preparing
  const call = await prepare();
  const before = signals;
  const t0 = Bun.nanoseconds();
  let error: {
    name: string;
    errno: unknown;
    message: string;
    bytes_sent?: number;
  } | null = null;
  let data: unknown = null;
  try {
    data = call();
  } catch (e) {
    const err = e as socket.OSError;
    error = {
      name: err.name,
      errno: err.errno,
      message: err.message,
      bytes_sent: err.bytes_sent,
    };
  }
  const seconds = (Bun.nanoseconds() - t0) / 1e9;
  await Bun.sleep(20); // deferred JS signal listeners run now
  const during = signals - before;
  source.kill("SIGKILL");
  await source.output();
  killAllPeers();
  process.off("SIGUSR1", onSignal);
  if (Array.isArray(data)) data = "accepted";
  console.log(JSON.stringify({ mode, seconds, signals: during, error, data }));
  process.exit(0);
}

await main();
