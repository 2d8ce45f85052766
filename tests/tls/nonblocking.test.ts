// Non-blocking TLS as CPython defines it: SSLWantReadError / SSLWantWriteError instead of blocking, a handshake
// driven by select.select() (bun-socket/select), pending(), and the mode rules of wrap_socket / do_handshake.
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
import * as select from "../../src/select.ts";
import * as ssl from "../../src/ssl.ts";
import {
  certs,
  clientContext,
  HAVE_OPENSSL_CLI,
  killTlsPeers,
  listener,
  portOf,
  raises,
  serverContext,
  spawnTlsClient,
  startTlsPeer,
  tcp,
  T_O,
} from "./helpers.ts";

// TLS peers are processes; a busy machine makes handshakes slow (bun test's default is 5 s).
setDefaultTimeout(30_000);

beforeAll(() => void (HAVE_OPENSSL_CLI && certs()), 60_000);
afterEach(killTlsPeers);
afterAll(killTlsPeers);

/** Runs `op` until it stops raising SSLWantRead/WriteError, waiting with select() in between; counts the waits. */
function untilDone<T>(
  s: ssl.SSLSocket,
  op: () => T,
): { value: T; waits: number } {
  let waits = 0;
  for (;;) {
    try {
      return { value: op(), waits };
    } catch (e) {
      waits++;
      if (waits > 1000) throw new Error("no progress");
      if (e instanceof ssl.SSLWantReadError) {
        const [r] = select.select([s], [], [], T_O);
        if (r.length === 0) throw new Error("select timed out (read)");
      } else if (e instanceof ssl.SSLWantWriteError) {
        const [, w] = select.select([], [s], [], T_O);
        if (w.length === 0) throw new Error("select timed out (write)");
      } else throw e;
    }
  }
}

describe.skipIf(!HAVE_OPENSSL_CLI)("non-blocking TLS", () => {
  test("client: handshake driven by select(), then SSLWantReadError until data arrives; pending()", async () => {
    const peer = await startTlsPeer(["echo"]);
    const raw = tcp(peer.port);
    const s = clientContext().wrap_socket(raw, {
      server_hostname: "localhost",
      do_handshake_on_connect: false,
    });
    using _ = s;
    s.setblocking(false);
    expect(s.version()).toBeNull();
    // Usually the first try wants to read (the server's flight is not there yet); on a busy machine the peer can
    // answer within the call, so the number of waits is not asserted.
    untilDone(s, () => s.do_handshake());
    expect(s.version()).toMatch(/^TLSv1\.[23]$/);

    // Nothing sent yet: a read must not block.
    const e = raises<ssl.SSLWantReadError>(() => s.recv(10));
    expect(e).toBeInstanceOf(ssl.SSLWantReadError);
    expect(e).toBeInstanceOf(ssl.SSLError);
    expect(e.errno).toBe(ssl.SSL_ERROR_WANT_READ);
    expect(e.message).toBe("The operation did not complete (read)");

    expect(s.send("ping-pong")).toBe(9);
    const first = untilDone(s, () => s.recv(4)).value;
    expect(first.toString()).toBe("ping");
    // The rest of the record is decrypted and waiting inside OpenSSL, not in the socket.
    expect(s.pending()).toBe(5);
    expect(s.recv(100).toString()).toBe("-pong");
    expect(s.pending()).toBe(0);
    s.setblocking(true);
    s.settimeout(T_O);
    s.unwrap();
    await peer.results();
  });

  test("server: non-blocking accept-side handshake driven by select()", async () => {
    using l = listener();
    const client = spawnTlsClient(portOf(l), ["--end", "notify"]);
    const [conn] = l.accept();
    conn.setblocking(false);
    using s = serverContext().wrap_socket(conn, {
      server_side: true,
      do_handshake_on_connect: false,
    });
    untilDone(s, () => s.do_handshake());
    expect(s.version()).toMatch(/^TLSv1\.[23]$/);
    // The client's close_notify: b"" once it arrives.
    const eof = untilDone(s, () => s.recv(10)).value;
    expect(eof.length).toBe(0);
    untilDone(s, () => s.unwrap());
    expect((await client.result()).unwrapped).toBe(true);
  });

  test("unwrap() on a non-blocking socket raises SSLWantReadError until the peer's close_notify arrives", async () => {
    // The peer answers our close_notify with its own only after 0.3 s, so the first try must want to read.
    const peer = await startTlsPeer(["lazy-close", "--delay", "0.3"]);
    const raw = tcp(peer.port);
    using s = clientContext().wrap_socket(raw, {
      server_hostname: "localhost",
    });
    s.setblocking(false);
    expect(() => s.unwrap()).toThrow(ssl.SSLWantReadError);
    const done = untilDone(s, () => s.unwrap());
    expect(done.value).toBe(s);
    expect((await peer.results())[0]!.exc).toBeUndefined();
  });

  test("do_handshake_on_connect with a non-blocking connected socket: ValueError (socket closed)", async () => {
    const peer = await startTlsPeer(["echo"]);
    const raw = tcp(peer.port);
    raw.setblocking(false);
    const e = raises(() =>
      clientContext().wrap_socket(raw, { server_hostname: "localhost" }),
    );
    expect(e).toBeInstanceOf(socket.ValueError);
    expect(e.message).toBe(
      "do_handshake_on_connect should not be specified for non-blocking sockets",
    );
    expect(raw.fileno()).toBe(-1);
    peer.kill();
  });

  test("do_handshake(true) blocks for the handshake and restores non-blocking mode", async () => {
    const peer = await startTlsPeer(["echo"]);
    const raw = tcp(peer.port);
    using s = clientContext().wrap_socket(raw, {
      server_hostname: "localhost",
      do_handshake_on_connect: false,
    });
    s.setblocking(false);
    s.do_handshake(true);
    expect(s.version()).not.toBeNull();
    expect(s.gettimeout()).toBe(0);
    peer.kill();
  });
});
