/**
 * TLS benchmark: bun-socket/ssl against CPython's `ssl` (same machine, same OpenSSL, same run, loopback).
 *
 *   bun bench/tls/run.ts [--rounds N] [--mib N] [--secs S] [--quick]
 *
 * Rows (each side is its own process: bench/tls/impl.ts for bun-socket, bench/tls/impl.py for CPython):
 *   client download   our client vs Python's, reading N MiB from `openssl s_server -WWW`
 *   client upload     our client vs Python's, sending N MiB to one sink server (bun-socket's, fast enough not to
 *                     be the limit)
 *   server send       our server vs Python's sending N MiB, read by the same client (bun-socket's)
 *   server receive    our server vs Python's receiving N MiB, sent by the same client (bun-socket's)
 *   client handshakes our client vs Python's: new TCP connection + full handshake + close, against `s_server`
 *   server handshakes our server vs Python's, driven by `openssl s_time -new`
 * Each client process first does the same work untimed (64 MiB, or 500 handshakes: enough for Bun's JIT to finish
 * tiering up, which 16 MiB / 30 handshakes were not), so Bun's JIT warm-up is not timed; Python's client gets the
 * same warm-up. Rounds alternate the two sides; the table shows each side's median, the ratio of medians
 * (ours / Python), the ratio of the best runs, and the measured side's CPU time per MiB or per connection during
 * the timed part only (clients report it themselves; servers: from /proc), which other load moves much less.
 * Servers run on core 0 and clients on core 1 where `taskset` exists (both sides alike).
 * Targets: bulk >= 0.9x, handshakes >= 1.0x. Every process runs with a kill timer; servers are killed at the end.
 */
import { spawn, spawnSync, type Subprocess } from "bun";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "../..");
const argv = process.argv.slice(2);
const num = (name: string, dflt: number): number => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const quick = argv.includes("--quick");
const ROUNDS = num("rounds", quick ? 1 : 5);
const MIB = num("mib", quick ? 64 : 200);
const SECS = num("secs", quick ? 1 : 2);
const BYTES = MIB * 1024 * 1024;

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
// Untimed warm-up inside each client process (JIT for Bun, caches for both): 64 MiB or 500 handshakes. With
// 16 MiB / 30 handshakes most of Bun's optimizing (DFG) compiles still ran inside the timed part
// (BUN_JSC_reportCompileTimes=1: 108 of 135 for handshakes).
const WARM_BYTES = 64 * 1024 * 1024;
writeFileSync(join(dir, "warm.bin"), Buffer.alloc(WARM_BYTES, 0x61));
const WARM_DL = ["--warmup-http", "/warm.bin"];
const WARM_UP = ["--warmup-bytes", String(WARM_BYTES)];
const WARM_HS = ["--warmup-ops", "500"];

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
/** Runs `f` and returns its rate with the server's CPU time during the run instead of the client's. */
function withServerCpu(port: number, f: () => Sample): Sample {
  const pid = pidOf.get(port)!;
  const a = cpuMsOf(pid);
  const [rate, units] = f();
  const b = cpuMsOf(pid);
  return [rate, units, a === null || b === null ? null : b - a];
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
type Sample = [rate: number, units: number, cpuMs: number | null];

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
  };
  return [out.rate, out.ops ?? out.bytes! / 2 ** 20, out.cpu * 1000];
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
const MiB = ([r, units, cpu]: Sample): Sample => [r / 2 ** 20, units, cpu];
const rows: Row[] = [
  {
    name: "client download (s_server -WWW)",
    unit: "MiB/s",
    target: 0.9,
    bun: () =>
      MiB(ours("download", "--port", String(httpPort), "--http", "/big.bin")),
    python: () =>
      MiB(theirs("download", "--port", String(httpPort), "--http", "/big.bin")),
  },
  {
    name: "client upload (to one sink)",
    unit: "MiB/s",
    target: 0.9,
    bun: () =>
      MiB(ours("upload", "--port", String(sink), "--bytes", String(BYTES))),
    python: () =>
      MiB(theirs("upload", "--port", String(sink), "--bytes", String(BYTES))),
  },
  {
    name: "server send (read by one client)",
    unit: "MiB/s",
    target: 0.9,
    bun: () =>
      withServerCpu(srv.bun.source, () =>
        MiB(ours("download", "--port", String(srv.bun.source))),
      ),
    python: () =>
      withServerCpu(srv.python.source, () =>
        MiB(ours("download", "--port", String(srv.python.source))),
      ),
  },
  {
    name: "server receive (sent by one client)",
    unit: "MiB/s",
    target: 0.9,
    bun: () =>
      withServerCpu(srv.bun.sink, () =>
        MiB(
          ours(
            "upload",
            "--port",
            String(srv.bun.sink),
            "--bytes",
            String(BYTES),
          ),
        ),
      ),
    python: () =>
      withServerCpu(srv.python.sink, () =>
        MiB(
          ours(
            "upload",
            "--port",
            String(srv.python.sink),
            "--bytes",
            String(BYTES),
          ),
        ),
      ),
  },
  {
    name: "client handshakes (s_server)",
    unit: "conn/s",
    target: 1.0,
    bun: () =>
      ours("handshakes", "--port", String(hsPort), "--secs", String(SECS)),
    python: () =>
      theirs("handshakes", "--port", String(hsPort), "--secs", String(SECS)),
  },
  {
    name: "server handshakes (s_time -new)",
    unit: "conn/s",
    target: 1.0,
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
console.log(
  `\n${pad("row", 36)} ${pad("bun-socket", 24)} ${pad("CPython", 24)} ${pad("ratio", 7)} ${pad("best/best", 10)} ${pad("target", 13)} CPU ms per MiB or conn, timed part (bun / CPython)`,
);
for (const { row, bun, python } of results) {
  const rates = (xs: Sample[]) => xs.map((x) => x[0]);
  const b = median(rates(bun));
  const p = median(rates(python));
  const ratio = b / p;
  const best = Math.max(...rates(bun)) / Math.max(...rates(python));
  const pass = ratio >= row.target;
  ok &&= pass;
  const fmt = (xs: Sample[], m: number) =>
    `${m.toFixed(0)} ${row.unit} (${Math.min(...rates(xs)).toFixed(0)}-${Math.max(...rates(xs)).toFixed(0)})`;
  const cpu = (xs: Sample[]) =>
    xs.some((x) => x[2] === null)
      ? "-"
      : median(xs.map((x) => x[2]! / x[1])).toFixed(3);
  console.log(
    `${pad(row.name, 36)} ${pad(fmt(bun, b), 24)} ${pad(fmt(python, p), 24)} ${pad(ratio.toFixed(2) + "x", 7)} ${pad(best.toFixed(2) + "x", 10)} ${pad(`>= ${row.target.toFixed(1)}x ${pass ? "ok" : "LOW"}`, 13)} ${cpu(bun)} / ${cpu(python)}`,
  );
}
console.log(
  "\nratio: of the medians over rounds (min-max in brackets); best/best: of the fastest runs. CPU: median per MiB\n" +
    "or connection of the measured side's process during the timed part (clients: all threads, reported by the\n" +
    "client; servers: from /proc in 10 ms ticks). Other load on the machine moves the rates a lot; CPU much less.",
);
cleanup();
process.exit(ok ? 0 : 1);
