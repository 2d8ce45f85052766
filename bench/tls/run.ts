/**
 * TLS benchmark: bun-socket/ssl against CPython's `ssl` (same machine, same OpenSSL, same run, loopback).
 *
 *   bun bench/tls/run.ts [--rounds N] [--mib N] [--secs S] [--quick] [--out DIR]
 *
 * Prints the table and writes it to DIR/tls.md (default bench/results/; `npm run bench:tls`).
 *
 * Rows (each side is its own process: bench/tls/impl.ts for bun-socket, bench/tls/impl.py for CPython):
 *   client download   our client vs Python's, reading N MiB from `openssl s_server -WWW`
 *   client upload     our client vs Python's, sending N MiB to one sink server (bun-socket's, fast enough not to
 *                     be the limit)
 *   server send       our server vs Python's sending N MiB, read by the same client (bun-socket's)
 *   server receive    our server vs Python's receiving N MiB, sent by the same client (bun-socket's)
 *   client handshakes our client vs Python's: new TCP connection + full handshake + close, against `s_server`
 *   server handshakes our server vs Python's, driven by `openssl s_time -new`
 * Each client process first does the same work untimed for at least 1 s (64 MiB transfers or 100 handshakes,
 * repeated; one 64 MiB transfer left the JIT's FTL tier-ups of the read path inside the timed part), so Bun's JIT
 * warm-up is not timed; Python's client gets the same warm-up. The long-lived servers get one untimed run per side
 * before the rounds. Rounds alternate the two sides; the table shows each side's median, the ratio of medians
 * (ours / Python), the median of per-round ratios, the ratio of the best runs, and the measured side's CPU time
 * per MiB or per connection during the timed part only (clients report it themselves; servers: from /proc),
 * which other load moves much less.
 * Servers run on core 0 and clients on core 1 where `taskset` exists (both sides alike).
 * Targets: bulk >= 0.9x, handshakes >= 1.0x. Every process runs with a kill timer; servers are killed at the end.
 */
import { spawn, spawnSync, type Subprocess } from "bun";
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { loadavg, release, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { commitDescription, cpuDescription, firstLine } from "../machine.ts";

const ROOT = resolve(import.meta.dir, "../..");
const argv = process.argv.slice(2);
const num = (name: string, dflt: number): number => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const quick = argv.includes("--quick");
const ROUNDS = num("rounds", quick ? 1 : 7);
const MIB = num("mib", quick ? 64 : 200);
const SECS = num("secs", quick ? 1 : 2);
const BYTES = MIB * 1024 * 1024;
const outAt = argv.indexOf("--out");
const OUT =
  outAt >= 0 ? resolve(argv[outAt + 1]!) : join(ROOT, "bench/results");
const LOAD_AT_START = loadavg();

const BUN = process.execPath;
// Servers on core 0, clients on core 1 (where taskset exists), for both sides alike: left to the scheduler, the
// pair's placement moved the rates by ±25% between runs of the same program.
const TASKSET =
  Bun.which("taskset") !== null && navigator.hardwareConcurrency >= 2;
const pin = (core: 0 | 1, cmd: string[]): string[] =>
  TASKSET ? ["taskset", "-c", String(core), ...cmd] : cmd;
const PY = "python3";
const IMPL_TS = join(ROOT, "bench/tls/impl.ts");
const IMPL_PY = join(ROOT, "bench/tls/impl.py");

// ---------------------------------------------------------------------------------------------------
// certificates and servers

const dir = mkdtempSync(join(tmpdir(), "bs-tlsbench-"));
const servers: Subprocess[] = [];
function cleanup(): void {
  for (const s of servers) s.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
}
process.on("exit", cleanup);
process.on("SIGINT", () => process.exit(130));

const mk = spawnSync({
  cmd: ["sh", join(ROOT, "tests/tls/mkcerts.sh"), dir],
  stdout: "pipe",
  stderr: "pipe",
});
if (mk.exitCode !== 0) throw new Error(`mkcerts.sh failed: ${mk.stderr}`);
const CA = join(dir, "ca.pem");
const CERT = join(dir, "server.pem");
const KEY = join(dir, "server.key");
writeFileSync(join(dir, "big.bin"), Buffer.alloc(BYTES, 0x61));
// Untimed warm-up inside each client process (JIT for Bun, caches for both): 64 MiB downloads or uploads, or
// 100 handshakes, repeated for at least WARM_SECS. BUN_JSC_reportCompileTimes=1 on the download client: with one
// 64 MiB warm-up, 8 compiles (34 ms, FTL tier-ups of recv_into/drive/readInto) still ran inside the timed part;
// with 1 s, none of the library's.
const WARM_SECS = ["--warmup-secs", "1"];
const WARM_BYTES = 64 * 1024 * 1024;
writeFileSync(join(dir, "warm.bin"), Buffer.alloc(WARM_BYTES, 0x61));
const WARM_DL = ["--warmup-http", "/warm.bin", ...WARM_SECS];
const WARM_UP = ["--warmup-bytes", String(WARM_BYTES), ...WARM_SECS];
const WARM_HS = ["--warmup-ops", "100", ...WARM_SECS];

async function readyPort(
  p: Subprocess<"ignore", "pipe", "inherit">,
): Promise<number> {
  const reader = p.stdout.getReader();
  let text = "";
  const timer = setTimeout(() => p.kill("SIGKILL"), 15_000);
  while (!text.includes("\n")) {
    const r = await reader.read();
    if (r.done) throw new Error("server exited before READY");
    text += new TextDecoder().decode(r.value);
  }
  clearTimeout(timer);
  reader.releaseLock();
  return Number(/READY (\d+)/.exec(text)![1]);
}

/** Server process id by port (for its CPU time). */
const pidOf = new Map<number, number>();
/** CPU time (user + system, ms) of a process from /proc, or null where there is no /proc. */
function cpuMsOf(pid: number): number | null {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = f.slice(f.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return null;
  }
}
/**
 * Runs `f` and returns its rate with the server's CPU time during the run instead of the client's: the server also
 * served the client's warm-up, so its CPU time is counted over both parts (the units returned include the warm-up).
 */
function withServerCpu(port: number, f: () => Sample): Sample {
  const pid = pidOf.get(port)!;
  const a = cpuMsOf(pid);
  const [rate, units, , warmUnits] = f();
  const b = cpuMsOf(pid);
  return [
    rate,
    units + (warmUnits ?? 0),
    a === null || b === null ? null : b - a,
  ];
}

async function startImplServer(
  lang: "bun" | "python",
  mode: string,
): Promise<number> {
  const cmd =
    lang === "bun"
      ? [
          BUN,
          IMPL_TS,
          "server",
          mode,
          "--cert",
          CERT,
          "--key",
          KEY,
          "--bytes",
          String(BYTES),
        ]
      : [
          PY,
          IMPL_PY,
          "server",
          mode,
          "--cert",
          CERT,
          "--key",
          KEY,
          "--bytes",
          String(BYTES),
        ];
  const p = spawn({
    cmd: pin(0, cmd),
    stdin: "ignore",
    stdout: "pipe",
    stderr: "inherit",
  });
  servers.push(p);
  const port = await readyPort(p);
  pidOf.set(port, p.pid);
  return port;
}

function freePort(): number {
  const s = Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: { data() {} },
  });
  const port = s.port;
  s.stop(true);
  return port;
}

async function startSServer(args: string[]): Promise<number> {
  const port = freePort();
  const p = spawn({
    cmd: pin(0, [
      "openssl",
      "s_server",
      "-accept",
      `127.0.0.1:${port}`,
      "-cert",
      CERT,
      "-key",
      KEY,
      "-quiet",
      ...args,
    ]),
    cwd: dir,
    stdin: "ignore",
    stdout: "ignore",
    stderr: "ignore",
  });
  servers.push(p);
  for (let i = 0; i < 400; i++) {
    try {
      const c = await Bun.connect({
        hostname: "127.0.0.1",
        port,
        socket: { data() {} },
      });
      c.end();
      return port;
    } catch {
      await Bun.sleep(25);
    }
  }
  throw new Error("s_server did not start");
}

// ---------------------------------------------------------------------------------------------------
// one measurement = one client process

/**
 * A measurement: the rate, the work done (MiB or connections), and the measured process's CPU time in ms during
 * the timed part (null where it is not known).
 */
type Sample = [
  rate: number,
  units: number,
  cpuMs: number | null,
  warmUnits?: number,
];

function runClient(cmd: string[]): Sample {
  const r = spawnSync({
    cmd: pin(1, cmd),
    stdout: "pipe",
    stderr: "pipe",
    timeout: 120_000,
    killSignal: "SIGKILL",
  });
  if (r.exitCode !== 0)
    throw new Error(`${cmd.join(" ")} failed (${r.exitCode}): ${r.stderr}`);
  const out = JSON.parse(r.stdout.toString().trim().split("\n").at(-1)!) as {
    rate: number;
    cpu: number;
    bytes?: number;
    ops?: number;
    warm?: number;
  };
  const perUnit = out.ops !== undefined ? 1 : 2 ** 20;
  return [
    out.rate,
    (out.ops ?? out.bytes!) / perUnit,
    out.cpu * 1000,
    (out.warm ?? 0) / perUnit,
  ];
}
const ours = (...a: string[]) =>
  runClient([BUN, IMPL_TS, "client", ...a, "--cafile", CA]);
const theirs = (...a: string[]) =>
  runClient([PY, IMPL_PY, "client", ...a, "--cafile", CA]);

function sTime(port: number): Sample {
  const r = spawnSync({
    cmd: pin(1, [
      "openssl",
      "s_time",
      "-connect",
      `127.0.0.1:${port}`,
      "-new",
      "-time",
      String(SECS),
    ]),
    stdout: "pipe",
    stderr: "pipe",
    timeout: (SECS + 30) * 1000,
  });
  const m = /(\d+) connections in ([\d.]+) real seconds/.exec(
    r.stdout.toString(),
  );
  if (!m) throw new Error(`s_time: ${r.stdout}${r.stderr}`);
  return [Number(m[1]) / Number(m[2]), Number(m[1]), null];
}

interface Row {
  name: string;
  unit: "MiB/s" | "conn/s";
  target: number;
  /** The measured side is a long-lived server: one untimed run per side first. */
  server?: boolean;
  bun: () => Sample;
  python: () => Sample;
}

const httpPort = await startSServer(["-WWW"]);
const hsPort = await startSServer([]);
const sink = await startImplServer("bun", "sink");
const srv = {
  bun: {
    source: await startImplServer("bun", "source"),
    sink,
    hs: await startImplServer("bun", "handshake"),
  },
  python: {
    source: await startImplServer("python", "source"),
    sink: await startImplServer("python", "sink"),
    hs: await startImplServer("python", "handshake"),
  },
};
const MiB = ([r, units, cpu, warm]: Sample): Sample => [
  r / 2 ** 20,
  units,
  cpu,
  warm,
];
/** A client row's two sides: our client and CPython's, with the same arguments. */
const bothClients = (
  conv: (x: Sample) => Sample,
  args: string[],
): Pick<Row, "bun" | "python"> => ({
  bun: () => conv(ours(...args)),
  python: () => conv(theirs(...args)),
});
const rows: Row[] = [
  {
    name: "client download (s_server -WWW)",
    unit: "MiB/s",
    target: 0.9,
    ...bothClients(MiB, [
      "download",
      "--port",
      `${httpPort}`,
      "--http",
      "/big.bin",
      ...WARM_DL,
    ]),
  },
  {
    name: "client upload (to one sink)",
    unit: "MiB/s",
    target: 0.9,
    ...bothClients(MiB, [
      "upload",
      "--port",
      `${sink}`,
      "--bytes",
      `${BYTES}`,
      ...WARM_UP,
    ]),
  },
  // The server rows: the same bun-socket client drives both servers, warmed up the same way (its warm-up
  // transfers go to the server measured, which is long-lived: one untimed run per side precedes the rounds).
  {
    name: "server send (read by one client)",
    unit: "MiB/s",
    target: 0.9,
    server: true,
    bun: () =>
      withServerCpu(srv.bun.source, () =>
        MiB(ours("download", "--port", `${srv.bun.source}`, ...WARM_SECS)),
      ),
    python: () =>
      withServerCpu(srv.python.source, () =>
        MiB(ours("download", "--port", `${srv.python.source}`, ...WARM_SECS)),
      ),
  },
  {
    name: "server receive (sent by one client)",
    unit: "MiB/s",
    target: 0.9,
    server: true,
    bun: () =>
      withServerCpu(srv.bun.sink, () =>
        MiB(
          ours(
            "upload",
            "--port",
            `${srv.bun.sink}`,
            "--bytes",
            `${BYTES}`,
            ...WARM_UP,
          ),
        ),
      ),
    python: () =>
      withServerCpu(srv.python.sink, () =>
        MiB(
          ours(
            "upload",
            "--port",
            `${srv.python.sink}`,
            "--bytes",
            `${BYTES}`,
            ...WARM_UP,
          ),
        ),
      ),
  },
  {
    name: "client handshakes (s_server)",
    unit: "conn/s",
    target: 1.0,
    ...bothClients(
      (x) => x,
      ["handshakes", "--port", `${hsPort}`, "--secs", `${SECS}`, ...WARM_HS],
    ),
  },
  {
    name: "server handshakes (s_time -new)",
    unit: "conn/s",
    target: 1.0,
    server: true,
    bun: () => withServerCpu(srv.bun.hs, () => sTime(srv.bun.hs)),
    python: () => withServerCpu(srv.python.hs, () => sTime(srv.python.hs)),
  },
];

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2
    ? s[(s.length - 1) / 2]!
    : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

console.log(
  `TLS bench: bun-socket/ssl vs CPython ssl, ${MIB} MiB per bulk run, ${SECS} s per handshake run, ${ROUNDS} round(s), ${TASKSET ? "servers on core 0, clients on core 1" : "not pinned (no taskset or one core)"}`,
);
console.log(
  `bun ${Bun.version}; ${spawnSync({
    cmd: [
      PY,
      "-c",
      "import ssl,sys; print('Python', sys.version.split()[0], ssl.OPENSSL_VERSION)",
    ],
  })
    .stdout.toString()
    .trim()}`,
);
const results: { row: Row; bun: Sample[]; python: Sample[] }[] = rows.map(
  (row) => ({
    row,
    bun: [],
    python: [],
  }),
);
for (const res of results)
  if (res.row.server) {
    res.row.bun();
    res.row.python();
  }
for (let r = 0; r < ROUNDS; r++) {
  for (const res of results) {
    // Alternate which side goes first, so drift in the machine's state does not favour one.
    const order =
      r % 2 === 0 ? (["bun", "python"] as const) : (["python", "bun"] as const);
    for (const side of order) res[side].push(res.row[side]());
  }
}

let ok = true;
const pad = (s: string, n: number) => s.padEnd(n);
const header = [
  "row",
  "bun-socket",
  "CPython",
  "ratio",
  "paired",
  "best/best",
  "target",
  "CPU ms per MiB or conn (bun / CPython)",
];
const table: string[][] = [];
for (const { row, bun, python } of results) {
  const rates = (xs: Sample[]) => xs.map((x) => x[0]);
  const b = median(rates(bun));
  const p = median(rates(python));
  const ratio = b / p;
  // Each round ran both sides back to back: the median of those per-round ratios is less moved by drift.
  const paired = median(bun.map((x, i) => x[0] / python[i]![0]));
  const best = Math.max(...rates(bun)) / Math.max(...rates(python));
  const pass = ratio >= row.target;
  ok &&= pass;
  const fmt = (xs: Sample[], m: number) =>
    `${m.toFixed(0)} ${row.unit} (${Math.min(...rates(xs)).toFixed(0)}-${Math.max(...rates(xs)).toFixed(0)})`;
  const cpu = (xs: Sample[]) =>
    xs.some((x) => x[2] === null)
      ? "-"
      : median(xs.map((x) => x[2]! / x[1])).toFixed(3);
  table.push([
    row.name,
    fmt(bun, b),
    fmt(python, p),
    `${ratio.toFixed(2)}x`,
    `${paired.toFixed(2)}x`,
    `${best.toFixed(2)}x`,
    `>= ${row.target.toFixed(1)}x ${pass ? "ok" : "LOW"}`,
    `${cpu(bun)} / ${cpu(python)}`,
  ]);
}
const widths = [36, 24, 24, 7, 7, 10, 13, 0];
for (const r of [header, ...table])
  console.log(
    r
      .map((c, i) => pad(c, widths[i]!))
      .join(" ")
      .trimEnd(),
  );
const NOTE =
  "ratio: of the medians over rounds (min-max in brackets); paired: median of the per-round ratios (both sides\n" +
  "ran back to back in each round, in alternating order); best/best: of the fastest runs. The target is judged on\n" +
  "the ratio of medians. CPU: median per MiB or connection of the measured side's process during the timed part\n" +
  "(clients: all threads, reported by the client; servers: from /proc in 10 ms ticks). Other load on the machine\n" +
  "moves the rates a lot; CPU much less.";
console.log(`\n${NOTE}`);

// bench/results/tls.md: the same table, with the machine and versions.
const md = [
  "# TLS: bun-socket/ssl against CPython's ssl",
  "",
  `\`bun bench/tls/run.ts\` (\`npm run bench:tls\`): ${MIB} MiB per bulk run, ${SECS} s per handshake run, ${ROUNDS} rounds; ${TASKSET ? "servers on core 0, clients on core 1" : "not pinned"}. Every process on loopback; certificates made by tests/tls/mkcerts.sh for the run.`,
  "",
  `| ${header.join(" | ")} |`,
  `|${header.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`,
  ...table.map((r) => `| ${r.join(" | ")} |`),
  "",
  NOTE.replace(/\n/g, " "),
  "",
  "| Machine | |",
  "|---|---|",
  `| Date | ${new Date().toISOString()} |`,
  `| CPU | ${cpuDescription()} |`,
  `| Load average at start / end (1/5/15 min) | ${LOAD_AT_START.map((x) => x.toFixed(2)).join(" ")} / ${loadavg()
    .map((x) => x.toFixed(2))
    .join(" ")} |`,
  `| Kernel | ${process.platform} ${release()} ${process.arch} |`,
  `| bun | ${Bun.version} |`,
  `| Python, OpenSSL | ${firstLine([PY, "-c", "import ssl,sys; print(sys.version.split()[0], ssl.OPENSSL_VERSION)"])} |`,
  `| bun-socket commit | ${commitDescription(ROOT, ["src", "bench"])} |`,
  "",
].join("\n");
mkdirSync(OUT, { recursive: true });
writeFileSync(join(OUT, "tls.md"), md);
console.log(`\nWrote ${join(OUT, "tls.md")}`);
cleanup();
process.exit(ok ? 0 : 1);
