// SSLContext and module-level behaviour compared with CPython's ssl module on the same machine (the oracle),
// plus argument errors with CPython's wording. No network peers except a local listener.
import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync } from "node:fs";
import * as errno from "../../src/errno.ts";
import * as socket from "../../src/index.ts";
import * as T from "../../src/platform/tls.ts";
import * as ssl from "../../src/ssl.ts";
import { python } from "../helpers/peer.ts";
import {
  certs,
  HAVE_OPENSSL_CLI,
  listener,
  portOf,
  raises,
} from "./helpers.ts";

// TLS peers are processes; a busy machine makes handshakes slow (bun test's default is 5 s).
setDefaultTimeout(30_000);

beforeAll(() => void (HAVE_OPENSSL_CLI && certs()), 60_000);

const PY_VERSION = python<[number, number]>(
  "import sys, json; print(json.dumps(sys.version_info[:2]))",
);
/** Python's ssl is linked to the same OpenSSL as ours: then numbers that depend on the build must agree. */
const SAME_OPENSSL =
  python<string>("import ssl, json; print(json.dumps(ssl.OPENSSL_VERSION))") ===
  ssl.OPENSSL_VERSION;

function contextFacts(ctx: ssl.SSLContext) {
  return {
    options: ctx.options,
    minimum_version: ctx.minimum_version,
    maximum_version: ctx.maximum_version,
    verify_mode: ctx.verify_mode,
    check_hostname: ctx.check_hostname,
    verify_flags: ctx.verify_flags,
    hostname_checks_common_name: ctx.hostname_checks_common_name,
    security_level: ctx.security_level,
    protocol: ctx.protocol,
  };
}
const PY_FACTS = `
def facts(c):
    return dict(options=int(c.options), minimum_version=int(c.minimum_version), maximum_version=int(c.maximum_version),
                verify_mode=int(c.verify_mode), check_hostname=c.check_hostname, verify_flags=int(c.verify_flags),
                hostname_checks_common_name=c.hostname_checks_common_name, security_level=c.security_level,
                protocol=int(c.protocol))
`;

describe.skipIf(!HAVE_OPENSSL_CLI)("SSLContext defaults, as CPython's", () => {
  for (const [name, proto] of [
    ["PROTOCOL_TLS_CLIENT", ssl.PROTOCOL_TLS_CLIENT],
    ["PROTOCOL_TLS_SERVER", ssl.PROTOCOL_TLS_SERVER],
    ["PROTOCOL_TLS", ssl.PROTOCOL_TLS],
  ] as const) {
    test(`SSLContext(${name}): options, versions, verify_mode, check_hostname, verify_flags`, () => {
      const py = python(`import ssl, json, warnings
warnings.simplefilter("ignore")
${PY_FACTS}
print(json.dumps(facts(ssl.SSLContext(ssl.${name}))))`);
      expect(contextFacts(new ssl.SSLContext(proto))).toEqual(py as never);
    });
  }

  // Linux: Python's ssl and ours load the same libssl.so.3.
  test.skipIf(process.platform !== "linux" || !SAME_OPENSSL)(
    "OpenSSL mode: AUTO_RETRY | RELEASE_BUFFERS (0x14), read from CPython's own SSL_CTX",
    () => {
      // CPython's context object holds its `SSL_CTX *` right after the object header.
      const py = python<number>(`import ssl, json, ctypes
ctx = ssl.create_default_context()
p = ctypes.c_void_p.from_address(id(ctx) + object.__basicsize__).value
lib = ctypes.CDLL("libssl.so.3")
lib.SSL_CTX_ctrl.restype = ctypes.c_long
lib.SSL_CTX_ctrl.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_long, ctypes.c_void_p]
print(json.dumps(lib.SSL_CTX_ctrl(p, 33, 0, None)))`);
      expect(py).toBe(0x14);
      for (const proto of [ssl.PROTOCOL_TLS_CLIENT, ssl.PROTOCOL_TLS_SERVER]) {
        const ctx = new ssl.SSLContext(proto);
        expect(T.ctxSetMode(ctx._handle, 0)).toBe(py);
      }
    },
  );

  test("create_default_context(): CPython's settings (3.13 adds VERIFY_X509_PARTIAL_CHAIN | VERIFY_X509_STRICT)", () => {
    const c = certs();
    const py = python<Record<string, unknown>>(`import ssl, json
${PY_FACTS}
print(json.dumps(facts(ssl.create_default_context(cafile=${JSON.stringify(c.ca)}))))`);
    const mine = contextFacts(
      ssl.create_default_context(ssl.Purpose.SERVER_AUTH, { cafile: c.ca }),
    );
    expect(mine.verify_flags).toBe(
      ssl.VERIFY_X509_TRUSTED_FIRST |
        ssl.VERIFY_X509_PARTIAL_CHAIN |
        ssl.VERIFY_X509_STRICT,
    );
    if (PY_VERSION[0] === 3 && PY_VERSION[1] < 13)
      py.verify_flags = mine.verify_flags;
    expect(mine).toEqual(py as never);
    const server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH);
    expect(server.protocol).toBe(ssl.PROTOCOL_TLS_SERVER);
    expect(server.verify_mode).toBe(ssl.CERT_NONE);
  });

  test("get_ciphers(): the same ciphers, in the same order, described as CPython describes them", () => {
    const py = python<Record<string, unknown>[]>(
      "import ssl, json; print(json.dumps(ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).get_ciphers()))",
    );
    const mine = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).get_ciphers();
    if (SAME_OPENSSL) expect(mine).toEqual(py as never);
    else
      expect(mine.map((c) => c.name)).toEqual(py.map((c) => c.name as string));
  });

  test("constants equal CPython's: OP_*, VERIFY_*, PROTOCOL_*, CERT_*, SSL_ERROR_*, TLSVersion, HAS_*", () => {
    const names = Object.keys(ssl).filter((k) =>
      /^(OP_|VERIFY_|PROTOCOL_|CERT_|SSL_ERROR_|HAS_)/.test(k),
    );
    const py = python<Record<string, unknown>>(`import ssl, json
names = ${JSON.stringify(names)}
out = {n: (getattr(ssl, n) if isinstance(getattr(ssl, n), bool) else int(getattr(ssl, n))) for n in names if hasattr(ssl, n)}
out["TLSVersion"] = {m.name: int(m) for m in ssl.TLSVersion}
print(json.dumps(out))`);
    const mine: Record<string, unknown> = {};
    for (const n of names)
      if (n in py) mine[n] = (ssl as Record<string, unknown>)[n];
    mine.TLSVersion = { ...ssl.TLSVersion };
    expect(Object.keys(mine).length).toBeGreaterThan(40);
    if (!SAME_OPENSSL) delete py.HAS_NPN;
    expect(mine).toEqual(py);
  });

  test("OPENSSL_VERSION_INFO decodes OPENSSL_VERSION_NUMBER as CPython does", () => {
    const n = ssl.OPENSSL_VERSION_NUMBER;
    const py = python<number[]>(
      `import ssl, json; print(json.dumps(ssl._ssl._OPENSSL_API_VERSION and list(__import__('ssl').OPENSSL_VERSION_INFO) if ssl.OPENSSL_VERSION_NUMBER == ${n} else None))`,
    );
    if (py !== null) expect([...ssl.OPENSSL_VERSION_INFO]).toEqual(py);
    expect(ssl.OPENSSL_VERSION).toMatch(/^OpenSSL 3\./);
    expect(ssl.OPENSSL_VERSION_INFO[0]).toBe(3);
  });
});

describe.skipIf(!HAVE_OPENSSL_CLI)("SSLContext attributes", () => {
  test("verify_mode and check_hostname interact as in CPython", () => {
    const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    const mode = (): number => ctx.verify_mode;
    expect(() => (ctx.verify_mode = ssl.CERT_NONE)).toThrow(
      "Cannot set verify_mode to CERT_NONE when check_hostname is enabled.",
    );
    ctx.check_hostname = false;
    ctx.verify_mode = ssl.CERT_NONE;
    expect(mode()).toBe(ssl.CERT_NONE);
    ctx.verify_mode = ssl.CERT_OPTIONAL;
    expect(mode()).toBe(ssl.CERT_OPTIONAL);
    ctx.verify_mode = ssl.CERT_NONE;
    ctx.check_hostname = true; // turns CERT_NONE into CERT_REQUIRED
    expect(mode()).toBe(ssl.CERT_REQUIRED);
    expect(() => (ctx.verify_mode = 7)).toThrow(
      "invalid value for verify_mode",
    );
  });

  test("minimum_version / maximum_version: set, read back, reject unknown values", () => {
    const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3;
    expect(ctx.minimum_version).toBe(ssl.TLSVersion.TLSv1_3);
    ctx.maximum_version = ssl.TLSVersion.TLSv1_3;
    expect(ctx.maximum_version).toBe(ssl.TLSVersion.TLSv1_3);
    ctx.maximum_version = ssl.TLSVersion.MAXIMUM_SUPPORTED;
    expect(ctx.maximum_version).toBe(ssl.TLSVersion.MAXIMUM_SUPPORTED);
    ctx.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED;
    expect(ctx.minimum_version).toBe(ssl.TLSVersion.MINIMUM_SUPPORTED);
    const e = raises(() => (ctx.minimum_version = 0x999));
    expect(e).toBeInstanceOf(socket.ValueError);
    expect(e.message).toBe("Unsupported TLS/SSL version 0x999");
  });

  test("options: assigning sets and clears bits", () => {
    const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    const base = ctx.options;
    expect(base & ssl.OP_NO_TICKET).toBe(0);
    ctx.options = base + ssl.OP_NO_TICKET;
    expect(ctx.options).toBe(base + ssl.OP_NO_TICKET);
    ctx.options = base - ssl.OP_NO_COMPRESSION;
    expect(ctx.options).toBe(base - ssl.OP_NO_COMPRESSION);
    expect(ctx.options).toBeGreaterThan(0x80000000); // OP_ALL's bit 31 survives (no 32-bit sign games)
  });

  test("verify_flags and hostname_checks_common_name round-trip", () => {
    const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    ctx.verify_flags = ssl.VERIFY_X509_STRICT | ssl.VERIFY_CRL_CHECK_LEAF;
    expect(ctx.verify_flags).toBe(
      ssl.VERIFY_X509_STRICT | ssl.VERIFY_CRL_CHECK_LEAF,
    );
    ctx.verify_flags = ssl.VERIFY_DEFAULT;
    expect(ctx.verify_flags).toBe(0);
    ctx.hostname_checks_common_name = false;
    expect(ctx.hostname_checks_common_name).toBe(false);
    ctx.hostname_checks_common_name = true;
    expect(ctx.hostname_checks_common_name).toBe(true);
  });

  test("num_tickets: server contexts only", () => {
    const s = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
    expect(s.num_tickets).toBe(2);
    s.num_tickets = 0;
    expect(s.num_tickets).toBe(0);
    expect(
      () => (new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).num_tickets = 1),
    ).toThrow("SSLContext is not a server context.");
    expect(() => (s.num_tickets = -1)).toThrow("value must be non-negative");
  });

  test("set_ciphers and set_alpn_protocols errors read as CPython's", () => {
    const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    const e = raises<ssl.SSLError>(() => ctx.set_ciphers("NO-SUCH-CIPHER"));
    expect(e).toBeInstanceOf(ssl.SSLError);
    expect(e.message).toBe("('No cipher can be selected.',)"); // str(SSLError("...")) in Python
    const a = raises<ssl.SSLError>(() => ctx.set_alpn_protocols(["", "x"]));
    expect(a.message).toBe("('ALPN protocols must be 1 to 255 in length',)");
    ctx.set_ciphers("ECDHE+AESGCM");
    expect(
      ctx.get_ciphers().some((c) => c.name === "ECDHE-RSA-AES128-GCM-SHA256"),
    ).toBe(true);
  });

  test("SSLContext works with and without new; an unknown protocol is a ValueError", () => {
    const a = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    expect(a).toBeInstanceOf(ssl.SSLContext);
    expect(String(a)).toBe("<ssl.SSLContext object>");
    expect(() => new ssl.SSLContext(99)).toThrow(
      "invalid or unsupported protocol version 99",
    );
  });
});

describe.skipIf(!HAVE_OPENSSL_CLI)("loading certificates", () => {
  test("load_verify_locations: argument and file errors as CPython's", () => {
    const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    const t = raises(() => ctx.load_verify_locations());
    expect(t).toBeInstanceOf(TypeError);
    expect(t.message).toBe("cafile, capath and cadata cannot be all omitted");
    const f = raises<socket.OSError>(() =>
      ctx.load_verify_locations("/nonexistent/ca.pem"),
    );
    expect(f).toBeInstanceOf(socket.FileNotFoundError);
    expect(f.message).toBe("[Errno 2] No such file or directory");
    const p = raises<ssl.SSLError>(() =>
      ctx.load_verify_locations(null, null, "junk"),
    );
    expect(p.message).toBe(
      "no start line: cadata does not contain a certificate",
    );
    expect([p.errno, p.library, p.reason]).toEqual([0, null, null]);
    const d = raises<ssl.SSLError>(() =>
      ctx.load_verify_locations(null, null, Buffer.from("junk")),
    );
    expect(d.message).toBe(
      "not enough data: cadata does not contain a certificate",
    );
  });

  test("cadata as PEM text and as DER bytes; duplicates are fine; get_ca_certs and cert_store_stats", () => {
    const c = certs();
    const pem = readFileSync(c.ca, "utf8");
    const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    ctx.load_verify_locations(
      null,
      null,
      pem + readFileSync(c.otherCa, "utf8"),
    );
    ctx.load_verify_locations(null, null, ssl.PEM_cert_to_DER_cert(pem)); // the same CA again, as DER
    expect(ctx.cert_store_stats()).toEqual({ x509: 2, crl: 0, x509_ca: 2 });
    const py = python(`import ssl, json
c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
c.load_verify_locations(cadata=open(${JSON.stringify(c.ca)}).read() + open(${JSON.stringify(c.otherCa)}).read())
print(json.dumps(c.get_ca_certs()))`);
    // The store's order depends on its lookups (it sorts itself lazily): compare as sets.
    const key = (x: unknown) => JSON.stringify(x);
    expect(ctx.get_ca_certs().map(key).sort()).toEqual(
      (py as unknown[]).map(key).sort(),
    );
    const der = ctx.get_ca_certs(true);
    expect(der.some((b) => b.equals(ssl.PEM_cert_to_DER_cert(pem)))).toBe(true);
  });

  test("load_cert_chain: missing file, bad PEM, mismatched key, encrypted key and passwords", () => {
    const c = certs();
    const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    expect(
      raises(() => ctx.load_cert_chain("/nonexistent.pem")),
    ).toBeInstanceOf(socket.FileNotFoundError);
    const bad = raises<ssl.SSLError>(() =>
      ctx.load_cert_chain("/etc/hostname"),
    );
    const pyBad = python<Record<string, unknown>>(`import ssl, json, re
try:
    ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_cert_chain("/etc/hostname")
except ssl.SSLError as e:
    print(json.dumps(dict(errno=e.errno, library=e.library, reason=e.reason, msg=re.sub(r" \\(_ssl\\.c:\\d+\\)$", "", str(e)))))`);
    expect({
      errno: bad.errno,
      library: bad.library,
      reason: bad.reason,
      msg: bad.message,
    }).toEqual(pyBad as never);
    const mismatch = raises<ssl.SSLError>(() =>
      ctx.load_cert_chain(c.client, c.serverKey),
    );
    expect(mismatch.message).toBe(
      "[X509: KEY_VALUES_MISMATCH] key values mismatch",
    );
    ctx.load_cert_chain(c.client, c.clientEncKey, "secret");
    ctx.load_cert_chain(c.client, c.clientEncKey, () => "secret");
    ctx.load_cert_chain(c.client, c.clientEncKey, Buffer.from("secret"));
    const wrong = raises<ssl.SSLError>(() =>
      ctx.load_cert_chain(c.client, c.clientEncKey, "wrong"),
    );
    expect(wrong).toBeInstanceOf(ssl.SSLError);
    const none = raises<ssl.SSLError>(() =>
      ctx.load_cert_chain(c.client, c.clientEncKey),
    );
    expect(none).toBeInstanceOf(ssl.SSLError); // no terminal prompt
    expect(() =>
      ctx.load_cert_chain(c.client, c.clientEncKey, "x".repeat(1025)),
    ).toThrow("password cannot be longer than 1024 bytes");
    expect(() =>
      ctx.load_cert_chain(c.client, c.clientEncKey, 42 as never),
    ).toThrow("password should be a string or callable");
  });

  test("_test_decode_cert equals CPython's for every test certificate", () => {
    const c = certs();
    for (const f of [c.serverLeaf, c.expired, c.client, c.ca, c.otherCa]) {
      const py = python(
        `import ssl, json; print(json.dumps(ssl._ssl._test_decode_cert(${JSON.stringify(f)})))`,
      );
      expect(JSON.parse(JSON.stringify(ssl._test_decode_cert(f)))).toEqual(py);
    }
    expect(() => ssl._test_decode_cert("/nonexistent.pem")).toThrow(
      "('Can\\'t open file',)",
    );
  });

  test("get_default_verify_paths equals CPython's", () => {
    const py = python(
      `import ssl, json; print(json.dumps(ssl.get_default_verify_paths()._asdict()))`,
    );
    expect(ssl.get_default_verify_paths()).toEqual(py as never);
  });

  test("load_default_certs / set_default_verify_paths load the system store", () => {
    const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    ctx.load_default_certs();
    const py = python(`import ssl, json
c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); c.load_default_certs(); print(json.dumps(c.cert_store_stats()))`);
    expect(ctx.cert_store_stats()).toEqual(py as never);
    expect(() => ctx.load_default_certs("SERVER_AUTH" as never)).toThrow(
      TypeError,
    );
  });
});

describe.skipIf(!HAVE_OPENSSL_CLI)("module functions", () => {
  test("DER_cert_to_PEM_cert / PEM_cert_to_DER_cert round-trip and match CPython", () => {
    const c = certs();
    const pem = readFileSync(c.serverLeaf, "utf8");
    const der = ssl.PEM_cert_to_DER_cert(pem);
    expect(ssl.DER_cert_to_PEM_cert(der)).toBe(pem);
    const py = python<string>(
      `import ssl, json; print(json.dumps(ssl.PEM_cert_to_DER_cert(open(${JSON.stringify(c.serverLeaf)}).read()).hex()))`,
    );
    expect(der.toString("hex")).toBe(py);
    expect(() => ssl.PEM_cert_to_DER_cert("junk")).toThrow(
      "Invalid PEM encoding; must start with -----BEGIN CERTIFICATE-----",
    );
  });

  test("cert_time_to_seconds matches CPython", () => {
    const times = [
      "Jan  5 09:34:43 2018 GMT",
      "May  9 00:00:00 2007 GMT",
      "Dec 31 23:59:59 2099 GMT",
    ];
    const py = python<number[]>(
      `import ssl, json; print(json.dumps([ssl.cert_time_to_seconds(t) for t in ${JSON.stringify(times)}]))`,
    );
    expect(times.map(ssl.cert_time_to_seconds)).toEqual(py);
    expect(() => ssl.cert_time_to_seconds("Foo  5 09:34:43 2018 GMT")).toThrow(
      socket.ValueError,
    );
  });

  test("RAND_bytes / RAND_status", () => {
    expect(ssl.RAND_status()).toBe(true);
    const a = ssl.RAND_bytes(32);
    expect(a.length).toBe(32);
    expect(a.equals(ssl.RAND_bytes(32))).toBe(false);
    expect(() => ssl.RAND_bytes(-1)).toThrow("num must be positive");
  });
});

describe.skipIf(!HAVE_OPENSSL_CLI)(
  "wrap_socket and SSLSocket argument errors",
  () => {
    test("check_hostname requires server_hostname (the socket stays usable)", () => {
      const s = socket.socket();
      const e = raises(() => ssl.create_default_context().wrap_socket(s));
      expect(e).toBeInstanceOf(socket.ValueError);
      expect(e.message).toBe("check_hostname requires server_hostname");
      expect(s.fileno()).toBeGreaterThanOrEqual(0);
      s.close();
    });

    test("datagram sockets: NotImplementedError; server_side with a host name: ValueError", () => {
      using u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
      const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
      const e = raises(() => ctx.wrap_socket(u, { server_side: true }));
      expect(e).toBeInstanceOf(ssl.NotImplementedError);
      expect(e.message).toBe("only stream sockets are supported");
      using t = socket.socket();
      expect(() =>
        ctx.wrap_socket(t, { server_side: true, server_hostname: "x" }),
      ).toThrow("server_hostname can only be specified in server mode");
    });

    test("a client socket on a PROTOCOL_TLS_SERVER context is refused, and closed", () => {
      using l = listener();
      const s = socket.socket();
      s.settimeout(5);
      s.connect(["127.0.0.1", portOf(l)]);
      const e = raises<ssl.SSLError>(() =>
        new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).wrap_socket(s),
      );
      expect(e).toBeInstanceOf(ssl.SSLError);
      expect(e.message).toBe(
        "Cannot create a client socket with a PROTOCOL_TLS_SERVER context",
      );
      expect(e.errno).toBe(0);
      expect(s.fileno()).toBe(-1);
    });

    test("an unconnected SSLSocket: socket errors, no SSL wrapper, Python's repr", () => {
      const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
      const s = ctx.wrap_socket(socket.socket(), {
        server_hostname: "localhost",
      });
      expect(s).toBeInstanceOf(ssl.SSLSocket);
      expect(s).toBeInstanceOf(socket.socket);
      expect(String(s)).toMatch(
        /^<ssl\.SSLSocket fd=\d+, family=2, type=1, proto=0, laddr=\('0\.0\.0\.0', 0\)>$/,
      );
      expect([
        s.version(),
        s.cipher(),
        s.pending(),
        s.selected_alpn_protocol(),
      ]).toEqual([null, null, 0, null]);
      expect(raises<socket.OSError>(() => s.recv(10)).errno).toBe(
        errno.ENOTCONN,
      );
      expect(raises<socket.OSError>(() => s.getpeercert()).errno).toBe(
        errno.ENOTCONN,
      );
      expect(() => s.read(1)).toThrow(
        "Read on closed or unwrapped SSL socket.",
      );
      expect(() => s.write("x")).toThrow(
        "Write on closed or unwrapped SSL socket.",
      );
      expect(() => s.unwrap()).toThrow(`No SSL wrapper around ${String(s)}`);
      expect(() => s.dup()).toThrow("Can't dup() SSLSocket instances");
      expect(() => s.sendmsg([Buffer.from("x")])).toThrow(
        "sendmsg not allowed on instances of <class 'ssl.SSLSocket'>",
      );
      s.close();
      expect(String(s)).toBe(
        "<ssl.SSLSocket [closed] fd=-1, family=2, type=1, proto=0>",
      );
      expect(() => s.read(1)).toThrow(
        "Read on closed or unwrapped SSL socket.",
      );
    });

    test("SSLSocket has no public constructor", () => {
      const Ctor = ssl.SSLSocket as unknown as new (...a: unknown[]) => unknown;
      expect(() => new Ctor()).toThrow(
        "SSLSocket does not have a public constructor. Instances are returned by SSLContext.wrap_socket().",
      );
    });

    test("server_hostname: empty is a ValueError, a leading dot fails IDNA encoding; IDNA names are encoded", () => {
      using l = listener();
      const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
      ctx.check_hostname = false;
      const s = socket.socket();
      s.settimeout(5);
      s.connect(["127.0.0.1", portOf(l)]);
      expect(() =>
        ctx.wrap_socket(s, {
          server_hostname: "",
          do_handshake_on_connect: false,
        }),
      ).toThrow(
        "server_hostname cannot be an empty string or start with a leading dot.",
      );
      expect(s.fileno()).toBe(-1);
      using t = socket.socket();
      expect(() =>
        ctx.wrap_socket(t, { server_hostname: ".example.org" }),
      ).toThrow(socket.ValueError);
      const u = ctx.wrap_socket(socket.socket(), {
        server_hostname: "bücher.example",
      });
      expect(u.server_hostname).toBe("xn--bcher-kva.example");
      u.close();
    });
  },
);
