// Name resolution, differential: the same calls through python3's socket module and ours, compared exactly.
// Only local names: those in /etc/hosts (files come first in nsswitch), numeric hosts, AI_NUMERICHOST, and
// /etc/services, /etc/protocols. Never a name or a reverse lookup that would reach a DNS server.
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import * as socket from "../../src/index.ts";
import { python } from "../helpers/peer.ts";
import {
  HAS_FD_LIST,
  lacks,
  LINUX_ERRNOS,
  NO_SAME_OS_ORACLE,
  ORACLE_SAME_OS,
} from "../helpers/platform.ts";

/** Names that /etc/hosts maps to IPv4 addresses (so AF_INET/AF_UNSPEC lookups stop at the files backend). */
const hostsNames: string[] = (() => {
  const names = new Set<string>();
  for (const line of readFileSync("/etc/hosts", "utf8").split("\n")) {
    const [ip, ...rest] = line.replace(/#.*/, "").trim().split(/\s+/);
    if (ip && /^\d+\.\d+\.\d+\.\d+$/.test(ip))
      for (const n of rest) names.add(n);
  }
  return [...names];
})();

type Outcome =
  { ok: unknown } | { exc: string; errno: number | null; msg: string };

/** Runs each call as Python source in one python3 process; returns the outcomes. */
function pyOutcomes(calls: string[]): Outcome[] {
  const code = `
import socket, json
def norm(x):
    if isinstance(x, (list, tuple)): return [norm(i) for i in x]
    if isinstance(x, bytes): return list(x)
    if isinstance(x, int): return int(x)
    return x
out = []
for c in ${JSON.stringify(calls)}:
    try:
        out.append({"ok": norm(eval(c))})
    except Exception as e:
        out.append({"exc": type(e).__name__, "errno": getattr(e, "errno", None), "msg": str(e)})
print(json.dumps(out))
`;
  return python<Outcome[]>(code);
}

function ours(f: () => unknown): Outcome {
  try {
    return {
      ok: JSON.parse(
        JSON.stringify(f(), (_k, v) => (Buffer.isBuffer(v) ? [...v] : v)),
      ),
    };
  } catch (e) {
    const err = e as { name: string; errno?: number | null; message: string };
    // Python's UnicodeEncodeError is a ValueError; ours is ValueError with the same text.
    return { exc: err.name, errno: err.errno ?? null, msg: err.message };
  }
}

const S = socket;
const cases: [py: string, js: () => unknown][] = [];
function add(py: string, js: () => unknown) {
  cases.push([py, js]);
}

// getaddrinfo over hosts, ports, families, types and flags.
const hosts: [string, string | null][] = [
  ["'127.0.0.1'", "127.0.0.1"],
  ["'::1'", "::1"],
  ["None", null],
  ...hostsNames.map((n): [string, string] => [`'${n}'`, n]),
];
const ports: [string, string | number | null][] = [
  ["80", 80],
  ["'80'", "80"],
  ["'http'", "http"],
  ["0", 0],
  ["None", null],
  ["70000", 70000],
];
for (const [ph, jh] of hosts)
  for (const [pp, jp] of ports) {
    if (jh === null && jp === null) continue;
    const v6 = jh === "::1";
    for (const fam of v6
      ? ["AF_UNSPEC", "AF_INET6"]
      : ["AF_UNSPEC", "AF_INET"]) {
      for (const typ of ["0", "SOCK_STREAM", "SOCK_DGRAM"]) {
        const flags = jh === null ? "AI_PASSIVE" : "0";
        const py = `socket.getaddrinfo(${ph}, ${pp}, socket.${fam}, ${typ === "0" ? 0 : "socket." + typ}, 0, ${flags === "0" ? 0 : "socket." + flags})`;
        add(py, () =>
          S.getaddrinfo(
            jh,
            jp,
            (S as unknown as Record<string, number>)[fam],
            typ === "0" ? 0 : (S as unknown as Record<string, number>)[typ],
            0,
            flags === "0" ? 0 : S.AI_PASSIVE,
          ),
        );
      }
    }
  }
for (const n of hostsNames) {
  add(
    `socket.getaddrinfo('${n}', 80, socket.AF_INET, socket.SOCK_STREAM, 0, socket.AI_CANONNAME)`,
    () => S.getaddrinfo(n, 80, S.AF_INET, S.SOCK_STREAM, 0, S.AI_CANONNAME),
  );
  add(`socket.gethostbyname('${n}')`, () => S.gethostbyname(n));
  add(`socket.gethostbyname_ex('${n}')`, () => S.gethostbyname_ex(n));
}
add(
  "socket.getaddrinfo('127.0.0.1', 80, socket.AF_INET, socket.SOCK_STREAM, 0, socket.AI_CANONNAME)",
  () =>
    S.getaddrinfo("127.0.0.1", 80, S.AF_INET, S.SOCK_STREAM, 0, S.AI_CANONNAME),
);
// Errors: gaierror codes and CPython's argument errors.
add(
  "socket.getaddrinfo('127.0.0.1', 'http', 0, 0, 0, socket.AI_NUMERICSERV)",
  () => S.getaddrinfo("127.0.0.1", "http", 0, 0, 0, S.AI_NUMERICSERV),
);
add("socket.getaddrinfo('localhost', 80, 0, 0, 0, socket.AI_NUMERICHOST)", () =>
  S.getaddrinfo("localhost", 80, 0, 0, 0, S.AI_NUMERICHOST),
);
add("socket.getaddrinfo('127.0.0.1', 'nosuchservice')", () =>
  S.getaddrinfo("127.0.0.1", "nosuchservice"),
);
add("socket.getaddrinfo(None, None)", () => S.getaddrinfo(null, null));
add("socket.getaddrinfo('', 80)", () => S.getaddrinfo("", 80));
add("socket.getaddrinfo('127.0.0.1', -1)", () =>
  S.getaddrinfo("127.0.0.1", -1),
);
add("socket.getaddrinfo('127.0.0.1', 80, 12345)", () =>
  S.getaddrinfo("127.0.0.1", 80, 12345),
);
add("socket.getaddrinfo(1, 80)", () =>
  S.getaddrinfo(1 as unknown as string, 80),
);
add("socket.getaddrinfo('127.0.0.1', 1.5)", () =>
  S.getaddrinfo("127.0.0.1", 1.5),
);
add("socket.getaddrinfo(b'127.0.0.1', b'80')", () =>
  S.getaddrinfo(Buffer.from("127.0.0.1"), Buffer.from("80")),
);
// getnameinfo: numeric, and names from /etc/hosts and /etc/services.
add(
  "socket.getnameinfo(('127.0.0.1', 80), socket.NI_NUMERICHOST | socket.NI_NUMERICSERV)",
  () => S.getnameinfo(["127.0.0.1", 80], S.NI_NUMERICHOST | S.NI_NUMERICSERV),
);
add("socket.getnameinfo(('127.0.0.1', 80), 0)", () =>
  S.getnameinfo(["127.0.0.1", 80], 0),
);
add("socket.getnameinfo(('127.0.0.1', 53), socket.NI_DGRAM)", () =>
  S.getnameinfo(["127.0.0.1", 53], S.NI_DGRAM),
);
add("socket.getnameinfo(('::1', 443, 0, 0), socket.NI_NUMERICHOST)", () =>
  S.getnameinfo(["::1", 443, 0, 0], S.NI_NUMERICHOST),
);
add("socket.getnameinfo('127.0.0.1', 0)", () =>
  S.getnameinfo("127.0.0.1" as unknown as unknown[], 0),
);
add("socket.getnameinfo(('127.0.0.1', 80, 0, 0), 0)", () =>
  S.getnameinfo(["127.0.0.1", 80, 0, 0], 0),
);
add("socket.getnameinfo(('::1', 80, 2**20, 0), socket.NI_NUMERICHOST)", () =>
  S.getnameinfo(["::1", 80, 2 ** 20, 0], S.NI_NUMERICHOST),
);
add("socket.getnameinfo(('localhost', 80), 0)", () =>
  S.getnameinfo(["localhost", 80], 0),
);
// gethostbyaddr on addresses /etc/hosts names.
add("socket.gethostbyaddr('127.0.0.1')", () => S.gethostbyaddr("127.0.0.1"));
add("socket.gethostbyname('127.1')", () => S.gethostbyname("127.1"));
add("socket.gethostbyname_ex('127.0.0.1')", () =>
  S.gethostbyname_ex("127.0.0.1"),
);
add("socket.gethostname()", () => S.gethostname());
add("socket.getfqdn()", () => S.getfqdn());
add("socket.getfqdn('localhost')", () => S.getfqdn("localhost"));
add("socket.getfqdn('0.0.0.0')", () => S.getfqdn("0.0.0.0"));
// Services and protocols.
for (const svc of ["http", "https", "ssh", "domain", "smtp", "ntp"])
  for (const proto of ["None", "'tcp'", "'udp'"])
    add(`socket.getservbyname('${svc}', ${proto})`, () =>
      S.getservbyname(
        svc,
        proto === "None" ? (null as unknown as string) : proto.slice(1, -1),
      ),
    );
for (const port of [1, 7, 22, 25, 53, 80, 123, 443, 65535])
  for (const proto of ["None", "'tcp'", "'udp'"])
    add(`socket.getservbyport(${port}, ${proto})`, () =>
      S.getservbyport(
        port,
        proto === "None" ? (null as unknown as string) : proto.slice(1, -1),
      ),
    );
for (const svc of ["http", "domain"])
  add(`socket.getservbyname('${svc}')`, () => S.getservbyname(svc));
for (const port of [22, 53, 80])
  add(`socket.getservbyport(${port})`, () => S.getservbyport(port));
add("socket.getservbyport(70000)", () => S.getservbyport(70000));
add("socket.getservbyport(-1)", () => S.getservbyport(-1));
add("socket.getservbyname('nosuchservice')", () =>
  S.getservbyname("nosuchservice"),
);
for (const p of ["tcp", "udp", "icmp", "ipv6", "nosuchproto"])
  add(`socket.getprotobyname('${p}')`, () => S.getprotobyname(p));
// Interfaces.
add("socket.if_nameindex()", () => S.if_nameindex());
add("socket.if_nametoindex('lo')", () => S.if_nametoindex("lo"));
add("socket.if_nametoindex('nosuch0')", () => S.if_nametoindex("nosuch0"));
add("socket.if_indextoname(1)", () => S.if_indextoname(1));
add("socket.if_indextoname(999999)", () => S.if_indextoname(999999));
add("socket.if_indextoname(-1)", () => S.if_indextoname(-1));

// The oracle's resolver answers are its OS's (Linux python3 under Wine): compared only when that is ours.
describe.skipIf(lacks(ORACLE_SAME_OS, NO_SAME_OS_ORACLE))(
  "name resolution matches python3 exactly",
  () => {
    const expected = ORACLE_SAME_OS ? pyOutcomes(cases.map(([py]) => py)) : [];
    test(`${cases.length} calls: results, ordering, canonname and errors`, () => {
      const mismatches: string[] = [];
      cases.forEach(([py, js], i) => {
        const got = ours(js);
        const want = expected[i]!;
        if (JSON.stringify(got) !== JSON.stringify(want))
          mismatches.push(
            `${py}\n  python: ${JSON.stringify(want)}\n  ours:   ${JSON.stringify(got)}`,
          );
      });
      expect(mismatches).toEqual([]);
      expect(cases.length).toBeGreaterThan(150);
    });
  },
);

describe("name resolution in socket methods", () => {
  test("connect and bind resolve /etc/hosts names with the socket's family (first result)", () => {
    using srv = socket.socket();
    srv.settimeout(5);
    srv.bind(["localhost", 0]);
    srv.listen();
    const [host, port] = srv.getsockname() as [string, number];
    expect(host).toBe("127.0.0.1");
    using c = socket.socket();
    c.settimeout(5);
    c.connect(["localhost", port]);
    const [conn] = srv.accept();
    conn.close();
  });
  test("a non-numeric host that fails to resolve raises gaierror before any connect", () => {
    using c = socket.socket(socket.AF_INET6);
    c.settimeout(1);
    // An IPv4 literal on an AF_INET6 socket goes through getaddrinfo(AF_INET6) with a numeric host: no DNS.
    let err: unknown;
    try {
      c.connect(["127.0.0.1", 80]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(socket.gaierror);
    // EAI_ADDRFAMILY where the resolver has it (not Winsock).
    if (socket.EAI_ADDRFAMILY !== undefined)
      expect((err as socket.gaierror).errno).toBe(socket.EAI_ADDRFAMILY);
    expect(c.fileno()).toBeGreaterThan(0);
  });
  test("a label of 64 characters is CPython 3.13's UnicodeEncodeError (a ValueError), before any lookup", () => {
    // python3 here is 3.11, whose idna codec words this differently; 3.13 is the reference.
    expect(() =>
      socket.getaddrinfo(
        "a".repeat(64) + ".com",
        80,
        0,
        0,
        0,
        socket.AI_NUMERICHOST,
      ),
    ).toThrow(
      new socket.ValueError(
        "'idna' codec can't encode characters in position 0-63: label too long",
      ),
    );
    expect(() =>
      socket.getaddrinfo("a..b", 80, 0, 0, 0, socket.AI_NUMERICHOST),
    ).toThrow(
      "'idna' codec can't encode character '.' in position 2: label empty",
    );
  });
  test("gaierror and herror are OSError subclasses with the EAI_* / h_errno value", () => {
    try {
      socket.getaddrinfo("localhost", 80, 0, 0, 0, socket.AI_NUMERICHOST);
      throw new Error("no error");
    } catch (e) {
      expect(e).toBeInstanceOf(socket.gaierror);
      expect(e).toBeInstanceOf(socket.OSError);
      expect((e as socket.gaierror).errno).toBe(socket.EAI_NONAME);
      // glibc's text; Windows: "[Errno 11001] getaddrinfo failed", as CPython there.
      if (LINUX_ERRNOS)
        expect((e as Error).message).toBe(
          "[Errno -2] Name or service not known",
        );
    }
  });
  test("100,000 getaddrinfo calls leave the open-fd count and RSS flat (freeaddrinfo always runs)", () => {
    // Counting descriptors needs sockets to be fds in /proc/self/fd (under Wine it lists Wine's own).
    const fds = () => (HAS_FD_LIST ? readdirSync("/proc/self/fd").length : 0);
    for (let i = 0; i < 10_000; i++)
      socket.getaddrinfo("127.0.0.1", 80, 0, socket.SOCK_STREAM);
    Bun.gc(true);
    const fdBefore = fds();
    const rssBefore = process.memoryUsage.rss();
    for (let i = 0; i < 100_000; i++)
      socket.getaddrinfo("127.0.0.1", 80, 0, socket.SOCK_STREAM);
    Bun.gc(true);
    expect(fds()).toBe(fdBefore);
    // A leaked addrinfo list is ~100 bytes a call: 100,000 leaks would add ~10 MB.
    expect(process.memoryUsage.rss() - rssBefore).toBeLessThan(8 * 1024 * 1024);
  });
});
