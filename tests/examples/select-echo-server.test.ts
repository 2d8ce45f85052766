// examples/select-echo-server.ts as a child process under a kill timer: 50 CPython clients
// (tests/peers/peer.py client) connected while the server is stopped (SIGSTOP), so that it finds
// them all at once when it resumes (SIGCONT), each sending a different amount (up to 300 kB) before it
// reads anything, plus clients of ours that reset their connection; every byte must come back
// unchanged, the resets must not disturb the others, and the server must see many clients at once.
import type { Subprocess } from "bun";
import { afterEach, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import * as socket from "../../src/index.ts";
import {
  killAllPeers,
  ROOT,
  sourcePattern,
  spawnPeer,
  type SpawnedPeer,
} from "../helpers/peer.ts";

afterEach(killAllPeers);

const CLIENTS = 50;
const RESETS = 4;

/** Starts the example and reads its `READY <port>` line. */
async function startServer(args: string[]): Promise<{
  proc: Subprocess<"ignore", "pipe", "pipe">;
  port: number;
  rest: () => Promise<string>;
}> {
  const proc = Bun.spawn({
    cmd: [process.execPath, "examples/select-echo-server.ts", ...args],
    cwd: ROOT,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const reader = proc.stdout.getReader();
  const dec = new TextDecoder();
  let buf = "";
  const deadline = Date.now() + 10_000;
  while (!buf.includes("\n")) {
    if (Date.now() > deadline) throw new Error("server: no READY line");
    const r = await reader.read();
    if (r.done)
      throw new Error(
        `server exited: ${await new Response(proc.stderr).text()}`,
      );
    buf += dec.decode(r.value, { stream: true });
  }
  const nl = buf.indexOf("\n");
  const m = /^READY (\d+)$/.exec(buf.slice(0, nl).trim());
  if (!m) throw new Error(`server said ${JSON.stringify(buf)}`);
  let out = buf.slice(nl + 1);
  const rest = async (): Promise<string> => {
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      out += dec.decode(r.value, { stream: true });
    }
    return out;
  };
  return { proc, port: Number(m[1]), rest };
}

/** Connections (established, or closed by the client only) whose local port is `port` (the server's accepted or queued ends), from /proc. */
function established(port: number): number {
  const hex = port.toString(16).toUpperCase().padStart(4, "0");
  let n = 0;
  for (const f of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = readFileSync(f, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      // 01 ESTABLISHED, 08 CLOSE_WAIT (the client already shut down its side)
      if (
        cols[1]?.endsWith(`:${hex}`) &&
        (cols[3] === "01" || cols[3] === "08")
      )
        n++;
    }
  }
  return n;
}

test("select-echo-server: 50 Python clients at once get their bytes back; resets are dropped cleanly", async () => {
  const server = await startServer([
    "--count",
    String(CLIENTS + RESETS),
    "--sndbuf",
    "8192",
  ]);
  const killer = setTimeout(() => server.proc.kill("SIGKILL"), 60_000);
  server.proc.kill("SIGSTOP");
  try {
    const expected: Buffer[] = [];
    const clients: SpawnedPeer[] = [];
    for (let i = 0; i < CLIENTS; i++) {
      // Sizes from 0 to ~300 kB; client i's bytes start with its number, then the peer pattern.
      const size = (i * 6151) % 300_001;
      const head = Buffer.from(`client ${i}:`);
      expected.push(Buffer.concat([head, sourcePattern(size)]));
      clients.push(
        spawnPeer(
          [
            "client",
            "--host",
            "127.0.0.1",
            "--port",
            String(server.port),
            "--send",
            head.toString("hex"),
            "--send-pattern",
            String(size),
            "--timeout",
            "20",
          ],
          { life: 40 },
        ),
      );
    }
    // All 50 connect while the server is stopped, so that it finds them all at once when it resumes.
    const t0 = Date.now();
    if (existsSync("/proc/net/tcp")) {
      while (established(server.port) < CLIENTS && Date.now() - t0 < 20_000)
        await Bun.sleep(50);
    } else await Bun.sleep(3000);
    server.proc.kill("SIGCONT");
    // Clients of ours that send, then reset (SO_LINGER 0 + close), while the others are served.
    for (let i = 0; i < RESETS; i++) {
      const s = socket.socket();
      s.settimeout(5);
      s.connect(["127.0.0.1", server.port]);
      s.sendall(Buffer.alloc(50_000, i));
      s.setsockopt(
        socket.SOL_SOCKET,
        socket.SO_LINGER,
        new Uint8Array(new Int32Array([1, 0]).buffer),
      );
      s.close();
    }
    const results = await Promise.all(
      clients.map((c) => c.result<{ received?: string; exc?: string }>()),
    );
    for (let i = 0; i < CLIENTS; i++) {
      const r = results[i]!;
      expect(r.exc).toBeUndefined();
      const got = Buffer.from(r.received ?? "", "hex");
      expect([i, got.length]).toEqual([i, expected[i]!.length]);
      expect(got.equals(expected[i]!)).toBe(true);
    }
    const code = await server.proc.exited;
    const out = await server.rest();
    expect(code).toBe(0);
    const stats = JSON.parse(out.trim().split("\n").pop()!) as {
      served: number;
      resets: number;
      bytes: number;
      partial_sends: number;
      max_clients: number;
    };
    expect(stats.served).toBe(CLIENTS + RESETS);
    expect(stats.resets).toBe(RESETS);
    const total = expected.reduce((n, b) => n + b.length, 0);
    expect(stats.bytes).toBeGreaterThanOrEqual(total); // plus whatever reached the reset clients
    expect(stats.partial_sends).toBeGreaterThan(0);
    expect(stats.max_clients).toBeGreaterThanOrEqual(CLIENTS * 0.8); // served at once
  } finally {
    clearTimeout(killer);
    server.proc.kill("SIGKILL");
  }
}, 90_000);
