/**
 * Real servers for the example tests: nginx and redis-server started on free loopback ports with temporary
 * configurations, test certificates made with the openssl CLI, and child processes (our examples, bin/bsock)
 * run with a kill timer and their output kept as bytes.
 *
 * A server binary that is missing makes the test FAIL with what to install; nothing is skipped. Servers
 * run under coreutils `timeout` (a life limit: they stop even if this test process dies) and are stopped
 * with SIGTERM by {@link stopAll} (call it in `afterAll`).
 *
 * @module
 */
import type { Subprocess } from "bun";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import * as socket from "../../src/index.ts";

/** The repository root. */
export const ROOT: string = resolve(import.meta.dir, "../..");

/** Seconds a server may live at most (coreutils `timeout`), whatever happens to this process. */
const SERVER_LIFE = 600;

type Proc = Subprocess<"ignore" | "pipe", "pipe", "pipe">;
const running = new Set<Proc>();
const tempDirs = new Set<string>();

/**
 * The absolute path of `name` on the PATH or in the sbin directories (nginx lives in /usr/sbin, which is not
 * on every user's PATH), or null.
 */
export function which(name: string): string | null {
  const dirs = (process.env.PATH ?? "")
    .split(delimiter)
    .concat(["/usr/local/sbin", "/usr/sbin", "/sbin"]);
  for (const dir of dirs) {
    if (dir === "") continue;
    const p = join(dir, name);
    if (existsSync(p)) return p;
  }
  return null;
}

/** `which(name)`, or an Error that says which Debian package to install. */
export function requireBinary(name: string, pkg: string = name): string {
  const p = which(name);
  if (p === null)
    throw new Error(
      `${name} not found: install ${pkg} (apt-get install ${pkg}); .ci/run installs it when missing`,
    );
  return p;
}

/** A fresh temporary directory, removed by {@link stopAll}. */
export function tempDir(prefix = "bs-ex-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

/**
 * A TCP port on 127.0.0.1 that was free a moment ago: bound to port 0 with our own library, then closed.
 * Another process could take it before the server binds it; servers started here retry on a bind failure.
 */
export function freePort(): number {
  using s = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  s.bind(["127.0.0.1", 0]);
  return (s.getsockname() as socket.Inet4Address)[1];
}

/** True when something accepts TCP connections on 127.0.0.1:`port` (one short connect). */
function accepting(port: number): boolean {
  using s = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  s.settimeout(0.2);
  return s.connect_ex(["127.0.0.1", port]) === 0;
}

/** Collects a stream to text without ever rejecting. */
function collect(stream: ReadableStream<Uint8Array>): { text: () => string } {
  const out = { s: "" };
  void (async () => {
    const dec = new TextDecoder();
    try {
      for await (const chunk of stream)
        out.s += dec.decode(chunk, { stream: true });
    } catch {
      // the pipe broke: keep what came
    }
  })();
  return { text: () => out.s };
}

/** Starts `cmd` under `timeout`, then waits until `ports` all accept; throws with its output otherwise. */
async function startServer(
  label: string,
  cmd: string[],
  ports: number[],
  logFile?: string,
): Promise<Proc> {
  const proc: Proc = Bun.spawn({
    cmd: ["timeout", "-s", "TERM", "-k", "5", String(SERVER_LIFE), ...cmd],
    cwd: ROOT,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  running.add(proc);
  const out = collect(proc.stdout);
  const err = collect(proc.stderr);
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (ports.every(accepting)) return proc;
    if (proc.exitCode !== null || Date.now() > deadline) {
      proc.kill("SIGTERM");
      await proc.exited;
      running.delete(proc);
      const log =
        logFile !== undefined && existsSync(logFile)
          ? readFileSync(logFile, "utf8")
          : "";
      throw new Error(
        `${label} did not start (exit ${proc.exitCode}) on port(s) ${ports.join(", ")}:\n${err.text()}${out.text()}${log}`,
      );
    }
    await Bun.sleep(20);
  }
}

/** Stops a server started here: SIGTERM (coreutils `timeout` passes it on), then waits for it. */
async function stop(proc: Proc): Promise<void> {
  if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
  await proc.exited;
  running.delete(proc);
}

/** Stops every server still running and removes the temporary directories. Call in `afterAll`. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map(stop));
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
  certCache = undefined; // its directory is gone
}

// ---------------------------------------------------------------------------------------------------
// certificates

/** PEM files of a test CA and a server certificate for `localhost` and 127.0.0.1 signed by it. */
export interface TestCerts {
  dir: string;
  /** The CA certificate: what a client trusts. */
  ca: string;
  /** Server certificate chain (leaf + CA). */
  cert: string;
  /** The server's private key. */
  key: string;
}

let certCache: TestCerts | undefined;

/**
 * Test certificates, made once per test file: with `tests/tls/mkcerts.sh` (the TLS tests' script) when it is
 * there, else with a few openssl CLI calls here.
 */
export function testCerts(): TestCerts {
  if (certCache !== undefined) return certCache;
  const openssl = requireBinary("openssl");
  const dir = tempDir("bs-ex-certs-");
  const mkcerts = join(ROOT, "tests/tls/mkcerts.sh");
  const run = (cmd: string[]): void => {
    const r = Bun.spawnSync({
      cmd,
      cwd: dir,
      stdout: "pipe",
      stderr: "pipe",
      env: { ...process.env, OPENSSL: openssl },
      timeout: 60_000,
    });
    if (r.exitCode !== 0)
      throw new Error(`${cmd.join(" ")} failed:\n${r.stderr.toString()}`);
  };
  if (existsSync(mkcerts)) {
    run(["sh", mkcerts, dir]);
  } else {
    writeFileSync(
      join(dir, "server.ext"),
      "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n" +
        "extendedKeyUsage=serverAuth\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid:always\n" +
        "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n",
    );
    run([
      openssl,
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      "ca.key",
      "-out",
      "ca.pem",
      "-days",
      "3650",
      "-subj",
      "/CN=bun-socket examples test CA",
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    run([
      openssl,
      "req",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      "server.key",
      "-out",
      "server.csr",
      "-subj",
      "/CN=localhost",
    ]);
    run([
      openssl,
      "x509",
      "-req",
      "-in",
      "server.csr",
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      "server.leaf.pem",
      "-days",
      "825",
      "-extfile",
      "server.ext",
    ]);
    writeFileSync(
      join(dir, "server.pem"),
      readFileSync(join(dir, "server.leaf.pem"), "utf8") +
        readFileSync(join(dir, "ca.pem"), "utf8"),
    );
  }
  certCache = {
    dir,
    ca: join(dir, "ca.pem"),
    cert: join(dir, "server.pem"),
    key: join(dir, "server.key"),
  };
  return certCache;
}

// ---------------------------------------------------------------------------------------------------
// nginx

/** A running nginx. */
export interface Nginx {
  /** The plain HTTP port on 127.0.0.1. */
  port: number;
  /** The HTTPS port on 127.0.0.1 (when started with TLS). */
  tlsPort: number | null;
  /** The temporary prefix directory (config, logs). */
  dir: string;
  /**
   * The access log so far, one entry per request:
   * `{connection, requests, request, status, bytes}` ($connection, $connection_requests, ...).
   */
  accessLog(): {
    connection: number;
    requests: number;
    request: string;
    status: number;
    bytes: number;
  }[];
  /** Stops nginx (SIGTERM: fast shutdown of the master and its workers). */
  stop(): Promise<void>;
}

/** Options of {@link startNginx}. */
export interface NginxOptions {
  /** The directory served as `/`. Files below `chunked/` go out with chunked transfer coding. */
  root: string;
  /** Also listen with TLS (test certificates from {@link testCerts}). */
  tls?: boolean;
  /** `keepalive_requests`: requests per connection before nginx closes it (default 1000). */
  keepaliveRequests?: number;
}

/**
 * Starts nginx on free 127.0.0.1 ports, in the foreground (`daemon off`), serving `root`, with its pid file,
 * logs and temp paths in a temporary prefix directory. Under `/chunked/` SSI processing is on
 * (`ssi on; ssi_types *`): SSI drops Content-Length, so those responses come chunked.
 */
export async function startNginx(opts: NginxOptions): Promise<Nginx> {
  const nginx = requireBinary("nginx");
  const certs = opts.tls ? testCerts() : null;
  for (let attempt = 1; ; attempt++) {
    const dir = tempDir("bs-nginx-");
    const port = freePort();
    const tlsPort = certs ? freePort() : null;
    const asRoot = process.getuid?.() === 0;
    const conf = `
# bun-socket example tests: a throw-away nginx
${asRoot ? "user root;" : "# not root: workers run as this user"}
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log info;
events { worker_connections 256; }
http {
  log_format t '$connection $connection_requests "$request" $status $body_bytes_sent';
  access_log ${dir}/access.log t;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  default_type application/octet-stream;
  types { text/html html; text/plain txt; }
  sendfile on;
  keepalive_requests ${opts.keepaliveRequests ?? 1000};
  keepalive_timeout 30s;
  server {
    listen 127.0.0.1:${port};
    ${certs ? `listen 127.0.0.1:${tlsPort} ssl;\n    ssl_certificate ${certs.cert};\n    ssl_certificate_key ${certs.key};` : ""}
    server_name localhost;
    root ${opts.root};
    location /chunked/ { ssi on; ssi_types *; }
  }
}
`;
    const confFile = join(dir, "nginx.conf");
    writeFileSync(confFile, conf);
    mkdirSync(join(dir, "logs"), { recursive: true });
    try {
      const proc = await startServer(
        "nginx",
        [
          nginx,
          "-e",
          join(dir, "error.log"),
          "-p",
          dir,
          "-c",
          confFile,
          "-g",
          "daemon off;",
        ],
        tlsPort === null ? [port] : [port, tlsPort],
        join(dir, "error.log"),
      );
      return {
        port,
        tlsPort,
        dir,
        accessLog: () => {
          const file = join(dir, "access.log");
          if (!existsSync(file)) return [];
          return readFileSync(file, "utf8")
            .split("\n")
            .filter((l) => l !== "")
            .map((l) => {
              const m = /^(\d+) (\d+) "([^"]*)" (\d+) (\d+)$/.exec(l);
              if (m === null) throw new Error(`access log line: ${l}`);
              return {
                connection: Number(m[1]),
                requests: Number(m[2]),
                request: m[3]!,
                status: Number(m[4]),
                bytes: Number(m[5]),
              };
            });
        },
        stop: () => stop(proc),
      };
    } catch (e) {
      // A port taken between freePort() and nginx's bind: try other ports.
      if (attempt < 3 && /Address already in use/.test(String(e))) continue;
      throw e;
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// redis

/** A running redis-server. */
export interface Redis {
  /** The TCP port on 127.0.0.1. */
  port: number;
  /** Its Unix socket path. */
  unixPath: string;
  stop(): Promise<void>;
}

/**
 * Starts `redis-server` in the foreground on a free 127.0.0.1 port and a Unix socket in a temporary
 * directory, without persistence (`--save '' --appendonly no`).
 */
export async function startRedis(): Promise<Redis> {
  const redis = requireBinary("redis-server");
  for (let attempt = 1; ; attempt++) {
    const dir = tempDir("bs-redis-");
    const port = freePort();
    const unixPath = join(dir, "redis.sock");
    try {
      const proc = await startServer(
        "redis-server",
        [
          redis,
          "--port",
          String(port),
          "--bind",
          "127.0.0.1",
          "--unixsocket",
          unixPath,
          "--unixsocketperm",
          "700",
          "--save",
          "",
          "--appendonly",
          "no",
          "--daemonize",
          "no",
          "--dir",
          dir,
          "--logfile",
          "",
        ],
        [port],
      );
      return { port, unixPath, stop: () => stop(proc) };
    } catch (e) {
      if (attempt < 3 && /Address already in use/.test(String(e))) continue;
      throw e;
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// child processes

/** What a finished child printed, as bytes and text. */
export interface Ran {
  stdout: Buffer;
  stderr: string;
  /** null when a signal ended it */
  exitCode: number | null;
  signalCode: string | number | null;
  /** The kill timer ended it. */
  timedOut: boolean;
  /** Wall-clock seconds it ran. */
  seconds: number;
  /** Its process id. */
  pid: number;
}

/** Options of {@link run}. */
export interface RunOptions {
  /** Bytes for its stdin; default: empty (stdin at EOF at once). */
  stdin?: string | Uint8Array;
  /** Kill timer (SIGKILL), default 20 s. */
  timeoutMs?: number;
  env?: Record<string, string | undefined>;
  cwd?: string;
}

/** The command line that runs a repository script with our Bun. */
export function bunCmd(script: string, args: string[] = []): string[] {
  return [process.execPath, resolve(ROOT, script), ...args];
}

/** A child started by {@link spawn}: `done()` resolves when it exited. */
export interface Child {
  proc: Subprocess<"pipe", "pipe", "pipe">;
  /** Stderr text so far. */
  stderrSoFar(): string;
  done(): Promise<Ran>;
  kill(): void;
}

/**
 * Starts `cmd` with piped stdio and a kill timer, writes `stdin` and closes it, and returns at once; the
 * output is collected while it runs (never blocks this thread).
 */
export function spawn(cmd: string[], opts: RunOptions = {}): Child {
  const child = spawnUntracked(cmd, opts);
  children.add(child);
  void child.done().then(() => children.delete(child));
  return child;
}

const children = new Set<Child>();

/** SIGKILLs every child of {@link spawn} still running (call in `afterEach`). */
export function killChildren(): void {
  for (const c of children) c.kill();
  children.clear();
}

function spawnUntracked(cmd: string[], opts: RunOptions): Child {
  const t0 = performance.now();
  const proc = Bun.spawn({
    cmd,
    cwd: opts.cwd ?? ROOT,
    env: opts.env === undefined ? undefined : { ...process.env, ...opts.env },
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    proc.kill("SIGKILL");
  }, opts.timeoutMs ?? 20_000);
  if (opts.stdin !== undefined && opts.stdin.length > 0)
    proc.stdin.write(opts.stdin);
  void proc.stdin.end();
  const err = collect(proc.stderr);
  const stdout = new Response(proc.stdout).arrayBuffer();
  const done = (async (): Promise<Ran> => {
    const [out] = await Promise.all([stdout, proc.exited]);
    clearTimeout(timer);
    await Bun.sleep(0); // let the stderr collector take the last chunk
    return {
      stdout: Buffer.from(out),
      stderr: err.text(),
      exitCode: proc.signalCode === null ? proc.exitCode : null,
      signalCode: proc.signalCode,
      timedOut,
      seconds: (performance.now() - t0) / 1000,
      pid: proc.pid,
    };
  })();
  return {
    proc,
    stderrSoFar: err.text,
    done: () => done,
    kill: () => {
      if (proc.exitCode === null && proc.signalCode === null)
        proc.kill("SIGKILL");
    },
  };
}

/** {@link spawn} and wait for the end. */
export function run(cmd: string[], opts: RunOptions = {}): Promise<Ran> {
  return spawn(cmd, opts).done();
}

/** Waits until `child`'s stderr matches `re` (e.g. bsock's "listening on ... PORT"), or fails. */
export async function waitStderr(
  child: Child,
  re: RegExp,
  ms = 10_000,
): Promise<RegExpExecArray> {
  const deadline = Date.now() + ms;
  for (;;) {
    const m = re.exec(child.stderrSoFar());
    if (m !== null) return m;
    if (child.proc.exitCode !== null || Date.now() > deadline) {
      const r = await Promise.race([child.done(), Bun.sleep(100)]);
      throw new Error(
        `no ${re} on stderr (exit ${child.proc.exitCode}); stderr: ${child.stderrSoFar()}${r ? `; stdout: ${r.stdout.toString()}` : ""}`,
      );
    }
    await Bun.sleep(10);
  }
}

/** `n` random bytes. */
export function randomBytes(n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let off = 0; off < n; off += 65536)
    crypto.getRandomValues(b.subarray(off, Math.min(n, off + 65536)));
  return b;
}
