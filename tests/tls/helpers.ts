/**
 * Helpers for the TLS tests: certificates made once per test process (`tests/tls/mkcerts.sh` into a temporary
 * directory), the Python TLS peer (`tests/tls/tls_peer.py`), `openssl s_server`, the bulk-data byte pattern,
 * and small client shortcuts. Every process started here is tracked and killed by {@link killTlsPeers}.
 *
 * Blocking rule (see tests/helpers/peer.ts): start peers with `await` BEFORE blocking in a TLS call; a Python
 * client for our server is spawned, then we block in accept/handshake, then `await` its result.
 * @module
 */
import type { Subprocess } from "bun";
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import * as socket from "../../src/index.ts";
import * as ssl from "../../src/ssl.ts";
import { lastJson, pythonExe } from "../helpers/peer.ts";

export const ROOT = resolve(import.meta.dir, "../..");
const PEER = join(ROOT, "tests/tls/tls_peer.py");
const MKCERTS = join(ROOT, "tests/tls/mkcerts.sh");

/** Seconds every TLS test socket waits at most. */
export const T_O = 10;

/** Paths of the test certificates. */
export interface Certs {
  dir: string;
  ca: string;
  caKey: string;
  server: string;
  serverKey: string;
  serverLeaf: string;
  expired: string;
  expiredKey: string;
  client: string;
  clientKey: string;
  clientEncKey: string;
  otherCa: string;
  otherClient: string;
  otherClientKey: string;
}

let certsCache: Certs | undefined;

/** Whether a certificate directory may still be in use: its creating process lives, or it is recent. */
function inUse(dir: string): boolean {
  try {
    const pid = Number(readFileSync(join(dir, "pid"), "utf8"));
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // No pid file (yet): leave directories younger than an hour alone.
    if ((e as NodeJS.ErrnoException).code === "ENOENT")
      return Date.now() - statSync(dir).mtimeMs < 3600_000;
    return false;
  }
}

/** The test certificates, made with the openssl CLI on first use in this process (~2 s). */
export function certs(): Certs {
  if (certsCache) return certsCache;
  // Remove directories left by earlier test processes that are gone.
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith("bs-tls-certs-")) continue;
    const d = join(tmpdir(), name);
    if (!inUse(d)) rmSync(d, { recursive: true, force: true });
  }
  const dir = mkdtempSync(join(tmpdir(), "bs-tls-certs-"));
  writeFileSync(join(dir, "pid"), String(process.pid));
  const r = Bun.spawnSync({
    cmd: ["sh", MKCERTS, dir],
    stdout: "pipe",
    stderr: "pipe",
    timeout: 60_000,
  });
  if (r.exitCode !== 0)
    throw new Error(
      `mkcerts.sh failed (${r.exitCode}): ${r.stderr.toString()}${r.stdout.toString()}`,
    );
  const p = (f: string) => join(dir, f);
  certsCache = {
    dir,
    ca: p("ca.pem"),
    caKey: p("ca.key"),
    server: p("server.pem"),
    serverKey: p("server.key"),
    serverLeaf: p("server.leaf.pem"),
    expired: p("expired.pem"),
    expiredKey: p("expired.key"),
    client: p("client.pem"),
    clientKey: p("client.key"),
    clientEncKey: p("client-enc.key"),
    otherCa: p("other-ca.pem"),
    otherClient: p("other-client.pem"),
    otherClientKey: p("other-client.key"),
  };
  return certsCache;
}

/** Whether the openssl CLI is on PATH (the cert script and s_server tests need it). */
export const HAVE_OPENSSL_CLI: boolean =
  Bun.spawnSync({ cmd: ["openssl", "version"], stdout: "pipe", stderr: "pipe" })
    .exitCode === 0;

// ---------------------------------------------------------------------------------------------------
// processes

type Proc = Subprocess<"ignore", "pipe" | "ignore", "pipe" | "ignore">;
const live = new Set<Proc>();

function track<P extends Proc>(p: P): P {
  live.add(p);
  void p.exited.then(() => live.delete(p));
  return p;
}

/** Kill (SIGKILL) every process started by these helpers that still runs. For afterEach/afterAll. */
export function killTlsPeers(): void {
  for (const p of live)
    if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
  live.clear();
}

async function readAll(s: ReadableStream<Uint8Array>): Promise<string> {
  try {
    return await new Response(s).text();
  } catch {
    return "";
  }
}

/** A running `tls_peer.py` server whose READY line was read. */
export interface TlsPeer {
  readonly port: number;
  /** `{results: [...]}` once the peer served its connections and exited. */
  results(): Promise<Record<string, unknown>[]>;
  kill(): void;
  readonly exited: Promise<number>;
}

/** Starts a `tls_peer.py` server mode (`--certs` is added) and waits for `READY <port>` (10 s at most). */
export async function startTlsPeer(args: string[]): Promise<TlsPeer> {
  const proc = track(
    Bun.spawn({
      cmd: [pythonExe(), PEER, ...args, "--certs", certs().dir],
      cwd: ROOT,
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    }),
  );
  const reader = proc.stdout.getReader();
  const dec = new TextDecoder();
  let buf = "";
  const deadline = Date.now() + 10_000;
  while (!buf.includes("\n")) {
    const left = deadline - Date.now();
    const r = await Promise.race([
      reader.read(),
      Bun.sleep(Math.max(left, 0)).then(() => "timeout" as const),
    ]);
    if (r === "timeout" || r.done) {
      proc.kill("SIGKILL");
      const err = await readAll(proc.stderr);
      throw new Error(
        `tls_peer.py ${args.join(" ")}: no READY (${r === "timeout" ? "timeout" : "exited"}); stderr:\n${err}`,
      );
    }
    buf += dec.decode(r.value, { stream: true });
  }
  const line = buf.slice(0, buf.indexOf("\n")).trim();
  const m = /^READY (\d+)$/.exec(line);
  if (!m) {
    proc.kill("SIGKILL");
    throw new Error(`tls_peer.py: expected READY, got ${JSON.stringify(line)}`);
  }
  let rest = buf.slice(buf.indexOf("\n") + 1);
  const errText = readAll(proc.stderr);
  const done = (async () => {
    for (;;) {
      const r = await reader
        .read()
        .catch(() => ({ done: true, value: undefined }));
      if (r.done) break;
      rest += dec.decode(r.value, { stream: true });
    }
    await proc.exited;
    return rest;
  })();
  return {
    port: Number(m[1]),
    results: async () => {
      const out = await done;
      try {
        return lastJson<{ results: Record<string, unknown>[] }>(out).results;
      } catch {
        throw new Error(
          `tls_peer.py ${args.join(" ")}: no results (exit ${proc.exitCode}); stdout ${JSON.stringify(out)}; stderr:\n${await errText}`,
        );
      }
    },
    kill: () => {
      if (proc.exitCode === null && proc.signalCode === null)
        proc.kill("SIGKILL");
    },
    exited: proc.exited,
  };
}

/** A `tls_peer.py client` run against our server: spawned now, its JSON result awaited later. */
export interface TlsClient {
  result(): Promise<Record<string, unknown>>;
  kill(): void;
}

/** Spawns `tls_peer.py client --port <port> ...` (returns at once; block in accept() afterwards). */
export function spawnTlsClient(port: number, args: string[] = []): TlsClient {
  const proc = track(
    Bun.spawn({
      cmd: [
        pythonExe(),
        PEER,
        "client",
        "--port",
        String(port),
        "--certs",
        certs().dir,
        ...args,
      ],
      cwd: ROOT,
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    }),
  );
  const out = readAll(proc.stdout);
  const err = readAll(proc.stderr);
  return {
    result: async () => {
      const o = await out;
      await proc.exited;
      try {
        return lastJson<Record<string, unknown>>(o);
      } catch {
        throw new Error(
          `tls_peer.py client: no JSON (exit ${proc.exitCode}); stdout ${JSON.stringify(o)}; stderr:\n${await err}`,
        );
      }
    },
    kill: () => {
      if (proc.exitCode === null && proc.signalCode === null)
        proc.kill("SIGKILL");
    },
  };
}

/** A free TCP port on 127.0.0.1 (bound by us, then released). */
export function freePort(): number {
  using s = socket.socket();
  s.bind(["127.0.0.1", 0]);
  return (s.getsockname() as [string, number])[1];
}

/** Polls a TCP connect to 127.0.0.1:port until it succeeds (10 s at most). */
export async function waitListening(port: number, proc?: Proc): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (proc && proc.exitCode !== null)
      throw new Error(`server exited early (${proc.exitCode})`);
    const s = socket.socket();
    s.settimeout(0.5);
    const rc = s.connect_ex(["127.0.0.1", port]);
    s.close();
    if (rc === 0) return;
    await Bun.sleep(25);
  }
  throw new Error(`nothing listens on 127.0.0.1:${port}`);
}

/** A running `openssl s_server`. */
export interface SServer {
  readonly port: number;
  kill(): void;
}

/**
 * Starts `openssl s_server -accept 127.0.0.1:<free port> <args>` (cwd = the certificate directory, output
 * discarded so a full pipe can never stall it while we block) and waits until it accepts connections.
 */
export async function startSServer(
  args: string[],
  cwd = certs().dir,
): Promise<SServer> {
  const port = freePort();
  const proc = track(
    Bun.spawn({
      cmd: ["openssl", "s_server", "-accept", `127.0.0.1:${port}`, ...args],
      cwd,
      stdin: "ignore",
      stdout: "ignore",
      stderr: "ignore",
    }),
  );
  await waitListening(port, proc);
  return {
    port,
    kill: () => {
      if (proc.exitCode === null && proc.signalCode === null)
        proc.kill("SIGKILL");
    },
  };
}

/** `openssl s_server -www` with the test server certificate, plus `extra` options. */
export function startWwwServer(...extra: string[]): Promise<SServer> {
  const c = certs();
  return startSServer([
    "-cert",
    c.server,
    "-key",
    c.serverKey,
    "-www",
    ...extra,
  ]);
}

// ---------------------------------------------------------------------------------------------------
// the byte pattern (byte i of a stream is i % 251)

/** 251 * 1100 pattern bytes: `PAT.subarray(o % 251, o % 251 + n)` is stream bytes [o, o + n) for n <= 251 * 1099. */
export const PAT: Buffer = (() => {
  const b = Buffer.allocUnsafe(251 * 1100);
  for (let i = 0; i < b.length; i++) b[i] = i % 251;
  return b;
})();

/** A chunk of the pattern starting at stream offset `offset` (n <= 251 * 1099). */
export function patternAt(offset: number, n: number): Buffer {
  const q = offset % 251;
  return PAT.subarray(q, q + n);
}

/** Checks received data against the pattern, and hashes it. */
export class PatternChecker {
  n = 0;
  mismatch = -1;
  #h = new Bun.CryptoHasher("sha256");
  feed(d: Uint8Array): void {
    if (this.mismatch < 0) {
      for (let off = 0; off < d.length; off += 262144) {
        const part = d.subarray(off, Math.min(d.length, off + 262144));
        if (
          !Buffer.from(part.buffer, part.byteOffset, part.length).equals(
            patternAt(this.n + off, part.length),
          )
        ) {
          for (let i = 0; i < part.length; i++)
            if (part[i] !== (this.n + off + i) % 251) {
              this.mismatch = this.n + off + i;
              break;
            }
          break;
        }
      }
    }
    this.#h.update(d);
    this.n += d.length;
  }
  result(): { received: number; mismatch: number; sha256: string } {
    return {
      received: this.n,
      mismatch: this.mismatch,
      sha256: this.#h.digest("hex"),
    };
  }
}

/** sha256 of the first `n` pattern bytes (what a correct receiver reports). */
export function patternSha256(n: number): string {
  const h = new Bun.CryptoHasher("sha256");
  const step = 251 * 1000;
  for (let o = 0; o < n; o += step)
    h.update(patternAt(o, Math.min(step, n - o)));
  return h.digest("hex");
}

/** Sends `n` pattern bytes with `sendall` in 251,000-byte chunks. */
export function sendPattern(
  s: { sendall(d: Uint8Array): void },
  n: number,
): void {
  const step = 251 * 1000;
  for (let o = 0; o < n; o += step)
    s.sendall(patternAt(o, Math.min(step, n - o)));
}

// ---------------------------------------------------------------------------------------------------
// client shortcuts

/** `create_default_context` trusting the test CA (or `cafile`). */
export function clientContext(cafile = certs().ca): ssl.SSLContext {
  return ssl.create_default_context(ssl.Purpose.SERVER_AUTH, { cafile });
}

/** A TCP socket of ours connected to 127.0.0.1:port with a timeout. */
export function tcp(port: number, timeout: number | null = T_O): socket.socket {
  const s = socket.socket();
  s.settimeout(timeout);
  s.connect(["127.0.0.1", port]);
  return s;
}

/** A TLS client socket of ours (handshake done) to 127.0.0.1:port. */
export function tlsConnect(
  port: number,
  ctx: ssl.SSLContext = clientContext(),
  server_hostname: string | null = "localhost",
  timeout: number | null = T_O,
): ssl.SSLSocket {
  return ctx.wrap_socket(tcp(port, timeout), { server_hostname });
}

/** A server context of ours with the test server certificate. */
export function serverContext(
  cert = certs().server,
  key = certs().serverKey,
): ssl.SSLContext {
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  ctx.load_cert_chain(cert, key);
  return ctx;
}

/** A listening TCP socket of ours on 127.0.0.1 with a timeout. */
export function listener(timeout: number | null = T_O): socket.socket {
  const s = socket.socket();
  s.settimeout(timeout);
  s.bind(["127.0.0.1", 0]);
  s.listen(16);
  return s;
}

/** The port a socket is bound to. */
export function portOf(s: socket.socket): number {
  return (s.getsockname() as [string, number])[1];
}

/** Reads until EOF (an empty result). */
export function readToEof(s: { recv(n: number): Buffer }, n = 65536): Buffer {
  const parts: Buffer[] = [];
  for (;;) {
    const b = s.recv(n);
    if (b.length === 0) return Buffer.concat(parts);
    parts.push(b);
  }
}

/** The exception `fn` throws; fails the test when it returns. */
export function raises<E = Error & Record<string, unknown>>(
  fn: () => unknown,
): E {
  try {
    fn();
  } catch (e) {
    return e as E;
  }
  throw new Error("expected an exception, none was raised");
}

/** Removes a file if it exists. */
export function rmIfExists(p: string): void {
  if (existsSync(p)) rmSync(p, { force: true });
}
