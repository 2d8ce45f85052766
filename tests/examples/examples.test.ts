// The example programs (ports of the Python socket docs' echo server and client, IPv4 and
// IPv4/IPv6) against a CPython peer in both directions, and the README demo.
//
// Every example runs in a CHILD bun process with a kill timer, so this test process never
// blocks in a socket call of ours and stays asynchronous.
import { afterEach, describe, expect, test } from "bun:test";
import type { Subprocess } from "bun";
import { resolve } from "node:path";
import * as socket from "../../src/index.ts";
import {
  killAllPeers,
  pythonExe,
  python,
  ROOT,
  runChild,
  sourcePattern,
  spawnPeer,
  startPeer,
} from "../helpers/peer.ts";

const CHILD_LIMIT_MS = 15_000; // kill timer of every example process
const LISTEN_LIMIT_MS = 5_000; // wait this long for a server's "Listening on <port>"

type Proc = Subprocess<"ignore", "pipe", "pipe">;
const children = new Set<Proc>();

afterEach(() => {
  killAllPeers();
  for (const p of children) if (p.exitCode === null) p.kill("SIGKILL");
  children.clear();
});

const hex = (s: string | Uint8Array): string => Buffer.from(s).toString("hex");

/** Python's `repr()` of bytes, computed by Python. */
const pyRepr = (b: Uint8Array): string =>
  python<string>(
    `import json; print(json.dumps(repr(bytes.fromhex("${hex(b)}"))))`,
  );

/** Output of a finished child; `exitCode` is null when a signal (the kill timer) ended it. */
interface Finished {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  signalCode: NodeJS.Signals | number | null;
}

/** An example server running as a child process, past its "Listening on <port>" line. */
interface Server {
  port: number;
  /** Waits for the child to exit (the kill timer bounds it); its whole output. */
  finished(): Promise<Finished>;
}

/** Run `bun examples/<file> <args>` and wait for its "Listening on <port>" line. */
async function startServer(file: string, args: string[]): Promise<Server> {
  const proc: Proc = Bun.spawn({
    cmd: [process.execPath, resolve(ROOT, "examples", file), ...args],
    cwd: ROOT,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    timeout: CHILD_LIMIT_MS,
    killSignal: "SIGKILL",
  });
  children.add(proc);
  const out = { text: "" };
  const stdoutDone = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of proc.stdout)
      out.text += decoder.decode(chunk, { stream: true });
    out.text += decoder.decode();
  })();
  const stderr = new Response(proc.stderr).text();
  const finished = async (): Promise<Finished> => {
    const exitCode = await proc.exited;
    await stdoutDone;
    return {
      stdout: out.text,
      stderr: await stderr,
      exitCode: proc.signalCode === null ? exitCode : null,
      signalCode: proc.signalCode,
    };
  };
  const deadline = Date.now() + LISTEN_LIMIT_MS;
  for (;;) {
    const m = /^Listening on (\d+)$/m.exec(out.text);
    if (m !== null) return { port: Number(m[1]), finished };
    if (proc.exitCode !== null || proc.signalCode !== null) {
      const r = await finished();
      if (!/^Listening on \d+$/m.test(r.stdout))
        throw new Error(
          `${file} exited (${r.exitCode ?? r.signalCode}) before listening; stdout: ${JSON.stringify(r.stdout)}; stderr:\n${r.stderr}`,
        );
      continue;
    }
    if (Date.now() > deadline) {
      proc.kill("SIGKILL");
      throw new Error(
        `${file}: no "Listening on <port>" within ${LISTEN_LIMIT_MS} ms; stdout: ${JSON.stringify(out.text)}`,
      );
    }
    await Bun.sleep(5);
  }
}

/** Run `python3 -c code args...` with a kill timer. */
async function runPython(code: string, args: string[]): Promise<Finished> {
  const proc = Bun.spawn({
    cmd: [pythonExe(), "-c", code, ...args],
    cwd: ROOT,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    timeout: CHILD_LIMIT_MS,
    killSignal: "SIGKILL",
  });
  children.add(proc);
  const [stdout, stderr, exitCode] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return {
    stdout,
    stderr,
    exitCode: proc.signalCode === null ? exitCode : null,
    signalCode: proc.signalCode,
  };
}

/** A peer.py client (CPython) to 127.0.0.1/::1 `port`: sends `data`, shuts down writing, reads to EOF. */
function pythonClient(host: string, port: number, data: Uint8Array) {
  return spawnPeer(
    ["client", "--host", host, "--port", String(port), "--send", hex(data)],
    { life: 10 },
  );
}

const hasIPv6 = python<boolean>(`
import json, socket
try:
    s = socket.socket(socket.AF_INET6); s.bind(("::1", 0)); s.close(); print("true")
except OSError:
    print("false")
`);

// The second of the Python docs' examples in Python 3 (bytes literal, print function), with
// HOST and PORT from the command line: the reference output of echo-client.ts.
const PY_CLIENT = `
import socket, sys
HOST = sys.argv[1]               # The remote host
PORT = int(sys.argv[2])          # The same port as used by the server
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.connect((HOST, PORT))
s.send(b'Hello, world')
data = s.recv(1024)
s.close()
print('Received', repr(data))
`;

// The fourth example (IPv4/IPv6 client) in Python 3.
const PY_CLIENT_DUAL = `
import socket, sys
HOST = sys.argv[1]               # The remote host
PORT = int(sys.argv[2])          # The same port as used by the server
s = None
for res in socket.getaddrinfo(HOST, PORT, socket.AF_UNSPEC, socket.SOCK_STREAM):
    af, socktype, proto, canonname, sa = res
    try:
        s = socket.socket(af, socktype, proto)
    except socket.error as msg:
        s = None
        continue
    try:
        s.connect(sa)
    except socket.error as msg:
        s.close()
        s = None
        continue
    break
if s is None:
    print('could not open socket')
    sys.exit(1)
s.send(b'Hello, world')
data = s.recv(1024)
s.close()
print('Received', repr(data))
`;

// The server binds the first address getaddrinfo(None, port, AF_UNSPEC, SOCK_STREAM, 0,
// AI_PASSIVE) returns: "0.0.0.0" or "::", depending on the system's gai.conf.
const first = python<[number, string]>(`
import json, socket
af, _, _, _, sa = socket.getaddrinfo(None, 0, socket.AF_UNSPEC, socket.SOCK_STREAM, 0, socket.AI_PASSIVE)[0]
print(json.dumps([int(af), sa[0]]))
`);

const CONNECTED_V4 = /^Connected by \[ "127\.0\.0\.1", (\d+) \]$/m;
const CONNECTED_V6 = /^Connected by \[ "::1", (\d+), 0, 0 \]$/m;

describe("echo-server.ts (IPv4) with a Python client", () => {
  test("echoes a Python client's text, prints 'Listening on' then 'Connected by', exits 0", async () => {
    const server = await startServer("echo-server.ts", ["0"]);
    expect(server.port).toBeGreaterThan(0);
    const data = Buffer.from("Hello, world");
    const client = pythonClient("127.0.0.1", server.port, data);
    expect(await client.result()).toEqual({ received: hex(data) });
    const r = await server.finished();
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(`Listening on ${server.port}`);
    expect(lines[1]).toMatch(CONNECTED_V4);
  });

  test("echoes binary data across many 1024-byte recv() calls unchanged", async () => {
    const server = await startServer("echo-server.ts", ["0"]);
    const head = Uint8Array.of(0x00, 0xff, 0x0a, 0x0d, 0x80, 0x7f);
    const n = 100_000;
    const client = spawnPeer(
      [
        "client",
        "--host",
        "127.0.0.1",
        "--port",
        String(server.port),
        "--send",
        hex(head),
        "--send-pattern",
        String(n),
      ],
      { life: 10 },
    );
    const res = await client.result<{ received: string }>();
    expect(res.received.length).toBe(2 * (head.length + n));
    expect(res.received).toBe(hex(head) + hex(sourcePattern(n)));
    const r = await server.finished();
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(CONNECTED_V4);
  });
});

describe("echo-client.ts (IPv4) with a Python echo server", () => {
  test("prints Received b'Hello, world', exactly as the Python original does", async () => {
    await using peer = await startPeer(["echo", "--count", "2"], { life: 10 });
    const ours = await runChild("examples/echo-client.ts", {
      args: ["127.0.0.1", String(peer.port)],
      timeoutMs: CHILD_LIMIT_MS,
    });
    expect(ours.stderr).toBe("");
    expect(ours.exitCode).toBe(0);
    expect(ours.stdout).toBe(
      `Received ${pyRepr(Buffer.from("Hello, world"))}\n`,
    );
    const theirs = await runPython(PY_CLIENT, ["127.0.0.1", String(peer.port)]);
    expect(theirs.exitCode).toBe(0);
    expect(ours.stdout).toBe(theirs.stdout);
    expect(await peer.exited).toBe(0);
  });

  test("resolves the host name 'localhost'", async () => {
    await using peer = await startPeer(["echo", "--once"], { life: 10 });
    const r = await runChild("examples/echo-client.ts", {
      args: ["localhost", String(peer.port)],
      timeoutMs: CHILD_LIMIT_MS,
    });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe("Received b'Hello, world'\n");
  });

  test("with nothing listening, connect() raises ConnectionRefusedError and exits non-zero", async () => {
    // A bound socket that does not listen: connecting to its port is refused, and the port stays ours.
    using closed = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
    closed.bind(["127.0.0.1", 0]);
    const port = (closed.getsockname() as socket.Inet4Address)[1];
    const r = await runChild("examples/echo-client.ts", {
      args: ["127.0.0.1", String(port)],
      timeoutMs: CHILD_LIMIT_MS,
    });
    expect(r.timedOut).toBe(false);
    expect(r.exitCode).toBe(1); // an uncaught exception, like Python's traceback
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(
      "ConnectionRefusedError: [Errno 111] Connection refused",
    );
  });
});

describe("echo-server-dual.ts (AF_UNSPEC + AI_PASSIVE) with a Python client", () => {
  test("our getaddrinfo puts the same passive address first as CPython's", () => {
    const ours = socket.getaddrinfo(
      null,
      0,
      socket.AF_UNSPEC,
      socket.SOCK_STREAM,
      0,
      socket.AI_PASSIVE,
    )[0];
    expect(ours).toBeDefined();
    expect([ours![0], (ours![4] as socket.Inet4Address)[0]]).toEqual(first);
  });

  test("listens on the first passive address and echoes a Python client connecting to it", async () => {
    const [family, host] = first;
    expect(["0.0.0.0", "::"]).toContain(host);
    const v6 = family === socket.AF_INET6;
    if (v6 && !hasIPv6) return; // getaddrinfo offers IPv6 but the loopback has none
    const server = await startServer("echo-server-dual.ts", ["0"]);
    const data = Buffer.concat([
      Buffer.from("Hello, dual world"),
      Uint8Array.of(0, 0xff),
    ]);
    const client = pythonClient(v6 ? "::1" : "127.0.0.1", server.port, data);
    expect(await client.result()).toEqual({ received: hex(data) });
    const r = await server.finished();
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(`Listening on ${server.port}`);
    // IPv4 peers print as ["127.0.0.1", port]; IPv6 ones as the 4-item ["::1", port, 0, 0].
    expect(lines[1]).toMatch(v6 ? CONNECTED_V6 : CONNECTED_V4);
  });
});

describe("echo-client-dual.ts (AF_UNSPEC) with a Python echo server", () => {
  test("resolves 'localhost' and prints exactly what the Python original prints", async () => {
    await using peer = await startPeer(["echo", "--count", "2"], { life: 10 });
    const ours = await runChild("examples/echo-client-dual.ts", {
      args: ["localhost", String(peer.port)],
      timeoutMs: CHILD_LIMIT_MS,
    });
    expect(ours.stderr).toBe("");
    expect(ours.exitCode).toBe(0);
    expect(ours.stdout).toBe("Received b'Hello, world'\n");
    const theirs = await runPython(PY_CLIENT_DUAL, [
      "localhost",
      String(peer.port),
    ]);
    expect(theirs.exitCode).toBe(0);
    expect(ours.stdout).toBe(theirs.stdout);
    expect(await peer.exited).toBe(0);
  });

  test.skipIf(!hasIPv6)("talks to an IPv6 server at '::1'", async () => {
    await using peer = await startPeer(["echo", "--once", "--family", "6"], {
      life: 10,
    });
    const r = await runChild("examples/echo-client-dual.ts", {
      args: ["::1", String(peer.port)],
      timeoutMs: CHILD_LIMIT_MS,
    });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe("Received b'Hello, world'\n");
  });

  test("with nothing listening, prints 'could not open socket' and exits 1, as the original", async () => {
    using closed = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
    closed.bind(["127.0.0.1", 0]);
    const port = String((closed.getsockname() as socket.Inet4Address)[1]);
    const ours = await runChild("examples/echo-client-dual.ts", {
      args: ["127.0.0.1", port],
      timeoutMs: CHILD_LIMIT_MS,
    });
    const theirs = await runPython(PY_CLIENT_DUAL, ["127.0.0.1", port]);
    expect(theirs).toMatchObject({
      stdout: "could not open socket\n",
      exitCode: 1,
    });
    expect(ours.stdout).toBe(theirs.stdout);
    expect(ours.exitCode).toBe(1);
    expect(ours.stderr).toBe("");
  });
});

describe("our examples with each other", () => {
  test("echo-client-dual.ts against echo-server-dual.ts", async () => {
    const server = await startServer("echo-server-dual.ts", ["0"]);
    // A server on "::" takes ::1 (and, dual-stack, IPv4 too); one on "0.0.0.0" takes localhost.
    const host = first[1] === "::" ? "::1" : "localhost";
    if (host === "::1" && !hasIPv6) return;
    const r = await runChild("examples/echo-client-dual.ts", {
      args: [host, String(server.port)],
      timeoutMs: CHILD_LIMIT_MS,
    });
    expect(r.stdout).toBe("Received b'Hello, world'\n");
    expect((await server.finished()).exitCode).toBe(0);
  });
});

describe("examples/demo.ts", () => {
  test("runs the echo server as a child, echoes text and binary messages, exits 0", async () => {
    const r = await runChild("examples/demo.ts", { timeoutMs: 30_000 });
    expect(r.timedOut).toBe(false);
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines).toContainEqual(
      expect.stringMatching(/^server\| Listening on \d+$/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^server\| Connected by \[ "127\.0\.0\.1", \d+ \]$/,
      ),
    );
    expect(lines).toContain("client: sent text: b'Hello, world'");
    expect(lines).toContain(
      "client: received b'Hello, world' in 1 recv() call(s)",
    );
    expect(lines).toContain(
      "client: sent binary: b'\\x00\\x01\\x02\\x7f\\x80\\xfe\\xff\\n'",
    );
    expect(lines.filter((l) => l.includes("MISMATCH"))).toEqual([]);
    expect(lines).toContain("demo: server exited with code 0");
    expect(lines.at(-1)).toBe("demo: 4 of 4 messages echoed unchanged");
  });
});
