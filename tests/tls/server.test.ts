// Our TLS server (SSLContext(PROTOCOL_TLS_SERVER).wrap_socket(conn, { server_side: true })) with CPython's ssl
// client (tests/tls/tls_peer.py client): handshakes, client certificates, ALPN selection, bulk data both ways,
// close_notify / unwrap, a client that vanishes mid-stream, and accept() on a wrapped listening socket.
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
import {
  certs,
  HAVE_OPENSSL_CLI,
  killTlsPeers,
  listener,
  patternSha256,
  PatternChecker,
  portOf,
  raises,
  sendPattern,
  serverContext,
  spawnTlsClient,
  T_O,
} from "./helpers.ts";

// TLS peers are processes; a busy machine makes handshakes slow (bun test's default is 5 s).
setDefaultTimeout(30_000);

beforeAll(() => void (HAVE_OPENSSL_CLI && certs()), 60_000);
afterEach(killTlsPeers);
afterAll(killTlsPeers);

const MB100 = 100 * 1024 * 1024;

/** Accepts one connection (bounded by the listener's timeout) and wraps it as the server side. */
function acceptTls(
  l: socket.socket,
  ctx: ssl.SSLContext,
  opts: ssl.WrapSocketOptions = {},
): ssl.SSLSocket {
  const [conn] = l.accept();
  conn.settimeout(T_O);
  return ctx.wrap_socket(conn, { server_side: true, ...opts });
}

describe.skipIf(!HAVE_OPENSSL_CLI)("our server, CPython's client", () => {
  for (const v of ["1.2", "1.3"]) {
    test(`handshake TLS ${v}; both sides agree on version and cipher`, async () => {
      using l = listener();
      const client = spawnTlsClient(portOf(l), [
        "--tls-max",
        v,
        "--end",
        "notify",
      ]);
      using s = acceptTls(l, serverContext());
      expect(s.server_side).toBe(true);
      expect(s.server_hostname).toBeNull();
      expect(s.version()).toBe(`TLSv${v}`);
      expect(s.getpeercert()).toBeNull(); // no client certificate was asked for
      const cipher = s.cipher()![0];
      // The client's close_notify ends our read; then we answer it.
      expect(s.recv(100).length).toBe(0);
      s.unwrap();
      const r = await client.result();
      expect(r).toMatchObject({ version: `TLSv${v}`, cipher, unwrapped: true });
      expect(r.server).toMatchObject({ commonName: "localhost" });
    });
  }

  test("client certificates required: we see the client's certificate", async () => {
    const c = certs();
    const ctx = serverContext();
    ctx.verify_mode = ssl.CERT_REQUIRED;
    ctx.load_verify_locations(c.ca);
    using l = listener();
    const client = spawnTlsClient(portOf(l), [
      "--cert",
      "client",
      "--end",
      "notify",
    ]);
    using s = acceptTls(l, ctx);
    const cert = s.getpeercert()!;
    expect(cert.subject).toEqual([
      [["organizationName", "bun-socket Test"]],
      [["commonName", "testclient"]],
    ]);
    expect(s.recv(10).length).toBe(0);
    s.unwrap();
    expect((await client.result()).unwrapped).toBe(true);
  });

  test("client certificates required, none sent: our handshake fails (PEER_DID_NOT_RETURN_A_CERTIFICATE)", async () => {
    const c = certs();
    const ctx = serverContext();
    ctx.verify_mode = ssl.CERT_REQUIRED;
    ctx.load_verify_locations(c.ca);
    using l = listener();
    const client = spawnTlsClient(portOf(l), ["--recv-bytes", "10"]);
    const [conn] = l.accept();
    conn.settimeout(T_O);
    const e = raises<ssl.SSLError>(() =>
      ctx.wrap_socket(conn, { server_side: true }),
    );
    expect(e).toBeInstanceOf(ssl.SSLError);
    expect(e.reason).toBe("PEER_DID_NOT_RETURN_A_CERTIFICATE");
    expect(conn.fileno()).toBe(-1); // detached into the SSLSocket, which was closed
    const r = await client.result();
    expect(r.exc).toBe("SSLError");
    expect(String(r.msg)).toContain("TLSV13_ALERT_CERTIFICATE_REQUIRED");
  });

  test("client certificate from an unknown CA: SSLCertVerificationError with verify_code 20", async () => {
    const c = certs();
    const ctx = serverContext();
    ctx.verify_mode = ssl.CERT_REQUIRED;
    ctx.load_verify_locations(c.ca);
    using l = listener();
    const client = spawnTlsClient(portOf(l), [
      "--cert",
      "other-client",
      "--recv-bytes",
      "10",
    ]);
    const [conn] = l.accept();
    conn.settimeout(T_O);
    const e = raises<ssl.SSLCertVerificationError>(() =>
      ctx.wrap_socket(conn, { server_side: true }),
    );
    expect(e).toBeInstanceOf(ssl.SSLCertVerificationError);
    expect(e.verify_code).toBe(20);
    expect(e.verify_message).toBe("unable to get local issuer certificate");
    await client.result();
  });

  test("ALPN: the server's preference wins; no overlap means no protocol", async () => {
    const ctx = serverContext();
    ctx.set_alpn_protocols(["h2", "http/1.1"]);
    for (const [offer, expected] of [
      ["http/1.1,h2", "h2"],
      ["spdy/1", null],
    ] as const) {
      using l = listener();
      const client = spawnTlsClient(portOf(l), [
        "--alpn",
        offer,
        "--end",
        "notify",
      ]);
      using s = acceptTls(l, ctx);
      expect(s.selected_alpn_protocol()).toBe(expected);
      expect(s.recv(10).length).toBe(0);
      s.unwrap();
      expect((await client.result()).alpn).toBe(expected);
    }
  });

  test("100 MB from the client (we check the pattern) and 100 MB back (it checks)", async () => {
    using l = listener();
    const client = spawnTlsClient(portOf(l), [
      "--send-bytes",
      String(MB100),
      "--recv-bytes",
      String(MB100),
      "--timeout",
      "30",
    ]);
    using s = acceptTls(l, serverContext());
    const chk = new PatternChecker();
    const buf = new Uint8Array(new ArrayBuffer(65536));
    while (chk.n < MB100) {
      const k = s.recv_into(buf);
      if (k === 0) break;
      chk.feed(buf.subarray(0, k));
    }
    expect(chk.result()).toEqual({
      received: MB100,
      mismatch: -1,
      sha256: patternSha256(MB100),
    });
    sendPattern(s, MB100);
    const r = await client.result();
    expect(r).toMatchObject({
      sent: MB100,
      received: MB100,
      mismatch: -1,
      sha256: patternSha256(MB100),
    });
  }, 60_000);

  test("unwrap() from our side: the client reads our data, then EOF at our close_notify", async () => {
    using l = listener();
    const client = spawnTlsClient(portOf(l), ["--end", "wait-eof"]);
    using s = acceptTls(l, serverContext());
    s.sendall("last words");
    // The client reads to our close_notify and then just closes the TCP socket (no close_notify of its own),
    // which ends unwrap's wait for the peer's close_notify with an EOF error, as in CPython.
    const e = raises<ssl.SSLError>(() => s.unwrap());
    expect(e).toBeInstanceOf(ssl.SSLError);
    const r = await client.result();
    expect(r).toMatchObject({ tail: "last words", eof: true });
  });

  test("the client vanishes mid-stream: b'' with suppress_ragged_eofs, SSLEOFError without", async () => {
    for (const suppress of [true, false]) {
      using l = listener();
      const client = spawnTlsClient(portOf(l), [
        "--send-bytes",
        "1000000",
        "--end",
        "vanish",
        "--vanish-after",
        "300000",
      ]);
      // No TLS 1.3 session tickets: unread bytes at the client's exit would turn its FIN into an RST.
      const ctx = serverContext();
      ctx.num_tickets = 0;
      using s = acceptTls(l, ctx, { suppress_ragged_eofs: suppress });
      let n = 0;
      let err: unknown = null;
      try {
        for (;;) {
          const b = s.recv(65536);
          if (b.length === 0) break;
          n += b.length;
        }
      } catch (e) {
        err = e;
      }
      expect(n).toBe(300000);
      if (suppress) expect(err).toBeNull();
      else {
        expect(err).toBeInstanceOf(ssl.SSLEOFError);
        expect((err as ssl.SSLError).errno).toBe(ssl.SSL_ERROR_EOF);
      }
      expect((await client.result()).sent).toBe(300000);
    }
  });

  test("accept() on a wrapped listening socket returns handshaken SSLSockets", async () => {
    using raw = listener();
    const port = portOf(raw);
    using l = serverContext().wrap_socket(raw, { server_side: true });
    expect(raw.fileno()).toBe(-1); // detached
    expect(l).toBeInstanceOf(ssl.SSLSocket);
    expect(l).toBeInstanceOf(socket.SocketObject);
    expect(l.version()).toBeNull();
    const client = spawnTlsClient(port, ["--end", "notify"]);
    const prev = socket.getdefaulttimeout();
    socket.setdefaulttimeout(T_O); // accepted sockets get the default timeout (bpo-7995)
    try {
      const [s, addr] = l.accept();
      using _ = s;
      expect(s).toBeInstanceOf(ssl.SSLSocket);
      expect(s.server_side).toBe(true);
      expect(s.version()).toMatch(/^TLSv1\.[23]$/);
      expect((addr as [string, number])[0]).toBe("127.0.0.1");
      expect(s.recv(10).length).toBe(0);
      s.unwrap();
    } finally {
      socket.setdefaulttimeout(prev);
    }
    expect((await client.result()).unwrapped).toBe(true);
  });
});
