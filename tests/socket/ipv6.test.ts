// AF_INET6 over ::1 with CPython's peer: 4-tuple addresses, IPV6_V6ONLY and v4-mapped addresses
// (bound to ::ffff:127.0.0.1 only, never the wildcard), and an IPv4 literal on an IPv6 socket.
import { afterEach, describe, expect, test } from "bun:test";
import * as socket from "../../src/index.ts";
import { killAllPeers, oracle, spawnPeer, startPeer } from "../helpers/peer.ts";
import {
  hex,
  portOf,
  raises,
  randomBytes,
  recvUntilEof,
  sock,
  tcpListener,
  excJson,
  type ExcJson,
} from "../helpers/sockets.ts";
import * as errno from "../../src/errno.ts";
import { LINUX_ERRNOS, ORACLE_SAME_OS } from "../helpers/platform.ts";

afterEach(killAllPeers);

const tcp6 = (): socket.socket => sock(socket.AF_INET6);

describe("TCP over ::1", () => {
  test("has_ipv6 is true and ::1 is usable here", () => {
    expect(socket.has_ipv6).toBe(true);
    using s = tcp6();
    s.bind(["::1", 0]);
    expect(s.family).toBe(socket.AF_INET6);
  });

  test("our client and Python's echo server over ::1: bytes come back, names are 4-tuples", async () => {
    const peer = await startPeer(["echo", "--once", "--family", "6"]);
    using c = tcp6();
    c.connect(["::1", peer.port]); // a 2-tuple is accepted on input
    expect(c.getpeername()).toEqual(["::1", peer.port, 0, 0]);
    const me = c.getsockname();
    expect(Array.isArray(me) && me.length).toBe(4);
    expect(me).toEqual(["::1", expect.any(Number), 0, 0]);
    const data = randomBytes(50_000);
    c.sendall(data);
    c.shutdown(socket.SHUT_WR);
    expect(recvUntilEof(c).equals(data)).toBe(true);
    expect(await peer.exited).toBe(0);
  });

  test("Python's client over ::1 and our server: accept returns [host, port, flowinfo, scope_id]", async () => {
    using srv = tcpListener("::1");
    expect(srv.getsockname()).toEqual(["::1", portOf(srv), 0, 0]);
    const client = spawnPeer([
      "client",
      "--host",
      "::1",
      "--port",
      String(portOf(srv)),
      "--send",
      hex("v6"),
    ]);
    const [conn, addr] = srv.accept();
    using _conn = conn;
    expect(addr).toEqual(["::1", expect.any(Number), 0, 0]);
    expect(conn.getpeername()).toEqual(addr);
    conn.settimeout(5);
    conn.sendall(recvUntilEof(conn));
    conn.close();
    expect(await client.result()).toEqual({ received: hex("v6") });
  });

  test("input addresses may have 2, 3 or 4 elements; flowinfo and scope_id default to 0", () => {
    using a = tcp6();
    a.bind(["::1", 0, 0]);
    a.listen();
    const port = portOf(a);
    using b = tcp6();
    b.bind(["::1", 0, 0, 0]);
    expect(b.getsockname()).toEqual(["::1", expect.any(Number), 0, 0]);
    b.connect(["::1", port, 0, 0]);
    const [conn] = a.accept();
    conn.close();
  });

  test("flowinfo out of range raises OverflowError, as CPython (GeneralModuleTests.test_flowinfo)", () => {
    const want = oracle<ExcJson>(
      `socket.socket(socket.AF_INET6).bind(("::1", 0, 0xfffff + 1))`,
    );
    using s = tcp6();
    const e = raises(() => s.bind(["::1", 0, 0xfffff + 1]));
    expect(e).toBeInstanceOf(socket.OverflowError);
    expect({ exc: e.name, msg: e.message }).toEqual({
      exc: want.exc,
      msg: want.msg,
    });
  });
});

describe("IPV6_V6ONLY and v4-mapped addresses", () => {
  test("IPV6_V6ONLY reads as CPython reads it by default, and set-then-get round-trips", () => {
    // The default is the OS's (Linux 0, Windows 1): compared with the oracle only when its OS is ours.
    const want = !ORACLE_SAME_OS
      ? null
      : oracle<number>(
          `print(socket.socket(socket.AF_INET6).getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY))`,
        );
    using s = tcp6();
    if (want !== null)
      expect(s.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY)).toBe(want);
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1);
    expect(s.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY)).toBe(1);
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0);
    expect(s.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY)).toBe(0);
  });

  test("with IPV6_V6ONLY 0, an IPv6 listener on ::ffff:127.0.0.1 accepts an IPv4 client", () => {
    using srv = tcp6();
    srv.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0);
    srv.bind(["::ffff:127.0.0.1", 0]);
    srv.listen();
    const port = portOf(srv);
    expect(srv.getsockname()).toEqual(["::ffff:127.0.0.1", port, 0, 0]);
    using c = sock(socket.AF_INET);
    c.connect(["127.0.0.1", port]);
    const [conn, addr] = srv.accept();
    using _conn = conn;
    expect(addr).toEqual(["::ffff:127.0.0.1", expect.any(Number), 0, 0]);
    expect(addr).toEqual(["::ffff:127.0.0.1", portOf(c), 0, 0]);
    c.sendall("mapped");
    conn.settimeout(5);
    expect(conn.recv(100).toString()).toBe("mapped");
  });

  test("with IPV6_V6ONLY 1, binding a v4-mapped address fails with EINVAL, as CPython", () => {
    const want = !ORACLE_SAME_OS
      ? null
      : oracle<ExcJson>(`
s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
s.bind(("::ffff:127.0.0.1", 0))
`);
    using s = tcp6();
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1);
    const e = raises(() => s.bind(["::ffff:127.0.0.1", 0]));
    expect(e).toBeInstanceOf(socket.OSError);
    if (want) expect(excJson(e)).toEqual(want);
    // EINVAL (Winsock: WSAEINVAL, 10022).
    if (LINUX_ERRNOS) expect(e.errno).toBe(errno.EINVAL);
  });

  test("an AF_INET6 socket connecting to '127.0.0.1' raises what CPython raises (gaierror EAI_ADDRFAMILY)", () => {
    const { port, holder } = (() => {
      const h = tcpListener();
      return { port: portOf(h), holder: h };
    })();
    using _h = holder;
    // The resolver's code and text are the OS's: compared with the oracle only when its OS is ours.
    const same = ORACLE_SAME_OS;
    const want = !same
      ? null
      : oracle<ExcJson>(`
s = socket.socket(socket.AF_INET6)
s.settimeout(5)
s.connect(("127.0.0.1", ${port}))
`);
    const wantEx = !same
      ? null
      : oracle<ExcJson>(`
s = socket.socket(socket.AF_INET6)
s.settimeout(5)
s.connect_ex(("127.0.0.1", ${port}))
`);
    using s = tcp6();
    for (const [call, expected] of [
      [() => s.connect(["127.0.0.1", port]), want],
      [() => s.connect_ex(["127.0.0.1", port]), wantEx],
    ] as const) {
      const e = raises(call);
      expect(e).toBeInstanceOf(socket.OSError);
      if (expected) expect(excJson(e)).toEqual(expected);
    }
    // On glibc: gaierror(-9, 'Address family for hostname not supported').
    if (want) expect(want.exc).toBe("gaierror");
    expect(raises(() => s.connect(["127.0.0.1", port]))).toBeInstanceOf(
      socket.gaierror,
    );
  });
});
