// create_connection, create_server and has_dualstack_ipv6 against CPython: each getaddrinfo result tried in
// order, the last error or an ExceptionGroup, timeouts (default, explicit, none), source_address; servers'
// family, options (SO_REUSEADDR, SO_REUSEPORT, IPV6_V6ONLY), dual-stack clients and the bind-error message.
// Follows NetworkConnectionNoServer, NetworkConnectionAttributesTest, ContextManagersTest and
// CreateServerTest/CreateServerFunctionalTest in Lib/test/test_socket.py.
import { afterEach, describe, expect, test } from "bun:test";
import * as socket from "../../src/index.ts";
import { plat } from "../../src/ffi/index.ts";
import {
  killAllPeers,
  oracle,
  newFds,
  openFdSet,
  python,
  spawnPeer,
  startPeer,
  tmpDir,
} from "../helpers/peer.ts";
import {
  excJson,
  type ExcJson,
  hex,
  portOf,
  raises,
  recvUntilEof,
  sock,
  tcpListener,
  TEST_TIMEOUT,
  timed,
} from "../helpers/sockets.ts";

afterEach(() => {
  killAllPeers();
  socket.setdefaulttimeout(null);
});

/** Runs `fn` with `plat.sys.connect` wrapped; returns the address family of each connect(2) call. */
function watchConnect(fn: () => void): number[] {
  const table = plat.sys as unknown as Record<
    "connect",
    (fd: number, addr: Uint8Array, len: number) => number
  >;
  const orig = table.connect;
  const results: number[] = [];
  table.connect = (fd, addr, len) => {
    results.push(addr[0]! | (addr[1]! << 8)); // sa_family_t, little-endian
    return orig(fd, addr, len);
  };
  try {
    fn();
  } finally {
    table.connect = orig;
  }
  return results;
}

/** A loopback TCP port nobody listens on (bound, then closed: nothing accepts there). */
function closedPort(): number {
  using s = socket.socket();
  s.bind(["127.0.0.1", 0]);
  return portOf(s);
}

/** getaddrinfo(None, port, 0, SOCK_STREAM) families in CPython's order (loopback: ::1, then 127.0.0.1). */
function pyNoneHostFamilies(port: number): number[] {
  return python<number[]>(
    `import socket, json; print(json.dumps([int(r[0]) for r in socket.getaddrinfo(None, ${port}, 0, socket.SOCK_STREAM)]))`,
  );
}

describe("create_connection: each address in getaddrinfo order", () => {
  test("host None gives ::1 then 127.0.0.1 here, in the same order as CPython's getaddrinfo", () => {
    const port = closedPort();
    const ours = socket
      .getaddrinfo(null, port, 0, socket.SOCK_STREAM)
      .map((r) => r[0]);
    expect(ours).toEqual(pyNoneHostFamilies(port));
    expect(ours).toEqual([socket.AF_INET6, socket.AF_INET]);
  });

  test("refused on the first address (::1), connected on the second (127.0.0.1) to Python's echo peer", async () => {
    const peer = await startPeer(["echo", "--once"]);
    let s: socket.socket | undefined;
    const connects = watchConnect(() => {
      s = socket.create_connection([null, peer.port], TEST_TIMEOUT);
    });
    using c = s!;
    // two connect(2) calls: the IPv6 one failed, the IPv4 one went through
    expect(connects).toEqual([socket.AF_INET6, socket.AF_INET]);
    expect(c.family).toBe(socket.AF_INET);
    expect(c.getpeername()).toEqual(["127.0.0.1", peer.port]);
    expect(c.gettimeout()).toBe(TEST_TIMEOUT);
    c.sendall("second address");
    c.shutdown(socket.SHUT_WR);
    expect(recvUntilEof(c).toString()).toBe("second address");
    expect(await peer.exited).toBe(0);
  });

  test("all_errors with a later success returns the socket, no error", async () => {
    const peer = await startPeer(["echo", "--once"]);
    using c = socket.create_connection([null, peer.port], TEST_TIMEOUT, null, {
      all_errors: true,
    });
    expect(c.family).toBe(socket.AF_INET);
  });

  test("every address refused: the LAST error is raised, with its errno (test_create_connection)", () => {
    const port = closedPort();
    // source_address 127.0.0.1 makes the ::1 attempt fail differently (at bind), so "last" is visible
    const want = oracle(
      `socket.create_connection((None, ${port}), 5, ("127.0.0.1", 0))`,
    );
    const e = raises(() =>
      socket.create_connection([null, port], 5, ["127.0.0.1", 0]),
    );
    expect(e).toBeInstanceOf(socket.ConnectionRefusedError);
    expect(excJson(e)).toEqual(want as unknown as ExcJson);
  });

  test("all_errors: an ExceptionGroup with one error per address, in order (test_create_connection_all_errors)", () => {
    const port = closedPort();
    const want = python<{ msg: string; errors: [string, number | null][] }>(`
import socket, json
try: socket.create_connection((None, ${port}), 5, ("127.0.0.1", 0), all_errors=True)
except ExceptionGroup as eg:
    print(json.dumps({"msg": str(eg), "errors": [[type(e).__name__, e.errno] for e in eg.exceptions]}))`);
    let eg: unknown;
    try {
      socket.create_connection([null, port], 5, ["127.0.0.1", 0], {
        all_errors: true,
      });
    } catch (e) {
      eg = e;
    }
    expect(eg).toBeInstanceOf(socket.ExceptionGroup);
    expect(eg).toBeInstanceOf(AggregateError);
    const g = eg as socket.ExceptionGroup;
    expect(g.name).toBe("ExceptionGroup");
    expect(g.message).toBe(want.msg);
    expect(g.errors).toEqual([...g.exceptions]);
    expect(
      g.exceptions.map((e) => [e.name, (e as socket.OSError).errno]),
    ).toEqual(want.errors);
    for (const e of g.exceptions) expect(e).toBeInstanceOf(socket.OSError);
  });

  test("all_errors on a single address: a group of one", () => {
    const port = closedPort();
    let eg: unknown;
    try {
      socket.create_connection(["127.0.0.1", port], 5, null, {
        all_errors: true,
      });
    } catch (e) {
      eg = e;
    }
    const g = eg as socket.ExceptionGroup;
    expect(g.exceptions.length).toBe(1);
    expect(g.exceptions[0]).toBeInstanceOf(socket.ConnectionRefusedError);
    expect(g.message).toBe("create_connection failed (1 sub-exception)");
  });

  test("failed attempts leave no descriptor behind", () => {
    const port = closedPort();
    const before = openFdSet();
    for (let i = 0; i < 20; i++)
      raises(() => socket.create_connection([null, port], 5));
    expect(newFds(before)).toEqual([]);
  });
});

describe("create_connection: timeouts and options (NetworkConnectionAttributesTest)", () => {
  /** A listener whose accept queue is full: further SYNs are dropped, so connect() hangs until its timeout. */
  function fullListener(): [socket.socket, socket.socket] {
    const l = tcpListener("127.0.0.1", 0);
    const queued = socket.create_connection(["127.0.0.1", portOf(l)], 5);
    return [l, queued];
  }

  test("a connect that cannot complete raises TimeoutError after the timeout, not recast (test_create_connection_timeout)", () => {
    const [l, queued] = fullListener();
    using _l = l;
    using _q = queued;
    const r = timed(() =>
      socket.create_connection(["127.0.0.1", portOf(l)], 0.4),
    );
    expect(r.error).toBeInstanceOf(socket.TimeoutError);
    expect(r.error!.errno).toBeNull();
    expect(r.error!.message).toBe("timed out");
    expect(r.seconds).toBeGreaterThan(0.35);
    expect(r.seconds).toBeLessThan(2);
  });

  test("without a timeout argument the default timeout applies, to the connect and the socket (testTimeoutDefault)", () => {
    const [l, queued] = fullListener();
    using _l = l;
    using _q = queued;
    socket.setdefaulttimeout(0.4);
    const r = timed(() => socket.create_connection(["127.0.0.1", portOf(l)]));
    expect(r.error).toBeInstanceOf(socket.TimeoutError);
    expect(r.seconds).toBeGreaterThan(0.35);
    expect(r.seconds).toBeLessThan(2);
    using ok = tcpListener();
    socket.setdefaulttimeout(42);
    using c = socket.create_connection(["127.0.0.1", portOf(ok)]);
    expect(c.gettimeout()).toBe(42);
  });

  test("timeout null means blocking even with a default set; a number is used as given (testTimeoutNone, testTimeoutValueNamed/Nonamed)", () => {
    using l = tcpListener();
    const addr: [string, number] = ["127.0.0.1", portOf(l)];
    socket.setdefaulttimeout(30);
    using a = socket.create_connection(addr, null);
    expect(a.gettimeout()).toBeNull();
    socket.setdefaulttimeout(null);
    using b = socket.create_connection(addr, 30);
    expect(b.gettimeout()).toBe(30);
    using c = socket.create_connection(addr);
    expect(c.gettimeout()).toBeNull();
  });

  test("source_address binds the local port; family is AF_INET (testSourceAddress, testFamily)", () => {
    using l = tcpListener();
    const sourcePort = closedPort();
    using c = socket.create_connection(["127.0.0.1", portOf(l)], 5, [
      "",
      sourcePort,
    ]);
    expect((c.getsockname() as [string, number])[1]).toBe(sourcePort);
    expect(c.family).toBe(2);
    const [conn, addr] = l.accept();
    using _conn = conn;
    expect(addr).toEqual(["127.0.0.1", sourcePort]);
  });

  test("`using` closes a create_connection socket; an explicit close inside is fine (testCreateConnectionBase/Close)", async () => {
    const peer = await startPeer(["echo", "--count", "2"]);
    let kept: socket.socket;
    {
      using s = socket.create_connection(
        ["127.0.0.1", peer.port],
        TEST_TIMEOUT,
      );
      kept = s;
      s.sendall("foo");
      expect(s.recv(1024).toString()).toBe("foo");
    }
    expect(kept.fileno()).toBe(-1);
    expect(raises(() => kept.sendall("foo"))).toBeInstanceOf(socket.OSError);
    {
      using s = socket.create_connection(
        ["127.0.0.1", peer.port],
        TEST_TIMEOUT,
      );
      s.close();
      kept = s;
    }
    expect(kept.fileno()).toBe(-1);
  });
});

describe("create_server", () => {
  test("address, family and type; a Python client is served (CreateServerTest.test_address, test_family_and_type)", async () => {
    using srv = socket.create_server(["127.0.0.1", 0]);
    srv.settimeout(TEST_TIMEOUT);
    expect(srv.family).toBe(socket.AF_INET);
    expect(srv.type).toBe(socket.SOCK_STREAM);
    const [host, port] = srv.getsockname() as [string, number];
    expect(host).toBe("127.0.0.1");
    const client = spawnPeer([
      "client",
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "--send",
      hex("hi"),
    ]);
    const [conn] = srv.accept();
    using _c = conn;
    conn.settimeout(TEST_TIMEOUT);
    conn.sendall(recvUntilEof(conn));
    conn.close();
    expect(await client.result()).toEqual({ received: hex("hi") });
  });

  test("sets SO_REUSEADDR as CPython does on POSIX; SO_REUSEPORT only with reuse_port (test_reuse_port)", () => {
    const want = python<[boolean, boolean, boolean]>(`
import socket, json
with socket.create_server(("127.0.0.1", 0)) as a, socket.create_server(("127.0.0.1", 0), reuse_port=True) as b:
    print(json.dumps([a.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR) != 0,
                      a.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) != 0,
                      b.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) != 0]))`);
    using a = socket.create_server(["127.0.0.1", 0]);
    using b = socket.create_server(["127.0.0.1", 0], { reuse_port: true });
    expect([
      a.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR) !== 0,
      a.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) !== 0,
      b.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) !== 0,
    ]).toEqual(want);
    expect(want).toEqual([true, false, true]);
    // two reuse_port servers share one port
    using c = socket.create_server(["127.0.0.1", portOf(b)], {
      reuse_port: true,
    });
    expect(portOf(c)).toBe(portOf(b));
  });

  test("AF_INET6 is IPV6_V6ONLY by default (test_ipv6_only_default); dualstack clears it (test_dualstack_ipv6_family)", () => {
    using v6 = socket.create_server(["::1", 0], { family: socket.AF_INET6 });
    expect(v6.family).toBe(socket.AF_INET6);
    expect(v6.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY)).toBe(1);
    using ds = socket.create_server(["::", 0], {
      family: socket.AF_INET6,
      dualstack_ipv6: true,
    });
    expect(ds.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY)).toBe(0);
  });

  test("a dual-stack server accepts IPv4 and IPv6 Python clients (test_dual_stack_client_v4, test_dual_stack_client_v6)", async () => {
    expect(socket.has_dualstack_ipv6()).toBe(
      python<boolean>(
        "import socket, json; print(json.dumps(socket.has_dualstack_ipv6()))",
      ),
    );
    using srv = socket.create_server(["::", 0], {
      family: socket.AF_INET6,
      dualstack_ipv6: true,
    });
    srv.settimeout(TEST_TIMEOUT);
    const port = portOf(srv);
    for (const host of ["127.0.0.1", "::1"]) {
      const client = spawnPeer([
        "client",
        "--host",
        host,
        "--port",
        String(port),
        "--send",
        hex(host),
      ]);
      const [conn, addr] = srv.accept();
      using _c = conn;
      conn.settimeout(TEST_TIMEOUT);
      // an IPv4 client shows up as an IPv4-mapped IPv6 address
      expect((addr as [string, number, number, number])[0]).toBe(
        host === "::1" ? "::1" : "::ffff:127.0.0.1",
      );
      conn.sendall(recvUntilEof(conn));
      conn.close();
      expect(await client.result()).toEqual({ received: hex(host) });
    }
  });

  test("without dualstack, an IPv6 server refuses IPv4 clients", () => {
    using srv = socket.create_server(["::", 0], { family: socket.AF_INET6 });
    const e = raises(() =>
      socket.create_connection(["127.0.0.1", portOf(srv)], 5),
    );
    expect(e).toBeInstanceOf(socket.ConnectionRefusedError);
  });

  test("a bind error names the address, exactly as CPython's message, and closes the socket", () => {
    using taken = socket.create_server(["127.0.0.1", 0]);
    const port = portOf(taken);
    const want = oracle(`socket.create_server(("127.0.0.1", ${port}))`);
    const before = openFdSet();
    const e = raises(() => socket.create_server(["127.0.0.1", port]));
    expect(newFds(before)).toEqual([]);
    expect(excJson(e)).toEqual(want as unknown as ExcJson);
    expect(e.message).toBe(
      `[Errno ${e.errno}] Address already in use (while attempting to bind on address ('127.0.0.1', ${port}))`,
    );
  });

  test("dualstack_ipv6 with AF_INET is a ValueError, as CPython's", () => {
    const want = oracle(
      `socket.create_server(("127.0.0.1", 0), dualstack_ipv6=True)`,
    );
    const e = raises(() =>
      socket.create_server(["127.0.0.1", 0], { dualstack_ipv6: true }),
    );
    expect(e).toBeInstanceOf(socket.ValueError);
    expect(e.message).toBe(want.msg as string);
  });

  test("backlog is passed to listen; the default timeout applies to the server socket", () => {
    socket.setdefaulttimeout(2);
    using srv = socket.create_server(["127.0.0.1", 0], { backlog: 0 });
    expect(srv.gettimeout()).toBe(2);
    // backlog 0 queues one connection: the next one cannot complete
    using a = socket.create_connection(["127.0.0.1", portOf(srv)], 5);
    expect(
      raises(() => socket.create_connection(["127.0.0.1", portOf(srv)], 0.3)),
    ).toBeInstanceOf(socket.TimeoutError);
  });

  test("AF_UNIX: a server on a path takes a Python unix client", async () => {
    using dir = tmpDir();
    const path = dir.join("srv.sock");
    using srv = socket.create_server(path, { family: socket.AF_UNIX });
    srv.settimeout(TEST_TIMEOUT);
    expect(srv.getsockname()).toBe(path);
    const client = spawnPeer([
      "unix-client",
      "--path",
      path,
      "--send",
      hex("unix"),
    ]);
    const [conn] = srv.accept();
    using _c = conn;
    conn.settimeout(TEST_TIMEOUT);
    conn.sendall(recvUntilEof(conn));
    conn.close();
    expect(await client.result()).toEqual({ received: hex("unix") });
  });
});
