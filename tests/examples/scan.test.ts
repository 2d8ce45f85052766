// examples/scan.ts on loopback ports this test opens: listening ports are "open", bound-but-not-listening
// ones "closed" (the kernel answers with a reset: ECONNREFUSED), and a listener whose accept queue is full
// is "filtered": Linux drops the SYN, so connect_ex runs into the per-port timeout and returns EAGAIN, the
// same errno CPython's connect_ex returns (checked against python3 itself).
import { afterEach, describe, expect, test } from "bun:test";
import * as socket from "../../src/index.ts";
import * as errno from "../../src/errno.ts";
import { python } from "../helpers/peer.ts";
import { bunCmd, killChildren, run } from "./servers.ts";

afterEach(killChildren);

const portOf = (s: socket.socket): number =>
  (s.getsockname() as socket.Inet4Address)[1];

/** Sockets of ours the scanner will find open / closed / filtered; closed by `using`. */
function ports() {
  const owned: socket.socket[] = [];
  const open = [0, 1].map(() => {
    const s = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
    owned.push(s);
    s.bind(["127.0.0.1", 0]);
    s.listen(8); // never accepted: the kernel completes the handshakes by itself
    return portOf(s);
  });
  const closed = [0, 1, 2].map(() => {
    const s = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
    owned.push(s);
    s.bind(["127.0.0.1", 0]); // bound, not listening: connecting is refused, and nobody else takes the port
    return portOf(s);
  });
  // A full accept queue: listen(0) and connections nobody accepts. Linux then drops further SYNs.
  const filtered = [0, 1].map(() => {
    const full = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
    owned.push(full);
    full.bind(["127.0.0.1", 0]);
    full.listen(0);
    for (let i = 0; i < 3; i++) {
      const c = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
      owned.push(c);
      c.setblocking(false);
      c.connect_ex(["127.0.0.1", portOf(full)]); // EINPROGRESS; completes or stays pending, either is fine
    }
    return portOf(full);
  });
  return {
    open,
    closed,
    filtered: filtered[0]!,
    filtered2: filtered[1]!,
    [Symbol.dispose]: () => owned.forEach((s) => s.close()),
  };
}

/** `8080/tcp open` lines of the output, as [port, state]. */
function states(stdout: string): [number, string][] {
  return [...stdout.matchAll(/^(\d+)\/tcp (\w+)/gm)].map((m) => [
    Number(m[1]),
    m[2]!,
  ]);
}

describe("scan.ts on loopback", () => {
  test("open, closed and filtered ports, each found as such; a filtered port costs one timeout", async () => {
    using p = ports();
    const list = [
      p.closed[0]!,
      p.open[0]!,
      p.filtered,
      p.closed[1]!,
      p.open[1]!,
      p.closed[2]!,
    ];
    const r = await run(
      bunCmd("examples/scan.ts", [
        "--timeout",
        "0.4",
        "--all",
        "127.0.0.1",
        list.join(","),
      ]),
    );
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    expect(states(r.stdout.toString())).toEqual([
      [p.closed[0]!, "closed"],
      [p.open[0]!, "open"],
      [p.filtered, "filtered"],
      [p.closed[1]!, "closed"],
      [p.open[1]!, "open"],
      [p.closed[2]!, "closed"],
    ]);
    expect(r.stdout.toString()).toMatch(
      /^Done: 2 open, 3 closed, 1 filtered in \d+\.\d\d s$/m,
    );
    const secs = Number(/in (\d+\.\d+) s$/m.exec(r.stdout.toString())![1]);
    expect(secs).toBeGreaterThanOrEqual(0.39); // the filtered port waited its timeout...
    expect(secs).toBeLessThan(2); // ...and only that one
  });

  test("without --all only open and filtered ports are listed; a range is expanded", async () => {
    using p = ports();
    const lo = Math.min(...p.closed);
    const r = await run(
      bunCmd("examples/scan.ts", [
        "--timeout",
        "0.3",
        "127.0.0.1",
        `${p.open[0]},${lo}-${lo},${p.filtered}`,
      ]),
    );
    expect(r.exitCode).toBe(0);
    expect(states(r.stdout.toString())).toEqual([
      [p.open[0]!, "open"],
      [p.filtered, "filtered"],
    ]);
  });

  test("per-port timeouts add up: two filtered ports take two timeouts; a repeated port is scanned once", async () => {
    using p = ports();
    const r = await run(
      bunCmd("examples/scan.ts", [
        "--timeout",
        "0.3",
        "127.0.0.1",
        `${p.filtered},${p.open[0]},${p.filtered2},${p.filtered}`,
      ]),
    );
    expect(r.exitCode).toBe(0);
    expect(r.stdout.toString()).toMatch(
      /^Scanning 127\.0\.0\.1 \(127\.0\.0\.1\), 3 port\(s\)/,
    );
    expect(states(r.stdout.toString())).toEqual([
      [p.filtered, "filtered"],
      [p.open[0]!, "open"],
      [p.filtered2, "filtered"],
    ]);
    const secs = Number(/in (\d+\.\d+) s$/m.exec(r.stdout.toString())![1]);
    expect(secs).toBeGreaterThanOrEqual(0.59);
    expect(secs).toBeLessThan(2);
  });

  test("connect_ex's answers are CPython's: 0, ECONNREFUSED, and EAGAIN on timeout", () => {
    using p = ports();
    const code = (port: number) =>
      `import socket, json
s = socket.socket(); s.settimeout(0.3)
print(json.dumps(s.connect_ex(("127.0.0.1", ${port}))))`;
    expect(python<number>(code(p.open[0]!))).toBe(0);
    expect(python<number>(code(p.closed[0]!))).toBe(errno.ECONNREFUSED);
    expect(python<number>(code(p.filtered))).toBe(errno.EAGAIN);
  });

  test("bad arguments: usage on stderr, exit status 2", async () => {
    const r1 = await run(bunCmd("examples/scan.ts", ["127.0.0.1"]));
    expect(r1.exitCode).toBe(2);
    expect(r1.stderr).toStartWith("usage:");
    const r2 = await run(bunCmd("examples/scan.ts", ["127.0.0.1", "10-5"]));
    expect(r2.exitCode).toBe(2);
    expect(r2.stderr).toBe('scan: bad port range "10-5"\n');
    const r3 = await run(
      bunCmd("examples/scan.ts", ["no-such-host.invalid", "80"]),
    );
    expect(r3.exitCode).toBe(2);
    expect(r3.stderr).toMatch(/^scan: \[Errno -\d+\] /); // a gaierror (EAI_NONAME, or EAI_AGAIN offline)
  });
});
