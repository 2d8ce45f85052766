// Non-blocking mode (setblocking(false) == settimeout(0)): calls that would wait raise
// BlockingIOError at once; connect reports EINPROGRESS and finishes in the background.
// After CPython's NonBlockingTCPTests in Lib/test/test_socket.py.
import { describe, expect, test } from "bun:test";
import * as socket from "../../src/index.ts";
import * as errno from "../../src/errno.ts";
import { oracle } from "../helpers/peer.ts";
import {
  INPROGRESS,
  INPROGRESS_CODE,
  LINUX_ERRNOS,
  ORACLE_SAME_OS,
  WOULDBLOCK,
  WOULDBLOCK_CODE,
} from "../helpers/platform.ts";
import {
  portOf,
  raises,
  sock,
  tcpListener,
  tcpPair,
  timed,
  excJson,
  type ExcJson,
} from "../helpers/sockets.ts";

/** Asserts a quick BlockingIOError with `errno`. */
function expectWouldBlock(
  r: { seconds: number; error: socket.OSError | undefined },
  errno = WOULDBLOCK,
): void {
  expect(r.error).toBeInstanceOf(socket.BlockingIOError);
  expect(r.error).toBeInstanceOf(socket.OSError);
  expect(r.error).not.toBeInstanceOf(socket.TimeoutError);
  expect(r.error!.errno).toBe(errno);
  expect(r.seconds).toBeLessThan(0.05);
}

/** Calls `fn` until it stops raising BlockingIOError (1 ms apart, 2 s at most). */
function retryWhileBlocking<T>(fn: () => T): T {
  const deadline = Bun.nanoseconds() + 2e9;
  for (;;) {
    try {
      return fn();
    } catch (e) {
      if (
        !(e instanceof socket.BlockingIOError) ||
        Bun.nanoseconds() > deadline
      )
        throw e;
      Bun.sleepSync(1);
    }
  }
}

describe("setblocking(false)", () => {
  test("setblocking(false) is settimeout(0): getblocking false, gettimeout 0", () => {
    using s = sock();
    s.setblocking(false);
    expect(s.getblocking()).toBe(false);
    expect(s.gettimeout()).toBe(0);
    s.setblocking(true);
    expect(s.getblocking()).toBe(true);
    expect(s.gettimeout()).toBeNull();
  });

  test("accept with nothing pending raises BlockingIOError EAGAIN at once (NonBlockingTCPTests.testAccept, TCPTimeoutTest.testTimeoutZero)", () => {
    // The oracle's numbers and texts are its own OS's: compared only when that is ours.
    const want = !ORACLE_SAME_OS
      ? null
      : oracle<ExcJson>(`
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(); l.setblocking(False)
l.accept()
`);
    using srv = tcpListener();
    srv.setblocking(false);
    const r = timed(() => srv.accept());
    expectWouldBlock(r);
    if (want) expect(excJson(r.error!)).toEqual(want);
    expect(r.error!.code).toBe(WOULDBLOCK_CODE);
  });

  test("accept succeeds once a client connected; the accepted socket is blocking (bpo-7995)", () => {
    using srv = tcpListener();
    srv.setblocking(false);
    using c = sock();
    c.connect(["127.0.0.1", portOf(srv)]);
    const [conn, addr] = retryWhileBlocking(() => srv.accept());
    using _conn = conn;
    expect(addr).toEqual(c.getsockname());
    expect(conn.gettimeout()).toBeNull();
    expect(conn.getblocking()).toBe(true);
  });

  test("recv with no data raises BlockingIOError at once; after data arrives it returns it (NonBlockingTCPTests.testRecv)", () => {
    const [c, conn] = tcpPair();
    using _c = c;
    using _conn = conn;
    c.setblocking(false);
    expectWouldBlock(timed(() => c.recv(100)));
    expectWouldBlock(timed(() => c.recv_into(new Uint8Array(10))));
    expectWouldBlock(timed(() => c.recvfrom(100)));
    conn.sendall("now there is data");
    const got = retryWhileBlocking(() => c.recv(100));
    expect(got.toString()).toBe("now there is data");
    expectWouldBlock(timed(() => c.recv(100)));
    conn.close();
    // EOF is not "would block": an empty Buffer.
    expect(retryWhileBlocking(() => c.recv(100)).length).toBe(0);
  });

  test("UDP recvfrom with nothing queued raises BlockingIOError", () => {
    using s = sock(socket.AF_INET, socket.SOCK_DGRAM);
    s.bind(["127.0.0.1", 0]);
    s.setblocking(false);
    expectWouldBlock(timed(() => s.recvfrom(100)));
    using t = sock(socket.AF_INET, socket.SOCK_DGRAM);
    t.sendto("dgram", ["127.0.0.1", portOf(s)]);
    const [data, addr] = retryWhileBlocking(() => s.recvfrom(100));
    expect(data.toString()).toBe("dgram");
    expect(addr).toEqual(["127.0.0.1", portOf(t)]);
  });
});

describe("non-blocking connect", () => {
  test("connect to a listening port raises BlockingIOError EINPROGRESS, as CPython; SO_ERROR is 0 later and send works", () => {
    using srv = tcpListener();
    const port = portOf(srv);
    const want = !ORACLE_SAME_OS
      ? null
      : oracle<ExcJson>(`
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen()
s = socket.socket(); s.setblocking(False)
s.connect(l.getsockname())
`);
    using c = sock();
    c.setblocking(false);
    const r = timed(() => c.connect(["127.0.0.1", port]));
    // EINPROGRESS; Winsock: WSAEWOULDBLOCK (CPython's SOCK_INPROGRESS_ERR).
    expectWouldBlock(r, INPROGRESS);
    if (want) expect(excJson(r.error!)).toEqual(want);
    expect(r.error!.code).toBe(INPROGRESS_CODE);

    const [conn] = srv.accept(); // the handshake completes without us
    using _conn = conn;
    Bun.sleepSync(10);
    expect(c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)).toBe(0);
    expect(c.getpeername()).toEqual(["127.0.0.1", port]);
    expect(c.send("hello")).toBe(5);
    conn.settimeout(5);
    expect(conn.recv(100).toString()).toBe("hello");
    // Linux (and so CPython): connect again reports 0 once (the pending connect finished),
    // then EISCONN. (Winsock reports WSAEISCONN at once.)
    if (LINUX_ERRNOS) expect(c.connect_ex(["127.0.0.1", port])).toBe(0);
    expect(c.connect_ex(["127.0.0.1", port])).toBe(errno.EISCONN);
    expect(raises(() => c.connect(["127.0.0.1", port])).errno).toBe(
      errno.EISCONN,
    );
  });

  test("connect_ex returns 115 (EINPROGRESS) instead of raising, as CPython", () => {
    const want = !ORACLE_SAME_OS
      ? INPROGRESS
      : oracle<number>(`
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen()
s = socket.socket(); s.setblocking(False)
print(json.dumps(s.connect_ex(l.getsockname())))
`);
    expect(want).toBe(INPROGRESS);
    using srv = tcpListener();
    using c = sock();
    c.setblocking(false);
    expect(c.connect_ex(["127.0.0.1", portOf(srv)])).toBe(want);
    const [conn] = srv.accept();
    conn.close();
  });

  test("a refused non-blocking connect reports ECONNREFUSED through SO_ERROR", () => {
    const holder = sock();
    using _h = holder;
    holder.bind(["127.0.0.1", 0]);
    using c = sock();
    c.setblocking(false);
    const e = c.connect_ex(["127.0.0.1", portOf(holder)]);
    if (e === INPROGRESS) {
      Bun.sleepSync(20);
      expect(c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)).toBe(
        errno.ECONNREFUSED,
      );
    } else {
      expect(e).toBe(errno.ECONNREFUSED);
    }
  });
});

describe("non-blocking send", () => {
  test("send until the buffers fill raises BlockingIOError; bytes went before that", () => {
    const [c, conn] = tcpPair();
    using _c = c;
    using _conn = conn;
    c.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096);
    c.setblocking(false);
    const chunk = Buffer.alloc(65536, 7);
    let sent = 0;
    let err: socket.OSError | undefined;
    const t0 = Bun.nanoseconds();
    for (let i = 0; i < 10_000 && err === undefined; i++) {
      try {
        sent += c.send(chunk);
      } catch (e) {
        err = e as socket.OSError;
      }
    }
    expect((Bun.nanoseconds() - t0) / 1e9).toBeLessThan(1);
    expect(err).toBeInstanceOf(socket.BlockingIOError);
    expect(err!.errno).toBe(WOULDBLOCK);
    expect(sent).toBeGreaterThan(0);
    // sendall in non-blocking mode raises the same, reporting what went.
    const e2 = raises(() => c.sendall(chunk));
    expect(e2).toBeInstanceOf(socket.BlockingIOError);
    expect(e2.bytes_sent).toBeGreaterThanOrEqual(0);
    expect(e2.bytes_sent).toBeLessThan(chunk.length);
    // Once the reader drains, sending works again.
    conn.setblocking(false);
    let drained = 0;
    for (;;) {
      try {
        drained += conn.recv(65536).length;
      } catch {
        break;
      }
    }
    expect(drained).toBeGreaterThan(0);
    expect(retryWhileBlocking(() => c.send("more"))).toBe(4);
  });
});
