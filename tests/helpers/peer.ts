/**
 * Test helpers: the Python reference peer (`tests/peers/peer.py`), the Python oracle,
 * child `bun` processes with a kill timer, fd counting and short temporary directories.
 *
 * No dependency on the library under test.
 *
 * Blocking rule: our library's blocking calls freeze the JS event loop, so nothing
 * asynchronous (a pipe read, a timer) makes progress while a test is blocked in a
 * syscall. Therefore:
 * - `await startPeer(...)` BEFORE blocking: it returns once the peer printed READY.
 * - A Python client that talks to OUR server is started with {@link spawnPeer}
 *   (asynchronous spawn, returns at once) after our `listen()` and before our
 *   blocking `accept()`; `await result()` once the test is unblocked.
 * - {@link runPeer}, {@link python} and {@link oracle} are synchronous: use them only
 *   when no socket of ours has to make progress meanwhile.
 *
 * Every process started here is tracked; {@link killAllPeers} (e.g. in `afterEach`)
 * kills the ones still running.
 *
 * @module
 */
import type { Subprocess } from "bun";
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  rmSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/** The repository root (cwd of every child process started here). */
export const ROOT: string = resolve(import.meta.dir, "../..");

/** Absolute path of the reference peer script. */
export const PEER_PY: string = join(ROOT, "tests/peers/peer.py");

type PipedProc = Subprocess<"ignore", "pipe", "pipe">;

const live = new Set<PipedProc>();

function track(proc: PipedProc): PipedProc {
  live.add(proc);
  void proc.exited.then(() => live.delete(proc));
  return proc;
}

/**
 * Kill (SIGKILL) every peer or child started by this module that is still running.
 * Call it in `afterEach`: bun test neither waits for subprocesses nor emits
 * `process.on("exit")`; a leftover peer notices its parent's exit within ~100 ms.
 */
export function killAllPeers(): void {
  for (const proc of live) {
    if (proc.exitCode === null && proc.signalCode === null)
      proc.kill("SIGKILL");
  }
  live.clear();
}

let pythonPath: string | undefined;

/**
 * The process broker the Windows test run under Wine uses to start Linux processes
 * (`tests/peers/broker.py`, address from `$BUN_SOCKET_PEER_BROKER`), or `undefined` natively.
 * A Windows bun.exe under Wine can exec a Linux python3 but gets neither its output nor its
 * exit status back; through the broker and `tests/helpers/broker-relay.ts` it gets both.
 */
export const PEER_BROKER: string | undefined =
  process.env.BUN_SOCKET_PEER_BROKER || undefined;

/**
 * Whether Python peers can be started here: natively, or through {@link PEER_BROKER} on
 * Windows. Tests that need a peer skip with {@link NO_PEER_REASON} when this is false.
 */
export const PEERS_AVAILABLE: boolean =
  process.platform !== "win32" || PEER_BROKER !== undefined;
/** Why peer-based tests are skipped when {@link PEERS_AVAILABLE} is false. */
export const NO_PEER_REASON =
  "no Python peer: bun.exe cannot start Linux python3 without the process broker (BUN_SOCKET_PEER_BROKER)";

/**
 * The command prefix that runs Python: `[python]` natively; under Wine, bun.exe running
 * `tests/helpers/broker-relay.ts @python`, which has the broker start the Linux python3.
 */
export function pythonCmd(): string[] {
  if (PEER_BROKER !== undefined)
    return [
      process.execPath,
      join(ROOT, "tests/helpers/broker-relay.ts"),
      "@python",
    ];
  return [pythonExe()];
}

/**
 * The Python interpreter to run: `$BUN_SOCKET_PYTHON` or `$PYTHON` if set, else the real
 * executable behind `python3` (resolved once; a pyenv shim costs ~300 ms per start, the
 * binary ~50 ms). Under Wine's broker, spawn with {@link pythonCmd} instead.
 */
export function pythonExe(): string {
  if (pythonPath !== undefined) return pythonPath;
  const fromEnv = process.env.BUN_SOCKET_PYTHON || process.env.PYTHON;
  if (fromEnv) return (pythonPath = fromEnv);
  const r = Bun.spawnSync({
    cmd: ["python3", "-c", "import sys; print(sys.executable)"],
    stdout: "pipe",
    stderr: "pipe",
    timeout: 10_000,
  });
  const exe = r.exitCode === 0 ? r.stdout.toString().trim() : "";
  pythonPath = exe !== "" ? exe : "python3";
  return pythonPath;
}

/** The last line of `text` that parses as JSON; throws if there is none. */
export function lastJson<T = unknown>(text: string): T {
  const lines = text.split("\n");
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = (lines[i] ?? "").trim();
    if (line === "") continue;
    try {
      return JSON.parse(line) as T;
    } catch {
      // not JSON: keep looking upwards
    }
  }
  throw new Error(`no JSON line in output: ${JSON.stringify(text)}`);
}

/** The bytes `peer.py source --bytes n` sends: byte i is `i % 251`. */
export function sourcePattern(n: number): Buffer {
  const out = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) out[i] = i % 251;
  return out;
}

/** Read a whole stream to text, never rejecting (a broken pipe ends the text). */
async function drain(
  stream: ReadableStream<Uint8Array>,
  sink: { text: string },
): Promise<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  try {
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      sink.text += decoder.decode(r.value, { stream: true });
    }
  } catch {
    // stream error: return what arrived
  }
  sink.text += decoder.decode();
  return sink.text;
}

function withTimeout<T>(p: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<T>((res) => {
    timer = setTimeout(() => res(fallback), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

// ---------------------------------------------------------------------------
// server peers

/** A running server-mode peer whose READY line has been read. */
export interface Peer {
  /** The TCP/UDP port from `READY <port>`; 0 for an AF_UNIX peer. */
  readonly port: number;
  /** The AF_UNIX path from `READY <path>` ("@name" for abstract); else undefined. */
  readonly path: string | undefined;
  readonly proc: PipedProc;
  /** Stdout after the READY line, resolved once stdout closed and the peer exited. */
  stdoutRest(): Promise<string>;
  /** The last JSON line of {@link Peer.stdoutRest} (e.g. `sink`'s report). */
  result<T = Record<string, unknown>>(): Promise<T>;
  /** Stderr collected so far. */
  stderr(): string;
  /** Send a signal (default SIGKILL); a no-op once the peer exited. */
  kill(signal?: NodeJS.Signals | number): void;
  /** The exit code (`--life` expiry is 124; killed by a signal: 128 + signo). */
  readonly exited: Promise<number>;
  /** `await using peer = await startPeer(...)` kills and reaps it. */
  [Symbol.asyncDispose](): Promise<void>;
}

export interface StartPeerOptions {
  /** Seconds before the peer exits by itself (`--life`; the script's default is 10). */
  life?: number;
  /** How long to wait for READY, default 5000 ms. */
  readyTimeoutMs?: number;
}

/**
 * Start a server mode of `peer.py` and wait for its `READY <port-or-path>` line.
 *
 * Rejects (after killing the peer) if the peer exits before READY, prints something
 * else first, or is not ready within `readyTimeoutMs`; the error carries its stderr.
 *
 * @example
 * const peer = await startPeer(["echo", "--once"]);
 * // connect our socket to ["127.0.0.1", peer.port] ...
 */
export async function startPeer(
  args: string[],
  opts: StartPeerOptions = {},
): Promise<Peer> {
  const cmd = [...pythonCmd(), PEER_PY, ...args];
  if (opts.life !== undefined) cmd.push("--life", String(opts.life));
  const proc = track(
    Bun.spawn({
      cmd,
      cwd: ROOT,
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    }),
  );
  const err = { text: "" };
  const errDone = drain(proc.stderr, err);
  const reader = proc.stdout.getReader();
  const decoder = new TextDecoder();
  let buf = "";
  let line: string | undefined;
  let failure: string | undefined;

  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<"timeout">((res) => {
    timer = setTimeout(() => res("timeout"), opts.readyTimeoutMs ?? 5000);
  });
  try {
    while (line === undefined) {
      const nl = buf.indexOf("\n");
      if (nl >= 0) {
        line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        break;
      }
      const r = await Promise.race([reader.read(), timedOut]);
      if (r === "timeout") {
        failure = `no READY within ${opts.readyTimeoutMs ?? 5000} ms`;
        break;
      }
      if (r.done) {
        failure = "exited before READY";
        break;
      }
      buf += decoder.decode(r.value, { stream: true });
    }
  } catch (e) {
    failure = `stdout read failed: ${String(e)}`;
  } finally {
    clearTimeout(timer);
  }

  const m = line === undefined ? null : /^READY (\S+)$/.exec(line.trim());
  if (failure !== undefined || m === null || m[1] === undefined) {
    failure ??= `expected "READY <port-or-path>", got ${JSON.stringify(line)}`;
    proc.kill("SIGKILL");
    const code = await proc.exited;
    await withTimeout(errDone, 1000, "");
    reader.releaseLock();
    throw new Error(
      `peer.py ${args.join(" ")}: ${failure} (exit ${code}); stdout: ${JSON.stringify(buf)}; stderr:\n${err.text}`,
    );
  }

  const where = m[1];
  const isPort = /^\d+$/.test(where);
  const out = { text: buf };
  const rest = (async () => {
    try {
      for (;;) {
        const r = await reader.read();
        if (r.done) break;
        out.text += decoder.decode(r.value, { stream: true });
      }
    } catch {
      // a broken pipe ends the output
    }
    out.text += decoder.decode();
    await proc.exited;
    await errDone;
    return out.text;
  })();

  const kill = (signal: NodeJS.Signals | number = "SIGKILL"): void => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
  };
  return {
    port: isPort ? Number(where) : 0,
    path: isPort ? undefined : where,
    proc,
    stdoutRest: () => rest,
    result: async <T>() => lastJson<T>(await rest),
    stderr: () => err.text,
    kill,
    exited: proc.exited,
    [Symbol.asyncDispose]: async () => {
      kill();
      await proc.exited;
    },
  };
}

// ---------------------------------------------------------------------------
// client peers

/** Output of a finished process. `exitCode` is null when a signal ended it. */
export interface ProcOutput {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  signalCode: string | number | null;
}

/** A peer spawned without waiting for anything (typically a client of our server). */
export interface SpawnedPeer {
  readonly proc: PipedProc;
  /** Wait for exit; stdout/stderr in full. */
  output(): Promise<ProcOutput>;
  /** Wait for exit; the last JSON line of stdout (rejects with stderr if none). */
  result<T = Record<string, unknown>>(): Promise<T>;
  /** Send a signal (default SIGKILL); a no-op once it exited. */
  kill(signal?: NodeJS.Signals | number): void;
}

/**
 * Spawn `peer.py <args>` and return immediately: the process runs while our thread
 * blocks (e.g. in `accept()`); collect its answer afterwards with `await result()`.
 *
 * @example
 * srv.listen();
 * const client = spawnPeer(["client", "--host", "127.0.0.1", "--port", String(port), "--send", "6869"]);
 * const [conn] = srv.accept(); // blocks until the Python client connects
 * ...
 * expect(await client.result()).toEqual({ received: "6869" });
 */
export function spawnPeer(
  args: string[],
  opts: { life?: number } = {},
): SpawnedPeer {
  const cmd = [...pythonCmd(), PEER_PY, ...args];
  if (opts.life !== undefined) cmd.push("--life", String(opts.life));
  return spawnTracked(cmd, `peer.py ${args.join(" ")}`);
}

function spawnTracked(
  cmd: string[],
  label: string,
  env?: Record<string, string | undefined>,
): SpawnedPeer {
  const proc = track(
    Bun.spawn({
      cmd,
      cwd: ROOT,
      env: env === undefined ? undefined : { ...process.env, ...env },
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    }),
  );
  const out = { text: "" };
  const err = { text: "" };
  const done: Promise<ProcOutput> = Promise.all([
    drain(proc.stdout, out),
    drain(proc.stderr, err),
    proc.exited,
  ]).then(([stdout, stderr]) => ({
    stdout,
    stderr,
    exitCode: proc.signalCode === null ? proc.exitCode : null,
    signalCode: proc.signalCode,
  }));
  return {
    proc,
    output: () => done,
    result: async <T>() => {
      const o = await done;
      try {
        return lastJson<T>(o.stdout);
      } catch {
        throw new Error(
          `${label}: no JSON result (exit ${o.exitCode}, signal ${o.signalCode}); stdout: ${JSON.stringify(o.stdout)}; stderr:\n${o.stderr}`,
        );
      }
    },
    kill: (signal: NodeJS.Signals | number = "SIGKILL") => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    },
  };
}

/** Result of a synchronous run. */
export interface SyncRun extends ProcOutput {
  /** True when the kill timer ended the process. */
  timedOut: boolean;
}

function runSync(
  cmd: string[],
  timeoutMs: number,
  env?: Record<string, string | undefined>,
): SyncRun {
  const r = Bun.spawnSync({
    cmd,
    cwd: ROOT,
    env: env === undefined ? undefined : { ...process.env, ...env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    timeout: timeoutMs,
    killSignal: "SIGKILL",
  });
  const signalCode = r.signalCode ?? null;
  return {
    stdout: r.stdout.toString(),
    stderr: r.stderr.toString(),
    exitCode: signalCode === null ? r.exitCode : null,
    signalCode,
    timedOut: r.exitedDueToTimeout === true,
  };
}

/**
 * Run `peer.py <args>` synchronously (blocks this thread; default limit 15 s, then
 * SIGKILL). Only for peers that need nothing from our side while they run.
 */
export function runPeer(
  args: string[],
  opts: { timeoutMs?: number } = {},
): SyncRun {
  return runSync([...pythonCmd(), PEER_PY, ...args], opts.timeoutMs ?? 15_000);
}

// ---------------------------------------------------------------------------
// the Python oracle

/**
 * Run `python3 -c code` synchronously (20 s limit) and `JSON.parse` its stdout.
 * Throws with Python's stderr if it fails, times out or prints something else.
 *
 * @example
 * const af = python<number>("import socket, json; print(json.dumps(socket.AF_INET6))");
 */
export function python<T = unknown>(code: string): T {
  const r = runSync([...pythonCmd(), "-c", code], 20_000);
  if (r.exitCode !== 0) {
    const why = r.timedOut ? "timed out" : `exit ${r.exitCode ?? r.signalCode}`;
    throw new Error(`python3 -c failed (${why}):\n${r.stderr}\ncode:\n${code}`);
  }
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(
      `python3 -c printed no JSON: ${JSON.stringify(r.stdout)}\ncode:\n${code}`,
    );
  }
}

/**
 * Like {@link python} but through `peer.py oracle`: `socket`, `json`, `sys`, `os` are
 * imported, and an exception escaping the snippet becomes the result
 * `{exc, errno, strerror, msg}` instead of an error. Returns the last JSON line.
 *
 * @example
 * oracle('socket.socket().connect(("127.0.0.1", 1))') // {exc: "ConnectionRefusedError", errno: 111, ...}
 */
export function oracle<T = Record<string, unknown>>(code: string): T {
  const r = runSync(
    [...pythonCmd(), PEER_PY, "oracle", "--code", code],
    20_000,
  );
  if (r.exitCode !== 0) {
    const why = r.timedOut ? "timed out" : `exit ${r.exitCode ?? r.signalCode}`;
    throw new Error(`peer.py oracle failed (${why}):\n${r.stderr}`);
  }
  return lastJson<T>(r.stdout);
}

// ---------------------------------------------------------------------------
// process and filesystem facts

/**
 * Number of open file descriptors of this process (entries of /proc/self/fd, or
 * /dev/fd where there is no /proc). The directory read itself holds one fd, so
 * compare counts with each other, not with an absolute number.
 */
export function openFdCount(): number {
  const dir = existsSync("/proc/self/fd") ? "/proc/self/fd" : "/dev/fd";
  return readdirSync(dir).length;
}

/**
 * The open file descriptors of this process, without the one the directory listing itself used.
 * Compare two sets with {@link newFds} rather than two counts: a descriptor that something else
 * closes meanwhile (the garbage collector finalizing an earlier test's socket) then does not count.
 */
export function openFdSet(): Set<number> {
  const dir = existsSync("/proc/self/fd") ? "/proc/self/fd" : "/dev/fd";
  const out = new Set<number>();
  for (const name of readdirSync(dir)) {
    try {
      // the listing's own descriptor is closed by now: readlink fails for it (unless reused)
      readlinkSync(`${dir}/${name}`);
    } catch {
      continue;
    }
    out.add(Number(name));
  }
  return out;
}

/** Descriptors open now that were not open in `before` (an {@link openFdSet} result). */
export function newFds(before: Set<number>): number[] {
  return [...openFdSet()].filter((fd) => !before.has(fd));
}

/** A fresh temporary directory with a short path (AF_UNIX sun_path holds 108 bytes). */
export interface TmpDir {
  readonly path: string;
  /** `path/name`. */
  join(name: string): string;
  /** Remove the directory and everything in it; safe to call twice. */
  cleanup(): void;
  /** `using dir = tmpDir()` cleans up at scope exit. */
  [Symbol.dispose](): void;
}

/** Create a directory `<os.tmpdir()>/bs-XXXXXX` for socket files. */
export function tmpDir(): TmpDir {
  const path = mkdtempSync(join(tmpdir(), "bs-"));
  const cleanup = (): void => rmSync(path, { recursive: true, force: true });
  return {
    path,
    join: (name: string) => join(path, name),
    cleanup,
    [Symbol.dispose]: cleanup,
  };
}

// ---------------------------------------------------------------------------
// child bun processes

export interface ChildOptions {
  /** Kill (SIGKILL) the child after this many ms; default 10 000. */
  timeoutMs?: number;
  /** Extra arguments, visible as `process.argv.slice(2)` for a file, `slice(1)` for `-e`. */
  args?: string[];
  /** Extra environment variables (merged over `process.env`). */
  env?: Record<string, string | undefined>;
}

/** Result of {@link runChild}. */
export interface ChildResult extends ProcOutput {
  /** True when the kill timer ended the child. */
  timedOut: boolean;
}

function childCmd(script: string, args: string[]): string[] {
  const isFile =
    !script.includes("\n") &&
    /\.(?:[cm]?[jt]s|tsx)$/.test(script) &&
    existsSync(resolve(ROOT, script));
  return isFile
    ? [process.execPath, resolve(ROOT, script), ...args]
    : [process.execPath, "-e", script, ...args];
}

/**
 * Run a TypeScript snippet (via `bun -e`, cwd = repository root, so
 * `import { socket } from "./src/index.ts"` works) or a `.ts`/`.js` file in a child
 * `bun` process, killed with SIGKILL after `timeoutMs`. For tests whose failure mode
 * is blocking forever. Resolves with the child's output; never rejects.
 *
 * The kill timer runs on our event loop: do not block this thread while awaiting.
 * Use {@link runChildSync} when this thread has nothing else to do.
 *
 * @example
 * const r = await runChild(`import { socket } from "./src/index.ts"; ...`, 5000);
 * expect(r.timedOut).toBe(false);
 */
export async function runChild(
  script: string,
  opts: number | ChildOptions = {},
): Promise<ChildResult> {
  const o: ChildOptions = typeof opts === "number" ? { timeoutMs: opts } : opts;
  const child = spawnTracked(
    childCmd(script, o.args ?? []),
    "bun child",
    o.env,
  );
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, o.timeoutMs ?? 10_000);
  try {
    const out = await child.output();
    return { ...out, timedOut };
  } finally {
    clearTimeout(timer);
  }
}

/** Synchronous {@link runChild}: blocks this thread until the child ends or is killed. */
export function runChildSync(
  script: string,
  opts: number | ChildOptions = {},
): ChildResult {
  const o: ChildOptions = typeof opts === "number" ? { timeoutMs: opts } : opts;
  return runSync(childCmd(script, o.args ?? []), o.timeoutMs ?? 10_000, o.env);
}
