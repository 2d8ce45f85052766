// select.select, select.poll and the selectors module on every OS: readiness of real loopback sockets and
// timeouts in seconds, with checks that hold whatever the OS's poll bits are. On Windows the waits are
// Winsock's select() (a failed non-blocking connect shows in its except set; the platform layer reports it
// as POSIX poll does: writable with an error), and selectors' DefaultSelector is a poll-style selector.
import { describe, expect, test } from "bun:test";
import * as errno from "../../src/errno.ts";
import * as socket from "../../src/index.ts";
import * as select from "../../src/select.ts";
import * as selectors from "../../src/selectors.ts";
import { plat } from "../../src/ffi/index.ts";
import { lacks } from "../helpers/platform.ts";
import { portOf, sock, tcpPair } from "../helpers/sockets.ts";

const since = (t0: number): number => (Bun.nanoseconds() - t0) / 1e9;

describe("select.select", () => {
  test("a fresh connection is writable, not readable; data makes it readable", () => {
    const [c, conn] = tcpPair();
    using _c = c;
    using _conn = conn;
    let [r, w, x] = select.select([conn], [c], [conn], 0);
    expect([r, w, x]).toEqual([[], [c], []]);
    c.sendall("x");
    [r, w, x] = select.select([conn], [], [], 2);
    expect(r).toEqual([conn]);
    expect(conn.recv(1).toString()).toBe("x");
  });

  test("the timeout is in seconds: 0.2 waits at least 0.2 s and returns empty lists", () => {
    const [c, conn] = tcpPair();
    using _c = c;
    using _conn = conn;
    const t0 = Bun.nanoseconds();
    const out = select.select([conn], [], [], 0.2);
    expect(out).toEqual([[], [], []]);
    expect(since(t0)).toBeGreaterThanOrEqual(0.19);
    expect(since(t0)).toBeLessThan(2);
  });

  test("plain descriptor numbers work as well as socket objects", () => {
    const [c, conn] = tcpPair();
    using _c = c;
    using _conn = conn;
    c.sendall("x");
    const [r] = select.select([conn.fileno()], [], [], 2);
    expect(r).toEqual([conn.fileno()]);
  });

  test("a listener is readable when a connection waits to be accepted", () => {
    using srv = sock();
    srv.bind(["127.0.0.1", 0]);
    srv.listen();
    expect(select.select([srv], [], [], 0)[0]).toEqual([]);
    using c = sock();
    c.connect(["127.0.0.1", portOf(srv)]);
    expect(select.select([srv], [], [], 2)[0]).toEqual([srv]);
    const [conn] = srv.accept();
    conn.close();
  });

  test("a refused non-blocking connect becomes ready for writing, and SO_ERROR tells why", () => {
    using holder = sock();
    holder.bind(["127.0.0.1", 0]); // bound, not listening: refused
    using c = sock();
    c.setblocking(false);
    const r = c.connect_ex(["127.0.0.1", portOf(holder)]);
    if (r !== errno.ECONNREFUSED) {
      const [, w] = select.select([], [c], [], 5);
      expect(w).toEqual([c]);
      expect(c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)).toBe(
        errno.ECONNREFUSED,
      );
    }
  });

  test("a connect in timeout mode to a refused port raises ConnectionRefusedError, not a timeout", () => {
    using holder = sock();
    holder.bind(["127.0.0.1", 0]);
    using c = sock();
    c.settimeout(5);
    const t0 = Bun.nanoseconds();
    expect(() => c.connect(["127.0.0.1", portOf(holder)])).toThrow(
      socket.ConnectionRefusedError,
    );
    expect(since(t0)).toBeLessThan(4);
  });
});

describe("select.poll", () => {
  test("register, poll(ms): nothing, then POLLIN after data; unregister", () => {
    const [c, conn] = tcpPair();
    using _c = c;
    using _conn = conn;
    const p = select.poll();
    p.register(conn, select.POLLIN);
    expect(p.poll(0)).toEqual([]);
    c.sendall("data");
    const events = p.poll(2000);
    expect(events.length).toBe(1);
    expect(events[0]![0]).toBe(conn.fileno());
    expect(events[0]![1] & select.POLLIN).not.toBe(0);
    p.unregister(conn);
    expect(p.poll(0)).toEqual([]);
  });

  test("POLLOUT on a connected socket at once", () => {
    const [c, conn] = tcpPair();
    using _c = c;
    using _conn = conn;
    const p = select.poll();
    p.register(c, select.POLLOUT);
    const events = p.poll(1000);
    expect(events.map(([fd, ev]) => [fd, (ev & select.POLLOUT) !== 0])).toEqual(
      [[c.fileno(), true]],
    );
  });
});

describe("selectors", () => {
  for (const [name, Cls] of [
    ["DefaultSelector", selectors.DefaultSelector],
    ["SelectSelector", selectors.SelectSelector],
  ] as const) {
    test(`${name}: register, select with a timeout in seconds, modify, unregister`, () => {
      const [c, conn] = tcpPair();
      using _c = c;
      using _conn = conn;
      using sel = new Cls<string>();
      const key = sel.register(conn, selectors.EVENT_READ, "conn");
      expect(key.fd).toBe(conn.fileno());
      const t0 = Bun.nanoseconds();
      expect(sel.select(0.1)).toEqual([]);
      expect(since(t0)).toBeGreaterThanOrEqual(0.09);
      c.sendall("x");
      const ready = sel.select(2);
      expect(ready.length).toBe(1);
      expect(ready[0]![0].data).toBe("conn");
      expect(ready[0]![1]).toBe(selectors.EVENT_READ);
      sel.modify(conn, selectors.EVENT_WRITE, "w");
      const w = sel.select(2);
      expect(w.map(([k, ev]) => [k.data, ev])).toEqual([
        ["w", selectors.EVENT_WRITE],
      ]);
      sel.unregister(conn);
      expect(sel.get_map()?.size).toBe(0);
    });
  }

  test("an echo round trip driven by DefaultSelector (accept, read, write)", () => {
    using srv = sock();
    srv.bind(["127.0.0.1", 0]);
    srv.listen();
    srv.setblocking(false);
    using sel = new selectors.DefaultSelector<string>();
    sel.register(srv, selectors.EVENT_READ, "listener");
    using c = sock();
    c.connect(["127.0.0.1", portOf(srv)]);
    c.sendall("echo me");
    let echoed = "";
    const conns: socket.socket[] = [];
    const deadline = Bun.nanoseconds() + 5e9;
    while (echoed === "" && Bun.nanoseconds() < deadline) {
      for (const [key] of sel.select(1)) {
        const s = key.fileobj as socket.socket;
        if (key.data === "listener") {
          const [conn] = s.accept();
          conn.setblocking(false);
          conns.push(conn);
          sel.register(conn, selectors.EVENT_READ, "conn");
        } else {
          const data = s.recv(100);
          s.sendall(data);
          echoed = c.recv(100).toString();
        }
      }
    }
    for (const s of conns) {
      sel.unregister(s);
      s.close();
    }
    expect(echoed).toBe("echo me");
  });
});

describe("kqueue", () => {
  test.skipIf(
    lacks(
      !plat.features.kqueue,
      "this OS has kqueue (tested by its own suite)",
    ),
  )(
    "select.kqueue() raises OSError ENOSYS where the OS has no kqueue (CPython: no such name)",
    () => {
      const e = (() => {
        try {
          select.kqueue();
        } catch (err) {
          return err as socket.OSError;
        }
        throw new Error("no error");
      })();
      expect(e).toBeInstanceOf(socket.OSError);
      expect(e.errno).toBe(errno.ENOSYS);
    },
  );
});
