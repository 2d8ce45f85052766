// Name resolution and address conversions on every OS, with answers that do not depend on one OS's resolver
// databases: numeric hosts, localhost, the loopback interface, and the error classes. (tests/oracle/dns.test.ts
// compares 300 calls with python3 where the oracle runs on the same OS.)
import { describe, expect, test } from "bun:test";
import * as socket from "../../src/index.ts";

describe("getaddrinfo / getnameinfo", () => {
  test("a numeric IPv4 host with a port gives that sockaddr, AF_INET", () => {
    const list = socket.getaddrinfo(
      "127.0.0.1",
      8080,
      socket.AF_INET,
      socket.SOCK_STREAM,
    );
    expect(list.length).toBeGreaterThanOrEqual(1);
    for (const [family, type, , canon, sa] of list) {
      expect(family).toBe(socket.AF_INET);
      expect(type).toBe(socket.SOCK_STREAM);
      expect(canon).toBe("");
      expect(sa).toEqual(["127.0.0.1", 8080]);
    }
  });

  test("a numeric IPv6 host gives a 4-tuple sockaddr", () => {
    const list = socket.getaddrinfo(
      "::1",
      80,
      socket.AF_INET6,
      socket.SOCK_DGRAM,
      0,
      socket.AI_NUMERICHOST,
    );
    expect(list[0]![0]).toBe(socket.AF_INET6);
    expect(list[0]![4]).toEqual(["::1", 80, 0, 0]);
  });

  test("localhost resolves to a loopback address", () => {
    const list = socket.getaddrinfo("localhost", 80, 0, socket.SOCK_STREAM);
    expect(list.length).toBeGreaterThanOrEqual(1);
    const hosts = list.map((e) => (e[4] as [string, number])[0]);
    expect(hosts.some((h) => h === "127.0.0.1" || h === "::1")).toBe(true);
  });

  test("AI_NUMERICHOST with a name raises gaierror EAI_NONAME (its own code and text on each OS)", () => {
    let err: unknown;
    try {
      socket.getaddrinfo("localhost", 80, 0, 0, 0, socket.AI_NUMERICHOST);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(socket.gaierror);
    expect(err).toBeInstanceOf(socket.OSError);
    const g = err as socket.gaierror;
    expect(g.errno).toBe(socket.EAI_NONAME);
    expect(g.message).toBe(`[Errno ${g.errno}] ${g.strerror}`);
    expect(g.code).toBeUndefined();
  });

  test("getnameinfo with numeric flags echoes the address and port", () => {
    expect(
      socket.getnameinfo(
        ["127.0.0.1", 8080],
        socket.NI_NUMERICHOST | socket.NI_NUMERICSERV,
      ),
    ).toEqual(["127.0.0.1", "8080"]);
  });
});

describe("the netdb functions", () => {
  test("gethostbyname of a literal and of localhost", () => {
    expect(socket.gethostbyname("127.0.0.1")).toBe("127.0.0.1");
    expect(socket.gethostbyname("localhost")).toMatch(/^127\./);
  });

  test("gethostbyname_ex of localhost lists a loopback address", () => {
    const [, , addrs] = socket.gethostbyname_ex("localhost");
    expect(addrs.some((a) => a.startsWith("127."))).toBe(true);
  });

  test("gethostname is a non-empty string", () => {
    expect(socket.gethostname().length).toBeGreaterThan(0);
  });

  test("getprotobyname knows tcp and udp", () => {
    expect(socket.getprotobyname("tcp")).toBe(socket.IPPROTO_TCP);
    expect(socket.getprotobyname("udp")).toBe(socket.IPPROTO_UDP);
    expect(() => socket.getprotobyname("no-such-protocol")).toThrow(
      socket.OSError,
    );
  });
});

describe("address conversions", () => {
  test("inet_pton / inet_ntop round trips", () => {
    for (const [af, text] of [
      [socket.AF_INET, "192.0.2.33"],
      [socket.AF_INET6, "2001:db8::1"],
      [socket.AF_INET6, "::ffff:10.0.0.1"],
    ] as const) {
      expect(socket.inet_ntop(af, socket.inet_pton(af, text))).toBe(text);
    }
    expect(() => socket.inet_pton(socket.AF_INET, "300.1.2.3")).toThrow(
      socket.OSError,
    );
  });

  test("inet_aton / inet_ntoa, including the one address equal to INADDR_NONE", () => {
    expect([...socket.inet_aton("10.1.2.3")]).toEqual([10, 1, 2, 3]);
    expect([...socket.inet_aton("255.255.255.255")]).toEqual([
      255, 255, 255, 255,
    ]);
    expect(socket.inet_ntoa(Buffer.from([192, 0, 2, 1]))).toBe("192.0.2.1");
    expect(() => socket.inet_aton("not an address")).toThrow(socket.OSError);
  });

  test("byte order helpers", () => {
    expect(socket.htons(0x1234)).toBe(0x3412);
    expect(socket.ntohl(socket.htonl(0xdeadbeef))).toBe(0xdeadbeef);
  });
});
