// Tests of the test infrastructure: peer.py modes with Python on both ends, and the
// helpers in peer.ts. Nothing here imports the library.
import { afterEach, describe, expect, test } from "bun:test";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";
import {
  killAllPeers,
  lastJson,
  openFdCount,
  oracle,
  python,
  pythonExe,
  runChild,
  runChildSync,
  runPeer,
  sourcePattern,
  spawnPeer,
  startPeer,
  tmpDir,
} from "./peer.ts";

afterEach(killAllPeers);

const hex = (s: string): string => Buffer.from(s).toString("hex");
const sha256 = (b: Uint8Array): string =>
  new Bun.CryptoHasher("sha256").update(b).digest("hex");

const hasIPv6 = python<boolean>(`
import json, socket
try:
    s = socket.socket(socket.AF_INET6); s.bind(("::1", 0)); s.close(); print("true")
except OSError:
    print("false")
`);

describe("peer.py stream servers", () => {
  test("echo (IPv4): a Python client gets its bytes back, --once exits 0", async () => {
    const peer = await startPeer(["echo", "--once"]);
    expect(peer.port).toBeGreaterThan(0);
    expect(peer.path).toBeUndefined();
    const client = spawnPeer([
      "client",
      "--host",
      "127.0.0.1",
      "--port",
      String(peer.port),
      "--send",
      hex("hello, peer"),
    ]);
    expect(await client.result()).toEqual({ received: hex("hello, peer") });
    expect(await peer.exited).toBe(0);
  });

  test("echo: serves connections one after another until --count", async () => {
    const peer = await startPeer(["echo", "--count", "2"]);
    for (const word of ["one", "two"]) {
      const r = runPeer([
        "client",
        "--host",
        "127.0.0.1",
        "--port",
        String(peer.port),
        "--send",
        hex(word),
      ]);
      expect(r.exitCode).toBe(0);
      expect(lastJson(r.stdout)).toEqual({ received: hex(word) });
    }
    expect(await peer.exited).toBe(0);
  });

  test.skipIf(!hasIPv6)("echo --family 6 on ::1", async () => {
    const peer = await startPeer(["echo", "--family", "6", "--once"]);
    const client = spawnPeer([
      "client",
      "--host",
      "::1",
      "--port",
      String(peer.port),
      "--send",
      "00ff",
    ]);
    expect(await client.result()).toEqual({ received: "00ff" });
  });

  test("echo --family unix: READY reports the path", async () => {
    using dir = tmpDir();
    const path = dir.join("e.sock");
    const peer = await startPeer([
      "echo",
      "--family",
      "unix",
      "--path",
      path,
      "--once",
    ]);
    expect(peer.path).toBe(path);
    expect(peer.port).toBe(0);
    const client = spawnPeer([
      "unix-client",
      "--path",
      path,
      "--send",
      hex("unix"),
    ]);
    expect(await client.result()).toEqual({ received: hex("unix") });
    expect(await peer.exited).toBe(0);
  });

  test("sink: reports byte count and sha256 of what the client sent", async () => {
    // --send HEX first, then --send-pattern bytes (too big for one argv string).
    const data = Buffer.concat([Buffer.from("head"), sourcePattern(300_000)]);
    const peer = await startPeer(["sink"]);
    const client = spawnPeer([
      "client",
      "--host",
      "127.0.0.1",
      "--port",
      String(peer.port),
      "--send",
      hex("head"),
      "--send-pattern",
      "300000",
    ]);
    expect(await client.result()).toEqual({ received: "" });
    expect(await peer.result()).toEqual({
      received: data.length,
      sha256: sha256(data),
    });
    expect(await peer.exited).toBe(0);
  });

  test("source: sends N bytes of i % 251, then EOF", async () => {
    const peer = await startPeer(["source", "--bytes", "100000"]);
    const client = spawnPeer([
      "client",
      "--host",
      "127.0.0.1",
      "--port",
      String(peer.port),
    ]);
    const r = await client.result<{ received: string }>();
    expect(Buffer.from(r.received, "hex").equals(sourcePattern(100_000))).toBe(
      true,
    );
    expect(await peer.stdoutRest()).toBe("");
  });

  test("send-then-close: the client reads the bytes then EOF", async () => {
    const peer = await startPeer(["send-then-close", "--data", hex("bye")]);
    const client = spawnPeer([
      "client",
      "--host",
      "127.0.0.1",
      "--port",
      String(peer.port),
    ]);
    expect(await client.result()).toEqual({ received: hex("bye") });
  });

  test("rst: the client's recv fails with ConnectionResetError", async () => {
    const peer = await startPeer(["rst"]);
    const client = spawnPeer([
      "client",
      "--host",
      "127.0.0.1",
      "--port",
      String(peer.port),
      "--no-shutdown",
    ]);
    const r = await client.result();
    expect(r).toMatchObject({ exc: "ConnectionResetError", errno: 104 });
    expect((await client.output()).exitCode).toBe(1);
  });

  test("hold: never answers, so the client's recv times out", async () => {
    const peer = await startPeer(["hold"], { life: 3 });
    const client = spawnPeer([
      "client",
      "--host",
      "127.0.0.1",
      "--port",
      String(peer.port),
      "--no-shutdown",
      "--timeout",
      "0.3",
    ]);
    expect(await client.result()).toMatchObject({
      exc: "TimeoutError",
      errno: null,
    });
    expect(peer.proc.exitCode).toBeNull(); // still holding
  });

  test("--life: a serving peer exits by itself with status 124", async () => {
    const peer = await startPeer(["hold"], { life: 0.3 });
    expect(await peer.exited).toBe(124);
    expect(peer.stderr()).toContain("life ended");
  });

  test("client: a refused connection is reported as JSON, exit 1", async () => {
    const port = python<number>(
      `import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])`,
    );
    // Nobody listens on a port that was only bound by a process that has exited.
    const r = runPeer([
      "client",
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
    ]);
    expect(r.exitCode).toBe(1);
    expect(lastJson(r.stdout)).toMatchObject({
      exc: "ConnectionRefusedError",
      errno: 111,
    });
  });
});

describe("peer.py datagram servers", () => {
  test("udp-echo + udp-client", async () => {
    const peer = await startPeer(["udp-echo", "--count", "1"]);
    const client = spawnPeer([
      "udp-client",
      "--host",
      "127.0.0.1",
      "--port",
      String(peer.port),
      "--send",
      hex("dgram"),
    ]);
    const r = await client.result<{
      received: string;
      from: [string, number];
    }>();
    expect(r.received).toBe(hex("dgram"));
    expect(r.from).toEqual(["127.0.0.1", peer.port]);
    expect(await peer.exited).toBe(0);
  });

  test("unix-dgram-echo + unix-dgram-client", async () => {
    using dir = tmpDir();
    const path = dir.join("d.sock");
    const peer = await startPeer([
      "unix-dgram-echo",
      "--path",
      path,
      "--count",
      "1",
    ]);
    expect(peer.path).toBe(path);
    const client = spawnPeer([
      "unix-dgram-client",
      "--path",
      path,
      "--bind",
      dir.join("c.sock"),
      "--send",
      "0102",
    ]);
    expect(await client.result()).toEqual({ received: "0102", from: path });
  });
});

describe("peer.py signals", () => {
  test("signals USR1 kills a default-disposition `sleep`", async () => {
    const sleeper = Bun.spawn({ cmd: ["sleep", "10"], stdout: "ignore" });
    const r = runPeer([
      "signals",
      "--pid",
      String(sleeper.pid),
      "--signal",
      "USR1",
    ]);
    expect(lastJson(r.stdout)).toEqual({ sent: 1 });
    await sleeper.exited;
    expect(sleeper.signalCode).toBe("SIGUSR1");
  });

  test("signals --count reaches a process that handles them", async () => {
    const counter = Bun.spawn({
      cmd: [
        pythonExe(),
        "-c",
        `
import signal, sys, time
n = 0
def on(sig, frame):
    global n
    n += 1
signal.signal(signal.SIGUSR1, on)
print("armed", flush=True)
end = time.monotonic() + 3
while n < 3 and time.monotonic() < end:
    time.sleep(0.01)
print(n, flush=True)
`,
      ],
      stdout: "pipe",
      stderr: "pipe",
    });
    const reader = counter.stdout.getReader();
    let text = "";
    while (!text.includes("\n")) {
      const c = await reader.read();
      if (c.done) break;
      text += new TextDecoder().decode(c.value);
    }
    expect(text).toStartWith("armed");
    const r = runPeer([
      "signals",
      "--pid",
      String(counter.pid),
      "--signal",
      "SIGUSR1",
      "--count",
      "3",
      "--interval-ms",
      "20",
      "--delay-ms",
      "10",
    ]);
    expect(lastJson(r.stdout)).toEqual({ sent: 3 });
    for (;;) {
      const c = await reader.read();
      if (c.done) break;
      text += new TextDecoder().decode(c.value);
    }
    expect(await counter.exited).toBe(0);
    const got = Number(text.trim().split("\n").at(-1));
    // Standard signals may coalesce: at least one, never more than sent.
    expect(got).toBeGreaterThanOrEqual(1);
    expect(got).toBeLessThanOrEqual(3);
  });

  test("signals to a vanished pid: ProcessLookupError, exit 1", () => {
    const gone = Bun.spawnSync({ cmd: ["true"] }).pid;
    const r = runPeer(["signals", "--pid", String(gone)]);
    expect(r.exitCode).toBe(1);
    expect(lastJson(r.stdout)).toMatchObject({
      exc: "ProcessLookupError",
      sent: 0,
    });
  });
});

describe("helpers", () => {
  test("startPeer rejects with the peer's stderr on a usage error", async () => {
    await expect(startPeer(["echo", "--no-such-flag"])).rejects.toThrow(
      /exited before READY[\s\S]*unrecognized arguments/,
    );
  });

  test("startPeer rejects when a non-server mode prints no READY", async () => {
    await expect(startPeer(["oracle", "--code", "print(1)"])).rejects.toThrow(
      /READY/,
    );
  });

  test("python(): parses stdout as JSON; throws with stderr on failure", () => {
    expect(
      python(
        `import json, socket; print(json.dumps([socket.AF_INET, socket.SOCK_STREAM]))`,
      ),
    ).toEqual([2, 1]);
    expect(() => python(`raise SystemExit("boom")`)).toThrow(/boom/);
    expect(() => python(`print("not json")`)).toThrow(/no JSON/);
  });

  test("oracle(): an escaping exception is the answer", () => {
    const r = oracle(`
a = socket.socket(); a.bind(("127.0.0.1", 0))
socket.socket().connect(a.getsockname())
`);
    expect(r).toMatchObject({ exc: "ConnectionRefusedError", errno: 111 });
    expect(oracle(`print(json.dumps({"ok": socket.AF_UNIX}))`)).toEqual({
      ok: 1,
    });
  });

  test("openFdCount() follows open and close", () => {
    // The garbage collector may close an earlier test's descriptors between two counts (seen in CI: 13 → 11):
    // a round where the count moved by anything but our open and close is measured again.
    const rounds: [number, number, number][] = [];
    for (let i = 0; i < 5; i++) {
      const before = openFdCount();
      const fd = openSync("/dev/null", "r");
      const opened = openFdCount();
      closeSync(fd);
      rounds.push([before, opened, openFdCount()]);
      if (opened === before + 1 && rounds.at(-1)![2] === before) break;
    }
    const [before, opened, closed] = rounds.at(-1)!;
    expect(opened).toBe(before + 1);
    expect(closed).toBe(before);
  });

  test("tmpDir(): short path, cleanup removes it", () => {
    const dir = tmpDir();
    expect(existsSync(dir.path)).toBe(true);
    expect(Buffer.byteLength(dir.join("some.sock"))).toBeLessThan(100);
    dir.cleanup();
    expect(existsSync(dir.path)).toBe(false);
    dir.cleanup(); // twice is fine
  });

  test("runChild: a snippet's output, exit code and args", async () => {
    const r = await runChild(
      `const n: number = 6 * 7; console.log(n, process.argv.slice(1).join(",")); process.exit(3);`,
      { timeoutMs: 5000, args: ["a", "b"] },
    );
    expect(r).toMatchObject({
      stdout: "42 a,b\n",
      exitCode: 3,
      timedOut: false,
    });
  });

  test("runChild: a child that blocks forever is killed by the timer", async () => {
    const t0 = performance.now();
    const r = await runChild(`Bun.sleepSync(60_000);`, 300);
    expect(r.timedOut).toBe(true);
    expect(r.signalCode).toBe("SIGKILL");
    expect(r.exitCode).toBeNull();
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  test("runChildSync: same contract, synchronous", () => {
    expect(runChildSync(`console.log("hi")`, 5000)).toMatchObject({
      stdout: "hi\n",
      exitCode: 0,
      timedOut: false,
    });
    const r = runChildSync(`Bun.sleepSync(60_000);`, 300);
    expect(r).toMatchObject({
      timedOut: true,
      signalCode: "SIGKILL",
      exitCode: null,
    });
  });

  test("a peer stops by itself soon after its parent exits", async () => {
    // The child imports this helper through the repository root (runChild's cwd).
    const r = await runChild(
      `import { startPeer } from "./tests/helpers/peer.ts";
       const peer = await startPeer(["hold"], { life: 20 });
       console.log(peer.proc.pid);
       process.exit(0);`,
      5000,
    );
    expect(r.exitCode).toBe(0);
    const pid = Number(r.stdout.trim());
    expect(pid).toBeGreaterThan(0);
    const gone = (): boolean => {
      try {
        // An orphan may linger as a zombie if pid 1 does not reap: that counts as gone.
        return (
          readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0] === "Z"
        );
      } catch {
        return true;
      }
    };
    const t0 = performance.now();
    while (!gone() && performance.now() - t0 < 2000) await Bun.sleep(20);
    expect(gone()).toBe(true);
  });

  test("killAllPeers() ends running peers", async () => {
    const peer = await startPeer(["hold"]);
    killAllPeers();
    expect(await peer.exited).toBe(128 + 9);
  });
});
