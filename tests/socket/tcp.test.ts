// TCP over 127.0.0.1 between our sockets and CPython's (tests/peers/peer.py), and between two of
// ours: data integrity, EOF, shutdown, connection errors, names, SO_REUSEADDR.
import { afterEach, describe, expect, test } from "bun:test";
import * as socket from "../../src/index.ts";
import {
  killAllPeers,
  oracle,
  runChild,
  sourcePattern,
  spawnPeer,
  startPeer,
} from "../helpers/peer.ts";
import {
  hex,
  ipAddr,
  portOf,
  raises,
  randomBytes,
  recvUntilEof,
  sha256,
  sock,
  tcpListener,
  tcpPair,
  excJson,
  type ExcJson,
} from "../helpers/sockets.ts";
import * as errno from "../../src/errno.ts";
import { plat } from "../../src/ffi/index.ts";
import {
  HAS_POSIX_SIGNALS,
  lacks,
  LINUX_ERRNOS,
  NO_POSIX_SIGNALS,
  NO_RESET,
  ORACLE_SAME_OS,
  RESET_REPORTED,
  UNBOUND_GETSOCKNAME,
} from "../helpers/platform.ts";

afterEach(killAllPeers);

/** A port on 127.0.0.1 that refuses connections: bound by a socket that does not listen. */
function refusedPort(): { port: number; holder: socket.socket } {
  const holder = sock();
  holder.bind(["127.0.0.1", 0]);
  return { port: portOf(holder), holder };
}

describe("TCP with a Python peer", () => {
  test("our client and Python's echo server: 100 kB of random bytes come back unchanged", async () => {
    const peer = await startPeer(["echo", "--once"]);
    const data = randomBytes(100_000);
    using c = sock();
    c.connect(["127.0.0.1", peer.port]);
    c.sendall(data);
    c.shutdown(socket.SHUT_WR);
    const back = recvUntilEof(c);
    expect(back.length).toBe(data.length);
    expect(back.equals(data)).toBe(true);
    expect(await peer.exited).toBe(0);
  });

  test("Python's client and our server: what we echo is what it sent", async () => {
    using srv = tcpListener();
    const payload = Buffer.from("from CPython \x00\xff with binary");
    const client = spawnPeer([
      "client",
      "--host",
      "127.0.0.1",
      "--port",
      String(portOf(srv)),
      "--send",
      hex(payload),
      "--send-pattern",
      "50000",
    ]);
    const [conn, addr] = srv.accept();
    conn.settimeout(5);
    const got = recvUntilEof(conn);
    conn.sendall(got);
    conn.close();
    const sent = Buffer.concat([payload, sourcePattern(50_000)]);
    expect(got.equals(sent)).toBe(true);
    expect(ipAddr(addr)[0]).toBe("127.0.0.1");
    expect(await client.result()).toEqual({ received: hex(sent) });
  });

  test("recv of a known message: a short recv, then the rest, then EOF (BasicTCPTest.testOverFlowRecv)", async () => {
    const msg = "Michael Gilfix was here\u1234\r\n";
    const peer = await startPeer(["send-then-close", "--data", hex(msg)]);
    using c = sock();
    c.connect(["127.0.0.1", peer.port]);
    const first = c.recv(7);
    expect(first.toString("latin1")).toBe("Michael");
    let rest = Buffer.alloc(0);
    while (rest.length < Buffer.byteLength(msg) - 7)
      rest = Buffer.concat([rest, c.recv(1024)]);
    expect(Buffer.concat([first, rest]).toString()).toBe(msg);
    expect(c.recv(1024).length).toBe(0);
  });

  test("sendall of 2 MB reaches Python's sink intact (sha256) (BasicTCPTest.testSendAll)", async () => {
    const peer = await startPeer(["sink"]);
    const data = randomBytes(2 * 1024 * 1024);
    using c = sock();
    c.connect(["127.0.0.1", peer.port]);
    expect(c.sendall(data)).toBeUndefined();
    c.close();
    expect(await peer.result()).toEqual({
      received: data.length,
      sha256: sha256(data),
    });
  });

  test("recv from Python's source until EOF: 1 MB of the i % 251 pattern, then b''", async () => {
    const n = 1_000_000;
    const peer = await startPeer(["source", "--bytes", String(n)]);
    using c = sock();
    c.connect(["127.0.0.1", peer.port]);
    const got = recvUntilEof(c, 8192);
    expect(got.length).toBe(n);
    expect(got.equals(sourcePattern(n))).toBe(true);
    const eof = c.recv(100);
    expect(Buffer.isBuffer(eof)).toBe(true);
    expect(eof.length).toBe(0);
  });

  test("recv_into from Python's source fills the caller's buffer", async () => {
    const n = 300_000;
    const peer = await startPeer(["source", "--bytes", String(n)]);
    using c = sock();
    c.connect(["127.0.0.1", peer.port]);
    const buf = new Uint8Array(n + 16); // room left over, so the last call sees EOF
    let off = 0;
    for (;;) {
      const k = c.recv_into(
        buf.subarray(off),
        Math.min(4096, buf.length - off),
      );
      if (k === 0) break;
      off += k;
    }
    expect(off).toBe(n);
    expect(Buffer.from(buf.subarray(0, n)).equals(sourcePattern(n))).toBe(true);
  });

  test("recvfrom on a connected TCP socket returns the data and CPython's address (None on Linux) (BasicTCPTest.testRecvFrom)", async () => {
    // Winsock leaves the address of a connected TCP recvfrom unset, so CPython there (and we) return the
    // family-0 form; the oracle's answer is compared only when its OS is ours.
    const want = !ORACLE_SAME_OS
      ? null
      : oracle<{ addr: unknown; data: string; eof: unknown }>(`
srv = socket.create_server(("127.0.0.1", 0))
c = socket.create_connection(srv.getsockname(), timeout=5)
a, _ = srv.accept()
a.sendall(b"hello")
data, addr = c.recvfrom(1024)
a.close()
_, eof = c.recvfrom(1024)
print(json.dumps({"addr": addr, "data": data.hex(), "eof": eof}))
`);
    if (want)
      expect(want).toEqual({ addr: null, data: hex("hello"), eof: null });

    const peer = await startPeer(["send-then-close", "--data", hex("hello")]);
    using c = sock();
    c.connect(["127.0.0.1", peer.port]);
    const [data, addr] = c.recvfrom(1024);
    expect(data.toString()).toBe("hello");
    if (want) expect(addr).toBe(want.addr as null);
    else expect(addr === null || (addr as unknown[])[0] === 0).toBe(true);
    const [eof, eofAddr] = c.recvfrom(1024);
    expect(eof.length).toBe(0);
    if (want) expect(eofAddr).toBe(want.eof as null);
  });

  test("shutdown(SHUT_WR) lets the peer see EOF while we keep reading (BasicTCPTest.testShutdown)", async () => {
    const peer = await startPeer(["echo", "--once"]);
    using c = sock();
    c.connect(["127.0.0.1", peer.port]);
    c.sendall("half-closed");
    c.shutdown(socket.SHUT_WR);
    // The echo server only closes after it read EOF, so our EOF proves it saw ours.
    expect(recvUntilEof(c).toString()).toBe("half-closed");
    expect(await peer.exited).toBe(0);
    const e = raises(() => c.send("more"));
    expect(e).toBeInstanceOf(socket.BrokenPipeError);
    // EPIPE; Winsock: WSAESHUTDOWN, a BrokenPipeError too.
    expect([errno.EPIPE, errno.ESHUTDOWN]).toContain(e.errno as number);
  });

  test("the peer's close makes recv return an empty Buffer, every time", async () => {
    const peer = await startPeer(["send-then-close", "--data", hex("bye")]);
    using c = sock();
    c.connect(["127.0.0.1", peer.port]);
    expect(recvUntilEof(c).toString()).toBe("bye");
    for (let i = 0; i < 3; i++) {
      const b = c.recv(10);
      expect(Buffer.isBuffer(b)).toBe(true);
      expect(b.length).toBe(0);
    }
  });

  test.skipIf(lacks(RESET_REPORTED, NO_RESET))(
    "a reset from the peer (SO_LINGER 0) makes recv raise ConnectionResetError 104",
    async () => {
      const peer = await startPeer(["rst", "--wait-data"]);
      using c = sock();
      c.connect(["127.0.0.1", peer.port]);
      c.sendall("x");
      const e = raises(() => c.recv(100));
      expect(e).toBeInstanceOf(socket.ConnectionResetError);
      expect(e).toBeInstanceOf(socket.ConnectionError);
      expect(e).toBeInstanceOf(socket.OSError);
      expect(e.errno).toBe(errno.ECONNRESET);
      expect(e.code).toBe("ECONNRESET");
      if (LINUX_ERRNOS)
        expect(e.message).toBe("[Errno 104] Connection reset by peer");
      expect(await peer.exited).toBe(0);
    },
  );
});

describe("TCP connection errors", () => {
  test("connect to a port nobody listens on raises ConnectionRefusedError 111, as CPython (NetworkConnectionNoServer.test_connect)", () => {
    const { port, holder } = refusedPort();
    using _h = holder;
    const want = !ORACLE_SAME_OS
      ? null
      : oracle<ExcJson>(`socket.socket().connect(("127.0.0.1", ${port}))`);
    using c = sock();
    const e = raises(() => c.connect(["127.0.0.1", port]));
    expect(e).toBeInstanceOf(socket.ConnectionRefusedError);
    expect(e).toBeInstanceOf(socket.ConnectionError);
    expect(e).toBeInstanceOf(socket.error);
    if (want) expect(excJson(e)).toEqual(want);
    expect(e.errno).toBe(errno.ECONNREFUSED);
  });

  test("connect_ex to a refused port returns 111 instead of raising", () => {
    const { port, holder } = refusedPort();
    using _h = holder;
    const want = !ORACLE_SAME_OS
      ? errno.ECONNREFUSED
      : oracle<number>(
          `print(json.dumps(socket.socket().connect_ex(("127.0.0.1", ${port}))))`,
        );
    using c = sock();
    expect(c.connect_ex(["127.0.0.1", port])).toBe(want);
    expect(want).toBe(errno.ECONNREFUSED);
    using b = sock(socket.AF_INET, socket.SOCK_STREAM, null); // blocking mode too
    expect(b.connect_ex(["127.0.0.1", port])).toBe(errno.ECONNREFUSED);
  });

  test("connect_ex returns 0 on success", () => {
    using srv = tcpListener();
    using c = sock();
    expect(c.connect_ex(["127.0.0.1", portOf(srv)])).toBe(0);
    const [conn] = srv.accept();
    conn.close();
  });

  test("send after the peer closed raises BrokenPipeError (EPIPE) or ConnectionResetError, and we survive", () => {
    const [c, conn] = tcpPair();
    using _c = c;
    conn.close();
    expect(c.recv(10).length).toBe(0); // the FIN arrived
    let err: socket.OSError | undefined;
    for (let i = 0; i < 50 && err === undefined; i++) {
      try {
        c.send("data after close");
        Bun.sleepSync(5); // let the peer's RST come back
      } catch (e) {
        err = e as socket.OSError;
      }
    }
    expect(err).toBeDefined();
    expect([errno.EPIPE, errno.ECONNRESET]).toContain(err!.errno as number);
    expect(err).toBeInstanceOf(
      err!.errno === errno.EPIPE
        ? socket.BrokenPipeError
        : socket.ConnectionResetError,
    );
    expect(err).toBeInstanceOf(socket.ConnectionError);
  });

  // A child process, so that a SIGPIPE death (MSG_NOSIGNAL missing) cannot take the runner with it.
  // The second run restores SIGPIPE's default action (Bun ignores it), so only MSG_NOSIGNAL saves us.
  const sigpipeChild = (restoreDefault: boolean): string => `
import * as socket from "./src/index.ts";
import { dlopen } from "bun:ffi";
if (${restoreDefault}) {
  const libc = dlopen("libc.so.6", { signal: { args: ["i32", "ptr"], returns: "ptr" } });
  libc.symbols.signal(13, null); // SIG_DFL
}
const srv = socket.socket(); srv.settimeout(5); srv.bind(["127.0.0.1", 0]); srv.listen();
const c = socket.socket(); c.settimeout(5); c.connect(srv.getsockname());
const [conn] = srv.accept(); conn.close();
c.recv(10);
let out = { errno: null, name: null };
for (let i = 0; i < 50; i++) {
  try { c.send("x".repeat(1000)); Bun.sleepSync(5); }
  catch (e) { out = { errno: e.errno, name: e.name }; break; }
}
console.log(JSON.stringify({ ...out, alive: true }));
`;

  for (const restoreDefault of [false, true]) {
    // Restoring SIGPIPE's default needs POSIX signals (and glibc's signal()).
    test.skipIf(restoreDefault && lacks(HAS_POSIX_SIGNALS, NO_POSIX_SIGNALS))(
      `send to a closed peer in a child process: no SIGPIPE death${restoreDefault ? " even with SIGPIPE at SIG_DFL (MSG_NOSIGNAL)" : ""}`,
      async () => {
        const r = await runChild(sigpipeChild(restoreDefault), 10_000);
        expect(r.timedOut).toBe(false);
        expect(r.signalCode).toBeNull();
        expect(r.exitCode).toBe(0);
        const line = JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}") as {
          errno: number;
          name: string;
          alive: boolean;
        };
        expect(line.alive).toBe(true);
        expect([errno.EPIPE, errno.ECONNRESET]).toContain(line.errno);
        expect(["BrokenPipeError", "ConnectionResetError"]).toContain(
          line.name,
        );
      },
    );
  }
});

describe("TCP names and rebinding", () => {
  test("getsockname/getpeername of both ends and accept's address agree (GeneralModuleTests.testSockName)", () => {
    using srv = tcpListener();
    const srvAddr = ipAddr(srv.getsockname());
    expect(srvAddr[0]).toBe("127.0.0.1");
    expect(srvAddr[1]).toBeGreaterThan(0);
    using c = sock();
    // unbound (Winsock: getsockname of an unbound socket fails, as in CPython there)
    if (UNBOUND_GETSOCKNAME) expect(c.getsockname()).toEqual(["0.0.0.0", 0]);
    c.connect(srvAddr);
    const [conn, addr] = srv.accept();
    using _conn = conn;
    expect(c.getpeername()).toEqual(srvAddr);
    expect(conn.getsockname()).toEqual(srvAddr);
    expect(conn.getpeername()).toEqual(c.getsockname());
    expect(addr).toEqual(c.getsockname());
    const mine = ipAddr(c.getsockname());
    expect(mine[0]).toBe("127.0.0.1");
    expect(mine[1]).toBeGreaterThan(0);
    expect(mine[1]).not.toBe(srvAddr[1]);
  });

  test("getpeername on an unconnected socket raises OSError ENOTCONN, as CPython", () => {
    const want = !ORACLE_SAME_OS
      ? null
      : oracle<ExcJson>(`socket.socket().getpeername()`);
    using s = sock();
    const e = raises(() => s.getpeername());
    if (want) expect(excJson(e)).toEqual(want);
    expect(e.errno).toBe(errno.ENOTCONN);
  });

  // Winsock does not refuse a port held by TIME_WAIT (and its SO_REUSEADDR means something else).
  test.skipIf(
    lacks(
      !plat.features.soReuseAddrSteals,
      "Winsock binds a port in TIME_WAIT without SO_REUSEADDR",
    ),
  )(
    "SO_REUSEADDR lets a new listener bind the port of a closed one whose connection is in TIME_WAIT",
    () => {
      let port: number;
      {
        using srv = sock();
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
        srv.bind(["127.0.0.1", 0]);
        srv.listen();
        port = portOf(srv);
        const [c, conn] = tcpPair(srv);
        conn.sendall("x");
        conn.close(); // the server side closes first: its end goes to TIME_WAIT
        expect(c.recv(10).toString()).toBe("x");
        expect(c.recv(10).length).toBe(0);
        c.close();
      }
      Bun.sleepSync(20);
      // Without SO_REUSEADDR, Linux refuses the port while the TIME_WAIT entry exists. The kernel may drop
      // TIME_WAIT entries under load (tcp_max_tw_buckets), so look for ours in /proc/net/tcp first.
      if (timeWaitOn(port)) {
        using plain = sock();
        const e = raises(() => plain.bind(["127.0.0.1", port]));
        expect(e.errno).toBe(98);
        expect(e.message).toBe("[Errno 98] Address already in use");
      }

      using again = sock();
      again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
      again.bind(["127.0.0.1", port]);
      again.listen();
      expect(portOf(again)).toBe(port);
      const [c2, conn2] = tcpPair(again);
      c2.close();
      conn2.close();
    },
  );
});

/** Whether a TIME_WAIT entry (state 06) exists with local port `port` in /proc/net/tcp. */
function timeWaitOn(port: number): boolean {
  const hex = port.toString(16).toUpperCase().padStart(4, "0");
  const text = require("node:fs").readFileSync(
    "/proc/net/tcp",
    "utf8",
  ) as string;
  return text.split("\n").some((l) => {
    const f = l.trim().split(/\s+/);
    return f[1]?.endsWith(`:${hex}`) && f[3] === "06";
  });
}
