// The UDP echo pair (examples/udp-echo-server.ts, udp-echo-client.ts) and the Unix-socket echo pair
// (examples/unix-echo-server.ts, unix-echo-client.ts), each against a CPython peer (tests/peers/peer.py) in
// both directions and against each other. Every example runs as a child process with a kill timer.
import type { Subprocess } from "bun";
import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import * as socket from "../../src/index.ts";
import {
  killAllPeers,
  python,
  sourcePattern,
  spawnPeer,
  startPeer,
} from "../helpers/peer.ts";
import { bunCmd, killChildren, run, stopAll, tempDir } from "./servers.ts";

afterEach(() => {
  killChildren();
  killAllPeers();
});
afterAll(stopAll);

const hex = (s: string | Uint8Array): string => Buffer.from(s).toString("hex");

/** Python's `repr()` of bytes, computed by Python. */
const pyRepr = (b: Uint8Array): string =>
  python<string>(
    `import json; print(json.dumps(repr(bytes.fromhex("${hex(b)}"))))`,
  );

/** An example server as a child; its stdout is read line by line while it runs. */
class ExampleServer {
  readonly proc: Subprocess<"ignore", "pipe", "pipe">;
  #out = "";
  #done: Promise<number>;
  constructor(file: string, args: string[]) {
    const proc = Bun.spawn({
      cmd: bunCmd(`examples/${file}`, args),
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
      timeout: 20_000,
      killSignal: "SIGKILL",
    });
    this.proc = proc;
    const dec = new TextDecoder();
    this.#done = (async () => {
      for await (const chunk of proc.stdout)
        this.#out += dec.decode(chunk, { stream: true });
      return proc.exited;
    })();
  }
  /** The "Listening on X" value, once printed. */
  async listening(): Promise<string> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const m = /^Listening on (.+)$/m.exec(this.#out);
      if (m !== null) return m[1]!;
      if (this.proc.exitCode !== null || Date.now() > deadline)
        throw new Error(
          `no "Listening on" (exit ${this.proc.exitCode}): ${this.#out}${await new Response(this.proc.stderr).text()}`,
        );
      await Bun.sleep(10);
    }
  }
  /** Waits for the exit; [exit code, stdout]. */
  async finished(): Promise<[number | null, string]> {
    await this.#done;
    return [this.proc.exitCode, this.#out];
  }
  kill(): void {
    if (this.proc.exitCode === null) this.proc.kill("SIGKILL");
  }
}

const servers: ExampleServer[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.kill();
});
function server(file: string, args: string[]): ExampleServer {
  const s = new ExampleServer(file, args);
  servers.push(s);
  return s;
}

describe("udp-echo-server.ts", () => {
  test("echoes a Python client's datagrams (text and binary), logging each one", async () => {
    const srv = server("udp-echo-server.ts", ["0", "2"]);
    const port = await srv.listening();
    for (const data of [
      Buffer.from("Hello, UDP"),
      Buffer.from([0, 255, 10, 13, 0x80]),
    ]) {
      const client = spawnPeer(
        [
          "udp-client",
          "--host",
          "127.0.0.1",
          "--port",
          port,
          "--send",
          hex(data),
        ],
        { life: 10 },
      );
      const res = await client.result<{
        received: string;
        from: [string, number];
      }>();
      expect(res.received).toBe(hex(data));
      expect(res.from).toEqual(["127.0.0.1", Number(port)]);
    }
    const [code, out] = await srv.finished();
    expect(code).toBe(0);
    expect(out).toMatch(/^Echoed 10 bytes to \[ "127\.0\.0\.1", \d+ \]$/m);
    expect(out).toMatch(/^Echoed 5 bytes to \[ "127\.0\.0\.1", \d+ \]$/m);
  });

  test("a 60000-byte datagram comes back whole", async () => {
    const srv = server("udp-echo-server.ts", ["0", "1"]);
    const port = Number(await srv.listening());
    using s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
    s.settimeout(5);
    const data = Buffer.alloc(60_000, 0x5a);
    s.sendto(data, ["127.0.0.1", port]);
    const [back] = s.recvfrom(65535);
    expect(back.equals(data)).toBeTrue();
    expect((await srv.finished())[0]).toBe(0);
  });
});

describe("udp-echo-client.ts", () => {
  test("against a Python UDP echo server: prints Received b'...' from [host, port]", async () => {
    await using peer = await startPeer(["udp-echo", "--count", "1"], {
      life: 10,
    });
    const r = await run(
      bunCmd("examples/udp-echo-client.ts", [
        "127.0.0.1",
        String(peer.port),
        "ping\tpong",
      ]),
    );
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    expect(r.stdout.toString()).toBe(
      `Received ${pyRepr(Buffer.from("ping\tpong"))} from [ "127.0.0.1", ${peer.port} ]\n`,
    );
  });

  test("no server: three attempts with a 1 s timeout each, then exit status 1", async () => {
    using quiet = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
    quiet.bind(["127.0.0.1", 0]); // takes datagrams and never answers
    const port = (quiet.getsockname() as socket.Inet4Address)[1];
    const r = await run(
      bunCmd("examples/udp-echo-client.ts", ["127.0.0.1", String(port)]),
    );
    expect(r.exitCode).toBe(1);
    expect(r.stdout.toString()).toBe("No answer after 3 attempts\n");
    expect(r.seconds).toBeGreaterThanOrEqual(2.9);
    quiet.setblocking(false);
    const got = [0, 1, 2].map(() => quiet.recv(100).toString());
    expect(got).toEqual(["Hello, world", "Hello, world", "Hello, world"]);
  });

  test("with udp-echo-server.ts", async () => {
    const srv = server("udp-echo-server.ts", ["0", "1"]);
    const port = await srv.listening();
    const r = await run(
      bunCmd("examples/udp-echo-client.ts", ["localhost", port]),
    );
    expect(r.stdout.toString()).toBe(
      `Received b'Hello, world' from [ "127.0.0.1", ${port} ]\n`,
    );
    expect((await srv.finished())[0]).toBe(0);
  });
});

describe("unix-echo-server.ts", () => {
  test("echoes a Python AF_UNIX client, then removes its socket file", async () => {
    const path = join(tempDir("bs-ux-"), "echo.sock");
    const srv = server("unix-echo-server.ts", [path]);
    expect(await srv.listening()).toBe(path);
    expect(existsSync(path)).toBeTrue();
    const head = Buffer.from("Hello, Unix ");
    const n = 100_000; // peer.py sends the pattern: an argument this big would exceed the exec limit
    const client = spawnPeer(
      [
        "unix-client",
        "--path",
        path,
        "--send",
        hex(head),
        "--send-pattern",
        String(n),
      ],
      { life: 10 },
    );
    expect(await client.result()).toEqual({
      received: hex(head) + hex(sourcePattern(n)),
    });
    const [code, out] = await srv.finished();
    expect(code).toBe(0);
    expect(out).toBe(`Listening on ${path}\nConnected by ""\n`);
    expect(existsSync(path)).toBeFalse();
  });

  test("replaces a stale socket file left by an earlier run", async () => {
    const path = join(tempDir("bs-ux-"), "stale.sock");
    using stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
    stale.bind(path); // the file exists, nobody listens: bind() would fail with EADDRINUSE
    const srv = server("unix-echo-server.ts", [path]);
    await srv.listening();
    const client = spawnPeer(
      ["unix-client", "--path", path, "--send", hex("x")],
      { life: 10 },
    );
    expect(await client.result()).toEqual({ received: hex("x") });
    expect((await srv.finished())[0]).toBe(0);
  });
});

describe("unix-echo-client.ts", () => {
  test("against a Python AF_UNIX echo server: prints what Python's repr() prints", async () => {
    const path = join(tempDir("bs-ux-"), "py.sock");
    await using peer = await startPeer(
      ["echo", "--once", "--family", "unix", "--path", path],
      {
        life: 10,
      },
    );
    expect(peer.path).toBe(path);
    const r = await run(
      bunCmd("examples/unix-echo-client.ts", [path, "héllo 'quoted'"]),
    );
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    expect(r.stdout.toString()).toBe(
      `Received ${pyRepr(Buffer.from("héllo 'quoted'"))}\n`,
    );
  });

  test("with unix-echo-server.ts on a Linux abstract name (@name: no file)", async () => {
    const name = `@bun-socket-test-${process.pid}-${Date.now()}`;
    const srv = server("unix-echo-server.ts", [name]);
    expect(await srv.listening()).toBe(name);
    const r = await run(bunCmd("examples/unix-echo-client.ts", [name]));
    expect(r.stdout.toString()).toBe("Received b'Hello, world'\n");
    expect((await srv.finished())[0]).toBe(0);
  });

  test("nothing at the path: FileNotFoundError, exit status 1", async () => {
    const path = join(tempDir("bs-ux-"), "none.sock");
    const r = await run(bunCmd("examples/unix-echo-client.ts", [path]));
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(
      "FileNotFoundError: [Errno 2] No such file or directory",
    );
  });
});
