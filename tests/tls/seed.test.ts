// The 2.x seed's socket.ssl(sock, keyfile, certfile) -> object with write/read/server/issuer, from the core
// module, against openssl s_server and CPython's ssl server. It verifies by default (a deliberate difference
// from the seed): against the system trust store, or `cafile`; `verify: false` must be asked for.
import {
  afterAll,
  afterEach,
  beforeAll,
  describe,
  expect,
  setDefaultTimeout,
  test,
} from "bun:test";
import * as socket from "../../src/index.ts";
import * as ssl from "../../src/ssl.ts";
import { runChild } from "../helpers/peer.ts";
import {
  certs,
  HAVE_OPENSSL_CLI,
  killTlsPeers,
  raises,
  startSServer,
  startWwwServer,
  startTlsPeer,
  tcp,
} from "./helpers.ts";

// TLS peers are processes; a busy machine makes handshakes slow (bun test's default is 5 s).
setDefaultTimeout(30_000);

beforeAll(() => void (HAVE_OPENSSL_CLI && certs()), 60_000);
afterEach(killTlsPeers);
afterAll(killTlsPeers);

describe.skipIf(!HAVE_OPENSSL_CLI)(
  "socket.ssl() (the seed's TLS object)",
  () => {
    test("against s_server: write() returns the count, read() reads to EOF, server()/issuer() name the certificate", async () => {
      const c = certs();
      const srv = await startWwwServer();
      const sock = tcp(srv.port);
      const tls = socket.ssl(sock, null, null, {
        cafile: c.ca,
        server_hostname: "localhost",
      });
      expect(tls.server()).toBe(
        "/C=US/ST=Test State/L=Testville/O=bun-socket T\\xC3\\xABst/OU=Srv+UID=srv42/CN=localhost",
      );
      expect(tls.issuer()).toBe(
        "/C=US/O=bun-socket Test/CN=bun-socket Test CA",
      );
      expect(tls.write("GET / HTTP/1.0\r\n\r\n")).toBe(18);
      const head = tls.read(15);
      expect(head.toString()).toBe("HTTP/1.0 200 ok");
      const rest = tls.read();
      expect(rest.toString()).toContain("</HTML>");
      expect(tls.read().length).toBe(0);
      sock.close();
      srv.kill();
    });

    test("verifies by default against the system store: the test CA is unknown there (verify_code 20)", async () => {
      const srv = await startWwwServer();
      using sock = tcp(srv.port);
      const e = raises<ssl.SSLCertVerificationError>(() => socket.ssl(sock));
      expect(e).toBeInstanceOf(ssl.SSLCertVerificationError);
      expect(e.verify_code).toBe(20);
      srv.kill();
    });

    test("the system store is OpenSSL's default one ($SSL_CERT_FILE at process start is honoured)", async () => {
      const c = certs();
      const srv = await startWwwServer();
      const r = await runChild(
        `import * as socket from "./src/index.ts";
const s = socket.socket(); s.settimeout(10); s.connect(["127.0.0.1", ${srv.port}]);
const t = socket.ssl(s, null, null, { server_hostname: "localhost" });
t.write("GET / HTTP/1.0\\r\\n\\r\\n");
console.log(JSON.stringify({ ok: t.read().toString().startsWith("HTTP/1.0 200"), issuer: t.issuer() }));`,
        {
          timeoutMs: 20_000,
          env: { SSL_CERT_FILE: c.ca, SSL_CERT_DIR: c.dir },
        },
      );
      expect(r.timedOut).toBe(false);
      expect(JSON.parse(r.stdout.trim().split("\n").at(-1)!)).toEqual({
        ok: true,
        issuer: "/C=US/O=bun-socket Test/CN=bun-socket Test CA",
      });
      srv.kill();
    }, 30_000);

    test("host name checked when given (verify_code 62), chain checked always (expired: 10)", async () => {
      const c = certs();
      const good = await startWwwServer();
      {
        using sock = tcp(good.port);
        const e = raises<ssl.SSLCertVerificationError>(() =>
          socket.ssl(sock, null, null, {
            cafile: c.ca,
            server_hostname: "wrong.example",
          }),
        );
        expect(e.verify_code).toBe(62);
      }
      {
        // No name given: only the chain is checked.
        using sock = tcp(good.port);
        const t = socket.ssl(sock, null, null, { cafile: c.ca });
        expect(t.server()).toContain("CN=localhost");
        t.close();
      }
      good.kill();
      const expired = await startSServer([
        "-cert",
        c.expired,
        "-key",
        c.expiredKey,
        "-www",
      ]);
      using sock = tcp(expired.port);
      const e = raises<ssl.SSLCertVerificationError>(() =>
        socket.ssl(sock, null, null, { cafile: c.ca }),
      );
      expect(e.verify_code).toBe(10);
      expired.kill();
    });

    test("verify: false connects without verification, as the seed did", async () => {
      const c = certs();
      const srv = await startSServer([
        "-cert",
        c.expired,
        "-key",
        c.expiredKey,
        "-www",
      ]);
      using sock = tcp(srv.port);
      const t = socket.ssl(sock, null, null, {
        verify: false,
        server_hostname: "anything.example",
      });
      expect(t.server()).toBe("/CN=localhost");
      t.write("GET / HTTP/1.0\r\n\r\n");
      expect(t.read().toString()).toContain("200 ok");
      srv.kill();
    });

    test("keyfile + certfile give a client certificate; only one of them is an error", async () => {
      const c = certs();
      const peer = await startTlsPeer(["info", "--verify-client"]);
      using sock = tcp(peer.port);
      const t = socket.ssl(sock, c.clientKey, c.client, {
        cafile: c.ca,
        server_hostname: "localhost",
      });
      const info = JSON.parse(t.read(4096).toString());
      expect(info.client).toEqual({
        organizationName: "bun-socket Test",
        commonName: "testclient",
      });
      sock.close();
      using other = socket.socket();
      expect(() => socket.ssl(other, c.clientKey)).toThrow(
        "Both the key & certificate files must be specified",
      );
      peer.kill();
    });

    test("the socket's timeout bounds read(): TimeoutError 'The read operation timed out'", async () => {
      const c = certs();
      const peer = await startTlsPeer(["late", "--delay", "1.0"]);
      using sock = tcp(peer.port);
      const t = socket.ssl(sock, null, null, {
        cafile: c.ca,
        server_hostname: "localhost",
      });
      sock.settimeout(0.2);
      const e = raises<socket.TimeoutError>(() => t.read(10));
      expect(e).toBeInstanceOf(socket.TimeoutError);
      expect(e.message).toBe("The read operation timed out");
      sock.settimeout(5);
      expect(t.read().toString()).toBe("late\n");
      peer.kill();
    });

    test("read() to EOF treats a connection cut without close_notify as EOF", async () => {
      const c = certs();
      const peer = await startTlsPeer([
        "source",
        "--bytes",
        "300000",
        "--end",
        "vanish",
      ]);
      using sock = tcp(peer.port);
      const t = socket.ssl(sock, null, null, {
        cafile: c.ca,
        server_hostname: "localhost",
      });
      expect(t.read().length).toBe(300000);
      await peer.results();
    });

    test("a closed socket: 'Underlying socket connection gone'", async () => {
      const c = certs();
      const peer = await startTlsPeer(["echo"]);
      const sock = tcp(peer.port);
      const t = socket.ssl(sock, null, null, {
        cafile: c.ca,
        server_hostname: "localhost",
      });
      expect(t.write("abc")).toBe(3);
      expect(t.read(10).toString()).toBe("abc");
      sock.close();
      const e = raises<ssl.SSLError>(() => t.read(10));
      expect(e).toBeInstanceOf(ssl.SSLError);
      expect(e.message).toBe("Underlying socket connection gone");
      peer.kill();
    });
  },
);
