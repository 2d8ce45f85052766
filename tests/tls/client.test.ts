// Our TLS client (bun-socket/ssl) against `openssl s_server` and CPython's ssl server (tests/tls/tls_peer.py):
// handshakes, verification failures and their verify codes, CERT_NONE, client certificates, ALPN, bulk data,
// timeouts, close_notify / unwrap, and a peer that vanishes mid-stream.
import {
  afterAll,
  afterEach,
  beforeAll,
  describe,
  expect,
  setDefaultTimeout,
  test,
} from "bun:test";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as socket from "../../src/index.ts";
import * as ssl from "../../src/ssl.ts";
import {
  certs,
  clientContext,
  HAVE_OPENSSL_CLI,
  killTlsPeers,
  listener,
  patternAt,
  patternSha256,
  PatternChecker,
  portOf,
  raises,
  readToEof,
  rmIfExists,
  sendPattern,
  startSServer,
  startWwwServer,
  startTlsPeer,
  tcp,
  tlsConnect,
} from "./helpers.ts";

// TLS peers are processes; a busy machine makes handshakes slow (bun test's default is 5 s).
setDefaultTimeout(30_000);

beforeAll(() => void (HAVE_OPENSSL_CLI && certs()), 60_000);
afterEach(killTlsPeers);
afterAll(killTlsPeers);

const MB100 = 100 * 1024 * 1024;

describe.skipIf(!HAVE_OPENSSL_CLI)("client against openssl s_server", () => {
  for (const [flag, version] of [
    ["-tls1_2", "TLSv1.2"],
    ["-tls1_3", "TLSv1.3"],
  ] as const) {
    test(`handshake ${version}: version(), cipher(), getpeercert() and a request`, async () => {
      const srv = await startWwwServer(flag);
      using s = tlsConnect(srv.port);
      expect(s.version()).toBe(version);
      const cipher = s.cipher()!;
      expect(cipher[1]).toBe(version);
      expect(cipher[2]).toBeGreaterThanOrEqual(128);
      const cert = s.getpeercert()!;
      expect(cert.subject.at(-1)).toEqual([["commonName", "localhost"]]);
      expect(s.server_hostname).toBe("localhost");
      expect(s.server_side).toBe(false);
      s.sendall("GET / HTTP/1.0\r\n\r\n");
      const page = readToEof(s).toString();
      expect(page.startsWith("HTTP/1.0 200 ok")).toBe(true);
      srv.kill();
    });
  }

  test("maximum_version TLSv1_2 on our side gives TLS 1.2 with a TLS 1.3-capable server", async () => {
    const srv = await startWwwServer();
    const ctx = clientContext();
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2;
    using s = tlsConnect(srv.port, ctx);
    expect(s.version()).toBe("TLSv1.2");
    srv.kill();
  });

  test("wrong host name: SSLCertVerificationError, verify_code 62, CPython's message", async () => {
    const srv = await startWwwServer();
    const e = raises<ssl.SSLCertVerificationError>(() =>
      tlsConnect(srv.port, clientContext(), "wrong.example"),
    );
    expect(e).toBeInstanceOf(ssl.SSLCertVerificationError);
    expect(e).toBeInstanceOf(ssl.CertificateError);
    expect(e).toBeInstanceOf(ssl.SSLError);
    expect(e).toBeInstanceOf(socket.OSError);
    expect(e.verify_code).toBe(62);
    expect(e.verify_message).toBe(
      "Hostname mismatch, certificate is not valid for 'wrong.example'.",
    );
    expect(e.library).toBe("SSL");
    expect(e.reason).toBe("CERTIFICATE_VERIFY_FAILED");
    expect(e.errno).toBe(1);
    expect(e.message).toBe(
      "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname mismatch, certificate is not valid for 'wrong.example'.",
    );
    srv.kill();
  });

  test("IP address: 127.0.0.1 matches the IP SAN, 127.0.0.2 fails with verify_code 64", async () => {
    const srv = await startWwwServer();
    const ok = tlsConnect(srv.port, clientContext(), "127.0.0.1");
    expect(ok.version()).not.toBeNull();
    ok.close(); // s_server serves one connection at a time
    const e = raises<ssl.SSLCertVerificationError>(() =>
      tlsConnect(srv.port, clientContext(), "127.0.0.2"),
    );
    expect(e.verify_code).toBe(64);
    expect(e.verify_message).toBe(
      "IP address mismatch, certificate is not valid for '127.0.0.2'.",
    );
    srv.kill();
  });

  test("an IPv6 literal is checked against the IP SANs: ::1 matches, ::2 fails with verify_code 64", async () => {
    const srv = await startWwwServer();
    const ok = tlsConnect(srv.port, clientContext(), "::1");
    expect(ok.server_hostname).toBe("::1");
    ok.close();
    const e = raises<ssl.SSLCertVerificationError>(() =>
      tlsConnect(srv.port, clientContext(), "::2"),
    );
    expect(e.verify_code).toBe(64);
    srv.kill();
  });

  test("untrusted CA: verify_code 20 (unable to get local issuer certificate)", async () => {
    const c = certs();
    const srv = await startWwwServer();
    const e = raises<ssl.SSLCertVerificationError>(() =>
      tlsConnect(srv.port, clientContext(c.otherCa)),
    );
    expect(e).toBeInstanceOf(ssl.SSLCertVerificationError);
    expect(e.verify_code).toBe(20);
    expect(e.verify_message).toBe("unable to get local issuer certificate");
    srv.kill();
  });

  test("expired certificate: verify_code 10 (certificate has expired)", async () => {
    const c = certs();
    const srv = await startSServer([
      "-cert",
      c.expired,
      "-key",
      c.expiredKey,
      "-www",
    ]);
    const e = raises<ssl.SSLCertVerificationError>(() => tlsConnect(srv.port));
    expect(e.verify_code).toBe(10);
    expect(e.verify_message).toBe("certificate has expired");
    expect(e.message).toBe(
      "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: certificate has expired",
    );
    srv.kill();
  });

  test("CERT_NONE connects to an expired certificate from an unknown CA; getpeercert() is {}", async () => {
    const c = certs();
    const srv = await startSServer([
      "-cert",
      c.expired,
      "-key",
      c.expiredKey,
      "-www",
    ]);
    const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    ctx.check_hostname = false;
    ctx.verify_mode = ssl.CERT_NONE;
    using s = tlsConnect(srv.port, ctx, null);
    expect(s.getpeercert()).toEqual({});
    expect(s.getpeercert(true)!.length).toBeGreaterThan(100);
    s.sendall("GET / HTTP/1.0\r\n\r\n");
    expect(readToEof(s).length).toBeGreaterThan(0);
    srv.kill();
  });

  test("client certificate (mutual TLS) to `s_server -Verify`", async () => {
    const c = certs();
    const srv = await startWwwServer(
      "-Verify",
      "1",
      "-CAfile",
      c.ca,
      "-verify_return_error",
    );
    const ctx = clientContext();
    ctx.load_cert_chain(c.client, c.clientKey);
    using s = tlsConnect(srv.port, ctx);
    s.sendall("GET / HTTP/1.0\r\n\r\n");
    const page = readToEof(s).toString();
    expect(page).toContain("testclient"); // -www prints the client certificate's subject
    srv.kill();
  });

  test("ALPN: s_server -alpn http/1.1 selects from what we offer", async () => {
    const srv = await startWwwServer("-alpn", "http/1.1");
    const ctx = clientContext();
    ctx.set_alpn_protocols(["h2", "http/1.1"]);
    using s = tlsConnect(srv.port, ctx);
    expect(s.selected_alpn_protocol()).toBe("http/1.1");
    srv.kill();
  });

  test("100 MB download from s_server -WWW, byte-compared", async () => {
    const c = certs();
    const file = join(c.dir, "big.bin");
    const body = Buffer.allocUnsafe(MB100);
    for (let o = 0; o < MB100; o += 251 * 1000) {
      body.set(patternAt(o, Math.min(251 * 1000, MB100 - o)), o);
    }
    writeFileSync(file, body);
    try {
      const srv = await startSServer([
        "-cert",
        c.server,
        "-key",
        c.serverKey,
        "-WWW",
      ]);
      using s = tlsConnect(srv.port);
      s.sendall("GET /big.bin HTTP/1.0\r\n\r\n");
      const buf = Buffer.allocUnsafe(MB100 + 4096);
      let n = 0;
      for (;;) {
        const k = s.recv_into(buf.subarray(n));
        if (k === 0) break;
        n += k;
      }
      const head = buf.indexOf("\r\n\r\n");
      expect(head).toBeGreaterThan(0);
      const got = buf.subarray(head + 4, n);
      expect(got.length).toBe(MB100);
      expect(got.equals(body)).toBe(true);
      srv.kill();
    } finally {
      rmIfExists(file);
    }
  }, 60_000);
});

describe.skipIf(!HAVE_OPENSSL_CLI)(
  "client against CPython's ssl server",
  () => {
    for (const v of ["1.2", "1.3"]) {
      test(`handshake TLS ${v}, ALPN and echo`, async () => {
        const peer = await startTlsPeer([
          "echo",
          "--tls-max",
          v,
          "--alpn",
          "spdy/3,http/1.1",
        ]);
        const ctx = clientContext();
        ctx.set_alpn_protocols(["h2", "http/1.1"]);
        using s = tlsConnect(peer.port, ctx);
        expect(s.version()).toBe(`TLSv${v}`);
        expect(s.selected_alpn_protocol()).toBe("http/1.1");
        s.sendall("ping over TLS");
        expect(s.recv(1024).toString()).toBe("ping over TLS");
        s.unwrap();
        s.close();
        const [r] = await peer.results();
        expect(r).toMatchObject({
          version: `TLSv${v}`,
          alpn: "http/1.1",
          echoed: 13,
        });
      });
    }

    test("expired certificate from a Python server: verify_code 10", async () => {
      const peer = await startTlsPeer(["echo", "--cert", "expired"]);
      const e = raises<ssl.SSLCertVerificationError>(() =>
        tlsConnect(peer.port),
      );
      expect(e.verify_code).toBe(10);
      peer.kill();
    });

    test("getpeercert() equals Python's for the same certificate; binary_form is its DER", async () => {
      const c = certs();
      const peer = await startTlsPeer(["echo"]);
      using s = tlsConnect(peer.port);
      const mine = s.getpeercert();
      const py = JSON.parse(
        Bun.spawnSync({
          cmd: [
            "python3",
            "-c",
            `import ssl,json; print(json.dumps(ssl._ssl._test_decode_cert(${JSON.stringify(c.serverLeaf)})))`,
          ],
          stdout: "pipe",
        }).stdout.toString(),
      );
      expect(JSON.parse(JSON.stringify(mine))).toEqual(py);
      const der = s.getpeercert(true)!;
      expect(ssl.DER_cert_to_PEM_cert(der)).toBe(
        readFileSync(c.serverLeaf, "utf8"),
      );
      const chain = s.get_verified_chain();
      expect(chain.length).toBe(2);
      expect(chain[0]!.equals(der)).toBe(true);
      s.close();
      peer.kill();
    });

    test("client certificate to a CERT_REQUIRED server; the server sees our subject", async () => {
      const c = certs();
      const peer = await startTlsPeer(["info", "--verify-client"]);
      const ctx = clientContext();
      ctx.load_cert_chain(c.client, c.clientKey);
      using s = tlsConnect(peer.port, ctx);
      const info = JSON.parse(s.recv(4096).toString());
      expect(info.client).toEqual({
        organizationName: "bun-socket Test",
        commonName: "testclient",
      });
      s.unwrap();
      s.close();
      const [r] = await peer.results();
      expect(r!.exc).toBeUndefined();
    });

    test("client certificate with an encrypted key and its password", async () => {
      const c = certs();
      const peer = await startTlsPeer(["info", "--verify-client"]);
      const ctx = clientContext();
      ctx.load_cert_chain(c.client, c.clientEncKey, "secret");
      using s = tlsConnect(peer.port, ctx);
      expect(JSON.parse(s.recv(4096).toString()).client.commonName).toBe(
        "testclient",
      );
      s.close();
      peer.kill();
    });

    test("no client certificate for a CERT_REQUIRED server: TLS 1.3 fails at the first read", async () => {
      const peer = await startTlsPeer([
        "info",
        "--verify-client",
        "--tls-max",
        "1.3",
      ]);
      using s = tlsConnect(peer.port);
      const e = raises<ssl.SSLError>(() => s.recv(1024));
      expect(e).toBeInstanceOf(ssl.SSLError);
      expect(e.reason).toBe("TLSV13_ALERT_CERTIFICATE_REQUIRED");
      expect(e.message).toBe(
        "[SSL: TLSV13_ALERT_CERTIFICATE_REQUIRED] tlsv13 alert certificate required",
      );
      peer.kill();
    });

    test("no client certificate for a CERT_REQUIRED server: TLS 1.2 fails in the handshake", async () => {
      const peer = await startTlsPeer([
        "info",
        "--verify-client",
        "--tls-max",
        "1.2",
      ]);
      const e = raises<ssl.SSLError>(() => tlsConnect(peer.port));
      expect(e).toBeInstanceOf(ssl.SSLError);
      expect(e.reason).toBe("SSLV3_ALERT_HANDSHAKE_FAILURE");
      peer.kill();
    });

    test("100 MB up (Python checks the pattern) and 100 MB down (we check it)", async () => {
      const sink = await startTlsPeer(["sink", "--bytes", String(MB100)]);
      {
        using s = tlsConnect(sink.port);
        sendPattern(s, MB100);
        const reply = JSON.parse(s.recv(4096).toString());
        expect(reply).toEqual({
          received: MB100,
          mismatch: -1,
          sha256: patternSha256(MB100),
        });
        s.unwrap();
      }
      const source = await startTlsPeer(["source", "--bytes", String(MB100)]);
      {
        using s = tlsConnect(source.port);
        const chk = new PatternChecker();
        const buf = new Uint8Array(new ArrayBuffer(65536));
        for (;;) {
          const k = s.recv_into(buf);
          if (k === 0) break;
          chk.feed(buf.subarray(0, k));
        }
        expect(chk.result()).toEqual({
          received: MB100,
          mismatch: -1,
          sha256: patternSha256(MB100),
        });
        s.unwrap();
      }
      expect((await sink.results())[0]).toMatchObject({
        received: MB100,
        mismatch: -1,
      });
      expect((await source.results())[0]).toMatchObject({ sent: MB100 });
    }, 60_000);

    test("close_notify: recv() returns b'' at the peer's close_notify; then unwrap() completes", async () => {
      const peer = await startTlsPeer(["source", "--bytes", "1000"]);
      using s = tlsConnect(peer.port);
      expect(readToEof(s).length).toBe(1000);
      expect(s.recv(10).length).toBe(0);
      const plain = s.unwrap();
      expect(plain).toBe(s);
      expect(s.version()).toBeNull();
      // After unwrap the object is a plain socket again.
      expect(() => s.read(1)).toThrow(
        "Read on closed or unwrapped SSL socket.",
      );
      const [r] = await peer.results();
      expect(r).toMatchObject({ sent: 1000 });
    });

    test("unwrap(): both sides exchange close_notify, then talk plain TCP on the same socket", async () => {
      const peer = await startTlsPeer(["unwrap"]);
      using s = tlsConnect(peer.port);
      s.sendall("hello bye");
      const plain = s.unwrap();
      expect(plain.recv(1024).toString()).toBe("plain-from-python");
      plain.sendall("plain-from-bun");
      plain.shutdown(socket.SHUT_WR);
      expect(plain.recv(10).length).toBe(0);
      const [r] = await peer.results();
      expect(r).toMatchObject({ got: "hello bye", plain: "plain-from-bun" });
    });

    test("peer vanishes mid-stream: a ragged EOF reads as b'' (suppress_ragged_eofs) ...", async () => {
      const peer = await startTlsPeer([
        "source",
        "--bytes",
        "50000",
        "--end",
        "vanish",
      ]);
      using s = tlsConnect(peer.port);
      expect(readToEof(s).length).toBe(50000);
      await peer.results();
    });

    test("... and raises SSLEOFError (errno SSL_ERROR_EOF) without suppress_ragged_eofs", async () => {
      const peer = await startTlsPeer([
        "source",
        "--bytes",
        "50000",
        "--end",
        "vanish",
      ]);
      using s = clientContext().wrap_socket(tcp(peer.port), {
        server_hostname: "localhost",
        suppress_ragged_eofs: false,
      });
      let n = 0;
      const e = raises<ssl.SSLEOFError>(() => {
        for (;;) {
          const b = s.recv(65536);
          if (b.length === 0) break;
          n += b.length;
        }
      });
      expect(n).toBe(50000);
      expect(e).toBeInstanceOf(ssl.SSLEOFError);
      expect(e.errno).toBe(ssl.SSL_ERROR_EOF);
      expect(e.message).toBe(
        "[SSL: UNEXPECTED_EOF_WHILE_READING] EOF occurred in violation of protocol",
      );
      await peer.results();
    });

    test("makefile('rb') reads through TLS; sendfile() sends a file through TLS (not sendfile(2))", async () => {
      const c = certs();
      const source = await startTlsPeer(["source", "--bytes", "1000000"]);
      {
        using s = tlsConnect(source.port);
        const f = s.makefile("rb");
        const data = f.read() as Buffer;
        f.close();
        expect(data.length).toBe(1000000);
        const chk = new PatternChecker();
        chk.feed(data);
        expect(chk.mismatch).toBe(-1);
        s.unwrap();
      }
      const file = join(c.dir, "send.bin");
      const body = Buffer.concat([
        patternAt(0, 251 * 1000),
        patternAt(251 * 1000, 251 * 1000),
      ]);
      writeFileSync(file, body);
      try {
        const sink = await startTlsPeer([
          "sink",
          "--bytes",
          String(body.length),
        ]);
        using s = tlsConnect(sink.port);
        expect(s.sendfile(Bun.file(file))).toBe(body.length);
        expect(JSON.parse(s.recv(4096).toString())).toMatchObject({
          received: body.length,
          mismatch: -1,
        });
        s.unwrap();
        await sink.results();
      } finally {
        rmIfExists(file);
      }
      await source.results();
    });

    test("read timeout: TimeoutError 'The read operation timed out', and the connection stays usable", async () => {
      const peer = await startTlsPeer(["late", "--delay", "1.0"]);
      using s = tlsConnect(peer.port);
      s.settimeout(0.2);
      const t0 = performance.now();
      const e = raises<socket.TimeoutError>(() => s.recv(100));
      const dt = performance.now() - t0;
      expect(e).toBeInstanceOf(socket.TimeoutError);
      expect(e.message).toBe("The read operation timed out");
      expect(e.errno).toBeNull();
      expect(dt).toBeGreaterThanOrEqual(190);
      expect(dt).toBeLessThan(900);
      s.settimeout(5);
      expect(s.recv(100).toString()).toBe("late\n");
      peer.kill();
    });
  },
);

describe.skipIf(!HAVE_OPENSSL_CLI)(
  "client: trust sources, ciphers and SSLSocket odds and ends",
  () => {
    test("capath (an OpenSSL hashed directory) and cadata (PEM text) as trust anchors", async () => {
      const c = certs();
      const srv = await startWwwServer();
      const hashed = join(c.dir, "hashed");
      mkdirSync(hashed, { recursive: true });
      copyFileSync(c.ca, join(hashed, "ca.pem"));
      const r = Bun.spawnSync({
        cmd: ["openssl", "rehash", hashed],
        stdout: "pipe",
        stderr: "pipe",
      });
      expect(r.exitCode).toBe(0);
      const byDir = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
      byDir.load_verify_locations(null, hashed);
      const a = tlsConnect(srv.port, byDir);
      expect(a.version()).not.toBeNull();
      a.close();
      const byData = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
      byData.load_verify_locations(null, null, readFileSync(c.ca, "utf8"));
      const b = tlsConnect(srv.port, byData);
      expect(b.version()).not.toBeNull();
      b.close();
      srv.kill();
    });

    test("set_ciphers picks the TLS 1.2 cipher; read()/write(), names, chain, context switch, shutdown()", async () => {
      const peer = await startTlsPeer(["echo", "--tls-max", "1.2"]);
      const ctx = clientContext();
      ctx.set_ciphers("ECDHE-RSA-AES128-GCM-SHA256");
      using s = tlsConnect(peer.port, ctx);
      expect(s.cipher()).toEqual([
        "ECDHE-RSA-AES128-GCM-SHA256",
        "TLSv1.2",
        128,
      ]);
      expect(s.compression()).toBeNull();
      expect(s.session_reused).toBe(false);
      expect(s.get_unverified_chain().length).toBe(2);
      expect((s.getpeername() as [string, number])[1]).toBe(peer.port);
      expect((s.getsockname() as [string, number])[0]).toBe("127.0.0.1");
      expect(s.write("abc")).toBe(3);
      expect(s.read(10).toString()).toBe("abc");
      const into = new Uint8Array(8);
      s.write(Buffer.from("defg"));
      expect(s.read(8, into)).toBe(4);
      expect(Buffer.from(into.subarray(0, 4)).toString()).toBe("defg");
      const other = clientContext();
      s.context = other;
      expect(s.context).toBe(other);
      expect(() => (s.context = {} as ssl.SSLContext)).toThrow(
        "The value must be a SSLContext",
      );
      s.shutdown(socket.SHUT_RDWR); // drops TLS (no close_notify), then shuts the TCP connection
      expect(s.version()).toBeNull();
      expect(() => s.read(1)).toThrow(
        "Read on closed or unwrapped SSL socket.",
      );
      peer.kill();
    });
  },
);

describe("client: timeouts and non-blocking handshakes", () => {
  test("handshake timeout against a silent peer: TimeoutError 'The handshake operation timed out'", () => {
    using l = listener(); // never accepts: the kernel completes the TCP handshake, nobody speaks TLS
    const s = socket.socket();
    s.settimeout(0.3);
    s.connect(["127.0.0.1", portOf(l)]);
    const t0 = performance.now();
    const e = raises<socket.TimeoutError>(() =>
      clientContext().wrap_socket(s, { server_hostname: "localhost" }),
    );
    const dt = performance.now() - t0;
    expect(e).toBeInstanceOf(socket.TimeoutError);
    expect(e.message).toBe("The handshake operation timed out");
    expect(dt).toBeGreaterThanOrEqual(290);
    expect(dt).toBeLessThan(1500);
    // wrap_socket closed the socket it failed on, as CPython does.
    expect(s.fileno()).toBe(-1);
  });
});
