// bin/bsock end to end: spawned as a child process (kill timer) with piped stdin/stdout, against CPython peers
// (tests/peers/peer.py and small ssl scripts), `openssl s_server`, and itself. TCP in both modes with data
// flowing both ways at once, UDP, Unix stream and datagram sockets, TLS as client and server, timeouts and
// errors.
import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import * as socket from "../../src/index.ts";
import {
  killAllPeers,
  pythonExe,
  sourcePattern,
  spawnPeer,
  startPeer,
} from "../helpers/peer.ts";
import {
  bunCmd,
  freePort,
  killChildren,
  randomBytes,
  requireBinary,
  run,
  spawn,
  stopAll,
  tempDir,
  testCerts,
  waitStderr,
  type RunOptions,
} from "./servers.ts";

afterEach(() => {
  killChildren();
  killAllPeers();
});
afterAll(stopAll);

const BSOCK = "bin/bsock.ts";
const hex = (s: string | Uint8Array): string => Buffer.from(s).toString("hex");
const sha256 = (b: Uint8Array): string =>
  new Bun.CryptoHasher("sha256").update(b).digest("hex");

function bsock(args: string[], opts: RunOptions = {}) {
  return run(bunCmd(BSOCK, args), { timeoutMs: 20_000, ...opts });
}

/** Starts `bsock -v ... listen ...` and waits for its "listening on HOST PORT" (or PATH) line. */
async function bsockListen(args: string[], opts: RunOptions = {}) {
  const child = spawn(bunCmd(BSOCK, ["-v", ...args]), {
    timeoutMs: 20_000,
    ...opts,
  });
  const m = await waitStderr(child, /listening on (\S+)(?: (\d+))?\n/);
  return { child, where: m[1]!, port: Number(m[2] ?? 0) };
}

/** A TCP port with a full accept queue: the kernel drops SYNs to it, so connecting times out. */
function filteredPort() {
  const owned: socket.socket[] = [];
  const full = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  owned.push(full);
  full.bind(["127.0.0.1", 0]);
  full.listen(0);
  const port = (full.getsockname() as socket.Inet4Address)[1];
  for (let i = 0; i < 3; i++) {
    const c = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
    owned.push(c);
    c.setblocking(false);
    c.connect_ex(["127.0.0.1", port]);
  }
  return { port, [Symbol.dispose]: () => owned.forEach((s) => s.close()) };
}

describe("bsock over TCP", () => {
  test("connect: 3 MB through a Python echo server, both directions at once, byte-identical", async () => {
    await using peer = await startPeer(["echo", "--once"], { life: 20 });
    const data = randomBytes(3_000_000);
    const r = await bsock(["connect", "127.0.0.1", String(peer.port)], {
      stdin: data,
    });
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    expect(r.stdout.length).toBe(data.length);
    expect(r.stdout.equals(data)).toBeTrue();
    expect(await peer.exited).toBe(0);
  });

  test("listen: a Python client's bytes come out, our stdin goes to it; exit when it closes", async () => {
    const mine = Buffer.from("from bsock\n\x00\xff", "latin1");
    const { child, where, port } = await bsockListen(
      ["listen", "127.0.0.1", "0"],
      { stdin: mine },
    );
    expect(where).toBe("127.0.0.1");
    const theirs = Buffer.concat([
      Buffer.from("from python "),
      sourcePattern(200_000),
    ]);
    const client = spawnPeer(
      [
        "client",
        "--host",
        "127.0.0.1",
        "--port",
        String(port),
        "--send",
        hex("from python "),
        "--send-pattern",
        "200000",
      ],
      { life: 15 },
    );
    expect(await client.result()).toEqual({ received: hex(mine) });
    const r = await child.done();
    expect(r.exitCode).toBe(0);
    expect(r.stdout.equals(theirs)).toBeTrue();
    expect(r.stderr).toMatch(/connection from 127\.0\.0\.1 \d+\n/);
    expect(r.stderr).toContain("peer closed the connection");
  });

  test("bsock listen <-> bsock connect: a file one way, an answer the other", async () => {
    const file = randomBytes(2_000_000);
    const answer = Buffer.from("thanks, got it\n");
    const listener = await bsockListen(["-l", "127.0.0.1", "0"], {
      stdin: answer,
    });
    const sender = await bsock(
      ["connect", "127.0.0.1", String(listener.port)],
      { stdin: file },
    );
    const received = await listener.child.done();
    expect(sender.exitCode).toBe(0);
    expect(received.exitCode).toBe(0);
    expect(sha256(received.stdout)).toBe(sha256(file));
    expect(sender.stdout.equals(answer)).toBeTrue();
  });

  test("--no-shutdown: stdin's end is not passed on; -w ends the idle connection", async () => {
    await using peer = await startPeer(["echo", "--once"], { life: 10 });
    const r = await bsock(
      ["--no-shutdown", "-w", "0.5", "connect", "127.0.0.1", String(peer.port)],
      { stdin: "still here\n" },
    );
    expect(r.exitCode).toBe(0);
    expect(r.stdout.toString()).toBe("still here\n"); // echoed, but the peer never saw EOF
    expect(r.seconds).toBeGreaterThanOrEqual(0.45);
  });

  test("-w: connecting to a port that never answers times out", async () => {
    using f = filteredPort();
    const r = await bsock([
      "-w",
      "0.5",
      "connect",
      "127.0.0.1",
      String(f.port),
    ]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe("bsock: TimeoutError: timed out\n");
    expect(r.seconds).toBeLessThan(5);
  });

  test("-w: a connection idle that long is closed (exit status 0)", async () => {
    await using peer = await startPeer(["hold"], { life: 10 }); // accepts, never reads or writes
    const r = await bsock([
      "-v",
      "-w",
      "0.6",
      "connect",
      "127.0.0.1",
      String(peer.port),
    ]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain("no traffic for 0.6 s: closing");
    expect(r.seconds).toBeGreaterThanOrEqual(0.55);
  });

  test("connection refused: Python's message on stderr, exit status 1", async () => {
    using closed = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
    closed.bind(["127.0.0.1", 0]);
    const port = (closed.getsockname() as socket.Inet4Address)[1];
    const r = await bsock(["connect", "127.0.0.1", String(port)]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe(
      "bsock: ConnectionRefusedError: [Errno 111] Connection refused\n",
    );
  });
});

describe("bsock over UDP (-u)", () => {
  test("connect: each read of stdin is one datagram; the Python echo server's answer comes out", async () => {
    await using peer = await startPeer(["udp-echo", "--count", "1"], {
      life: 10,
    });
    const r = await bsock(
      ["-u", "-w", "0.5", "connect", "127.0.0.1", String(peer.port)],
      {
        stdin: "one datagram\x00\n",
      },
    );
    expect(r.exitCode).toBe(0);
    expect(r.stdout.toString()).toBe("one datagram\x00\n");
  });

  test("listen: the first sender becomes the peer and gets our stdin back", async () => {
    const { child, port } = await bsockListen(
      ["-u", "-w", "1", "listen", "127.0.0.1", "0"],
      {
        stdin: "pong",
      },
    );
    const client = spawnPeer(
      [
        "udp-client",
        "--host",
        "127.0.0.1",
        "--port",
        String(port),
        "--send",
        hex("ping"),
      ],
      { life: 10 },
    );
    const res = await client.result<{
      received: string;
      from: [string, number];
    }>();
    expect(res.received).toBe(hex("pong"));
    expect(res.from).toEqual(["127.0.0.1", port]);
    const r = await child.done();
    expect(r.exitCode).toBe(0);
    expect(r.stdout.toString()).toBe("ping");
    expect(r.stderr).toMatch(/datagram from 127\.0\.0\.1 \d+\n/);
  });
});

describe("bsock over Unix sockets (-U)", () => {
  test("connect to a Python AF_UNIX echo server", async () => {
    const path = join(tempDir("bs-bsock-"), "echo.sock");
    await using peer = await startPeer(
      ["echo", "--once", "--family", "unix", "--path", path],
      {
        life: 10,
      },
    );
    const data = randomBytes(500_000);
    const r = await bsock(["-U", "connect", path], { stdin: data });
    expect(r.exitCode).toBe(0);
    expect(r.stdout.equals(data)).toBeTrue();
  });

  test("listen on a path for a Python client, and remove the socket file after", async () => {
    const path = join(tempDir("bs-bsock-"), "listen.sock");
    const { child, where } = await bsockListen(["-U", "listen", path], {
      stdin: "to python",
    });
    expect(where).toBe(path);
    const client = spawnPeer(
      ["unix-client", "--path", path, "--send", hex("to bsock")],
      {
        life: 10,
      },
    );
    expect(await client.result()).toEqual({ received: hex("to python") });
    const r = await child.done();
    expect(r.exitCode).toBe(0);
    expect(r.stdout.toString()).toBe("to bsock");
    expect(await Bun.file(path).exists()).toBeFalse();
  });

  test("-U -u: datagrams to a Python AF_UNIX datagram echo server (bsock autobinds for the answer)", async () => {
    const path = join(tempDir("bs-bsock-"), "dgram.sock");
    await using peer = await startPeer(
      ["unix-dgram-echo", "--path", path, "--count", "1"],
      {
        life: 10,
      },
    );
    const r = await bsock(["-U", "-u", "-w", "0.5", "connect", path], {
      stdin: "unix datagram",
    });
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    expect(r.stdout.toString()).toBe("unix datagram");
  });
});

// A Python TLS server: reads one line, answers "HELLO <LINE>" and 100 kB of pattern, then unwrap()s
// (close_notify, and waits for ours). Prints "READY <port>" and, at the end, one JSON line.
const PY_TLS_SERVER = `
import json, socket, ssl, sys
cert, key = sys.argv[1], sys.argv[2]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
l = socket.create_server(("127.0.0.1", 0))
l.settimeout(15)
print("READY", l.getsockname()[1], flush=True)
c, _ = l.accept()
c.settimeout(15)
s = ctx.wrap_socket(c, server_side=True)
line = s.makefile("rb").readline()
s.sendall(b"HELLO " + line.upper() + bytes(i % 251 for i in range(100000)))
s.unwrap()  # our close_notify, then the client's
s.close()
print(json.dumps({"line": line.decode(), "unwrapped": True}), flush=True)
`;

// A Python TLS client: sends a line, reads N bytes, then unwrap()s and prints what it got.
const PY_TLS_CLIENT = `
import hashlib, json, socket, ssl, sys
port, ca, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
ctx = ssl.create_default_context(cafile=ca)
with socket.create_connection(("127.0.0.1", port), 15) as raw:
    with ctx.wrap_socket(raw, server_hostname="localhost") as s:
        s.sendall(b"from python\\n")
        got = b""
        while len(got) < n:
            d = s.recv(65536)
            if not d:
                break
            got += d
        s.unwrap()
print(json.dumps({"received": len(got), "sha256": hashlib.sha256(got).hexdigest()}), flush=True)
`;

describe("bsock --tls", () => {
  test("connect to openssl s_server -rev: verified with --cafile, lines come back reversed", async () => {
    const openssl = requireBinary("openssl");
    const certs = testCerts();
    const port = freePort();
    const server = Bun.spawn({
      cmd: [
        openssl,
        "s_server",
        "-rev",
        "-accept",
        `127.0.0.1:${port}`,
        "-cert",
        certs.cert,
        "-key",
        certs.key,
        "-naccept",
        "1",
      ],
      stdin: "pipe", // kept open: s_server stops when its stdin ends
      stdout: "pipe",
      stderr: "pipe",
      timeout: 20_000,
      killSignal: "SIGKILL",
    });
    try {
      // s_server prints ACCEPT once it listens
      const dec = new TextDecoder();
      let out = "";
      const reader = server.stdout.getReader();
      while (!out.includes("ACCEPT")) {
        const r = await reader.read();
        if (r.done)
          throw new Error(
            `s_server: ${await new Response(server.stderr).text()}`,
          );
        out += dec.decode(r.value);
      }
      void (async () => {
        while (!(await reader.read()).done); // drain the rest
      })();
      const r = await bsock(
        [
          "--tls",
          "--cafile",
          certs.ca,
          "-w",
          "1",
          "connect",
          "localhost",
          String(port),
        ],
        { stdin: "hello over tls\nsecond line\n" },
      );
      expect(r.stderr).toBe("");
      expect(r.exitCode).toBe(0);
      expect(r.stdout.toString()).toBe("slt revo olleh\nenil dnoces\n");
    } finally {
      server.kill("SIGKILL");
    }
  });

  test("connect to a Python ssl server: request line, answer, close_notify both ways", async () => {
    const certs = testCerts();
    const file = join(tempDir("bs-py-"), "tls_server.py");
    writeFileSync(file, PY_TLS_SERVER);
    const py = Bun.spawn({
      cmd: [pythonExe(), file, certs.cert, certs.key],
      stdout: "pipe",
      stderr: "pipe",
      timeout: 20_000,
      killSignal: "SIGKILL",
    });
    const reader = py.stdout.getReader();
    const dec = new TextDecoder();
    let out = "";
    while (!/READY \d+\n/.test(out)) {
      const r = await reader.read();
      if (r.done)
        throw new Error(`python: ${await new Response(py.stderr).text()}`);
      out += dec.decode(r.value, { stream: true });
    }
    const port = /READY (\d+)/.exec(out)![1]!;
    const r = await bsock(
      ["-v", "--tls", "--cafile", certs.ca, "connect", "localhost", port],
      {
        stdin: "get me something\n",
      },
    );
    for (;;) {
      const x = await reader.read();
      if (x.done) break;
      out += dec.decode(x.value, { stream: true });
    }
    expect(await py.exited).toBe(0);
    expect(JSON.parse(out.trim().split("\n").pop()!)).toEqual({
      line: "get me something\n",
      unwrapped: true,
    });
    expect(r.exitCode).toBe(0);
    expect(
      r.stdout.equals(
        Buffer.concat([
          Buffer.from("HELLO GET ME SOMETHING\n"),
          sourcePattern(100_000),
        ]),
      ),
    ).toBeTrue();
    expect(r.stderr).toMatch(/bsock: TLS TLSv1\.3 \S+\n/);
  });

  test("listen with --cert/--key for a Python ssl client: 1 MB one way, a line the other, clean close", async () => {
    const certs = testCerts();
    const data = randomBytes(1_000_000);
    const { child, port } = await bsockListen(
      [
        "--tls",
        "--cert",
        certs.cert,
        "--key",
        certs.key,
        "listen",
        "127.0.0.1",
        "0",
      ],
      { stdin: data },
    );
    const file = join(tempDir("bs-py-"), "tls_client.py");
    writeFileSync(file, PY_TLS_CLIENT);
    const client = await run([
      pythonExe(),
      file,
      String(port),
      certs.ca,
      String(data.length),
    ]);
    expect(client.stderr).toBe("");
    expect(JSON.parse(client.stdout.toString())).toEqual({
      received: data.length,
      sha256: sha256(data),
    });
    const r = await child.done();
    expect(r.exitCode).toBe(0);
    expect(r.stdout.toString()).toBe("from python\n");
  });

  test("without the test CA the server's certificate does not verify: exit status 1", async () => {
    const certs = testCerts();
    const { child, port } = await bsockListen([
      "--tls",
      "--cert",
      certs.cert,
      "--key",
      certs.key,
      "-w",
      "5",
      "listen",
      "127.0.0.1",
      "0",
    ]);
    const r = await bsock(["--tls", "connect", "localhost", String(port)]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(
      "bsock: SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED]",
    );
    child.kill();
  });

  test("--insecure connects anyway; bsock --tls to bsock --tls", async () => {
    const certs = testCerts();
    const { child, port } = await bsockListen(
      [
        "--tls",
        "--cert",
        certs.cert,
        "--key",
        certs.key,
        "-w",
        "2",
        "listen",
        "127.0.0.1",
        "0",
      ],
      { stdin: "secret answer" },
    );
    const r = await bsock(
      ["--tls", "--insecure", "-w", "1", "connect", "127.0.0.1", String(port)],
      {
        stdin: "secret question",
      },
    );
    expect(r.stdout.toString()).toBe("secret answer");
    const l = await child.done();
    expect(l.stdout.toString()).toBe("secret question");
    expect(r.exitCode).toBe(0);
    expect(l.exitCode).toBe(0);
  });
});

describe("bsock usage", () => {
  test("--help: usage on stdout, exit status 0; bad usage: exit status 2", async () => {
    const help = await bsock(["--help"]);
    expect(help.exitCode).toBe(0);
    expect(help.stdout.toString()).toStartWith("usage: bsock");
    for (const args of [
      [],
      ["connect", "host"],
      ["--tls", "-u", "connect", "h", "1"],
      ["-x"],
      ["listen", "99999"],
    ]) {
      const r = await bsock(args);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain("usage: bsock");
    }
    const tlsListen = await bsock(["--tls", "listen", "0"]);
    expect(tlsListen.stderr).toStartWith("bsock: listen --tls needs --cert");
  });
});
