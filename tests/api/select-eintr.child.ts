/**
 * Child process for select.test.ts and selectors.test.ts: one blocking wait of ours while CPython's
 * `signals` peer sends SIGUSR1 to this process every 5 ms. A JS listener is installed, so Bun has a
 * real handler and poll()/epoll_wait() return EINTR on every signal (research/bun-ffi.md §5).
 *
 * Usage: bun tests/api/select-eintr.child.ts MODE
 * Prints one JSON line: {mode, seconds, signals, eintr, waits, result, error}. `eintr` counts the
 * OS waits that failed with EINTR (seen by wrapping `plat.sys.poll`/`epoll_wait`), `waits` lists the
 * millisecond timeouts each OS wait was given (the deadline is held: they shrink).
 *
 * Run it with a kill timer (runChild): a bug here could block forever.
 */
import { plat } from "../../src/ffi/index.ts";
import * as socket from "../../src/index.ts";
import * as select from "../../src/select.ts";
import * as selectors from "../../src/selectors.ts";
import { startPeer, spawnPeer, type SpawnedPeer } from "../helpers/peer.ts";

const mode = process.argv[2] ?? "";
let signals = 0;
process.on("SIGUSR1", () => {
  signals++;
});

// Count EINTR and record every timeout handed to the OS (fault-free: the real calls run).
const sys = plat.sys;
const EINTR = plat.errnos.EINTR;
let eintr = 0;
const waits: number[] = [];
const realPoll = sys.poll;
sys.poll = (fds, n, ms) => {
  waits.push(ms);
  const r = realPoll(fds, n, ms);
  if (r < 0 && sys.lastError() === EINTR) eintr++;
  return r;
};
const realEpollWait = sys.epoll_wait!;
sys.epoll_wait = (epfd, evs, max, ms) => {
  waits.push(ms);
  const r = realEpollWait(epfd, evs, max, ms);
  if (r < 0 && sys.lastError() === EINTR) eintr++;
  return r;
};

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

/** A connected pair whose server end never sends or reads. */
function silentPair(): [socket.socket, socket.socket] {
  const srv = socket.socket();
  srv.settimeout(5);
  srv.bind(["127.0.0.1", 0]);
  srv.listen();
  const c = socket.socket();
  c.settimeout(5);
  c.connect(srv.getsockname() as [string, number]);
  const [conn] = srv.accept();
  srv.close();
  return [c, conn];
}

/** Our socket connected to a Python peer that sends "late" after 500 ms. */
async function latePeer(): Promise<socket.socket> {
  const peer = await startPeer([
    "send-then-close",
    "--data",
    Buffer.from("late").toString("hex"),
    "--delay-ms",
    "500",
  ]);
  const c = socket.socket();
  c.settimeout(5);
  c.connect(["127.0.0.1", peer.port]);
  return c;
}

// Sockets the wait needs alive: an unreferenced socket is closed by the GC finalizer.
const keep: unknown[] = [];

const count = (r: unknown[][]): number[] => r.map((l) => l.length);

/** Each mode prepares (may await) and returns the one blocking call to time. */
const modes: Record<string, () => Promise<() => unknown>> = {
  async "select-timeout"() {
    const [c, conn] = silentPair();
    keep.push(c, conn);
    return () => count(select.select([c], [], [c], 1.0));
  },
  async "poll-timeout"() {
    const [c, conn] = silentPair();
    keep.push(c, conn);
    const p = select.poll();
    p.register(c, select.POLLIN);
    return () => p.poll(1000);
  },
  async "epoll-timeout"() {
    const [c, conn] = silentPair();
    keep.push(c, conn);
    const ep = select.epoll();
    ep.register(c, select.EPOLLIN);
    return () => ep.poll(1.0);
  },
  async "selector-timeout"() {
    const [c, conn] = silentPair();
    keep.push(c, conn);
    const sel = new selectors.DefaultSelector();
    sel.register(c, selectors.EVENT_READ);
    return () => sel.select(1.0);
  },
  async "select-late"() {
    const c = await latePeer();
    keep.push(c);
    return () => count(select.select([c], [], [], 5.0));
  },
  async "select-blocking-late"() {
    const c = await latePeer();
    keep.push(c);
    return () => count(select.select([c], [], []));
  },
  async "selector-blocking-late"() {
    const c = await latePeer();
    keep.push(c);
    const sel = new selectors.DefaultSelector();
    sel.register(c, selectors.EVENT_READ);
    return () => sel.select().map(([, ev]) => ev);
  },
};

const op = modes[mode];
if (!op) throw new Error(`unknown mode ${mode}`);
const call = await op();
const sig = await signalsFlowing();
const s0 = signals;
eintr = 0;
waits.length = 0;
const t0 = Bun.nanoseconds();
let result: unknown = null;
let error: { name: string; message: string } | null = null;
try {
  result = call();
} catch (e) {
  error = { name: (e as Error).name, message: (e as Error).message };
}
const seconds = (Bun.nanoseconds() - t0) / 1e9;
const eintrSeen = eintr;
const waitsSeen = [...waits];
sig.kill();
await Bun.sleep(20); // let the queued listener calls run
console.log(
  JSON.stringify({
    mode,
    seconds,
    signals: signals - s0,
    eintr: eintrSeen,
    waits: waitsSeen,
    result,
    error,
  }),
);
process.exit(0);
