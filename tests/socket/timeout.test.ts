// Timeout mode (settimeout(x > 0)): recv/accept/connect/send/sendall give up with
// TimeoutError("timed out") after about x seconds, sendall has ONE deadline for the whole call,
// and ready data is returned at once. Mostly after CPython's Lib/test/test_timeout.py.
import { afterEach, describe, expect, test } from "bun:test";
import * as socket from "../../src/index.ts";
import { killAllPeers, oracle, startPeer } from "../helpers/peer.ts";
import {
  portOf,
  randomBytes,
  sha256,
  sock,
  tcpListener,
  tcpPair,
  timed,
} from "../helpers/sockets.ts";
import * as errno from "../../src/errno.ts";
import { ORACLE_SAME_OS } from "../helpers/platform.ts";

afterEach(killAllPeers);

/** How late a timeout may fire (scheduling, a loaded CI machine). */
const SLACK = 0.15;

/** Asserts `error` is our own deadline's TimeoutError and `seconds` is within [t, t + slack). */
function expectTimedOut(
  r: { seconds: number; error: socket.OSError | undefined },
  t: number,
  slack = SLACK,
): void {
  expect(r.error).toBeInstanceOf(socket.TimeoutError);
  expect(r.error).toBeInstanceOf(socket.timeout);
  expect(r.error).toBeInstanceOf(socket.OSError);
  expect(r.error!.message).toBe("timed out");
  expect(r.error!.errno).toBeNull();
  expect(r.error!.strerror).toBeNull();
  expect(r.seconds).toBeGreaterThanOrEqual(t);
  expect(r.seconds).toBeLessThan(t + slack);
}

describe("timeouts while waiting to read", () => {
  test("socket.timeout is TimeoutError, as in Python 3.10+", () => {
    expect(socket.timeout).toBe(socket.TimeoutError);
    expect(socket.error).toBe(socket.OSError);
  });

  test("recv on a silent connection raises TimeoutError after the timeout; the socket stays usable (test_timeout testRecvTimeout)", () => {
    const [c, conn] = tcpPair();
    using _c = c;
    using _conn = conn;
    c.settimeout(0.2);
    expectTimedOut(
      timed(() => c.recv(1024)),
      0.2,
    );
    expect(c.gettimeout()).toBe(0.2);
    expect(c.timeout).toBe(0.2);
    expect(c.getblocking()).toBe(true);
    conn.sendall("late");
    expect(c.recv(1024).toString()).toBe("late");
  });

  test("recv_into and recvfrom time out the same way", () => {
    const [c, conn] = tcpPair();
    using _c = c;
    using _conn = conn;
    c.settimeout(0.1);
    expectTimedOut(
      timed(() => c.recv_into(new Uint8Array(16))),
      0.1,
    );
    expectTimedOut(
      timed(() => c.recvfrom(16)),
      0.1,
    );
  });

  test("accept on a listener nobody connects to raises TimeoutError (TCPTimeoutTest.testTCPTimeout)", () => {
    using srv = tcpListener();
    srv.settimeout(0.2);
    expectTimedOut(
      timed(() => srv.accept()),
      0.2,
    );
  });

  test("recvfrom on a UDP socket nobody sends to raises TimeoutError (UDPTimeoutTest.testUDPTimeout)", () => {
    using s = sock(socket.AF_INET, socket.SOCK_DGRAM);
    s.bind(["127.0.0.1", 0]);
    s.settimeout(0.2);
    expectTimedOut(
      timed(() => s.recvfrom(1024)),
      0.2,
    );
  });

  test("data that is already there is returned at once, and the timeout is kept", () => {
    const [c, conn] = tcpPair();
    using _c = c;
    using _conn = conn;
    conn.sendall("ready");
    Bun.sleepSync(10);
    c.settimeout(5);
    const r = timed(() => expect(c.recv(100).toString()).toBe("ready"));
    expect(r.error).toBeUndefined();
    expect(r.seconds).toBeLessThan(0.05);
    expect(c.gettimeout()).toBe(5);
  });

  test("data arriving before the deadline is returned, not a timeout", async () => {
    const peer = await startPeer([
      "send-then-close",
      "--data",
      "6c617465",
      "--delay-ms",
      "150",
    ]);
    using c = sock();
    c.connect(["127.0.0.1", peer.port]);
    c.settimeout(1);
    const t0 = Bun.nanoseconds();
    expect(c.recv(100).toString()).toBe("late");
    const s = (Bun.nanoseconds() - t0) / 1e9;
    expect(s).toBeGreaterThan(0.1);
    expect(s).toBeLessThan(1);
  });
});

describe("timeouts while connecting", () => {
  /** Connects clients (timeout `t`) to a listen(0) listener nobody accepts from until one times out. */
  function fillBacklog(t: number): {
    listener: socket.socket;
    connected: socket.socket[];
    port: number;
  } {
    const listener = tcpListener("127.0.0.1", 0);
    const port = portOf(listener);
    const connected: socket.socket[] = [];
    // Linux queues backlog + 1 connections, then drops SYNs; a few are enough.
    for (let i = 0; i < 4; i++) {
      const c = sock();
      c.settimeout(0.1);
      if (c.connect_ex(["127.0.0.1", port]) !== 0) {
        c.close();
        break;
      }
      connected.push(c);
    }
    return { listener, connected, port };
  }

  test("connect to a listener whose backlog is full raises TimeoutError after the timeout (test_timeout testConnectTimeout)", () => {
    const { listener, connected, port } = fillBacklog(0.1);
    try {
      expect(connected.length).toBeGreaterThanOrEqual(1);
      expect(connected.length).toBeLessThanOrEqual(2);
      using c = sock();
      c.settimeout(0.3);
      expectTimedOut(
        timed(() => c.connect(["127.0.0.1", port])),
        0.3,
      );
    } finally {
      for (const c of connected) c.close();
      listener.close();
    }
  });

  test("connect_ex returns EWOULDBLOCK (11) on a timeout, as CPython (SOCK_TIMEOUT_ERR)", () => {
    const want = !ORACLE_SAME_OS
      ? errno.EWOULDBLOCK
      : oracle<number>(`
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(0)
keep = []
for i in range(4):
    c = socket.socket(); c.settimeout(0.1); keep.append(c)
    r = c.connect_ex(l.getsockname())
    if r: break
print(json.dumps(r))
`);
    expect(want).toBe(errno.EWOULDBLOCK);
    const { listener, connected, port } = fillBacklog(0.1);
    try {
      using c = sock();
      c.settimeout(0.2);
      const t0 = Bun.nanoseconds();
      expect(c.connect_ex(["127.0.0.1", port])).toBe(want);
      expect((Bun.nanoseconds() - t0) / 1e9).toBeGreaterThanOrEqual(0.2);
    } finally {
      for (const c of connected) c.close();
      listener.close();
    }
  });
});

describe("timeouts while sending", () => {
  test("send into a full buffer raises TimeoutError after the timeout (test_timeout testSend)", () => {
    const [c, conn] = tcpPair();
    using _c = c;
    using _conn = conn;
    c.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096);
    c.settimeout(0.2);
    const chunk = Buffer.alloc(65536, 1);
    let sent = 0;
    let r: ReturnType<typeof timed> = { seconds: 0, error: undefined };
    for (let i = 0; i < 10_000 && r.error === undefined; i++)
      r = timed(() => (sent += c.send(chunk)));
    expect(sent).toBeGreaterThan(0);
    expectTimedOut(r, 0.2);
  });

  test("sendall to a peer that never reads (Python hold) raises TimeoutError with bytes_sent > 0", async () => {
    const peer = await startPeer(["hold"]);
    using c = sock();
    c.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096);
    c.connect(["127.0.0.1", peer.port]);
    c.settimeout(0.5);
    const data = Buffer.alloc(4 * 1024 * 1024, 0x5a);
    const r = timed(() => c.sendall(data));
    expectTimedOut(r, 0.5, 0.3);
    expect(r.error!.bytes_sent).toBeGreaterThan(0);
    expect(r.error!.bytes_sent).toBeLessThan(data.length);
  });

  test("sendall's timeout is one deadline for the whole call, not per chunk, although a slow reader keeps taking data", async () => {
    // The sink reads 4 kB every 10 ms: every wait ends well inside 0.5 s, so a per-chunk
    // timeout would never fire and the 8 MB would take about 20 s.
    const peer = await startPeer([
      "sink",
      "--rcvbuf",
      "4096",
      "--chunk",
      "4096",
      "--chunk-delay-ms",
      "10",
    ]);
    using c = sock();
    c.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096);
    c.connect(["127.0.0.1", peer.port]);
    c.settimeout(0.5);
    const data = randomBytes(8 * 1024 * 1024);
    const r = timed(() => c.sendall(data));
    expectTimedOut(r, 0.5, 0.3);
    const sent = r.error!.bytes_sent!;
    expect(sent).toBeGreaterThan(16 * 1024); // progress was made meanwhile
    expect(sent).toBeLessThan(data.length);
    c.close(); // the kernel still delivers what it accepted, then EOF
    expect(await peer.result()).toEqual({
      received: sent,
      sha256: sha256(data.subarray(0, sent)),
    });
  });
});
