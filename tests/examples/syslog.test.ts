// examples/syslog.ts sends to a receiver this test binds where /dev/log would be: an AF_UNIX SOCK_DGRAM socket
// (one datagram per message), or a SOCK_STREAM listener (the fallback Python's SysLogHandler and glibc make,
// NUL-terminated messages). Priorities are checked against Python's SysLogHandler.encodePriority.
import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import * as socket from "../../src/index.ts";
import { python } from "../helpers/peer.ts";
import {
  bunCmd,
  killChildren,
  run,
  spawn,
  stopAll,
  tempDir,
} from "./servers.ts";

afterEach(() => {
  killChildren();
});
afterAll(stopAll);

/** RFC 3164 as glibc's syslog() writes it: `<PRI>Mmm dd hh:mm:ss TAG[PID]: MESSAGE`. */
const LINE =
  /^<(\d+)>([A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d) ([^\[]+)\[(\d+)\]: (.*)$/s;

/** A datagram receiver bound at a fresh path, with a timeout. */
function dgramReceiver(): { sock: socket.socket; path: string } {
  const path = join(tempDir("bs-log-"), "log");
  const sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);
  sock.bind(path);
  sock.settimeout(5);
  return { sock, path };
}

describe("syslog.ts over a Unix datagram socket (what /dev/log is)", () => {
  test("one datagram: <PRI> from facility and level, timestamp, tag[pid], message", async () => {
    const { sock, path } = dgramReceiver();
    using _ = sock;
    const r = await run(
      bunCmd("examples/syslog.ts", [
        "-s",
        path,
        "-p",
        "local3.err",
        "-t",
        "mytag",
        "hello",
        "world",
      ]),
    );
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    const [data, from] = sock.recvfrom(65536);
    const m = LINE.exec(data.toString());
    expect(m).not.toBeNull();
    const pri = python<number>(
      "import json, logging.handlers as h; print(json.dumps(h.SysLogHandler().encodePriority('local3', 'err')))",
    );
    expect(Number(m![1])).toBe(pri); // 19 * 8 + 3 = 155
    expect(m![3]).toBe("mytag");
    expect(Number(m![4])).toBe(r.pid);
    expect(m![5]).toBe("hello world");
    // the sender did not bind a name: recvfrom reports none, as in Python
    expect(from === null || from === "").toBeTrue();
    // the day of month is space-padded, as syslog() does: "Nov  7"
    expect(m![2]).toMatch(/^[A-Z][a-z]{2} ( \d|\d\d) /);
  });

  test("every line of stdin is one datagram; default priority user.notice (13) and tag", async () => {
    const { sock, path } = dgramReceiver();
    using _ = sock;
    const lines = ["first line", "second: ünïcode", "third"];
    const r = await run(bunCmd("examples/syslog.ts", ["-s", path]), {
      stdin: lines.join("\n") + "\n",
    });
    expect(r.exitCode).toBe(0);
    const got = lines.map(() => LINE.exec(sock.recv(65536).toString()));
    expect(got.map((m) => m?.[5])).toEqual(lines);
    expect(got.map((m) => Number(m?.[1]))).toEqual([13, 13, 13]);
    expect(got.map((m) => m?.[3])).toEqual([
      "bun-socket",
      "bun-socket",
      "bun-socket",
    ]);
    sock.setblocking(false);
    expect(() => sock.recv(65536)).toThrow(socket.BlockingIOError); // nothing more
  });

  test("the priorities of Python's SysLogHandler tables", async () => {
    const { sock, path } = dgramReceiver();
    using _ = sock;
    const specs = [
      "kern.emerg",
      "mail.info",
      "auth.warning",
      "daemon.debug",
      "local7.crit",
      "cron.alert",
    ];
    for (const spec of specs) {
      const r = await run(
        bunCmd("examples/syslog.ts", ["-s", path, "-p", spec, "x"]),
      );
      expect(r.exitCode).toBe(0);
    }
    const ours = specs.map(() =>
      Number(LINE.exec(sock.recv(65536).toString())![1]),
    );
    const theirs = python<number[]>(
      `import json, logging.handlers as h; s = h.SysLogHandler()
print(json.dumps([s.encodePriority(*p.split(".")) for p in ${JSON.stringify(specs)}]))`,
    );
    expect(ours).toEqual(theirs);
  });
});

describe("syslog.ts fallbacks and errors", () => {
  test("a SOCK_STREAM listener: falls back to a stream connection, messages end with NUL", async () => {
    const path = join(tempDir("bs-log-"), "log");
    using listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
    listener.bind(path);
    listener.listen(1);
    listener.settimeout(10);
    const child = spawn(
      bunCmd("examples/syslog.ts", ["-s", path, "-t", "streamed"]),
      {
        stdin: "one\ntwo\n",
      },
    );
    // The child runs on its own; this thread blocks in accept()/recv() with a timeout meanwhile.
    const [conn] = listener.accept();
    using _conn = conn;
    conn.settimeout(10);
    const chunks: Buffer[] = [];
    for (;;) {
      const b = conn.recv(65536);
      if (b.length === 0) break;
      chunks.push(b);
    }
    const r = await child.done();
    expect(r.exitCode).toBe(0);
    const text = Buffer.concat(chunks).toString();
    expect(text.endsWith("\0")).toBeTrue();
    const messages = text.slice(0, -1).split("\0");
    expect(messages.map((m) => LINE.exec(m)?.[5])).toEqual(["one", "two"]);
    expect(messages.map((m) => LINE.exec(m)?.[3])).toEqual([
      "streamed",
      "streamed",
    ]);
  });

  test("no socket at the path: ENOENT (Python: FileNotFoundError) on stderr, exit status 1", async () => {
    const path = join(tempDir("bs-log-"), "nothing-here");
    const r = await run(bunCmd("examples/syslog.ts", ["-s", path, "x"]));
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe(
      `syslog: cannot reach ${path}: [Errno 2] No such file or directory\n`,
    );
  });

  test("an unknown priority is an error", async () => {
    const r = await run(
      bunCmd("examples/syslog.ts", [
        "-s",
        "/nonexistent",
        "-p",
        "user.loud",
        "x",
      ]),
    );
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('unknown priority "user.loud"');
  });
});
