// Memory: every OpenSSL object is freed on close() and on garbage collection. Both ends of each connection are
// ours, on a socketpair, driven non-blocking in one thread, so a thousand handshakes need no peer process.
import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import * as socket from "../../src/index.ts";
import * as ssl from "../../src/ssl.ts";
import { openFdCount } from "../helpers/peer.ts";
import {
  certs,
  clientContext,
  HAVE_OPENSSL_CLI,
  serverContext,
} from "./helpers.ts";

// TLS peers are processes; a busy machine makes handshakes slow (bun test's default is 5 s).
setDefaultTimeout(30_000);

beforeAll(() => void (HAVE_OPENSSL_CLI && certs()), 60_000);

function step(f: () => void): boolean {
  try {
    f();
    return true;
  } catch (e) {
    if (e instanceof ssl.SSLWantReadError || e instanceof ssl.SSLWantWriteError)
      return false;
    throw e;
  }
}

/** A client and a server SSLSocket of ours over a socketpair, handshake done. */
function tlsPair(
  cctx: ssl.SSLContext,
  sctx: ssl.SSLContext,
): [ssl.SSLSocket, ssl.SSLSocket] {
  const [a, b] = socket.socketpair();
  a.setblocking(false);
  b.setblocking(false);
  const c = cctx.wrap_socket(a, {
    server_hostname: "localhost",
    do_handshake_on_connect: false,
  });
  const s = sctx.wrap_socket(b, {
    server_side: true,
    do_handshake_on_connect: false,
  });
  let cd = false;
  let sd = false;
  for (let i = 0; !(cd && sd); i++) {
    if (i > 100) throw new Error("handshake made no progress");
    if (!cd) cd = step(() => c.do_handshake());
    if (!sd) sd = step(() => s.do_handshake());
  }
  return [c, s];
}

function exchange(c: ssl.SSLSocket, s: ssl.SSLSocket): void {
  c.send("ping");
  const got: { data: Buffer | null } = { data: null };
  for (let i = 0; got.data === null; i++) {
    if (i > 100) throw new Error("no data");
    step(() => (got.data = s.recv(16)));
  }
  expect(got.data.toString()).toBe("ping");
}

function rssMiB(): number {
  Bun.gc(true);
  return process.memoryUsage().rss / 2 ** 20;
}

async function settle(): Promise<void> {
  // FinalizationRegistry callbacks run after a collection, on later turns of the event loop.
  for (let i = 0; i < 5; i++) {
    Bun.gc(true);
    await Bun.sleep(10);
  }
}

describe.skipIf(!HAVE_OPENSSL_CLI)("memory", () => {
  test("1,000 handshakes with getpeercert() and close(): RSS stays flat", () => {
    const cctx = clientContext();
    const sctx = serverContext();
    const round = (n: number) => {
      for (let i = 0; i < n; i++) {
        const [c, s] = tlsPair(cctx, sctx);
        expect(c.getpeercert()!.subject.length).toBe(6);
        expect(c.getpeercert(true)!.length).toBeGreaterThan(500);
        expect(c.get_verified_chain().length).toBe(2);
        expect(c.cipher()).not.toBeNull();
        exchange(c, s);
        c.close();
        s.close();
      }
    };
    round(300); // warm-up: JIT, allocator pools
    const before = rssMiB();
    round(1000);
    const grew = rssMiB() - before;
    // One leaked X509 per connection alone would be ~8 MiB here; an SSL object far more.
    expect(grew).toBeLessThan(6);
  }, 120_000);

  test("SSLSockets dropped without close(): garbage collection frees them and their descriptors", async () => {
    const cctx = clientContext();
    const sctx = serverContext();
    const fds0 = openFdCount();
    // Memory freed by finalizers comes back in batches, so RSS first climbs to the high-water mark of one round;
    // a leak keeps climbing after that, a plateau means everything is freed and reused.
    const rss: number[] = [];
    for (let r = 0; r < 6; r++) {
      for (let i = 0; i < 400; i++) exchange(...tlsPair(cctx, sctx));
      await settle();
      rss.push(rssMiB());
      expect(openFdCount()).toBeLessThanOrEqual(fds0 + 4);
    }
    expect(rss[5]! - rss[2]!).toBeLessThan(6);
  }, 120_000);

  test("SSLContexts dropped: SSL_CTX_free on garbage collection", async () => {
    const c = certs();
    const rss: number[] = [];
    for (let r = 0; r < 6; r++) {
      for (let i = 0; i < 1000; i++) {
        const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
        ctx.load_verify_locations(c.ca);
        ctx.set_alpn_protocols(["h2", "http/1.1"]);
      }
      await settle();
      rss.push(rssMiB());
    }
    expect(rss[5]! - rss[2]!).toBeLessThan(4);
  }, 120_000);
});
