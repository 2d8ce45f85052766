/**
 * The benchmark suite: bun-socket measured side by side with C, Python's `socket`, Node's `net`/`dgram`
 * and Bun's own sockets, in the same run, on loopback.
 *
 *   bun bench/run.ts [--quick] [--only A,B,...] [--rounds N] [--bulk-rounds N] [--secs S] [--warmup S] [--bulk-mib N] [--pin both|split|same] [--out DIR]
 *
 * Sections: A TCP ping-pong, B bulk transfer, C connection rate, D UDP ping-pong, E start-up,
 * F memory and descriptors over send/recv pairs, G getaddrinfo.
 *
 * How a number is made:
 * - every client and every server is its own process (`bench/c/*.c` compiled here with `cc -O2`,
 *   `bench/impl/{bunsocket.ts,python.py,node.mjs,bun.ts}`); a server prints `READY <port>`, a client
 *   prints one JSON line (`{"ops","secs","rate"}` or `{"bytes","secs","rate"}`);
 * - with `taskset`, each configuration runs twice: client on core 0 and server on core 1 ("cores 0/1"),
 *   and both on core 0 ("core 0");
 * - rounds are interleaved: each round runs every row once, in a rotated order, and runs C → C again
 *   between every two rows; a row's ratio to C in a round is its rate over the geometric mean of the two
 *   C → C runs just before and just after it (the machine's speed drifts by tens of percent over
 *   minutes, much less over seconds). The table gives the median over rounds of the values and of those
 *   ratios, their min–max, and the best round over the best C → C run;
 * - every process runs under `timeout` (and a kill timer of ours), so nothing can hang the run.
 *
 * Writes `<out>/latest.md` and `<out>/latest.svg` (default `bench/results/`) and prints the ratio table.
 * Exit status: 0 when every run produced a result, 1 when some failed (they are listed in the report).
 */
import { spawn, spawnSync, type Subprocess } from "bun";
import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { cpus, loadavg, release } from "node:os";
import { join, resolve } from "node:path";
import { commitDescription, cpuDescription, firstLine } from "./machine.ts";

// ---------------------------------------------------------------------------------------------
// Options

const ROOT = resolve(import.meta.dir, "..");
const BUILD = join(ROOT, "bench/build");
const IMPL = join(ROOT, "bench/impl");
const SECTIONS = ["A", "B", "C", "D", "E", "F", "G"] as const;
type Section = (typeof SECTIONS)[number];

interface Options {
  quick: boolean;
  only: Set<Section>;
  rounds: number;
  /** Rounds of B: its runs spread more than A, C and D's (±10% per round), and each takes about a second. */
  bulkRounds: number;
  /** Seconds each timed client runs (A, C, D), after `warmup` seconds not counted. */
  secs: number;
  warmup: number;
  bulkBytes: number;
  chunk: number;
  msgSize: number;
  startupRuns: number;
  memPairs: number;
  memWarmup: number;
  gaiCalls: number;
  gaiCallsC: number;
  out: string;
  /** Which pinnings to run: both (default), only client/server on cores 0/1, or only both on core 0. */
  pin: "both" | "split" | "same";
}

function parseArgs(argv: string[]): Options {
  const quick = argv.includes("--quick");
  const o: Options = {
    quick,
    only: new Set(SECTIONS),
    rounds: quick ? 1 : 6,
    bulkRounds: quick ? 1 : 12,
    secs: quick ? 0.2 : 0.75,
    // Bun's JIT needs about a second to finish compiling bun-socket's call path (DFG/FTL, on the same cores):
    // with 0.2 s, D measured bun-socket at 0.86-0.88x C and 0.94-0.99x with 1 s, raw bun:ffi 0.96-1.01x both.
    // Every implementation gets the same warm-up.
    warmup: quick ? 0.05 : 2,
    bulkBytes: (quick ? 64 : 2048) * 2 ** 20,
    chunk: 256 * 1024,
    msgSize: 64,
    startupRuns: quick ? 5 : 40,
    memPairs: quick ? 50_000 : 1_000_000,
    memWarmup: quick ? 10_000 : 100_000,
    gaiCalls: quick ? 10_000 : 100_000,
    gaiCallsC: quick ? 100_000 : 1_000_000,
    out: join(ROOT, "bench/results"),
    pin: "both",
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const val = (): string => {
      const v = argv[++i];
      if (v === undefined) usage(`${a} needs a value`);
      return v;
    };
    const pos = (): number => {
      const v = Number(val());
      if (!(v > 0)) usage(`${a} needs a positive number`);
      return v;
    };
    switch (a) {
      case "--quick":
        break;
      case "--only": {
        const want = val()
          .split(",")
          .map((s) => s.trim().toUpperCase())
          .filter(Boolean);
        for (const w of want)
          if (!(SECTIONS as readonly string[]).includes(w))
            usage(`unknown section ${w}`);
        o.only = new Set(want as Section[]);
        break;
      }
      case "--rounds":
        o.rounds = Math.round(pos());
        break;
      case "--bulk-rounds":
        o.bulkRounds = Math.round(pos());
        break;
      case "--secs":
        o.secs = pos();
        break;
      case "--warmup":
        o.warmup = pos();
        break;
      case "--bulk-mib":
        o.bulkBytes = Math.round(pos() * 2 ** 20);
        break;
      case "--out":
        o.out = resolve(val());
        break;
      case "--pin": {
        const v = val();
        if (v !== "both" && v !== "split" && v !== "same")
          usage("--pin takes both, split or same");
        o.pin = v;
        break;
      }
      case "-h":
      case "--help":
        usage();
        break;
      default:
        usage(`unknown option ${a}`);
    }
  }
  return o;
}

function usage(msg?: string): never {
  if (msg) process.stderr.write(`bench: ${msg}\n`);
  process.stderr.write(
    "usage: bun bench/run.ts [--quick] [--only A,B,C,D,E,F,G] [--rounds N] [--bulk-rounds N] [--secs S] [--warmup S] [--bulk-mib N] [--pin both|split|same] [--out DIR]\n",
  );
  process.exit(msg ? 64 : 0);
}

const opt = parseArgs(process.argv.slice(2));

// ---------------------------------------------------------------------------------------------
// Tools and processes

const BUN = process.execPath;
const TIMEOUT = Bun.which("timeout");
const TASKSET = Bun.which("taskset");
const NODE = Bun.which("node");
const CC = Bun.which("cc");
/** The real interpreter behind `python3` (a pyenv shim would add ~300 ms to every start). */
const PYTHON = ((): string | null => {
  const p = Bun.which("python3");
  if (!p) return null;
  const r = spawnSync([p, "-c", "import sys; print(sys.executable)"]);
  const exe = r.stdout.toString().trim();
  return r.exitCode === 0 && exe ? exe : p;
})();

interface Pinning {
  id: string;
  label: string;
  client: string | null;
  server: string | null;
}
const PINNINGS: Pinning[] =
  TASKSET && cpus().length >= 2
    ? [
        { id: "split", label: "cores 0/1", client: "0", server: "1" },
        { id: "same", label: "core 0", client: "0", server: "0" },
      ].filter((p) => opt.pin === "both" || p.id === opt.pin)
    : [{ id: "none", label: "unpinned", client: null, server: null }];

const live = new Set<Subprocess>();
function killAll(): void {
  for (const p of live) if (p.exitCode === null) p.kill("SIGKILL");
  live.clear();
}
process.on("exit", killAll);
for (const sig of ["SIGINT", "SIGTERM"] as const)
  process.on(sig, () => {
    killAll();
    process.exit(130);
  });

/** `timeout` + `taskset` around `argv`. */
function wrap(argv: string[], cpu: string | null, limitS: number): string[] {
  const pre: string[] = [];
  if (TIMEOUT) pre.push(TIMEOUT, "-k", "2", String(Math.ceil(limitS)));
  if (cpu !== null && TASKSET) pre.push(TASKSET, "-c", cpu);
  return [...pre, ...argv];
}

/** A child process whose stdout and stderr are collected; `ready` resolves at its `READY <port>` line. */
class Child {
  readonly proc: Subprocess<"ignore", "pipe", "pipe">;
  out = "";
  err = "";
  readonly ready: Promise<number>;
  readonly done: Promise<number>;
  #timer: ReturnType<typeof setTimeout>;

  constructor(argv: string[], limitS: number) {
    this.proc = spawn(argv, {
      cwd: ROOT,
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    });
    live.add(this.proc);
    // Our own kill timer, in case `timeout` is missing or does not act.
    this.#timer = setTimeout(() => this.kill(), (limitS + 3) * 1000);
    let onReady: (port: number) => void = () => {};
    this.ready = new Promise((res) => (onReady = res));
    const pump = async (
      s: ReadableStream<Uint8Array>,
      add: (t: string) => void,
    ): Promise<void> => {
      const dec = new TextDecoder();
      for await (const chunk of s) add(dec.decode(chunk, { stream: true }));
    };
    const outDone = pump(this.proc.stdout, (t) => {
      this.out += t;
      const m = /^READY (\d+)$/m.exec(this.out);
      if (m) onReady(Number(m[1]));
    });
    const errDone = pump(this.proc.stderr, (t) => (this.err += t));
    this.done = Promise.all([this.proc.exited, outDone, errDone]).then(
      ([code]) => {
        clearTimeout(this.#timer);
        live.delete(this.proc);
        return code;
      },
    );
  }

  kill(sig: NodeJS.Signals = "SIGKILL"): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null)
      this.proc.kill(sig);
  }

  /** The last JSON object line of stdout, or null. */
  json(): Record<string, number> | null {
    const lines = this.out.trim().split("\n").reverse();
    for (const l of lines) {
      if (!l.startsWith("{")) continue;
      try {
        return JSON.parse(l) as Record<string, number>;
      } catch {
        return null;
      }
    }
    return null;
  }

  why(code: number): string {
    const tail = (this.err.trim().split("\n").pop() ?? "").slice(0, 200);
    return `exit ${code}${this.proc.signalCode ? ` (${this.proc.signalCode})` : ""}${tail ? `: ${tail}` : ""}`;
  }
}

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, rej) => {
      t = setTimeout(
        () => rej(new Error(`${what}: no answer in ${ms} ms`)),
        ms,
      );
    }),
  ]).finally(() => clearTimeout(t));
}

// ---------------------------------------------------------------------------------------------
// Implementations

type Kind = "pp" | "bulk" | "conn" | "udp";
type Role = "server" | "client";
interface Impl {
  id: string;
  label: string;
  /** The command for `kind`/`role`, or null when this implementation has no such program. */
  argv(kind: Kind, role: Role): string[] | null;
  missing: string | null;
}

const C_BIN: Record<Kind, string> = {
  pp: "pingpong",
  bulk: "bulk",
  conn: "connrate",
  udp: "udp",
};
function scriptMode(kind: Kind, role: Role): string {
  if (kind === "bulk") return role === "server" ? "bulk-sink" : "bulk-send";
  return `${kind}-${role}`;
}

const IMPLS: Record<string, Impl> = {
  c: {
    id: "c",
    label: "C",
    argv: (kind, role) => [
      join(BUILD, C_BIN[kind]),
      kind === "bulk" ? (role === "server" ? "sink" : "send") : role,
    ],
    missing: CC ? null : "no cc",
  },
  bs: {
    id: "bs",
    label: "bun-socket",
    argv: (k, r) => [BUN, join(IMPL, "bunsocket.ts"), scriptMode(k, r)],
    missing: null,
  },
  py: {
    id: "py",
    label: "Python",
    argv: (k, r) =>
      PYTHON ? [PYTHON, join(IMPL, "python.py"), scriptMode(k, r)] : null,
    missing: PYTHON ? null : "no python3",
  },
  node: {
    id: "node",
    label: "Node",
    argv: (k, r) =>
      NODE && !(k === "bulk" && r === "server")
        ? [NODE, join(IMPL, "node.mjs"), scriptMode(k, r)]
        : null,
    missing: NODE ? null : "no node",
  },
  ffi: {
    id: "ffi",
    label: "raw bun:ffi",
    // The floor of any Bun program, to split a gap to C into Bun's part and bun-socket's (no bulk sink).
    argv: (k, r) =>
      k === "bulk" && r === "server"
        ? null
        : [BUN, join(IMPL, "rawffi.ts"), scriptMode(k, r)],
    missing: null,
  },
  bun: {
    id: "bun",
    label: "Bun native",
    argv: (k, r) =>
      k === "bulk" && r === "server"
        ? null
        : [BUN, join(IMPL, "bun.ts"), scriptMode(k, r)],
    missing: null,
  },
};

/** One line of a table: a client implementation against a server implementation. */
interface Row {
  id: string;
  client: string;
  server: string;
  /** settimeout(s) on the client socket (bun-socket, Python), else blocking. */
  timeout?: number;
  /** B: the sender sets TCP_NODELAY, as Bun's own sockets always do. */
  nodelay?: boolean;
  label: string;
}

function row(
  client: string,
  server: string,
  timeout?: number,
  nodelay?: boolean,
): Row {
  const c =
    IMPLS[client]!.label +
    (!timeout
      ? ""
      : client === "c"
        ? " poll() + call"
        : ` settimeout(${timeout})`) +
    (nodelay ? " TCP_NODELAY" : "");
  const id = `${client}${timeout ? "-t" : ""}${nodelay ? "-nd" : ""}>${server}`;
  return {
    id,
    client,
    server,
    timeout,
    nodelay,
    label: `${c} → ${IMPLS[server]!.label}`,
  };
}

/** A–D layout: C server for every client, then the C client against every server, then bun-socket against each server. */
function echoRows(timeoutRows: boolean): Row[] {
  const rows = [row("c", "c"), row("bs", "c")];
  // C in timeout mode: O_NONBLOCK, poll() before each receive (bench/c/common.h, set_timeout): the floor of
  // the system calls any implementation of settimeout() makes here.
  if (timeoutRows) rows.push(row("bs", "c", 5), row("c", "c", 5));
  rows.push(row("ffi", "c"));
  rows.push(row("py", "c"));
  if (timeoutRows) rows.push(row("py", "c", 5));
  rows.push(row("node", "c"), row("bun", "c"));
  for (const s of ["bs", "ffi", "py", "node", "bun"]) rows.push(row("c", s));
  for (const s of ["py", "node", "bun"]) rows.push(row("bs", s));
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Statistics and formatting

function median(xs: number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length & 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
function quantile(xs: number[], q: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}
const min = (xs: number[]): number => Math.min(...xs);
const max = (xs: number[]): number => Math.max(...xs);

function fmtRate(v: number): string {
  if (!Number.isFinite(v)) return "–";
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)}M`;
  if (v >= 1e4) return `${(v / 1e3).toFixed(1)}k`;
  if (v >= 1e3) return `${(v / 1e3).toFixed(2)}k`;
  return v.toFixed(0);
}
const fmtGBs = (v: number): string =>
  Number.isFinite(v) ? (v / 1e9).toFixed(2) : "–";
const fmtRatio = (v: number): string =>
  Number.isFinite(v) ? v.toFixed(2) : "–";

// ---------------------------------------------------------------------------------------------
// Running A–D

interface Cell {
  /** One value per successful round (the C → C row: every reference run). */
  values: number[];
  /** Per round, the value over the geometric mean of the C → C runs just before and after it. */
  ratios: number[];
  errors: string[];
}

interface TimedSection {
  key: Section;
  title: string;
  unit: string;
  fmt: (v: number) => string;
  kind: Kind;
  rows: Row[];
  rounds: number;
  /** Client arguments after the port; `ref`: for a C → C reference run between two rows. */
  clientArgs(r: Row, ref: boolean): string[];
  serverArgs(): string[];
  clientLimit: number;
  cells: Map<string, Cell>; // `${row.id}|${pin.id}`
}

const errors: string[] = [];
const failuresAt = (s: string): void => {
  errors.push(s);
};

function sectionsAtoD(): TimedSection[] {
  const t = String(opt.warmup);
  // C has nothing to warm up: its reference runs between rows get a quarter of a second.
  const w = (ref: boolean): string =>
    ref ? String(Math.min(opt.warmup, 0.25)) : t;
  const d = String(opt.secs);
  const m = String(opt.msgSize);
  const timed = opt.warmup + opt.secs + 20;
  const all: TimedSection[] = [
    {
      key: "A",
      title: `TCP ping-pong, ${opt.msgSize}-byte messages`,
      unit: "round trips/s",
      fmt: fmtRate,
      kind: "pp",
      rounds: opt.rounds,
      rows: echoRows(true),
      clientArgs: (r, ref) => [
        m,
        w(ref),
        d,
        ...(r.timeout ? [String(r.timeout)] : []),
      ],
      serverArgs: () => [m],
      clientLimit: timed,
      cells: new Map(),
    },
    {
      key: "B",
      title: `Bulk transfer one way, ${opt.bulkBytes / 2 ** 20} MiB in ${opt.chunk / 1024} KiB sendall chunks, recv_into a ${opt.chunk / 1024} KiB buffer`,
      unit: "GB/s",
      fmt: fmtGBs,
      kind: "bulk",
      rounds: opt.bulkRounds,
      rows: [
        row("c", "c"),
        row("bs", "c"),
        row("c", "bs"),
        row("ffi", "c"),
        row("py", "c"),
        row("node", "c"),
        row("bun", "c"),
        // Bun's sockets always set TCP_NODELAY, which alone moves B on two cores (bench/where-the-time-goes.md):
        // C and bun-socket with the same option, so that Bun native is compared like for like.
        row("c", "c", undefined, true),
        row("bs", "c", undefined, true),
        row("bs", "bs"),
      ],
      clientArgs: (r) => [
        String(opt.bulkBytes),
        String(opt.chunk),
        ...(r.nodelay ? ["nodelay"] : []),
      ],
      serverArgs: () => [String(opt.chunk)],
      // At least 50 MB/s, or it is a failure.
      clientLimit: opt.bulkBytes / 50e6 + 20,
      cells: new Map(),
    },
    {
      key: "C",
      title: "Connection rate: connect + accept + close, one at a time",
      unit: "connections/s",
      fmt: fmtRate,
      kind: "conn",
      rounds: opt.rounds,
      rows: echoRows(false),
      clientArgs: (_, ref) => [w(ref), d],
      serverArgs: () => [],
      clientLimit: timed,
      cells: new Map(),
    },
    {
      key: "D",
      title: `UDP ping-pong, ${opt.msgSize}-byte datagrams (sendto/recvfrom)`,
      unit: "round trips/s",
      fmt: fmtRate,
      kind: "udp",
      rounds: opt.rounds,
      rows: echoRows(true),
      clientArgs: (r, ref) => [
        m,
        w(ref),
        d,
        ...(r.timeout ? [String(r.timeout)] : []),
      ],
      serverArgs: () => [m],
      clientLimit: timed,
      cells: new Map(),
    },
  ];
  return all.filter((s) => opt.only.has(s.key));
}

function rowMissing(s: TimedSection, r: Row): string | null {
  for (const [id, role] of [
    [r.client, "client"],
    [r.server, "server"],
  ] as const) {
    const impl = IMPLS[id]!;
    if (impl.missing) return impl.missing;
    if (!impl.argv(s.kind, role)) return `no ${impl.label} ${role}`;
  }
  return null;
}

/** One measurement: start the server, wait for READY, run the client, stop the server. */
async function measure(
  s: TimedSection,
  r: Row,
  pin: Pinning,
  ref = false,
): Promise<number> {
  const serverLimit = s.clientLimit + 30;
  const server = new Child(
    wrap(
      [...IMPLS[r.server]!.argv(s.kind, "server")!, "0", ...s.serverArgs()],
      pin.server,
      serverLimit,
    ),
    serverLimit,
  );
  try {
    const port = await within(
      Promise.race([
        server.ready,
        server.done.then((c) => {
          throw new Error(`server ${server.why(c)}`);
        }),
      ]),
      20_000,
      "server READY",
    );
    const client = new Child(
      wrap(
        [
          ...IMPLS[r.client]!.argv(s.kind, "client")!,
          String(port),
          ...s.clientArgs(r, ref),
        ],
        pin.client,
        s.clientLimit,
      ),
      s.clientLimit,
    );
    const code = await client.done;
    const j = client.json();
    if (code !== 0 || !j || !(j.rate! > 0))
      throw new Error(`client ${client.why(code)}`);
    return j.rate!;
  } finally {
    // Ping-pong and bulk servers end at EOF; the others run until stopped.
    if (s.kind === "pp" || s.kind === "bulk")
      await within(server.done, 2000, "server exit").catch(() => {});
    server.kill("SIGTERM");
    await within(server.done, 3000, "server exit").catch(() => {
      server.kill("SIGKILL");
    });
  }
}

async function runTimed(s: TimedSection): Promise<void> {
  const rows = s.rows.filter((r) => {
    const why = rowMissing(s, r);
    if (why) log(`  ${s.key} ${r.label}: skipped (${why})`);
    return !why;
  });
  s.rows = rows;
  for (const r of rows)
    for (const p of PINNINGS)
      s.cells.set(`${r.id}|${p.id}`, { values: [], ratios: [], errors: [] });
  const ref = rows[0]!;
  const others = rows.slice(1);
  for (let round = 0; round < s.rounds; round++) {
    for (const pin of PINNINGS) {
      const refCell = s.cells.get(`${ref.id}|${pin.id}`)!;
      /** One C → C reference run (its failure is recorded; the neighbours pair with what remains). */
      const reference = async (): Promise<number | null> => {
        try {
          const v = await measure(s, ref, pin, true);
          refCell.values.push(v);
          return v;
        } catch (e) {
          const msg = `${s.key} ${ref.label} [${pin.label}] round ${round + 1}: ${(e as Error).message}`;
          refCell.errors.push(msg);
          failuresAt(msg);
          return null;
        }
      };
      const order = others.map((_, i) => others[(i + round) % others.length]!);
      const parts: string[] = [];
      let before = await reference();
      for (const r of order) {
        const cell = s.cells.get(`${r.id}|${pin.id}`)!;
        let v: number | null = null;
        try {
          v = await measure(s, r, pin);
          cell.values.push(v);
        } catch (e) {
          const msg = `${s.key} ${r.label} [${pin.label}] round ${round + 1}: ${(e as Error).message}`;
          cell.errors.push(msg);
          failuresAt(msg);
        }
        const after = await reference();
        const near = [before, after].filter((x): x is number => x !== null);
        if (v !== null && near.length)
          cell.ratios.push(
            v /
              Math.exp(near.reduce((a, x) => a + Math.log(x), 0) / near.length),
          );
        parts.push(
          v === null
            ? `${r.id} ERR`
            : `${r.id} ${s.fmt(v)} (${fmtRatio(cell.ratios.at(-1) ?? NaN)})`,
        );
        before = after;
      }
      log(
        `  ${s.key} round ${round + 1}/${s.rounds} ${pin.label}: C ${s.fmt(median(refCell.values))}; ${parts.join(", ")}`,
      );
    }
  }
  for (const pin of PINNINGS) {
    const refCell = s.cells.get(`${ref.id}|${pin.id}`)!;
    refCell.ratios = refCell.values.map(() => 1);
  }
}

/** The row's ratio to C: the median over rounds of its ratio to the C → C runs beside it. */
function cellRatio(s: TimedSection, r: Row, pin: Pinning): number {
  return median(s.cells.get(`${r.id}|${pin.id}`)?.ratios ?? []);
}

/** The row's best round over the best C → C run, same pinning (less sensitive to other load). */
function bestRatio(s: TimedSection, r: Row, pin: Pinning): number {
  const ref = s.cells.get(`${s.rows[0]!.id}|${pin.id}`);
  const c = s.cells.get(`${r.id}|${pin.id}`);
  if (!ref || !c || !c.values.length || !ref.values.length) return NaN;
  return max(c.values) / max(ref.values);
}

function timedTable(s: TimedSection): string {
  const head = ["Client → Server"];
  for (const p of PINNINGS)
    head.push(
      `${p.label}: ${s.unit} (median)`,
      `${p.label}: min–max`,
      `${p.label}: ×C`,
      `${p.label}: ×C per round`,
    );
  const lines = [mdRow(head), mdRow(head.map((_, i) => (i ? "---:" : "---")))];
  for (const r of s.rows) {
    const cells = [r.label];
    for (const p of PINNINGS) {
      const c = s.cells.get(`${r.id}|${p.id}`)!;
      const ok = c.values.length > 0;
      cells.push(
        ok ? s.fmt(median(c.values)) : "err",
        ok ? `${s.fmt(min(c.values))}–${s.fmt(max(c.values))}` : "–",
        bold(r, fmtRatio(cellRatio(s, r, p))),
        c.ratios.length
          ? `${fmtRatio(min(c.ratios))}–${fmtRatio(max(c.ratios))}`
          : "–",
      );
    }
    lines.push(mdRow(cells));
  }
  return lines.join("\n");
}

const bold = (r: Row, t: string): string =>
  r.client === "bs" || r.server === "bs" ? `**${t}**` : t;
const mdRow = (cells: string[]): string => `| ${cells.join(" | ")} |`;

// ---------------------------------------------------------------------------------------------
// E: start-up

interface StartupResult {
  runs: number;
  rows: {
    label: string;
    baseMs: number[];
    withMs: number[];
    deltaMs: number[];
  }[];
}

function wallMs(argv: string[]): number {
  const t0 = Bun.nanoseconds();
  const r = spawnSync(argv, {
    cwd: ROOT,
    stdin: "ignore",
    stdout: "ignore",
    stderr: "pipe",
  });
  const ms = (Bun.nanoseconds() - t0) / 1e6;
  if (r.exitCode !== 0)
    throw new Error(
      `${argv.slice(-2).join(" ")}: exit ${r.exitCode}: ${r.stderr.toString().trim().slice(0, 200)}`,
    );
  return ms;
}

function runStartup(): StartupResult {
  // What users import: the package entry, dist/index.js (built by scripts/build.ts; built here when missing).
  const dist = join(ROOT, "dist/index.js");
  if (!existsSync(dist)) {
    const b = spawnSync([BUN, join(ROOT, "scripts/build.ts")], {
      cwd: ROOT,
      stdout: "ignore",
      stderr: "pipe",
    });
    if (b.exitCode !== 0)
      throw new Error(`scripts/build.ts failed: ${b.stderr.toString()}`);
  }
  const src = join(ROOT, "src/index.ts");
  const oneSocket = (from: string): string =>
    `import * as socket from ${JSON.stringify(from)}; socket.socket(socket.AF_INET, socket.SOCK_STREAM).close();`;
  const pairs: { label: string; base: string[]; with: string[] }[] = [
    {
      label: "bun-socket: `bun -e` import + one socket (package entry, dist/)",
      base: [BUN, "-e", "0"],
      with: [BUN, "-e", oneSocket(dist)],
    },
    {
      label: "bun-socket from its sources, src/index.ts (for context)",
      base: [BUN, "-e", "0"],
      with: [BUN, "-e", oneSocket(src)],
    },
  ];
  if (PYTHON)
    pairs.push({
      label: "Python: `python3 -c` import socket + one socket (for context)",
      base: [PYTHON, "-c", "0"],
      with: [
        PYTHON,
        "-c",
        "import socket; socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()",
      ],
    });
  const res: StartupResult = { runs: opt.startupRuns, rows: [] };
  for (const p of pairs) {
    const limit = TIMEOUT ? [TIMEOUT, "-k", "2", "30"] : [];
    // Two untimed runs each to warm the page cache, then interleaved pairs.
    for (let i = 0; i < 2; i++) {
      wallMs([...limit, ...p.base]);
      wallMs([...limit, ...p.with]);
    }
    const row = {
      label: p.label,
      baseMs: [] as number[],
      withMs: [] as number[],
      deltaMs: [] as number[],
    };
    for (let i = 0; i < opt.startupRuns; i++) {
      try {
        const b = wallMs([...limit, ...p.base]);
        const w = wallMs([...limit, ...p.with]);
        row.baseMs.push(b);
        row.withMs.push(w);
        row.deltaMs.push(w - b);
      } catch (e) {
        failuresAt(`E ${p.label}: ${(e as Error).message}`);
        break;
      }
    }
    res.rows.push(row);
    log(
      `  E ${p.label}: baseline ${median(row.baseMs).toFixed(1)} ms, with ${median(row.withMs).toFixed(1)} ms`,
    );
  }
  return res;
}

// ---------------------------------------------------------------------------------------------
// F and G: one-shot programs

async function runJson(
  argv: string[],
  limitS: number,
  what: string,
): Promise<Record<string, number> | null> {
  const cpu = PINNINGS[0]!.client;
  const c = new Child(wrap(argv, cpu, limitS), limitS);
  const code = await c.done;
  const j = c.json();
  if (code !== 0 || !j) {
    failuresAt(`${what}: ${c.why(code)}`);
    return null;
  }
  return j;
}

interface MemResult {
  pairs: number;
  rssBeforeKb: number;
  rssAfterKb: number;
  fdsBefore: number;
  fdsAfter: number;
  secs: number;
}

async function runMem(): Promise<MemResult | null> {
  const j = await runJson(
    [
      BUN,
      join(IMPL, "bunsocket.ts"),
      "mem",
      String(opt.memPairs),
      String(opt.memWarmup),
    ],
    opt.memPairs / 20_000 + 30,
    "F bun-socket mem",
  );
  if (!j) return null;
  log(
    `  F ${opt.memPairs} pairs: RSS ${j.rss_kb_before} → ${j.rss_kb_after} KiB, fds ${j.fds_before} → ${j.fds_after}`,
  );
  return {
    pairs: j.pairs!,
    rssBeforeKb: j.rss_kb_before!,
    rssAfterKb: j.rss_kb_after!,
    fdsBefore: j.fds_before!,
    fdsAfter: j.fds_after!,
    secs: j.secs!,
  };
}

interface GaiImpl {
  label: string;
  calls: number;
  rates: number[];
  last: Record<string, number> | null;
}

async function runGai(): Promise<GaiImpl[]> {
  const impls: { label: string; calls: number; argv: string[] | null }[] = [
    {
      label: "C",
      calls: opt.gaiCallsC,
      argv: CC
        ? [
            join(BUILD, "gai"),
            String(opt.gaiCallsC),
            String(opt.gaiCallsC / 10),
          ]
        : null,
    },
    {
      label: "bun-socket",
      calls: opt.gaiCalls,
      argv: [
        BUN,
        join(IMPL, "bunsocket.ts"),
        "gai",
        String(opt.gaiCalls),
        String(opt.gaiCalls / 10),
      ],
    },
    {
      label: "Python",
      calls: opt.gaiCalls,
      argv: PYTHON
        ? [
            PYTHON,
            join(IMPL, "python.py"),
            "gai",
            String(opt.gaiCalls),
            String(opt.gaiCalls / 10),
          ]
        : null,
    },
  ];
  const out: GaiImpl[] = impls
    .filter((i) => i.argv)
    .map((i) => ({ label: i.label, calls: i.calls, rates: [], last: null }));
  for (let round = 0; round < opt.rounds; round++) {
    for (const i of impls) {
      if (!i.argv) continue;
      const j = await runJson(i.argv, 120, `G ${i.label}`);
      const o = out.find((x) => x.label === i.label)!;
      if (j) {
        o.rates.push(j.rate!);
        o.last = j;
      }
    }
  }
  for (const o of out)
    log(
      `  G ${o.label}: ${fmtRate(median(o.rates))} calls/s (${(1e9 / median(o.rates)).toFixed(0)} ns/call)`,
    );
  return out;
}

// ---------------------------------------------------------------------------------------------
// Build

function build(): void {
  if (!CC) {
    failuresAt("cc not found: no C reference");
    return;
  }
  mkdirSync(BUILD, { recursive: true });
  const cdir = join(ROOT, "bench/c");
  const header = statSync(join(cdir, "common.h")).mtimeMs;
  for (const f of readdirSync(cdir).filter((f) => f.endsWith(".c"))) {
    const bin = join(BUILD, f.slice(0, -2));
    const src = join(cdir, f);
    if (
      existsSync(bin) &&
      statSync(bin).mtimeMs > Math.max(statSync(src).mtimeMs, header)
    )
      continue;
    const r = spawnSync([CC, "-O2", "-Wall", "-o", bin, src], {
      stderr: "pipe",
    });
    if (r.exitCode !== 0) {
      process.stderr.write(r.stderr.toString());
      throw new Error(`cc -O2 ${f} failed`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Machine information

function machine(): [string, string][] {
  return [
    ["Date", new Date().toISOString()],
    ["CPU", cpuDescription()],
    [
      "Load average at start (1/5/15 min)",
      loadavg()
        .map((x) => x.toFixed(2))
        .join(" "),
    ],
    ["Kernel", `${process.platform} ${release()} ${process.arch}`],
    ["libc", firstLine(["ldd", "--version"])],
    ["bun", `${Bun.version} (${Bun.revision.slice(0, 9)})`],
    ["node", NODE ? firstLine([NODE, "--version"]) : "not found"],
    ["python", PYTHON ? firstLine([PYTHON, "--version"]) : "not found"],
    ["cc", CC ? firstLine([CC, "--version"]) : "not found"],
    ["bun-socket commit", commitDescription(ROOT, ["src", "bench", "scripts"])],
    [
      "Pinning",
      TASKSET
        ? `taskset: ${PINNINGS.map((p) => `${p.label} (client ${p.client}, server ${p.server})`).join("; ")}`
        : "none (taskset not found)",
    ],
    [
      "Parameters",
      `${opt.quick ? "--quick, " : ""}${opt.rounds} rounds (B: ${opt.bulkRounds}); timed clients ${opt.warmup} s warm-up + ${opt.secs} s; bulk ${opt.bulkBytes / 2 ** 20} MiB; start-up ${opt.startupRuns} pairs; memory ${opt.memPairs} pairs; getaddrinfo ${opt.gaiCalls} calls (C ${opt.gaiCallsC})`,
    ],
  ];
}

// ---------------------------------------------------------------------------------------------
// Report

interface Target {
  what: string;
  measured: string;
  met: boolean | null;
}

function targets(
  timed: TimedSection[],
  st: StartupResult | null,
  mem: MemResult | null,
  gai: GaiImpl[] | null,
): Target[] {
  const t: Target[] = [];
  for (const s of timed) {
    const bsRows = s.rows.filter(
      (r) => (r.client === "bs" || r.server === "bs") && !r.timeout,
    );
    // The rows against a C peer are the ones the ×C target is about.
    const vsC = bsRows.filter((r) => r.client === "c" || r.server === "c");
    for (const p of PINNINGS) {
      const rs = vsC.map((r) => [r, cellRatio(s, r, p)] as const);
      const worst = rs.reduce(
        (a, b) => (Number.isNaN(b[1]) || b[1] < a[1] ? b : a),
        rs[0]!,
      );
      // The floor any Bun program meets: raw bun:ffi making the same calls, as client and as server.
      const rawAs = (role: "client" | "server"): string => {
        const raw = s.rows.find((r) =>
          role === "client"
            ? r.client === "ffi" && r.server === "c"
            : r.client === "c" && r.server === "ffi",
        );
        const v = raw ? cellRatio(s, raw, p) : NaN;
        return Number.isNaN(v) ? "" : `; raw bun:ffi ${role} ${fmtRatio(v)}`;
      };
      if (worst)
        t.push({
          what: `${s.key} blocking bun-socket ≥ 0.95× C [${p.label}]`,
          measured:
            `worst ${fmtRatio(worst[1])} (${worst[0].label})` +
            rawAs("client") +
            rawAs("server"),
          met: Number.isNaN(worst[1]) ? null : worst[1] >= 0.95,
        });
      // bun-socket ahead of each other implementation, client against client (and server against server).
      const behind: string[] = [];
      for (const role of ["client", "server"] as const) {
        const find = (id: string, nodelay: boolean): Row | undefined =>
          s.rows.find((r) =>
            role === "client"
              ? r.client === id &&
                r.server === "c" &&
                !r.timeout &&
                !r.nodelay === !nodelay
              : r.client === "c" && r.server === id && !r.nodelay,
          );
        const mine = find("bs", false);
        if (!mine) continue;
        for (const other of ["py", "node", "bun"]) {
          const o = find(other, false);
          if (!o) continue;
          // Like for like: Bun's sockets set TCP_NODELAY, so where bun-socket has a TCP_NODELAY row (B's
          // sender), that is the row Bun native is measured against.
          const same =
            (other === "bun" && role === "client" && find("bs", true)) || mine;
          const mv = cellRatio(s, same, p);
          const ov = cellRatio(s, o, p);
          if (!(mv > ov))
            behind.push(
              `${role}: ${IMPLS[other]!.label} ${fmtRatio(ov)} vs ${fmtRatio(mv)}${same === mine ? "" : " (TCP_NODELAY)"}`,
            );
        }
      }
      t.push({
        what: `${s.key} bun-socket ahead of Python/Node/Bun native [${p.label}]`,
        measured: behind.length
          ? `behind: ${behind.join("; ")}`
          : "ahead on every row",
        met: behind.length === 0,
      });
      if (s.key === "A") {
        const r = s.rows.find((x) => x.client === "bs" && x.timeout);
        const floor = s.rows.find((x) => x.client === "c" && x.timeout);
        if (r) {
          const v = cellRatio(s, r, p);
          t.push({
            what: `A bun-socket settimeout(5) ≥ 0.90× C [${p.label}]`,
            measured:
              fmtRatio(v) +
              (floor
                ? `; C with the same poll() + recv: ${fmtRatio(cellRatio(s, floor, p))}`
                : ""),
            met: Number.isNaN(v) ? null : v >= 0.9,
          });
        }
      }
    }
  }
  if (st && st.rows[0]) {
    const d = median(st.rows[0].deltaMs);
    t.push({
      what: "E start-up ≤ 25 ms over an empty `bun -e`",
      measured: `${d.toFixed(1)} ms`,
      met: Number.isNaN(d) ? null : d <= 25,
    });
  }
  if (mem) {
    const mb = (mem.rssAfterKb - mem.rssBeforeKb) / 1024;
    const fds = mem.fdsAfter - mem.fdsBefore;
    t.push({
      what: `F RSS growth < 5 MB and 0 fds over ${mem.pairs.toLocaleString("en")} send/recv pairs`,
      measured: `${mb.toFixed(1)} MB, ${fds} fds`,
      met: mb < 5 && fds === 0,
    });
  }
  if (gai) {
    const c = gai.find((g) => g.label === "C");
    const b = gai.find((g) => g.label === "bun-socket");
    if (c && b) {
      const ratio = median(c.rates) / median(b.rates);
      t.push({
        what: "G getaddrinfo time per call ≤ 1.2× C",
        measured: `${fmtRatio(ratio)}× (${(1e9 / median(b.rates)).toFixed(0)} vs ${(1e9 / median(c.rates)).toFixed(0)} ns)`,
        met: Number.isNaN(ratio) ? null : ratio <= 1.2,
      });
    }
    if (b?.last) {
      const mb = (b.last.rss_kb_after! - b.last.rss_kb_before!) / 1024;
      const fds = b.last.fds_after! - b.last.fds_before!;
      t.push({
        what: `G RSS and fds flat over ${b.calls.toLocaleString("en")} calls (< 5 MB, 0 fds)`,
        measured: `${mb.toFixed(1)} MB, ${fds} fds`,
        met: mb < 5 && fds === 0,
      });
    }
  }
  return t;
}

interface SummaryLine {
  section: string;
  /** The section's heading in the chart. */
  title: string;
  label: string;
  /** Median over rounds of the row's ratio to the C → C runs beside it, one per pinning. */
  ratios: number[];
  /** Best round of the row / best round of C → C, one per pinning (less sensitive to other load). */
  best: number[];
}

function summary(timed: TimedSection[], gai: GaiImpl[] | null): SummaryLine[] {
  const out: SummaryLine[] = [];
  for (const s of timed)
    for (const r of s.rows)
      out.push({
        section: `${s.key}`,
        title: `${s.key}. ${s.title} (${s.unit})`,
        label: r.label,
        ratios: PINNINGS.map((p) => cellRatio(s, r, p)),
        best: PINNINGS.map((p) => bestRatio(s, r, p)),
      });
  if (gai) {
    const c = gai.find((g) => g.label === "C");
    for (const g of gai)
      if (c)
        out.push({
          section: "G",
          title: 'G. getaddrinfo("127.0.0.1", 80, 0, SOCK_STREAM) (calls/s)',
          label: `${g.label} getaddrinfo`,
          ratios: PINNINGS.map((_, i) =>
            i === 0 ? median(g.rates) / median(c.rates) : NaN,
          ),
          best: PINNINGS.map((_, i) =>
            i === 0 ? max(g.rates) / max(c.rates) : NaN,
          ),
        });
  }
  return out;
}

function summaryTable(lines: SummaryLine[]): string {
  const head = [
    "Benchmark",
    "Client → Server",
    ...PINNINGS.map((p) => `×C ${p.label}`),
    ...PINNINGS.map((p) => `best ×C ${p.label}`),
  ];
  const out = [
    mdRow(head),
    mdRow(head.map((_, i) => (i > 1 ? "---:" : "---"))),
  ];
  for (const l of lines)
    out.push(
      mdRow([
        l.section,
        l.label,
        ...l.ratios.map(fmtRatio),
        ...l.best.map(fmtRatio),
      ]),
    );
  return out.join("\n");
}

function report(
  info: [string, string][],
  timed: TimedSection[],
  st: StartupResult | null,
  mem: MemResult | null,
  gai: GaiImpl[] | null,
): string {
  const md: string[] = [];
  md.push("# bun-socket benchmarks", "");
  md.push(
    "Generated by `bun bench/run.ts` (`npm run bench`). Every number is measured in this run, with all",
    "implementations interleaved round by round, on loopback 127.0.0.1 with client and server in",
    "separate processes. C → C runs again between every two rows; a row's ×C in a round is its rate over",
    "the geometric mean of the C → C runs just before and after it, and the tables give the median over",
    "rounds (higher is better; 1.00 is C) and, as “×C per round”, the min–max of those ratios.",
    "Rows involving bun-socket are in bold.",
    "",
  );
  md.push("## Machine", "", "| | |", "|---|---|");
  for (const [k, v] of info) md.push(`| ${k} | ${v.replace(/\|/g, "\\|")} |`);
  md.push("");
  const tg = targets(timed, st, mem, gai);
  if (tg.length) {
    md.push(
      "## Targets",
      "",
      "| Target | Measured | Status |",
      "|---|---|---|",
    );
    for (const x of tg)
      md.push(
        `| ${x.what} | ${x.measured} | ${x.met === null ? "n/a" : x.met ? "met" : "**missed**"} |`,
      );
    md.push("");
  }
  const sum = summary(timed, gai);
  if (sum.length) {
    md.push(
      "## Ratio to C",
      "",
      "Throughput of each row relative to C (G: calls per second, one process, pinned to core 0):",
      "median over rounds of the ratio to the C → C runs beside it, and best round over best C → C run.",
      "Chart: `latest.svg`.",
      "",
      summaryTable(sum),
      "",
    );
  }
  for (const s of timed) {
    md.push(`## ${s.key}. ${s.title} (${s.unit})`, "", timedTable(s), "");
  }
  if (st) {
    md.push(
      `## E. Start-up (ms, wall clock of the whole process, ${st.runs} interleaved pairs)`,
      "",
      "| Program | Baseline (median) | With import (median) | Over baseline (median) | Over baseline (IQR) |",
      "|---|---:|---:|---:|---:|",
    );
    for (const r of st.rows)
      md.push(
        `| ${r.label} | ${median(r.baseMs).toFixed(1)} | ${median(r.withMs).toFixed(1)} | ${median(r.deltaMs).toFixed(1)} | ${quantile(r.deltaMs, 0.25).toFixed(1)}–${quantile(r.deltaMs, 0.75).toFixed(1)} |`,
      );
    md.push("");
  }
  if (mem) {
    md.push(
      "## F. Memory and descriptors (bun-socket, send(64) + recv(64) pairs on one loopback TCP connection)",
      "",
      "| Pairs | Time (s) | RSS before (MB) | RSS after (MB) | Growth (MB) | fds before | fds after | fd growth |",
      "|---:|---:|---:|---:|---:|---:|---:|---:|",
      `| ${mem.pairs.toLocaleString("en")} | ${mem.secs.toFixed(2)} | ${(mem.rssBeforeKb / 1024).toFixed(1)} | ${(mem.rssAfterKb / 1024).toFixed(1)} | ${((mem.rssAfterKb - mem.rssBeforeKb) / 1024).toFixed(1)} | ${mem.fdsBefore} | ${mem.fdsAfter} | ${mem.fdsAfter - mem.fdsBefore} |`,
      "",
    );
  }
  if (gai) {
    const c = gai.find((g) => g.label === "C");
    md.push(
      '## G. getaddrinfo("127.0.0.1", 80, 0, SOCK_STREAM)',
      "",
      "| Implementation | Calls per run | calls/s (median) | min–max | ns per call | ×C time per call | RSS before→after (MB) | fds before→after |",
      "|---|---:|---:|---:|---:|---:|---:|---:|",
    );
    for (const g of gai) {
      const m = median(g.rates);
      const l = g.last;
      md.push(
        `| ${g.label} | ${g.calls.toLocaleString("en")} | ${fmtRate(m)} | ${g.rates.length ? `${fmtRate(min(g.rates))}–${fmtRate(max(g.rates))}` : "–"} | ${(1e9 / m).toFixed(0)} | ${c ? fmtRatio(median(c.rates) / m) : "–"} | ${l ? `${(l.rss_kb_before! / 1024).toFixed(1)}→${(l.rss_kb_after! / 1024).toFixed(1)}` : "–"} | ${l && l.fds_before !== undefined ? `${l.fds_before}→${l.fds_after}` : "–"} |`,
      );
    }
    md.push("");
  }
  if (errors.length) {
    md.push("## Failed runs", "");
    for (const e of errors) md.push(`- ${e.replace(/\n/g, " ")}`);
    md.push("");
  }
  return md.join("\n");
}

// ---------------------------------------------------------------------------------------------
// SVG: a horizontal bar chart of the ratio-to-C table, written by hand

function esc(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

function svg(lines: SummaryLine[], title: string): string {
  const colors = ["#3b6fb6", "#e08a2c"];
  const barH = 9;
  const rowH = barH * PINNINGS.length + 8;
  const headH = 22;
  const left = 300;
  const plotW = 520;
  const top = 56;
  const finite = lines.flatMap((l) => l.ratios).filter(Number.isFinite);
  const xMax = Math.max(
    1.2,
    Math.ceil(max(finite.length ? finite : [1]) * 1.05 * 10) / 10,
  );
  const x = (v: number): number => left + (Math.min(v, xMax) / xMax) * plotW;
  const parts: string[] = [];
  let y = top;
  let section = "";
  for (const l of lines) {
    if (l.section !== section) {
      section = l.section;
      y += 6;
      parts.push(
        `<text x="8" y="${y + 14}" class="sec">${esc(l.title)}</text>`,
      );
      y += headH - 6;
    }
    const bs = /bun-socket/.test(l.label);
    parts.push(
      `<text x="${left - 8}" y="${y + rowH / 2 + 3}" text-anchor="end" class="lab${bs ? " bs" : ""}">${esc(l.label)}</text>`,
    );
    l.ratios.forEach((v, i) => {
      const by = y + 3 + i * barH;
      if (!Number.isFinite(v)) return;
      parts.push(
        `<rect x="${left}" y="${by}" width="${(x(v) - left).toFixed(1)}" height="${barH - 1}" fill="${colors[i % 2]}"/>`,
        `<text x="${(x(v) + 4).toFixed(1)}" y="${by + barH - 2}" class="val">${v.toFixed(2)}</text>`,
      );
    });
    y += rowH;
  }
  const bottom = y + 6;
  const grid: string[] = [];
  for (let v = 0; v <= xMax + 1e-9; v += 0.2) {
    grid.push(
      `<line x1="${x(v).toFixed(1)}" y1="${top}" x2="${x(v).toFixed(1)}" y2="${bottom}" class="grid"/>`,
      `<text x="${x(v).toFixed(1)}" y="${bottom + 14}" text-anchor="middle" class="val">${v.toFixed(1)}</text>`,
    );
  }
  grid.push(
    `<line x1="${x(1).toFixed(1)}" y1="${top - 4}" x2="${x(1).toFixed(1)}" y2="${bottom}" class="c"/>`,
    `<text x="${x(1).toFixed(1)}" y="${bottom + 28}" text-anchor="middle" class="val">C = 1.00 (C → C)</text>`,
    `<line x1="${x(0.95).toFixed(1)}" y1="${top - 4}" x2="${x(0.95).toFixed(1)}" y2="${bottom}" class="tgt"/>`,
  );
  const legend = PINNINGS.map(
    (p, i) =>
      `<rect x="${left + i * 130}" y="30" width="12" height="10" fill="${colors[i % 2]}"/><text x="${left + 16 + i * 130}" y="39" class="val">${esc(p.label)}</text>`,
  ).join("");
  const h = bottom + 40;
  const w = left + plotW + 60;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="Helvetica, Arial, sans-serif">`,
    `<style>.sec{font-size:13px;font-weight:bold}.lab{font-size:11px;fill:#333}.bs{font-weight:bold;fill:#000}.val{font-size:10px;fill:#444}.grid{stroke:#ddd;stroke-width:1}.c{stroke:#000;stroke-width:1.5}.tgt{stroke:#c00;stroke-width:1;stroke-dasharray:4 3}</style>`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="8" y="20" font-size="15" font-weight="bold">${esc(title)}</text>`,
    legend,
    `<line x1="${left + 280}" y1="35" x2="${left + 300}" y2="35" class="tgt"/><text x="${left + 304}" y="39" class="val">0.95× target</text>`,
    ...grid,
    ...parts,
    `</svg>`,
    "",
  ].join("\n");
}

// ---------------------------------------------------------------------------------------------
// Main

function log(s: string): void {
  process.stderr.write(s + "\n");
}

async function main(): Promise<number> {
  const t0 = Date.now();
  log(
    `bench: sections ${[...opt.only].join(",")}, ${opt.rounds} round(s), pinning: ${PINNINGS.map((p) => p.label).join(" + ")}`,
  );
  build();
  const info = machine();
  const timed = sectionsAtoD();
  for (const s of timed) {
    log(`${s.key}. ${s.title}`);
    await runTimed(s);
  }
  let st: StartupResult | null = null;
  if (opt.only.has("E")) {
    log("E. start-up");
    st = runStartup();
  }
  let mem: MemResult | null = null;
  if (opt.only.has("F")) {
    log("F. memory");
    mem = await runMem();
  }
  let gai: GaiImpl[] | null = null;
  if (opt.only.has("G")) {
    log("G. getaddrinfo");
    gai = await runGai();
  }
  killAll();
  info.splice(3, 0, [
    "Load average at end (1/5/15 min)",
    loadavg()
      .map((x) => x.toFixed(2))
      .join(" "),
  ]);
  info.splice(1, 0, ["Duration", `${((Date.now() - t0) / 1000).toFixed(0)} s`]);

  mkdirSync(opt.out, { recursive: true });
  const md = report(info, timed, st, mem, gai);
  await Bun.write(join(opt.out, "latest.md"), md);
  const sum = summary(timed, gai);
  await Bun.write(
    join(opt.out, "latest.svg"),
    svg(
      sum,
      `bun-socket vs C, Python, Node, Bun: throughput ratio to C (${info[0]![1].slice(0, 10)})`,
    ),
  );

  // The console table: ratios to C, then targets.
  const pad = (s: string, n: number): string => s.padEnd(n);
  const lpad = (s: string, n: number): string => s.padStart(n);
  const w = Math.max(20, ...sum.map((l) => l.label.length)) + 4;
  let txt = `\n${pad("", 2)}${pad("Client → Server", w)}${PINNINGS.map((p) => lpad(`×C ${p.label}`, 16)).join("")}${PINNINGS.map((p) => lpad(`best ${p.label}`, 16)).join("")}\n`;
  let sec = "";
  for (const l of sum) {
    if (l.section !== sec) {
      sec = l.section;
      txt += `${sec}\n`;
    }
    txt += `${pad("", 2)}${pad(l.label, w)}${[...l.ratios, ...l.best].map((r) => lpad(fmtRatio(r), 16)).join("")}\n`;
  }
  const tg = targets(timed, st, mem, gai);
  if (tg.length) {
    txt += "\nTargets\n";
    for (const x of tg)
      txt += `  [${x.met === null ? "n/a" : x.met ? "met" : "MISSED"}] ${x.what}: ${x.measured}\n`;
  }
  txt += `\nWrote ${join(opt.out, "latest.md")} and latest.svg in ${((Date.now() - t0) / 1000).toFixed(0)} s`;
  if (errors.length)
    txt += `; ${errors.length} failed run(s), listed in the report`;
  process.stdout.write(txt + "\n");
  return errors.length ? 1 : 0;
}

process.exitCode = await main();
