// Differential tests of the byte-order and address-text conversions against python3 on this
// machine: one Python run computes every expected result, we compare JSON exactly (values, and
// exception class + message for the failures). Follows GeneralModuleTests.testNtoH,
// testIPv4toString, testIPv6toString, testStringToIPv4, testStringToIPv6.
import { describe, expect, test } from "bun:test";
import * as socket from "../../src/index.ts";
import { python } from "../helpers/peer.ts";
import {
  lacks,
  NO_SAME_OS_ORACLE,
  ORACLE_SAME_OS,
} from "../helpers/platform.ts";

/** One call's outcome: a value (bytes as hex), or the exception's Python class and str(). */
type Outcome = { ok: number | string } | { exc: string; msg: string };

function outcome(fn: () => number | string | Uint8Array): Outcome {
  try {
    const v = fn();
    return { ok: v instanceof Uint8Array ? Buffer.from(v).toString("hex") : v };
  } catch (e) {
    const err = e as Error;
    return { exc: err.name, msg: err.message };
  }
}

// Python side: the same calls, same encoding. `ntop` inputs are hex strings.
const PY_HELPERS = `
import json, socket
def outcome(f, *a):
    try:
        v = f(*a)
        return {"ok": v.hex() if isinstance(v, bytes) else v}
    except Exception as e:
        return {"exc": type(e).__name__, "msg": str(e)}
`;

function pyRun<T>(inputs: unknown, body: string): T {
  return python<T>(
    `${PY_HELPERS}\ninputs = json.loads(${JSON.stringify(JSON.stringify(inputs))})\n${body}`,
  );
}

/** A small deterministic PRNG (mulberry32) for reproducible "random" inputs. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("htons / ntohs / htonl / ntohl", () => {
  const rand = rng(1);
  const shorts = [
    0,
    1,
    2,
    0xff,
    0x100,
    0x1234,
    0x7fff,
    0x8000,
    0xfffe,
    0xffff,
    -1,
    0x10000,
    2 ** 31 - 1,
    -(2 ** 31),
  ];
  const longs = [
    0,
    1,
    0xff,
    0x100,
    0xffff,
    0x10000,
    0x01234567,
    0x76543210,
    0x7fffffff,
    0x80000000,
    0xfffffffe,
    0xffffffff,
    -1,
    -2,
    2 ** 32,
    2 ** 34,
  ];
  for (let i = 0; i < 40; i++) {
    shorts.push(Math.floor(rand() * 0x10000));
    longs.push(Math.floor(rand() * 0x100000000));
  }
  const expected = pyRun<Record<string, Outcome[]>>(
    { shorts, longs },
    `
out = {}
for name in ("htons", "ntohs"):
    out[name] = [outcome(getattr(socket, name), v) for v in inputs["shorts"]]
for name in ("htonl", "ntohl"):
    out[name] = [outcome(getattr(socket, name), v) for v in inputs["longs"]]
print(json.dumps(out))
`,
  );

  for (const name of ["htons", "ntohs"] as const)
    test(`${name} over ${shorts.length} values equals Python's`, () => {
      expect(shorts.map((v) => outcome(() => socket[name](v)))).toEqual(
        expected[name]!,
      );
    });
  for (const name of ["htonl", "ntohl"] as const)
    test(`${name} over ${longs.length} values equals Python's`, () => {
      expect(longs.map((v) => outcome(() => socket[name](v)))).toEqual(
        expected[name]!,
      );
    });

  test("each is its own inverse over the low 16/32 bits (testNtoH)", () => {
    for (const v of [0, 1, 0xffff, 2, 0x4567, 0x3210]) {
      expect(socket.ntohs(socket.htons(v))).toBe(v);
      expect(socket.htons(socket.ntohs(v))).toBe(v);
    }
    for (const v of [0, 1, 0xffff, 2, 0x01234567, 0x76543210, 0xffffffff]) {
      expect(socket.ntohl(socket.htonl(v))).toBe(v);
      expect(socket.htonl(socket.ntohl(v))).toBe(v);
    }
    expect(socket.htons(0xffff)).toBe(0xffff);
    expect(socket.htonl(0xffffffff)).toBe(0xffffffff);
  });

  test("htons/ntohs beyond C int raise CPython 3.13's message (3.11 words it differently)", () => {
    for (const fn of [socket.htons, socket.ntohs])
      for (const v of [2 ** 34, -(2 ** 31) - 1]) {
        let err: unknown;
        try {
          fn(v);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(socket.OverflowError);
        expect((err as Error).message).toBe(
          "Python int too large to convert to C int",
        );
      }
  });

  test("results are unsigned (htonl(0x000000ff) is 0xff000000, not negative)", () => {
    expect(socket.htonl(0xff)).toBe(0xff000000);
    expect(socket.htons(0x80)).toBe(0x8000);
  });

  test("booleans and bigints are Python ints", () => {
    expect(socket.htons(true as never)).toBe(0x100);
    expect(socket.htonl(1n as never)).toBe(0x01000000);
  });
});

describe("inet_aton / inet_ntoa", () => {
  const atonInputs = [
    "127.0.0.1",
    "0.0.0.0",
    "255.255.255.255",
    "1.2.3.4",
    // short forms inet_aton(3) accepts
    "127.1",
    "10.1.2",
    "0x7f.1",
    "1",
    "0",
    "4294967295",
    "0x7f000001",
    "017.0.0.1",
    "0xff.0xff.0xff.0xff",
    "01.02.03.04",
    "1.2.65535",
    "1.16777215",
    // trailing whitespace and garbage after it (glibc stops at whitespace)
    "1.2.3.4 ",
    "1.2.3.4 junk",
    "1.2.3.4\t",
    // invalid
    "",
    "1.2.3.4.5",
    "256.1.1.1",
    "1.2.3.256",
    "1.2.65536",
    "4294967296",
    "0x100000000",
    "1..2",
    ".1.2.3",
    "1.2.3.",
    "a.b.c.d",
    "08.1.1.1",
    "127.0.0.1x",
    "localhost",
    " 1.2.3.4",
    "::1",
  ];
  const ntoaInputs = [
    "00000000",
    "01000100",
    "aa55aa55",
    "ffffffff",
    "01020304",
    "7f000001",
    "000000",
    "0000000000",
    "",
    "00".repeat(16),
  ];
  const expected = pyRun<{ aton: Outcome[]; ntoa: Outcome[] }>(
    { atonInputs, ntoaInputs },
    `
print(json.dumps({
    "aton": [outcome(socket.inet_aton, s) for s in inputs["atonInputs"]],
    "ntoa": [outcome(socket.inet_ntoa, bytes.fromhex(h)) for h in inputs["ntoaInputs"]],
}))
`,
  );

  // Windows has no inet_aton: CPython (and we) use inet_addr there, which differs on some short forms.
  test.skipIf(lacks(ORACLE_SAME_OS, NO_SAME_OS_ORACLE))(
    `inet_aton over ${atonInputs.length} strings (short forms, garbage) equals Python's`,
    () => {
      const ours = atonInputs.map((s) => outcome(() => socket.inet_aton(s)));
      const diffs = atonInputs
        .map((s, i) => [s, ours[i], expected.aton[i]] as const)
        .filter(([, a, b]) => JSON.stringify(a) !== JSON.stringify(b));
      expect(diffs).toEqual([]);
    },
  );

  test("inet_aton short forms give the documented bytes", () => {
    expect(socket.inet_aton("127.1")).toEqual(Buffer.from([127, 0, 0, 1]));
    expect(socket.inet_aton("10.1.2")).toEqual(Buffer.from([10, 1, 0, 2]));
    expect(socket.inet_aton("0x7f.1")).toEqual(Buffer.from([127, 0, 0, 1]));
    expect(socket.inet_aton("1")).toEqual(Buffer.from([0, 0, 0, 1]));
    expect(socket.inet_aton("255.255.255.255")).toEqual(
      Buffer.from([255, 255, 255, 255]),
    );
    expect(Buffer.isBuffer(socket.inet_aton("0.0.0.0"))).toBe(true);
  });

  test(`inet_ntoa over ${ntoaInputs.length} byte strings equals Python's`, () => {
    expect(
      ntoaInputs.map((h) =>
        outcome(() => socket.inet_ntoa(Buffer.from(h, "hex"))),
      ),
    ).toEqual(expected.ntoa);
  });

  test("inet_ntoa takes any bytes-like value", () => {
    const b = new Uint8Array([0xaa, 0x55, 0xaa, 0x55]);
    expect(socket.inet_ntoa(b)).toBe("170.85.170.85");
    expect(socket.inet_ntoa(b.buffer)).toBe("170.85.170.85");
    expect(socket.inet_ntoa(new DataView(b.buffer))).toBe("170.85.170.85");
    const big = new Uint8Array([9, 1, 2, 3, 4, 9]);
    expect(socket.inet_ntoa(big.subarray(1, 5))).toBe("1.2.3.4");
  });
});

describe("inet_pton / inet_ntop", () => {
  const v4 = [
    "0.0.0.0",
    "255.0.255.0",
    "170.170.170.170",
    "1.2.3.4",
    "255.255.255.255",
    "127.0.0.1",
    // invalid for inet_pton (no short forms, no leading zeros)
    "0.0.0.",
    "300.0.0.0",
    "a.0.0.0",
    "1.2.3.4.5",
    "::1",
    "127.1",
    "1.2.3",
    "01.2.3.4",
    "1.2.3.4 ",
    "",
    "0x7f.0.0.1",
  ];
  const v6 = [
    "::",
    "0::0",
    "1::",
    "::1",
    "fe80::1",
    "FE80::1",
    "::ffff:1.2.3.4",
    "::ffff:0:1.2.3.4",
    "::1.2.3.4",
    "2001:db8::",
    "2001:0db8:0000:0000:0000:0000:0000:0001",
    "45ef:76cb:1a:56ef:afeb:bac:1924:aeae",
    "ad42:abc::127:0:254:2",
    "12:a::",
    "::254.42.23.64",
    "42::a29b:254.42.23.64",
    "42:a8b9:0:2:ffff:a29b:254.42.23.64",
    "1:2:3:4:5:6:7::",
    "::2:3:4:5:6:7:8",
    "1:0:0:1:0:0:0:1",
    "1:0:0:2:0:0:3:4",
    "1:0:2:3:4:5:6:7",
    // invalid
    "0x20::",
    ":::",
    "::0::",
    "1::abc::",
    "1::abc::def",
    "1:2:3:4:5:6",
    "1:2:3:4:5:6:",
    "1:2:3:4:5:6:7:8:0",
    "1:2:3:4:5:6:7:8:",
    "255.254.253.252",
    "1::260.2.3.0",
    "1::0.be.e.0",
    "1:2:3:4:5:6:7:1.2.3.4",
    "::1.2.3.4:0",
    "0.100.200.0:3:4:5:6:7:8",
    "fe80::1%lo",
    "12345::",
    "",
    "g::",
  ];
  // Packed IPv6 inputs for inet_ntop: fixed patterns plus random ones with runs of zero groups.
  const packed6 = [
    "00".repeat(16),
    "00".repeat(15) + "01",
    "0aef0b0105061001ffff999700550170",
    "00000000000000000000ffff01020304",
    "00000000000000000000000001020304",
    "00000000000000000000000000000001",
    "00010000000000000000000000000000",
    "00010000000000010000000000000001",
    "00010000000000020000000000030004",
    "00010000000200030004000500060007",
    "fe800000000000000000000000000001",
    "20010db8000000000000000000000000",
    "0000ffff000000000000000000000000",
    "000000000000000000000000ffff0001",
  ];
  const rand = rng(7);
  for (let i = 0; i < 60; i++) {
    let hex = "";
    for (let g = 0; g < 8; g++) {
      const r = rand();
      hex +=
        r < 0.45
          ? "0000"
          : r < 0.6
            ? "ffff"
            : Math.floor(rand() * 0x10000)
                .toString(16)
                .padStart(4, "0");
    }
    packed6.push(hex);
  }
  const packed4 = ["01000100", "aa55aa55", "ffffffff", "00000000", "7f000001"];
  const badNtop: [number, string][] = [
    [socket.AF_INET, "000000"],
    [socket.AF_INET, "0000000000"],
    [socket.AF_INET, "00".repeat(16)],
    [socket.AF_INET6, "12".repeat(15)],
    [socket.AF_INET6, "12".repeat(17)],
    [socket.AF_INET6, "12".repeat(4)],
    [12345, "00000000"],
  ];
  const expected = pyRun<{
    pton4: Outcome[];
    pton6: Outcome[];
    ntop6: Outcome[];
    ntop4: Outcome[];
    bad: Outcome[];
  }>(
    { v4, v6, packed6, packed4, badNtop },
    `
A4, A6 = socket.AF_INET, socket.AF_INET6
print(json.dumps({
    "pton4": [outcome(socket.inet_pton, A4, s) for s in inputs["v4"]],
    "pton6": [outcome(socket.inet_pton, A6, s) for s in inputs["v6"]],
    "ntop6": [outcome(socket.inet_ntop, A6, bytes.fromhex(h)) for h in inputs["packed6"]],
    "ntop4": [outcome(socket.inet_ntop, A4, bytes.fromhex(h)) for h in inputs["packed4"]],
    "bad": [outcome(socket.inet_ntop, af, bytes.fromhex(h)) for af, h in inputs["badNtop"]],
}))
`,
  );

  /** Per-input comparison so a failure names the input. */
  function compare(
    inputs: readonly unknown[],
    ours: Outcome[],
    theirs: Outcome[],
  ): void {
    const diffs = inputs
      .map((s, i) => ({ input: s, ours: ours[i], python: theirs[i] }))
      .filter((d) => JSON.stringify(d.ours) !== JSON.stringify(d.python));
    expect(diffs).toEqual([]);
    expect(ours.length).toBe(theirs.length);
  }

  test(`inet_pton(AF_INET) over ${v4.length} strings equals Python's (testIPv4toString)`, () => {
    compare(
      v4,
      v4.map((s) => outcome(() => socket.inet_pton(socket.AF_INET, s))),
      expected.pton4,
    );
  });

  test(`inet_pton(AF_INET6) over ${v6.length} strings equals Python's (testIPv6toString)`, () => {
    compare(
      v6,
      v6.map((s) => outcome(() => socket.inet_pton(socket.AF_INET6, s))),
      expected.pton6,
    );
  });

  test(`inet_ntop(AF_INET6) over ${packed6.length} addresses equals Python's, compression included (testStringToIPv6)`, () => {
    compare(
      packed6,
      packed6.map((h) =>
        outcome(() => socket.inet_ntop(socket.AF_INET6, Buffer.from(h, "hex"))),
      ),
      expected.ntop6,
    );
  });

  test("inet_ntop(AF_INET) equals Python's (testStringToIPv4)", () => {
    compare(
      packed4,
      packed4.map((h) =>
        outcome(() => socket.inet_ntop(socket.AF_INET, Buffer.from(h, "hex"))),
      ),
      expected.ntop4,
    );
  });

  // The families are Python's numbers of its own OS.
  test.skipIf(lacks(ORACLE_SAME_OS, NO_SAME_OS_ORACLE))(
    "inet_ntop rejects wrong lengths and families as Python does",
    () => {
      compare(
        badNtop,
        badNtop.map(([af, h]) =>
          outcome(() => socket.inet_ntop(af, Buffer.from(h, "hex"))),
        ),
        expected.bad,
      );
    },
  );

  test("pton then ntop round-trips every valid IPv6 input to Python's canonical text", () => {
    for (const s of v6) {
      let packed: Buffer;
      try {
        packed = socket.inet_pton(socket.AF_INET6, s);
      } catch {
        continue; // the invalid inputs are covered above
      }
      expect(packed.length).toBe(16);
      const text = socket.inet_ntop(socket.AF_INET6, packed);
      expect(socket.inet_pton(socket.AF_INET6, text)).toEqual(packed);
    }
    expect(
      socket.inet_ntop(
        socket.AF_INET6,
        socket.inet_pton(socket.AF_INET6, "::ffff:1.2.3.4"),
      ),
    ).toBe("::ffff:1.2.3.4");
    expect(
      socket.inet_ntop(
        socket.AF_INET6,
        socket.inet_pton(
          socket.AF_INET6,
          "2001:0db8:0000:0000:0000:0000:0000:0001",
        ),
      ),
    ).toBe("2001:db8::1");
  });

  test("inet_pton returns a Buffer; inet_ntop takes any bytes-like value", () => {
    const p = socket.inet_pton(socket.AF_INET6, "fe80::1");
    expect(Buffer.isBuffer(p)).toBe(true);
    expect(socket.inet_ntop(socket.AF_INET6, new Uint8Array(p))).toBe(
      "fe80::1",
    );
    expect(socket.inet_ntop(socket.AF_INET6, new Uint8Array(p).buffer)).toBe(
      "fe80::1",
    );
  });
});
