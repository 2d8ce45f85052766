/**
 * The 2.x seed's `socket.ssl(sock, keyfile, certfile)` for the core module. OpenSSL is loaded on the first call
 * (a synchronous `require` of `./ssl.ts`), so `bun-socket` itself works where OpenSSL is missing.
 */
import type { SocketObject } from "./socket.ts";
import type { SeedSslOptions, SSLType } from "./ssl.ts";

/**
 * The 2.x seed's `socket.ssl(sock, keyfile?, certfile?)`: starts TLS as a client on the connected `sock` and
 * returns an object with `write(data)` (bytes written), `read(n?)` (without `n`: until EOF), `server()` and
 * `issuer()` (the server certificate's subject and issuer as one-line names).
 *
 * DIFFERS FROM the seed, on purpose: the server's certificate chain is verified against the system trust store
 * (or `options.cafile`), and its name against `options.server_hostname` when one is given (also sent as SNI);
 * pass `{ verify: false }` explicitly to connect without verification, as the seed did.
 * Loads OpenSSL on first use (`SSL_CTX_set_default_verify_paths`, `SSL_do_handshake`, `SSL_read`, `SSL_write`).
 * @throws SSLCertVerificationError (bun-socket/ssl) when verification fails; the ImportError-named Error of
 *   bun-socket/ssl when OpenSSL 3 cannot be loaded
 * @example
 * ```ts
 * const s = socket.socket();
 * s.settimeout(10);
 * s.connect(["example.org", 443]);
 * const tls = socket.ssl(s, null, null, { server_hostname: "example.org" });
 * tls.write("GET / HTTP/1.0\r\nHost: example.org\r\n\r\n");
 * console.log(tls.issuer(), tls.read().length);
 * ```
 * @see https://docs.python.org/release/2.3/lib/module-socket.html
 * @see https://docs.python.org/release/2.3/lib/ssl-objects.html
 */
export function ssl(
  sock: SocketObject,
  keyfile?: string | null,
  certfile?: string | null,
  options?: SeedSslOptions,
): SSLType {
  const m = require("./ssl.ts") as typeof import("./ssl.ts");
  return m.seedSsl(sock, keyfile, certfile, options);
}
