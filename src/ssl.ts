/**
 * bun-socket/ssl: Python's `ssl` module for Bun, blocking and synchronous, on the system OpenSSL 3 through
 * bun:ffi (no bundled crypto, no subprocess).
 *
 * `import * as ssl from "bun-socket/ssl"` gives what Python's `import ssl` gives: `ssl.create_default_context()`,
 * `ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)`, `ctx.wrap_socket(sock, { server_hostname })`, `ssl.SSLError`,
 * `ssl.CERT_REQUIRED`, ... Verification is on by default for clients, as in Python.
 *
 * OpenSSL is looked up when this module is imported (Linux: `libssl.so.3` / `libcrypto.so.3`; override with
 * `BUN_SOCKET_LIBSSL` / `BUN_SOCKET_LIBCRYPTO`). When it cannot be loaded, the import throws one error naming
 * what was tried and how to fix it; `bun-socket` itself does not need OpenSSL.
 *
 * @example
 * ```ts
 * import * as socket from "bun-socket";
 * import * as ssl from "bun-socket/ssl";
 *
 * const ctx = ssl.create_default_context();
 * using sock = ctx.wrap_socket(socket.create_connection(["example.org", 443], 10), {
 *   server_hostname: "example.org",
 * });
 * console.log(sock.version(), sock.getpeercert()?.subject);
 * ```
 * @see https://docs.python.org/3/library/ssl.html
 * @packageDocumentation
 */
import { OSError } from "./api/errors.ts";

/** Python's `ssl.socket_error`: an alias of `OSError`. */
export const socket_error: typeof OSError = OSError;

export {
  SSLContext,
  SSLContextType,
  SSLSocket,
  create_default_context,
  get_default_verify_paths,
  DER_cert_to_PEM_cert,
  PEM_cert_to_DER_cert,
  cert_time_to_seconds,
  RAND_bytes,
  RAND_status,
  _test_decode_cert,
  NotImplementedError,
  // exceptions
  SSLError,
  SSLZeroReturnError,
  SSLWantReadError,
  SSLWantWriteError,
  SSLSyscallError,
  SSLEOFError,
  SSLCertVerificationError,
  CertificateError,
  // constants
  PROTOCOL_TLS,
  PROTOCOL_SSLv23,
  PROTOCOL_TLS_CLIENT,
  PROTOCOL_TLS_SERVER,
  CERT_NONE,
  CERT_OPTIONAL,
  CERT_REQUIRED,
  VerifyMode,
  VERIFY_DEFAULT,
  VERIFY_CRL_CHECK_LEAF,
  VERIFY_CRL_CHECK_CHAIN,
  VERIFY_X509_STRICT,
  VERIFY_ALLOW_PROXY_CERTS,
  VERIFY_X509_TRUSTED_FIRST,
  VERIFY_X509_PARTIAL_CHAIN,
  OP_ALL,
  OP_NO_SSLv2,
  OP_NO_SSLv3,
  OP_NO_TLSv1,
  OP_NO_TLSv1_1,
  OP_NO_TLSv1_2,
  OP_NO_TLSv1_3,
  OP_CIPHER_SERVER_PREFERENCE,
  OP_SINGLE_DH_USE,
  OP_SINGLE_ECDH_USE,
  OP_NO_COMPRESSION,
  OP_NO_TICKET,
  OP_NO_RENEGOTIATION,
  OP_ENABLE_MIDDLEBOX_COMPAT,
  OP_IGNORE_UNEXPECTED_EOF,
  OP_LEGACY_SERVER_CONNECT,
  OP_ENABLE_KTLS,
  TLSVersion,
  HAS_SNI,
  HAS_ALPN,
  HAS_ECDH,
  HAS_NPN,
  HAS_NEVER_CHECK_COMMON_NAME,
  HAS_SSLv2,
  HAS_SSLv3,
  HAS_TLSv1,
  HAS_TLSv1_1,
  HAS_TLSv1_2,
  HAS_TLSv1_3,
  CHANNEL_BINDING_TYPES,
  OPENSSL_VERSION,
  OPENSSL_VERSION_NUMBER,
  OPENSSL_VERSION_INFO,
  PEM_HEADER,
  PEM_FOOTER,
  Purpose,
  SSL_ERROR_SSL,
  SSL_ERROR_WANT_READ,
  SSL_ERROR_WANT_WRITE,
  SSL_ERROR_WANT_X509_LOOKUP,
  SSL_ERROR_SYSCALL,
  SSL_ERROR_ZERO_RETURN,
  SSL_ERROR_WANT_CONNECT,
  SSL_ERROR_EOF,
  SSL_ERROR_INVALID_ERROR_CODE,
  type SSLContextClass,
  type WrapSocketOptions,
  type DefaultVerifyPaths,
  type ASN1Object,
  type CertificateDict,
  type DistinguishedName,
  type RelativeDistinguishedName,
  type NameAttribute,
  type AltName,
  type CipherInfo,
} from "./api/ssl.ts";
