// UDP over 127.0.0.1 and ::1 with CPython's peer (tests/peers/peer.py udp-echo / udp-client):
// sendto/recvfrom shapes, sizes and truncation, connected UDP, recvfrom_into, address checks.
import { afterEach, describe, expect, test } from "bun:test";
import * as socket from "../../src/index.ts";
import { killAllPeers, oracle, spawnPeer, startPeer } from "../helpers/peer.ts";
import {
  hex,
  ipAddr,
  portOf,
  raises,
  sock,
  excJson,
  type ExcJson,
} from "../helpers/sockets.ts";
import {
  DATAGRAM_TRUNCATES,
  lacks,
  NO_TRUNCATION,
} from "../helpers/platform.ts";

afterEach(killAllPeers);

const udp = (family: number = socket.AF_INET): socket.socket =>
  sock(family, socket.SOCK_DGRAM);

describe("UDP with Python's udp-echo", () => {
  for (const [label, family, host, from] of [
    [
      "IPv4",
      socket.AF_INET,
      "127.0.0.1",
      (p: number): socket.AddressOut => ["127.0.0.1", p],
    ],
    [
      "IPv6",
      socket.AF_INET6,
      "::1",
      (p: number): socket.AddressOut => ["::1", p, 0, 0],
    ],
  ] as const) {
    test(`sendto/recvfrom round trip over ${label} (BasicUDPTest.testSendtoAndRecv)`, async () => {
      const peer = await startPeer([
        "udp-echo",
        "--family",
        family === socket.AF_INET ? "4" : "6",
      ]);
      using s = udp(family);
      const data = Buffer.from("datagram \x00\xff over " + label, "latin1");
      expect(s.sendto(data, [host, peer.port])).toBe(data.length);
      const [back, addr] = s.recvfrom(1024);
      expect(back.equals(data)).toBe(true);
      expect(addr).toEqual(from(peer.port));
      // sendto bound us implicitly to an ephemeral port on the wildcard address.
      expect(portOf(s)).toBeGreaterThan(0);
    });
  }

  test("both call shapes: sendto(data, address) and sendto(data, flags, address)", async () => {
    const peer = await startPeer(["udp-echo"]);
    using s = udp();
    const to: [string, number] = ["127.0.0.1", peer.port];
    expect(s.sendto("two-arg", to)).toBe(7);
    expect(s.recv(100).toString()).toBe("two-arg");
    expect(s.sendto("three-arg", 0, to)).toBe(9);
    expect(s.recv(100).toString()).toBe("three-arg");
    if (socket.MSG_DONTWAIT === undefined) return; // Winsock has no MSG_DONTWAIT
    expect(s.sendto(new Uint8Array([1, 2, 3]), socket.MSG_DONTWAIT, to)).toBe(
      3,
    );
    expect([...s.recv(100)]).toEqual([1, 2, 3]);
  });

  test("recv and recvfrom return exactly one datagram, of the size sent", async () => {
    const peer = await startPeer(["udp-echo"]);
    using s = udp();
    const to: [string, number] = ["127.0.0.1", peer.port];
    for (const n of [1, 100, 1472, 8192, 65507]) {
      const data = Buffer.alloc(n, n % 256);
      expect(s.sendto(data, to)).toBe(n);
      const [back] = s.recvfrom(65535);
      expect(back.length).toBe(n);
      expect(back.equals(data)).toBe(true);
    }
    // Two datagrams are never merged, even when the buffer has room for both.
    s.sendto("first", to);
    s.sendto("second", to);
    expect(s.recv(1000).toString()).toBe("first");
    expect(s.recv(1000).toString()).toBe("second");
  });

  test("an empty datagram is received as an empty Buffer with the sender's address", async () => {
    const peer = await startPeer(["udp-echo"]);
    using s = udp();
    expect(s.sendto(Buffer.alloc(0), ["127.0.0.1", peer.port])).toBe(0);
    const [data, addr] = s.recvfrom(100);
    expect(data.length).toBe(0);
    expect(addr).toEqual(["127.0.0.1", peer.port]);
  });

  test.skipIf(lacks(DATAGRAM_TRUNCATES, NO_TRUNCATION))(
    "a datagram larger than the recv size is truncated and the rest is dropped",
    async () => {
      const peer = await startPeer(["udp-echo"]);
      using s = udp();
      const to: [string, number] = ["127.0.0.1", peer.port];
      s.sendto(Buffer.alloc(100, 0x41), to);
      s.sendto("next", to);
      const head = s.recv(10);
      expect(head.equals(Buffer.alloc(10, 0x41))).toBe(true);
      // The other 90 bytes are gone: the next read is the next datagram.
      expect(s.recv(1000).toString()).toBe("next");
      s.sendto(Buffer.alloc(50, 0x42), to);
      const [part, addr] = s.recvfrom(5);
      expect(part.equals(Buffer.alloc(5, 0x42))).toBe(true);
      expect(addr).toEqual(to);
    },
  );

  test("connect() on UDP: send/recv without an address, getpeername is the peer", async () => {
    const peer = await startPeer(["udp-echo"]);
    using s = udp();
    s.connect(["127.0.0.1", peer.port]);
    expect(s.getpeername()).toEqual(["127.0.0.1", peer.port]);
    expect(s.send("connected")).toBe(9);
    expect(s.recv(100).toString()).toBe("connected");
    s.sendall("via sendall");
    const [data, addr] = s.recvfrom(100);
    expect(data.toString()).toBe("via sendall");
    expect(addr).toEqual(["127.0.0.1", peer.port]);
  });

  test("recvfrom_into fills the buffer and returns [nbytes, address]; nbytes limits the read", async () => {
    const peer = await startPeer(["udp-echo"]);
    using s = udp();
    const to: [string, number] = ["127.0.0.1", peer.port];
    const buf = new Uint8Array(64);
    s.sendto("0123456789", to);
    const [n, addr] = s.recvfrom_into(buf);
    expect(n).toBe(10);
    expect(Buffer.from(buf.subarray(0, n)).toString()).toBe("0123456789");
    expect(addr).toEqual(to);

    // nbytes below the datagram's size truncates it (Winsock: EMSGSIZE instead).
    if (DATAGRAM_TRUNCATES) {
      buf.fill(0);
      s.sendto("abcdefgh", to);
      const [m, addr2] = s.recvfrom_into(buf, 4);
      expect(m).toBe(4);
      expect(Buffer.from(buf.subarray(0, 5)).toString("latin1")).toBe("abcd\0");
      expect(addr2).toEqual(to);
    }

    const view = new DataView(new ArrayBuffer(8));
    s.sendto("xy", to);
    expect(s.recvfrom_into(view)[0]).toBe(2);
    expect(view.getUint8(0)).toBe(0x78);
    expect(view.getUint8(1)).toBe(0x79);
  });
});

describe("UDP server of ours, Python client", () => {
  test("recvfrom gives the client's address; sendto that address answers it", async () => {
    using s = udp();
    s.bind(["127.0.0.1", 0]);
    const client = spawnPeer([
      "udp-client",
      "--host",
      "127.0.0.1",
      "--port",
      String(portOf(s)),
      "--send",
      hex("ping"),
    ]);
    const [data, addr] = s.recvfrom(1024);
    expect(data.toString()).toBe("ping");
    const from = ipAddr(addr);
    expect(from[0]).toBe("127.0.0.1");
    s.sendto("pong", from);
    expect(await client.result()).toEqual({
      received: hex("pong"),
      from: ["127.0.0.1", portOf(s)],
    });
  });
});

describe("'<broadcast>' (no traffic sent)", () => {
  test("bind and sendto with '<broadcast>' on an AF_INET6 socket raise OSError 'address family mismatched', as CPython", () => {
    const want = oracle<ExcJson>(`
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind(("<broadcast>", 0))
`);
    expect(want).toEqual({
      exc: "OSError",
      errno: null,
      strerror: null,
      msg: "address family mismatched",
    });
    using s6 = udp(socket.AF_INET6);
    for (const call of [
      () => s6.bind(["<broadcast>", 0]),
      () => s6.sendto("x", ["<broadcast>", 9]),
      () => s6.sendto("x", 0, ["255.255.255.255", 9]),
    ]) {
      const e = raises(call);
      expect(e).toBeInstanceOf(socket.OSError);
      expect(excJson(e)).toEqual(want);
    }
  });
});
