/**
 * Python's `ssl` module over the system OpenSSL 3: `SSLContext`, `SSLSocket`, `create_default_context`, the
 * exceptions and constants, and the 2.x seed's `socket.ssl()` object. Blocking, timeout and non-blocking modes
 * follow CPython 3.13's `Modules/_ssl.c` and `Lib/ssl.py`; OpenSSL is reached only through `src/platform/tls.ts`
 * and `src/platform/x509.ts`.
 * @module
 */
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { plat } from "../ffi/index.ts";
import {
  PEM_R_NO_START_LINE,
  ASN1_R_HEADER_TOO_LONG,
  ERR_GET_LIB,
  ERR_GET_REASON,
  ERR_LIB_ASN1,
  ERR_LIB_PEM,
  SSL_ERROR_WANT_READ,
  SSL_ERROR_WANT_WRITE,
  SSL_ERROR_ZERO_RETURN,
  SSL_OP,
  SSL_RECEIVED_SHUTDOWN,
  SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
  SSL_VERIFY_NONE,
  SSL_VERIFY_PEER,
  TLS1_2_VERSION,
  TLS1_3_VERSION,
  SSL3_VERSION,
  X509_CHECK_FLAG_NEVER_CHECK_SUBJECT,
  X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS,
  X509_V_FLAG_ALLOW_PROXY_CERTS,
  X509_V_FLAG_CRL_CHECK,
  X509_V_FLAG_CRL_CHECK_ALL,
  X509_V_FLAG_PARTIAL_CHAIN,
  X509_V_FLAG_TRUSTED_FIRST,
  X509_V_FLAG_X509_STRICT,
  SSL_MODE_AUTO_RETRY,
  SSL_MODE_RELEASE_BUFFERS,
} from "../ffi/openssl.ts";
import * as T from "../platform/tls.ts";
import {
  certificateDer,
  decodeCertificate,
  DecodeFailure,
  nameOneline,
  readPemCertificateFile,
  type CertificateDict,
} from "../platform/x509.ts";
import { now, WAIT_READ, WAIT_WRITE, waitFd } from "../platform/wait.ts";
import type { Address, AddressOut, SocketAddress } from "./address.ts";
import * as arg from "./args.ts";
import {
  badFd,
  fromErrno,
  OSError,
  OverflowError,
  TimeoutError,
  ValueError,
} from "./errors.ts";
import { idnaEncode } from "./idna.ts";
import {
  connectionError,
  PY_SSL_ERROR_EOF,
  SSLError,
  sslErrorFromQueue,
  type FailingConnection,
} from "./ssl-errors.ts";
import {
  sendfileImpl,
  type FileLike,
  type SendfileSource,
} from "./sendfile.ts";
import { SocketObject } from "./socket.ts";

export {
  CertificateError,
  PY_SSL_ERROR_EOF as SSL_ERROR_EOF,
  PY_SSL_ERROR_INVALID_ERROR_CODE as SSL_ERROR_INVALID_ERROR_CODE,
  PY_SSL_ERROR_SSL as SSL_ERROR_SSL,
  PY_SSL_ERROR_SYSCALL as SSL_ERROR_SYSCALL,
  PY_SSL_ERROR_WANT_CONNECT as SSL_ERROR_WANT_CONNECT,
  PY_SSL_ERROR_WANT_READ as SSL_ERROR_WANT_READ,
  PY_SSL_ERROR_WANT_WRITE as SSL_ERROR_WANT_WRITE,
  PY_SSL_ERROR_WANT_X509_LOOKUP as SSL_ERROR_WANT_X509_LOOKUP,
  PY_SSL_ERROR_ZERO_RETURN as SSL_ERROR_ZERO_RETURN,
  SSLCertVerificationError,
  SSLEOFError,
  SSLError,
  SSLSyscallError,
  SSLWantReadError,
  SSLWantWriteError,
  SSLZeroReturnError,
} from "./ssl-errors.ts";
/** Types of the certificate dictionary (`getpeercert()`), re-exported for users. */
export type {
  AltName,
  CertificateDict,
  DistinguishedName,
  NameAttribute,
  RelativeDistinguishedName,
} from "../platform/x509.ts";
/** The dictionary `get_ciphers()` returns for each cipher. */
export type { CipherInfo } from "../platform/tls.ts";

const K = plat.consts;
const E = plat.errnos;

/**
 * Python's `NotImplementedError` (raised for datagram sockets and `dup()`).
 * @example
 * ```ts
 * try {
 *   ctx.wrap_socket(socket.socket(socket.AF_INET, socket.SOCK_DGRAM)); // TLS over UDP
 * } catch (e) {
 *   if (e instanceof ssl.NotImplementedError) console.log(e.message);
 * }
 * ```
 * @see https://docs.python.org/3/library/exceptions.html#NotImplementedError
 */
export class NotImplementedError extends Error {}
Object.defineProperty(NotImplementedError.prototype, "name", {
  value: "NotImplementedError",
  writable: true,
  configurable: true,
});

// ---------------------------------------------------------------------------------------------------
// Constants

/** `ssl.PROTOCOL_TLS` (also `PROTOCOL_SSLv23`): client or server, no verification by default. Deprecated in Python. */
export const PROTOCOL_TLS = 2;
/** `ssl.PROTOCOL_SSLv23`: alias of {@link PROTOCOL_TLS}. */
export const PROTOCOL_SSLv23 = 2;
/** `ssl.PROTOCOL_TLS_CLIENT`: client side; `verify_mode` CERT_REQUIRED and `check_hostname` on by default. */
export const PROTOCOL_TLS_CLIENT = 16;
/** `ssl.PROTOCOL_TLS_SERVER`: server side; CERT_NONE by default. */
export const PROTOCOL_TLS_SERVER = 17;

/** `ssl.CERT_NONE`: the peer's certificate is not checked (the client still gets one). */
export const CERT_NONE = 0;
/** `ssl.CERT_OPTIONAL`: checked when sent (a server then asks for one but accepts none). */
export const CERT_OPTIONAL = 1;
/** `ssl.CERT_REQUIRED`: must be sent and valid. */
export const CERT_REQUIRED = 2;
/** Python's `ssl.VerifyMode` enum, as plain numbers. */
export const VerifyMode = Object.freeze({
  CERT_NONE,
  CERT_OPTIONAL,
  CERT_REQUIRED,
});
/** A `verify_mode` value. */
export type VerifyMode = (typeof VerifyMode)[keyof typeof VerifyMode];

/** `ssl.VERIFY_DEFAULT`: no extra verification flags. */
export const VERIFY_DEFAULT = 0;
/** `ssl.VERIFY_CRL_CHECK_LEAF`: check the peer certificate against a loaded CRL (`X509_V_FLAG_CRL_CHECK`). */
export const VERIFY_CRL_CHECK_LEAF = X509_V_FLAG_CRL_CHECK;
/** `ssl.VERIFY_CRL_CHECK_CHAIN`: check every certificate of the chain against CRLs. */
export const VERIFY_CRL_CHECK_CHAIN =
  X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL;
/** `ssl.VERIFY_X509_STRICT`: reject certificates that break RFC 5280 rules (`X509_V_FLAG_X509_STRICT`). */
export const VERIFY_X509_STRICT = X509_V_FLAG_X509_STRICT;
/** `ssl.VERIFY_ALLOW_PROXY_CERTS`: accept proxy certificates (RFC 3820). */
export const VERIFY_ALLOW_PROXY_CERTS = X509_V_FLAG_ALLOW_PROXY_CERTS;
/** `ssl.VERIFY_X509_TRUSTED_FIRST`: prefer trusted certificates when building the chain (on by default). */
export const VERIFY_X509_TRUSTED_FIRST = X509_V_FLAG_TRUSTED_FIRST;
/** `ssl.VERIFY_X509_PARTIAL_CHAIN`: a trusted intermediate certificate may end the chain. */
export const VERIFY_X509_PARTIAL_CHAIN = X509_V_FLAG_PARTIAL_CHAIN;

/** `ssl.OP_ALL`: OpenSSL's bug workarounds (`SSL_OP_ALL` without `DONT_INSERT_EMPTY_FRAGMENTS`, as CPython). */
export const OP_ALL = SSL_OP.ALL - SSL_OP.DONT_INSERT_EMPTY_FRAGMENTS;
/** `ssl.OP_NO_SSLv2`: 0, OpenSSL 3 has no SSLv2. */
export const OP_NO_SSLv2 = 0;
/** `ssl.OP_NO_SSLv3`: never negotiate SSLv3 (set by default). */
export const OP_NO_SSLv3 = SSL_OP.NO_SSLv3;
/** `ssl.OP_NO_TLSv1`: never negotiate TLS 1.0 (deprecated in Python: use `minimum_version`). */
export const OP_NO_TLSv1 = SSL_OP.NO_TLSv1;
/** `ssl.OP_NO_TLSv1_1`: never negotiate TLS 1.1 (deprecated in Python: use `minimum_version`). */
export const OP_NO_TLSv1_1 = SSL_OP.NO_TLSv1_1;
/** `ssl.OP_NO_TLSv1_2`: never negotiate TLS 1.2 (deprecated in Python: use `maximum_version`). */
export const OP_NO_TLSv1_2 = SSL_OP.NO_TLSv1_2;
/** `ssl.OP_NO_TLSv1_3`: never negotiate TLS 1.3 (deprecated in Python: use `maximum_version`). */
export const OP_NO_TLSv1_3 = SSL_OP.NO_TLSv1_3;
/** `ssl.OP_CIPHER_SERVER_PREFERENCE`: a server picks the cipher by its own order (set by default). */
export const OP_CIPHER_SERVER_PREFERENCE = SSL_OP.CIPHER_SERVER_PREFERENCE;
/** `ssl.OP_SINGLE_DH_USE`: 0, always the case in OpenSSL 3. */
export const OP_SINGLE_DH_USE = 0;
/** `ssl.OP_SINGLE_ECDH_USE`: 0, always the case in OpenSSL 3. */
export const OP_SINGLE_ECDH_USE = 0;
/** `ssl.OP_NO_COMPRESSION`: no TLS-level compression (set by default). */
export const OP_NO_COMPRESSION = SSL_OP.NO_COMPRESSION;
/** `ssl.OP_NO_TICKET`: no stateless session tickets. */
export const OP_NO_TICKET = SSL_OP.NO_TICKET;
/** `ssl.OP_NO_RENEGOTIATION`: refuse TLS 1.2 renegotiation. */
export const OP_NO_RENEGOTIATION = SSL_OP.NO_RENEGOTIATION;
/** `ssl.OP_ENABLE_MIDDLEBOX_COMPAT`: TLS 1.3 middlebox compatibility mode (OpenSSL's default). */
export const OP_ENABLE_MIDDLEBOX_COMPAT = SSL_OP.ENABLE_MIDDLEBOX_COMPAT;
/** `ssl.OP_IGNORE_UNEXPECTED_EOF`: treat a TCP EOF without close_notify as a clean close. */
export const OP_IGNORE_UNEXPECTED_EOF = SSL_OP.IGNORE_UNEXPECTED_EOF;
/** `ssl.OP_LEGACY_SERVER_CONNECT`: allow servers without secure renegotiation (RFC 5746). */
export const OP_LEGACY_SERVER_CONNECT = SSL_OP.LEGACY_SERVER_CONNECT;
/** `ssl.OP_ENABLE_KTLS`: let OpenSSL use kernel TLS where available. */
export const OP_ENABLE_KTLS = SSL_OP.ENABLE_KTLS;

/** Python's `ssl.TLSVersion` enum, as plain numbers (`MINIMUM_SUPPORTED` / `MAXIMUM_SUPPORTED` are -2 / -1). */
export const TLSVersion = Object.freeze({
  MINIMUM_SUPPORTED: -2,
  MAXIMUM_SUPPORTED: -1,
  SSLv3: SSL3_VERSION,
  TLSv1: 0x301,
  TLSv1_1: 0x302,
  TLSv1_2: TLS1_2_VERSION,
  TLSv1_3: TLS1_3_VERSION,
});
/** A `minimum_version` / `maximum_version` value. */
export type TLSVersion = (typeof TLSVersion)[keyof typeof TLSVersion];
const PY_PROTO_MINIMUM_AVAILABLE = SSL3_VERSION;
const PY_PROTO_MAXIMUM_AVAILABLE = TLS1_3_VERSION;

/** `ssl.HAS_SNI`: server name indication is supported. */
export const HAS_SNI = true;
/** `ssl.HAS_ALPN`: ALPN is supported. */
export const HAS_ALPN = true;
/** `ssl.HAS_ECDH`: elliptic-curve Diffie-Hellman is supported. */
export const HAS_ECDH = true;
/** `ssl.HAS_NPN`: NPN (ALPN's predecessor) is not offered. */
export const HAS_NPN = false;
/** `ssl.HAS_NEVER_CHECK_COMMON_NAME`: `hostname_checks_common_name` can be switched off. */
export const HAS_NEVER_CHECK_COMMON_NAME = true;
/** `ssl.HAS_SSLv2`: false (OpenSSL 3). */
export const HAS_SSLv2 = false;
/** `ssl.HAS_SSLv3`: false (OpenSSL 3 builds without SSLv3). */
export const HAS_SSLv3 = false;
/** `ssl.HAS_TLSv1`: TLS 1.0 exists in the library (the default minimum is TLS 1.2). */
export const HAS_TLSv1 = true;
/** `ssl.HAS_TLSv1_1`: TLS 1.1 exists in the library (the default minimum is TLS 1.2). */
export const HAS_TLSv1_1 = true;
/** `ssl.HAS_TLSv1_2`: TLS 1.2 is supported. */
export const HAS_TLSv1_2 = true;
/** `ssl.HAS_TLSv1_3`: TLS 1.3 is supported. */
export const HAS_TLSv1_3 = true;
/** `ssl.CHANNEL_BINDING_TYPES`: none are implemented here. DIFFERS FROM CPYTHON: Python lists `tls-unique`. */
export const CHANNEL_BINDING_TYPES: readonly string[] = Object.freeze([]);

/** `ssl.OPENSSL_VERSION`: the loaded library's version text ("OpenSSL 3.0.19 27 Jan 2026"). */
export const OPENSSL_VERSION: string = T.versionText();
/** `ssl.OPENSSL_VERSION_NUMBER` (`OpenSSL_version_num()`). */
export const OPENSSL_VERSION_NUMBER: number = T.versionNumber();
/** `ssl.OPENSSL_VERSION_INFO`: `[major, minor, fix, patch, status]` decoded as CPython does. */
export const OPENSSL_VERSION_INFO: readonly [
  major: number,
  minor: number,
  fix: number,
  patch: number,
  status: number,
] = (() => {
  let n = OPENSSL_VERSION_NUMBER;
  const status = n & 0xf;
  n = Math.floor(n / 16);
  const patch = n & 0xff;
  n = Math.floor(n / 256);
  const fix = n & 0xff;
  n = Math.floor(n / 256);
  const minor = n & 0xff;
  n = Math.floor(n / 256);
  return Object.freeze([n & 0xff, minor, fix, patch, status] as const);
})();

/** `ssl.PEM_HEADER` / `ssl.PEM_FOOTER`. */
/** `ssl.PEM_HEADER`: the first line of a PEM certificate. */
export const PEM_HEADER = "-----BEGIN CERTIFICATE-----";
/** `ssl.PEM_FOOTER`: the last line of a PEM certificate. */
export const PEM_FOOTER = "-----END CERTIFICATE-----";

/** An ASN.1 object as Python's `ssl._ASN1Object` namedtuple: `(nid, shortname, longname, oid)`. */
export interface ASN1Object {
  /** OpenSSL's numeric id of the object (NID), e.g. 129 for serverAuth. */
  readonly nid: number;
  /** Short name, e.g. `"serverAuth"`. */
  readonly shortname: string;
  /** Long name, e.g. `"TLS Web Server Authentication"`. */
  readonly longname: string;
  /** Dotted object identifier, e.g. `"1.3.6.1.5.5.7.3.1"`. */
  readonly oid: string;
}
/**
 * Python's `ssl.Purpose`: `SERVER_AUTH` (a client context that authenticates servers) and `CLIENT_AUTH`
 * (a server context that authenticates clients).
 */
export const Purpose: Readonly<{
  SERVER_AUTH: ASN1Object;
  CLIENT_AUTH: ASN1Object;
}> = Object.freeze({
  SERVER_AUTH: Object.freeze({
    nid: 129,
    shortname: "serverAuth",
    longname: "TLS Web Server Authentication",
    oid: "1.3.6.1.5.5.7.3.1",
  }),
  CLIENT_AUTH: Object.freeze({
    nid: 130,
    shortname: "clientAuth",
    longname: "TLS Web Client Authentication",
    oid: "1.3.6.1.5.5.7.3.2",
  }),
});

/** CPython's `PY_SSL_DEFAULT_CIPHER_STRING` (Modules/_ssl.c, 3.10+): forward secrecy, AEAD/SHA2, security level 2. */
const DEFAULT_CIPHERS =
  "@SECLEVEL=2:ECDH+AESGCM:ECDH+CHACHA20:ECDH+AES:DHE+AES:!aNULL:!eNULL:!aDSS:!SHA1:!AESCCM";
/** PEM_BUFSIZE: the longest password OpenSSL's PEM callback takes. */
const PEM_BUFSIZE = 1024;
const INT_MAX = 0x7fffffff;
const CLS = "<class 'ssl.SSLSocket'>";

// ---------------------------------------------------------------------------------------------------
// The engine: one loop per operation, CPython's `do { op; SSL_get_error; PySSL_select } while (WANT_*)`.

/** A live `SSL *` and what error messages need to know about it. */
interface Link extends FailingConnection {
  ssl: T.Handle;
  hostname: string | null;
  /** CPython's `shutdown_seen_zero`: our close_notify went out; read-ahead is switched off for unwrap. */
  shutdownSeenZero: boolean;
}

// Connections that become garbage are freed here (CPython frees them in the object's dealloc).
const linkFinalizer = new FinalizationRegistry<Link>((link) => {
  if (link.ssl !== 0) T.sslFree(link.ssl);
  link.ssl = 0;
});

function newLink(owner: object, ssl: T.Handle, hostname: string | null): Link {
  const link: Link = { ssl, hostname, shutdownSeenZero: false };
  linkFinalizer.register(owner, link, link);
  return link;
}

function freeLink(link: Link | null): void {
  if (link === null || link.ssl === 0) return;
  linkFinalizer.unregister(link);
  T.sslFree(link.ssl);
  link.ssl = 0;
}

/** Internal timeout: -1 blocking, 0 non-blocking, else seconds. */
function mode(timeout: number | null): number {
  return timeout === null ? -1 : timeout;
}

const OP_READ = 0;
const OP_WRITE = 1;
const OP_HANDSHAKE = 2;
const TIMED_OUT = [
  "The read operation timed out",
  "The write operation timed out",
  "The handshake operation timed out",
] as const;

/**
 * Runs one OpenSSL operation to completion as CPython does: try it, and while OpenSSL wants the socket readable
 * or writable, wait for that with the time left (timeout mode), forever (blocking mode), or raise
 * SSLWantReadError / SSLWantWriteError (non-blocking mode). Returns the operation's positive result, or 0 for a
 * read that met the peer's close_notify.
 */
function drive(
  link: Link,
  fd: number,
  timeout: number,
  op: number,
  buf: Uint8Array | null,
  n: number,
): number {
  let deadline = -1;
  for (;;) {
    const ssl = link.ssl;
    const r =
      op === OP_READ
        ? T.readInto(ssl, buf!, n)
        : op === OP_WRITE
          ? T.write(ssl, buf!, n)
          : T.handshake(ssl);
    if (r > 0) return r;
    const e = -r;
    if (e === SSL_ERROR_WANT_READ || e === SSL_ERROR_WANT_WRITE) {
      if (timeout === 0) throw connectionError(link, e, 0);
      if (timeout > 0 && deadline < 0) deadline = now() + timeout * 1e9;
      const w = waitFd(
        fd,
        e === SSL_ERROR_WANT_READ ? WAIT_READ : WAIT_WRITE,
        deadline,
      );
      if (w === 0) throw new TimeoutError(TIMED_OUT[op]);
      if (w < 0) throw fromErrno(-w);
      continue;
    }
    // A clean close_notify ends a read with b"" (CPython checks the shutdown state is exactly "received").
    if (
      op === OP_READ &&
      e === SSL_ERROR_ZERO_RETURN &&
      T.getShutdown(ssl) === SSL_RECEIVED_SHUTDOWN
    )
      return 0;
    throw connectionError(link, e, T.lastSysError());
  }
}

/** CPython's `_ssl__SSLSocket_shutdown_impl`: send close_notify, then wait for the peer's (at most twice). */
function driveShutdown(link: Link, fd: number, timeout: number): void {
  let deadline = -1;
  let zeros = 0;
  let r: number;
  for (;;) {
    // Disable read-ahead so that unwrap can work correctly (no bytes after close_notify get swallowed).
    if (link.shutdownSeenZero) T.setReadAhead(link.ssl, false);
    r = T.shutdown(link.ssl);
    if (r > 0) return;
    if (r === 0) {
      if (++zeros > 1) return;
      link.shutdownSeenZero = true;
      continue;
    }
    const e = -r;
    if (e !== SSL_ERROR_WANT_READ && e !== SSL_ERROR_WANT_WRITE) break;
    if (timeout === 0) break;
    if (timeout > 0 && deadline < 0) deadline = now() + timeout * 1e9;
    const w = waitFd(
      fd,
      e === SSL_ERROR_WANT_READ ? WAIT_READ : WAIT_WRITE,
      deadline,
    );
    if (w === 0)
      throw new TimeoutError(
        e === SSL_ERROR_WANT_READ ? TIMED_OUT[OP_READ] : TIMED_OUT[OP_WRITE],
      );
    if (w < 0) throw fromErrno(-w);
  }
  throw connectionError(link, -r, T.lastSysError());
}

// Read scratch: one ArrayBuffer-backed block for every connection of this thread (SSL_read returns at most one
// 16 KiB record per call, so bytes beyond this size would never be filled).
const SCRATCH_SIZE = 65536;
const scratch = Buffer.from(new ArrayBuffer(SCRATCH_SIZE));
const EMPTY = Buffer.alloc(0);

function readBytes(link: Link, fd: number, timeout: number, n: number): Buffer {
  const want = n < SCRATCH_SIZE ? n : SCRATCH_SIZE;
  const got = drive(link, fd, timeout, OP_READ, scratch, want);
  if (got === 0) return Buffer.alloc(0);
  const out = Buffer.allocUnsafe(got);
  scratch.copy(out, 0, 0, got);
  return out;
}

function writeBytes(
  link: Link,
  fd: number,
  timeout: number,
  b: Uint8Array,
): number {
  if (b.length > INT_MAX)
    throw new OverflowError(`string longer than ${INT_MAX} bytes`);
  if (b.length === 0) return 0;
  return drive(link, fd, timeout, OP_WRITE, b, b.length);
}

// ---------------------------------------------------------------------------------------------------
// SSLContext

const ctxFinalizer = new FinalizationRegistry<{ ctx: T.Handle }>((box) => {
  if (box.ctx !== 0) T.ctxFree(box.ctx);
  box.ctx = 0;
});

function pathArg(x: unknown, what: string): string {
  if (typeof x === "string") return x;
  if (x instanceof Uint8Array) return Buffer.from(x).toString("utf8");
  throw new TypeError(`${what} should be a valid filesystem path`);
}

function passwordBytes(pw: unknown): Uint8Array {
  let b: Uint8Array;
  if (typeof pw === "string") b = new TextEncoder().encode(pw);
  else if (pw instanceof Uint8Array) b = pw;
  else if (ArrayBuffer.isView(pw))
    b = new Uint8Array(pw.buffer, pw.byteOffset, pw.byteLength);
  else throw new TypeError("password callback must return a string");
  if (b.length > PEM_BUFSIZE)
    throw new ValueError(`password cannot be longer than ${PEM_BUFSIZE} bytes`);
  const z = new Uint8Array(new ArrayBuffer(b.length + 1));
  z.set(b);
  return z;
}

/** Options of {@link SSLContextType.wrap_socket}: Python's keyword arguments. */
export interface WrapSocketOptions {
  /** Act as the server (accepting side). Default false. */
  server_side?: boolean;
  /** Do the handshake right away when the socket is connected (blocking or timeout mode). Default true. */
  do_handshake_on_connect?: boolean;
  /** A connection that ends without close_notify reads as EOF (`b""`) instead of raising SSLEOFError. Default true. */
  suppress_ragged_eofs?: boolean;
  /** The server's name: sent as SNI and, with `check_hostname`, checked against its certificate. */
  server_hostname?: string | null;
  /** TLS session reuse is not implemented: only `null` is accepted. */
  session?: null;
}

/**
 * Python's `ssl.SSLContext`: settings and certificates shared by many TLS connections (an OpenSSL `SSL_CTX`).
 *
 * `new SSLContext(PROTOCOL_TLS_CLIENT)` verifies servers by default (`verify_mode` CERT_REQUIRED,
 * `check_hostname` true) but trusts no CA until `load_default_certs()` / `load_verify_locations()`;
 * `create_default_context()` does both. `PROTOCOL_TLS_SERVER` does not ask clients for certificates. Both start
 * at TLS 1.2 minimum, with CPython's cipher list and options. Freed (`SSL_CTX_free`) when garbage collected.
 *
 * @example
 * ```ts
 * const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
 * ctx.load_cert_chain("server.pem", "server.key");
 * const [conn] = listener.accept();
 * using tls = ctx.wrap_socket(conn, { server_side: true });
 * ```
 * @see https://docs.python.org/3/library/ssl.html#ssl.SSLContext
 */
export class SSLContextType {
  #box: { ctx: T.Handle };
  #protocol: number;
  #checkHostname: boolean;
  #hostflags = X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS;
  // ALPN wire lists handed to OpenSSL's select callback; kept for the context's lifetime.
  #alpnBlocks: Uint8Array[] = [];

  /**
   * Creates a context (`SSL_CTX_new` on `TLS_client_method` / `TLS_server_method` / `TLS_method`).
   * DIFFERS FROM CPYTHON: the deprecated PROTOCOL_TLSv1 / TLSv1_1 / TLSv1_2 are not offered (ValueError), and
   * `SSLContext()` without a protocol means PROTOCOL_TLS without Python's DeprecationWarning.
   * @throws ValueError "invalid or unsupported protocol version N"
   */
  constructor(protocol: number = PROTOCOL_TLS) {
    const p = arg.cInt(protocol);
    const kind =
      p === PROTOCOL_TLS_CLIENT
        ? "client"
        : p === PROTOCOL_TLS_SERVER
          ? "server"
          : p === PROTOCOL_TLS
            ? "any"
            : null;
    if (kind === null)
      throw new ValueError(`invalid or unsupported protocol version ${p}`);
    T.errClear();
    const ctx = T.ctxNew(kind);
    if (ctx === 0) throw sslErrorFromQueue();
    this.#box = { ctx };
    ctxFinalizer.register(this, this.#box, this.#box);
    this.#protocol = p;
    if (p === PROTOCOL_TLS_CLIENT) {
      this.#checkHostname = true;
      this.#setVerify(CERT_REQUIRED);
    } else {
      this.#checkHostname = false;
      this.#setVerify(CERT_NONE);
    }
    // Option bits reach 2^31: combine them as BigInts (JS `|` is 32-bit signed).
    T.ctxSetOptions(
      ctx,
      Number(
        BigInt(OP_ALL) |
          BigInt(OP_NO_SSLv3) |
          BigInt(OP_NO_COMPRESSION) |
          BigInt(OP_CIPHER_SERVER_PREFERENCE),
      ),
    );
    if (T.ctxSetCipherList(ctx, DEFAULT_CIPHERS) !== 1) {
      T.errClear();
      throw new SSLError("No cipher can be selected.");
    }
    // As CPython's contexts (mode 0x14 there): buffers released when empty (bpo-25672), reads retried.
    T.ctxSetMode(ctx, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_AUTO_RETRY);
    // bpo-43998: TLS 1.2 is the floor.
    if (T.ctxSetProtoVersion(ctx, "min", TLS1_2_VERSION) !== 1)
      throw sslErrorFromQueue();
    // Session ids of server-side sessions are scoped to "Python" (sizeof includes the NUL), as in CPython.
    T.ctxSetSessionIdContext(ctx, "Python\0");
    const param = T.ctxParam(ctx);
    // bpo-23476: better chain building with cross-signed intermediates.
    T.paramChangeFlags(param, X509_V_FLAG_TRUSTED_FIRST, 0);
    T.paramSetHostflags(param, this.#hostflags);
  }

  get #ctx(): T.Handle {
    return this.#box.ctx;
  }

  /** @internal The `SSL_CTX *`. */
  get _handle(): T.Handle {
    return this.#box.ctx;
  }

  /** The protocol given to the constructor (`PROTOCOL_TLS_CLIENT`, ...). */
  get protocol(): number {
    return this.#protocol;
  }

  /**
   * Whether the peer's certificate must match `server_hostname` (`X509_VERIFY_PARAM_set1_host` per connection).
   * Setting it to true turns a CERT_NONE `verify_mode` into CERT_REQUIRED.
   * @see https://docs.python.org/3/library/ssl.html#ssl.SSLContext.check_hostname
   */
  get check_hostname(): boolean {
    return this.#checkHostname;
  }
  set check_hostname(on: boolean) {
    const v = !!on;
    if (v && T.ctxGetVerify(this.#ctx) === SSL_VERIFY_NONE)
      this.#setVerify(CERT_REQUIRED);
    this.#checkHostname = v;
  }

  /**
   * CERT_NONE, CERT_OPTIONAL or CERT_REQUIRED (`SSL_CTX_set_verify`).
   * @throws ValueError "Cannot set verify_mode to CERT_NONE when check_hostname is enabled." / "invalid value for verify_mode"
   * @see https://docs.python.org/3/library/ssl.html#ssl.SSLContext.verify_mode
   */
  get verify_mode(): VerifyMode {
    const m =
      T.ctxGetVerify(this.#ctx) &
      (SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT);
    if (m === SSL_VERIFY_NONE) return CERT_NONE;
    if (m === SSL_VERIFY_PEER) return CERT_OPTIONAL;
    if (m === (SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT))
      return CERT_REQUIRED;
    throw new SSLError("invalid return value from SSL_CTX_get_verify_mode");
  }
  set verify_mode(n: number) {
    const v = arg.cInt(n);
    if (v === CERT_NONE && this.#checkHostname)
      throw new ValueError(
        "Cannot set verify_mode to CERT_NONE when check_hostname is enabled.",
      );
    this.#setVerify(v);
  }
  #setVerify(n: number): void {
    const m =
      n === CERT_NONE
        ? SSL_VERIFY_NONE
        : n === CERT_OPTIONAL
          ? SSL_VERIFY_PEER
          : n === CERT_REQUIRED
            ? SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT
            : -1;
    if (m < 0) throw new ValueError("invalid value for verify_mode");
    T.ctxSetVerify(this.#ctx, m);
  }

  /**
   * The `OP_*` option bits (`SSL_CTX_get_options`); assigning sets and clears bits to match.
   * @see https://docs.python.org/3/library/ssl.html#ssl.SSLContext.options
   */
  get options(): number {
    return T.ctxGetOptions(this.#ctx);
  }
  set options(value: number) {
    const want = BigInt.asUintN(64, BigInt(arg.index(value)));
    const have = BigInt(T.ctxGetOptions(this.#ctx));
    const clear = have & ~want;
    const set = ~have & want & 0xffffffffffffffffn;
    if (clear) T.ctxClearOptions(this.#ctx, Number(clear));
    if (set) T.ctxSetOptions(this.#ctx, Number(set));
  }

  /**
   * The `X509_V_FLAG_*` verification flags (`VERIFY_X509_STRICT`, ...); assigning sets and clears to match.
   * @see https://docs.python.org/3/library/ssl.html#ssl.SSLContext.verify_flags
   */
  get verify_flags(): number {
    return T.paramGetFlags(T.ctxParam(this.#ctx));
  }
  set verify_flags(value: number) {
    const want = arg.index(value) >>> 0;
    const param = T.ctxParam(this.#ctx);
    const have = T.paramGetFlags(param) >>> 0;
    T.paramChangeFlags(param, (~have & want) >>> 0, (have & ~want) >>> 0);
  }

  /**
   * The lowest protocol version allowed (`SSL_CTX_get_min_proto_version`); `TLSVersion.MINIMUM_SUPPORTED` when
   * OpenSSL's own floor applies.
   * @throws ValueError "Unsupported TLS/SSL version 0x..." / "The context's protocol doesn't support modification of highest and lowest version."
   * @see https://docs.python.org/3/library/ssl.html#ssl.SSLContext.minimum_version
   */
  get minimum_version(): number {
    const v = T.ctxGetProtoVersion(this.#ctx, "min");
    return v === 0 ? TLSVersion.MINIMUM_SUPPORTED : v;
  }
  set minimum_version(v: number) {
    if (arg.cInt(v) === TLSVersion.SSLv3)
      this.options = Number(BigInt(this.options) & ~BigInt(OP_NO_SSLv3));
    this.#setProto("min", v);
  }
  /** The highest protocol version allowed; `TLSVersion.MAXIMUM_SUPPORTED` for no limit. @see https://docs.python.org/3/library/ssl.html#ssl.SSLContext.maximum_version */
  get maximum_version(): number {
    const v = T.ctxGetProtoVersion(this.#ctx, "max");
    return v === 0 ? TLSVersion.MAXIMUM_SUPPORTED : v;
  }
  set maximum_version(v: number) {
    this.#setProto("max", v);
  }
  #setProto(which: "min" | "max", value: number): void {
    let v = arg.cInt(value);
    if (
      this.#protocol !== PROTOCOL_TLS &&
      this.#protocol !== PROTOCOL_TLS_CLIENT &&
      this.#protocol !== PROTOCOL_TLS_SERVER
    )
      throw new ValueError(
        "The context's protocol doesn't support modification of highest and lowest version.",
      );
    switch (v) {
      case TLSVersion.SSLv3:
      case TLSVersion.TLSv1:
      case TLSVersion.TLSv1_1:
      case TLSVersion.TLSv1_2:
      case TLSVersion.TLSv1_3:
      case TLSVersion.MINIMUM_SUPPORTED:
      case TLSVersion.MAXIMUM_SUPPORTED:
        break;
      default:
        throw new ValueError(
          `Unsupported TLS/SSL version 0x${(v >>> 0).toString(16)}`,
        );
    }
    if (which === "min") {
      if (v === TLSVersion.MINIMUM_SUPPORTED) v = 0;
      else if (v === TLSVersion.MAXIMUM_SUPPORTED)
        v = PY_PROTO_MAXIMUM_AVAILABLE;
    } else {
      if (v === TLSVersion.MAXIMUM_SUPPORTED) v = 0;
      else if (v === TLSVersion.MINIMUM_SUPPORTED)
        v = PY_PROTO_MINIMUM_AVAILABLE;
    }
    if (T.ctxSetProtoVersion(this.#ctx, which, v) !== 1)
      throw new ValueError(
        `Unsupported protocol version 0x${(v >>> 0).toString(16)}`,
      );
  }

  /**
   * Whether a certificate without subjectAltName may match by its subject common name
   * (`X509_CHECK_FLAG_NEVER_CHECK_SUBJECT` cleared). OpenSSL 3 ignores the common name when a SAN exists.
   * @see https://docs.python.org/3/library/ssl.html#ssl.SSLContext.hostname_checks_common_name
   */
  get hostname_checks_common_name(): boolean {
    return (this.#hostflags & X509_CHECK_FLAG_NEVER_CHECK_SUBJECT) === 0;
  }
  set hostname_checks_common_name(on: boolean) {
    this.#hostflags = on
      ? this.#hostflags & ~X509_CHECK_FLAG_NEVER_CHECK_SUBJECT
      : this.#hostflags | X509_CHECK_FLAG_NEVER_CHECK_SUBJECT;
    T.paramSetHostflags(T.ctxParam(this.#ctx), this.#hostflags);
  }

  /** OpenSSL's security level (`SSL_CTX_get_security_level`; 2 with CPython's cipher string). */
  get security_level(): number {
    return T.ctxSecurityLevel(this.#ctx);
  }

  /**
   * TLS 1.3 session tickets a server sends (`SSL_CTX_set_num_tickets`; default 2).
   * @throws ValueError "value must be non-negative" / "SSLContext is not a server context."
   */
  get num_tickets(): number {
    return T.ctxGetNumTickets(this.#ctx);
  }
  set num_tickets(n: number) {
    const v = arg.index(n);
    if (v < 0) throw new ValueError("value must be non-negative");
    if (this.#protocol !== PROTOCOL_TLS_SERVER)
      throw new ValueError("SSLContext is not a server context.");
    if (T.ctxSetNumTickets(this.#ctx, v) !== 1)
      throw new ValueError("failed to set num tickets.");
  }

  /**
   * Loads this side's certificate chain and private key (`SSL_CTX_use_certificate_chain_file`,
   * `SSL_CTX_use_PrivateKey_file`, `SSL_CTX_check_private_key`). `keyfile` defaults to `certfile`. `password`
   * (string, bytes, or a function returning one) decrypts an encrypted key.
   * DIFFERS FROM CPYTHON: a password function is called before the key is read (even for an unencrypted key),
   * and an encrypted key without a password fails instead of prompting on the terminal.
   * @throws FileNotFoundError and other OSErrors for unreadable files; SSLError for bad PEM or a mismatched key
   * @see https://docs.python.org/3/library/ssl.html#ssl.SSLContext.load_cert_chain
   */
  load_cert_chain(
    certfile: string,
    keyfile?: string | null,
    password?:
      string | ArrayBufferView | (() => string | ArrayBufferView) | null,
  ): void {
    const cert = pathArg(certfile, "certfile");
    const key =
      keyfile === undefined || keyfile === null
        ? cert
        : pathArg(keyfile, "keyfile");
    let pw: Uint8Array;
    if (password === undefined || password === null)
      pw = new Uint8Array(new ArrayBuffer(1)); // "" : no terminal prompt
    else if (typeof password === "function") pw = passwordBytes(password());
    else if (typeof password === "string" || ArrayBuffer.isView(password))
      pw = passwordBytes(password);
    else throw new TypeError("password should be a string or callable");
    const ctx = this.#ctx;
    T.errClear();
    T.ctxSetPassword(ctx, pw);
    try {
      let [r, errno] = T.ctxUseCertChain(ctx, cert);
      if (r !== 1) {
        if (errno !== 0) {
          T.errClear();
          throw fromErrno(errno);
        }
        throw sslErrorFromQueue();
      }
      [r, errno] = T.ctxUsePrivateKey(ctx, key);
      if (r !== 1) {
        if (errno !== 0) {
          T.errClear();
          throw fromErrno(errno);
        }
        throw sslErrorFromQueue();
      }
      if (T.ctxCheckPrivateKey(ctx) !== 1) throw sslErrorFromQueue();
    } finally {
      T.ctxSetPassword(ctx, null);
      void pw;
    }
  }

  /**
   * Adds trusted CA certificates: a PEM file (`cafile`), an OpenSSL hashed directory (`capath`), or data
   * (`cadata`: PEM text, or DER bytes of one or more certificates). Calls `SSL_CTX_load_verify_locations` and,
   * for `cadata`, `PEM_read_bio_X509` / `d2i_X509_bio` + `X509_STORE_add_cert`.
   * @throws TypeError "cafile, capath and cadata cannot be all omitted"; FileNotFoundError; SSLError
   * @see https://docs.python.org/3/library/ssl.html#ssl.SSLContext.load_verify_locations
   */
  load_verify_locations(
    cafile?: string | null,
    capath?: string | null,
    cadata?: string | ArrayBufferView | null,
  ): void {
    const file = cafile == null ? null : pathArg(cafile, "cafile");
    const dir = capath == null ? null : pathArg(capath, "capath");
    if (file === null && dir === null && cadata == null)
      throw new TypeError("cafile, capath and cadata cannot be all omitted");
    const ctx = this.#ctx;
    T.errClear();
    if (cadata != null) {
      let data: Uint8Array;
      let pem: boolean;
      if (typeof cadata === "string") {
        // eslint-disable-next-line no-control-regex
        const bad = /[^\x00-\x7f]/.exec(cadata);
        if (bad)
          throw new ValueError(
            `'ascii' codec can't encode character '${bad[0]}' in position ${bad.index}: ordinal not in range(128)`,
          );
        data = new TextEncoder().encode(cadata);
        pem = true;
      } else if (ArrayBuffer.isView(cadata)) {
        data = new Uint8Array(
          cadata.buffer,
          cadata.byteOffset,
          cadata.byteLength,
        );
        pem = false;
      } else
        throw new TypeError(
          "cadata should be an ASCII string or a bytes-like object",
        );
      const { loaded, lastError } = T.ctxAddCaCerts(ctx, data, pem);
      if (loaded === 0) {
        T.errClear();
        throw sslErrorFromQueue(
          pem
            ? "no start line: cadata does not contain a certificate"
            : "not enough data: cadata does not contain a certificate",
        );
      }
      const lib = ERR_GET_LIB(lastError);
      const reason = ERR_GET_REASON(lastError);
      const cleanEnd = pem
        ? lib === ERR_LIB_PEM && reason === PEM_R_NO_START_LINE
        : lib === ERR_LIB_ASN1 && reason === ASN1_R_HEADER_TOO_LONG;
      if (lastError !== 0 && !cleanEnd) throw sslErrorFromQueue();
      T.errClear();
    }
    if (file !== null || dir !== null) {
      const [r, errno] = T.ctxLoadVerifyLocations(ctx, file, dir);
      if (r !== 1) {
        if (errno !== 0) {
          T.errClear();
          throw fromErrno(errno);
        }
        throw sslErrorFromQueue();
      }
    }
  }

  /**
   * Trusts the system's CA certificates: `set_default_verify_paths()` (on Windows, Python also reads the
   * certificate stores; this implementation does not yet).
   * @throws TypeError when `purpose` is not a `Purpose` member
   * @see https://docs.python.org/3/library/ssl.html#ssl.SSLContext.load_default_certs
   */
  load_default_certs(purpose: ASN1Object = Purpose.SERVER_AUTH): void {
    if (
      purpose === null ||
      typeof purpose !== "object" ||
      typeof purpose.oid !== "string"
    )
      throw new TypeError(String(purpose));
    this.set_default_verify_paths();
  }

  /**
   * Trusts OpenSSL's default CA file and directory (`SSL_CTX_set_default_verify_paths`): the distribution's store
   * (`/etc/ssl/certs` on Debian), or `$SSL_CERT_FILE` / `$SSL_CERT_DIR` as set when the process started
   * (OpenSSL reads the C environment: assigning `process.env` later does not reach it).
   * @see https://docs.python.org/3/library/ssl.html#ssl.SSLContext.set_default_verify_paths
   */
  set_default_verify_paths(): void {
    T.errClear();
    if (T.ctxSetDefaultVerifyPaths(this.#ctx) !== 1) throw sslErrorFromQueue();
  }

  /**
   * Sets the TLS 1.2-and-below cipher list in OpenSSL's syntax (`SSL_CTX_set_cipher_list`); TLS 1.3 suites are
   * unaffected.
   * @throws SSLError "No cipher can be selected."
   * @see https://docs.python.org/3/library/ssl.html#ssl.SSLContext.set_ciphers
   */
  set_ciphers(ciphers: string): void {
    if (typeof ciphers !== "string")
      throw new TypeError(
        `set_ciphers() argument must be str, not ${arg.pyType(ciphers)}`,
      );
    if (T.ctxSetCipherList(this.#ctx, ciphers) !== 1) {
      T.errClear();
      throw new SSLError("No cipher can be selected.");
    }
  }

  /** The enabled ciphers in priority order, as dictionaries (`SSL_get_ciphers`). @see https://docs.python.org/3/library/ssl.html#ssl.SSLContext.get_ciphers */
  get_ciphers(): T.CipherInfo[] {
    const list = T.ctxCiphers(this.#ctx);
    if (list === null) throw sslErrorFromQueue();
    return list;
  }

  /**
   * The protocols to offer (client) or accept (server) with ALPN, most preferred first
   * (`SSL_CTX_set_alpn_protos` + a server select callback that picks by the server's order).
   * @throws SSLError "ALPN protocols must be 1 to 255 in length"
   * @see https://docs.python.org/3/library/ssl.html#ssl.SSLContext.set_alpn_protocols
   */
  set_alpn_protocols(alpn_protocols: Iterable<string>): void {
    const parts: number[] = [];
    for (const p of arg.iterable(alpn_protocols)) {
      if (typeof p !== "string")
        throw new TypeError(
          `encoding without a string argument (got ${arg.pyType(p)})`,
        );
      // eslint-disable-next-line no-control-regex
      const bad = /[^\x00-\x7f]/.exec(p);
      if (bad)
        throw new ValueError(
          `'ascii' codec can't encode character '${bad[0]}' in position ${bad.index}: ordinal not in range(128)`,
        );
      if (p.length === 0 || p.length > 255)
        throw new SSLError("ALPN protocols must be 1 to 255 in length");
      parts.push(p.length);
      for (let i = 0; i < p.length; i++) parts.push(p.charCodeAt(i));
    }
    const block = new Uint8Array(new ArrayBuffer(4 + parts.length));
    new DataView(block.buffer).setUint32(0, parts.length, true);
    block.set(parts, 4);
    this.#alpnBlocks.push(block);
    if (T.ctxSetAlpn(this.#ctx, block) !== 0)
      throw new SSLError("failed to set ALPN protocols");
  }

  /**
   * The CA certificates in the store (certificates loaded from `capath` directories appear only once used).
   * @see https://docs.python.org/3/library/ssl.html#ssl.SSLContext.get_ca_certs
   */
  get_ca_certs(binary_form?: false): CertificateDict[];
  get_ca_certs(binary_form: true): Buffer[];
  get_ca_certs(binary_form = false): CertificateDict[] | Buffer[] {
    const { certs } = T.ctxStoreObjects(this.#ctx);
    const out: (CertificateDict | Buffer)[] = [];
    for (const x of certs) {
      if (!T.isCa(x)) continue;
      out.push(
        binary_form
          ? decodeOr(certificateDer, x)
          : decodeOr(decodeCertificate, x),
      );
    }
    return out as CertificateDict[] | Buffer[];
  }

  /** `{x509, crl, x509_ca}`: how many certificates, CRLs and CA certificates the store holds. @see https://docs.python.org/3/library/ssl.html#ssl.SSLContext.cert_store_stats */
  cert_store_stats(): { x509: number; crl: number; x509_ca: number } {
    const { certs, crls } = T.ctxStoreObjects(this.#ctx);
    let ca = 0;
    for (const x of certs) if (T.isCa(x)) ca++;
    return { x509: certs.length, crl: crls, x509_ca: ca };
  }

  /**
   * Wraps a connected (or not yet connected) stream socket in TLS and returns an {@link SSLSocket}; `sock` is
   * detached and must not be used afterwards. With `do_handshake_on_connect` (default) and a connected socket, the
   * handshake runs now, bounded by the socket's timeout.
   * @throws ValueError "check_hostname requires server_hostname"; NotImplementedError for non-stream sockets;
   *   SSLCertVerificationError, SSLError, TimeoutError, OSError from the handshake (the socket is then closed)
   * @see https://docs.python.org/3/library/ssl.html#ssl.SSLContext.wrap_socket
   */
  wrap_socket(sock: SocketObject, options: WrapSocketOptions = {}): SSLSocket {
    return createSSLSocket(sock, this, options);
  }

  /** @internal CPython's `_wrap_socket`: a new `SSL *` on `fd` for this context. */
  _newLink(
    owner: object,
    fd: number,
    serverSide: boolean,
    hostname: string | null,
  ): Link {
    T.errClear();
    if (serverSide && this.#protocol === PROTOCOL_TLS_CLIENT)
      throw sslErrorFromQueue(
        "Cannot create a server socket with a PROTOCOL_TLS_CLIENT context",
      );
    if (!serverSide && this.#protocol === PROTOCOL_TLS_SERVER)
      throw sslErrorFromQueue(
        "Cannot create a client socket with a PROTOCOL_TLS_SERVER context",
      );
    if (hostname !== null && (hostname === "" || hostname.startsWith(".")))
      throw new ValueError(
        "server_hostname cannot be an empty string or start with a leading dot.",
      );
    const ssl = T.sslNew(this.#ctx, fd, serverSide);
    if (ssl === 0) throw sslErrorFromQueue();
    const link = newLink(owner, ssl, hostname);
    if (
      hostname !== null &&
      T.sslSetHostname(ssl, hostname, this.#checkHostname) !== 1
    ) {
      freeLink(link);
      throw sslErrorFromQueue();
    }
    return link;
  }

  /** Python's `repr()`: `<ssl.SSLContext object>`. */
  toString(): string {
    return "<ssl.SSLContext object>";
  }
}
Object.defineProperty(SSLContextType, "name", { value: "SSLContext" });

function decodeOr<R>(fn: (x: T.Handle) => R, x: T.Handle): R {
  try {
    return fn(x);
  } catch (e) {
    if (e instanceof DecodeFailure) throw sslErrorFromQueue();
    throw e;
  }
}

/** Constructor of `SSLContext`: callable with or without `new`, as Python's class. */
export interface SSLContextClass {
  new (protocol?: number): SSLContextType;
  (protocol?: number): SSLContextType;
  readonly prototype: SSLContextType;
}
/**
 * Python's `ssl.SSLContext(protocol)` (see {@link SSLContextType}); works with and without `new`.
 * @see https://docs.python.org/3/library/ssl.html#ssl.SSLContext
 */
export const SSLContext: SSLContextClass = new Proxy(SSLContextType, {
  apply(target, _this, args: unknown[]) {
    return new (target as unknown as new (...a: unknown[]) => SSLContextType)(
      ...args,
    );
  },
}) as unknown as SSLContextClass;
/** An SSLContext instance. */
export type SSLContext = SSLContextType;

// ---------------------------------------------------------------------------------------------------
// SSLSocket

/**
 * A `sendfile` source without a descriptor, so the shared implementation takes its read + send path: positional
 * reads (`fs.readSync`) for descriptors and `Bun.file`s, the object's own `read()` otherwise.
 */
function readOnlySource(file: SendfileSource): {
  file: FileLike;
  done(): void;
} {
  let fd = -1;
  let owned = false;
  if (typeof file === "number") fd = file;
  else if (file instanceof Blob) {
    const path = (file as Blob & { name?: unknown }).name;
    if (typeof path !== "string")
      throw new TypeError(
        "sendfile() needs a Bun.file(path), not an in-memory Blob",
      );
    fd = openSync(path, "r");
    owned = true;
  } else if (typeof file === "object" && file !== null) {
    if (typeof file.read === "function") {
      const f = file;
      return {
        file: {
          read: (n) => f.read!(n),
          seek: typeof f.seek === "function" ? (p) => f.seek!(p) : undefined,
          mode: f.mode,
        },
        done() {},
      };
    }
    if (typeof file.fileno === "function") fd = file.fileno();
    else if (typeof file.fd === "number") fd = file.fd;
  }
  if (fd < 0)
    throw new TypeError("sendfile() needs a file with fileno() or read()");
  let pos = 0;
  const d = fd;
  return {
    file: {
      read(n: number) {
        const b = Buffer.allocUnsafe(n);
        const got = readSync(d, b, 0, n, pos);
        pos += got;
        return b.subarray(0, got);
      },
      seek(p: number) {
        pos = p;
      },
    },
    done() {
      if (owned) closeSync(d);
    },
  };
}

const CREATE = Symbol("SSLSocket.create");

function checkStream(sock: SocketObject): void {
  if (!(sock instanceof SocketObject))
    throw new TypeError(`expected a socket object, got ${arg.pyType(sock)}`);
  if (sock.fileno() < 0) throw badFd();
  if (sock.getsockopt(K.SOL_SOCKET, K.SO_TYPE) !== K.SOCK_STREAM)
    throw new NotImplementedError("only stream sockets are supported");
}

function encodeHostname(name: string | null | undefined): string | null {
  if (name === null || name === undefined) return null;
  if (typeof name === "string") return idnaEncode(name);
  throw new TypeError(`server_hostname must be a str, not ${arg.pyType(name)}`);
}

function createSSLSocket(
  sock: SocketObject,
  context: SSLContextType,
  opts: WrapSocketOptions | null,
): SSLSocket {
  if (opts !== null && opts !== undefined && typeof opts !== "object")
    throw new TypeError(
      `wrap_socket() options must be an object of keyword arguments, not ${arg.pyArgType(opts)}`,
    );
  const o: WrapSocketOptions = opts ?? {};
  checkStream(sock);
  const serverSide = !!o.server_side;
  const hostname = o.server_hostname;
  if (serverSide) {
    if (hostname)
      throw new ValueError(
        "server_hostname can only be specified in server mode",
      );
    if (o.session != null)
      throw new ValueError("session can only be specified in client mode");
  }
  // DIFFERS FROM CPYTHON: SSLSession objects (TLS session reuse) are not implemented.
  if (o.session != null)
    throw new NotImplementedError("TLS session reuse is not supported");
  if (context.check_hostname && !hostname)
    throw new ValueError("check_hostname requires server_hostname");
  const encoded = encodeHostname(hostname);
  const Ctor = SSLSocket as unknown as new (...a: unknown[]) => SSLSocket;
  return new Ctor(CREATE, sock, context, {
    serverSide,
    hostname: encoded,
    doHandshakeOnConnect: o.do_handshake_on_connect ?? true,
    suppressRaggedEofs: o.suppress_ragged_eofs ?? true,
  });
}

/**
 * Python's `ssl.SSLSocket`: a socket object speaking TLS, made by {@link SSLContextType.wrap_socket}. It is a
 * `socket.socket` (same descriptor, same timeout modes) whose I/O goes through OpenSSL (`SSL_read`,
 * `SSL_write`, `SSL_do_handshake`, `SSL_shutdown`):
 * - blocking mode (`settimeout(null)`): calls block until done;
 * - timeout mode: the timeout bounds the handshake and each call (`TimeoutError` "The read operation timed out");
 * - non-blocking mode: calls raise {@link SSLWantReadError} / {@link SSLWantWriteError} when the socket must
 *   become readable / writable first (decrypted bytes may wait inside OpenSSL: see `pending()`).
 *
 * `close()` frees the OpenSSL connection without sending close_notify (as CPython); `unwrap()` sends it and
 * returns to plain TCP. Garbage collection frees the connection too.
 *
 * @example
 * ```ts
 * const ctx = ssl.create_default_context();
 * using s = ctx.wrap_socket(socket.create_connection(["example.org", 443]), { server_hostname: "example.org" });
 * s.sendall("HEAD / HTTP/1.0\r\nHost: example.org\r\n\r\n");
 * console.log(s.version(), s.recv(1024).toString());
 * ```
 * @see https://docs.python.org/3/library/ssl.html#ssl-sockets
 */
export class SSLSocket extends SocketObject {
  #context: SSLContextType;
  #link: Link | null = null;
  #serverSide: boolean;
  #hostname: string | null;
  #connected = false;
  /** Whether `connect()` / the constructor run the handshake at once. */
  do_handshake_on_connect: boolean;
  /** Whether an EOF without close_notify reads as `b""` (true) or raises {@link SSLEOFError}. */
  suppress_ragged_eofs: boolean;

  /** @internal Not public: use `SSLContext.wrap_socket()`. */
  constructor(
    token: symbol,
    sock: SocketObject,
    context: SSLContextType,
    o: {
      serverSide: boolean;
      hostname: string | null;
      doHandshakeOnConnect: boolean;
      suppressRaggedEofs: boolean;
    },
  ) {
    if (token !== CREATE)
      throw new TypeError(
        "SSLSocket does not have a public constructor. Instances are returned by SSLContext.wrap_socket().",
      );
    const sockTimeout = sock.gettimeout();
    super(sock.family, sock.type, sock.proto, sock.fileno());
    sock.detach();
    this.#context = context;
    this.#serverSide = o.serverSide;
    this.#hostname = o.hostname;
    this.do_handshake_on_connect = o.doHandshakeOnConnect;
    this.suppress_ragged_eofs = o.suppressRaggedEofs;
    try {
      let connected = true;
      try {
        super.getpeername();
      } catch (e) {
        if (!(e instanceof OSError) || e.errno !== E.ENOTCONN) throw e;
        connected = false;
        const blocking = this.getblocking();
        this.setblocking(false);
        let early: Buffer = EMPTY;
        try {
          early = super.recv(1);
        } catch (e2) {
          if (
            !(e2 instanceof OSError) ||
            (e2.errno !== E.ENOTCONN && e2.errno !== E.EINVAL)
          )
            throw e2;
        }
        this.setblocking(blocking);
        if (early.length) {
          // Bytes that arrived before a (closed) connection must not look like TLS-protected data.
          const reason =
            "Closed before TLS handshake with data in recv buffer.";
          const err = new SSLError(E.ENOTCONN, reason);
          err.reason = reason;
          throw err;
        }
      }
      this.settimeout(sockTimeout);
      this.#connected = connected;
      if (connected) {
        this.#link = context._newLink(
          this,
          this.fileno(),
          this.#serverSide,
          this.#hostname,
        );
        if (this.do_handshake_on_connect) {
          if (this.gettimeout() === 0)
            throw new ValueError(
              "do_handshake_on_connect should not be specified for non-blocking sockets",
            );
          this.do_handshake();
        }
      }
    } catch (e) {
      try {
        this.close();
      } catch {
        /* the original error matters */
      }
      throw e;
    }
  }

  /** The SSLContext this socket uses; assigning another one switches the connection to it (`SSL_set_SSL_CTX`). */
  get context(): SSLContextType {
    return this.#context;
  }
  set context(ctx: SSLContextType) {
    if (!(ctx instanceof SSLContextType))
      throw new TypeError("The value must be a SSLContext");
    this.#context = ctx;
    if (this.#link !== null) T.sslSetCtx(this.#link.ssl, ctx._handle);
  }
  /** Whether this is the server side of the connection. */
  get server_side(): boolean {
    return this.#serverSide;
  }
  /** The server name given to `wrap_socket` (IDNA-encoded), or `null`. */
  get server_hostname(): string | null {
    return this.#hostname;
  }
  /** TLS session reuse is not implemented: always `null`. */
  get session(): null {
    return null;
  }
  /** Whether the handshake resumed a session (`SSL_session_reused`). */
  get session_reused(): boolean | null {
    return this.#link === null ? null : T.sessionReused(this.#link.ssl);
  }

  #linkOr(what: "Read" | "Write"): Link {
    const l = this.#link;
    if (l === null)
      throw new ValueError(`${what} on closed or unwrapped SSL socket.`);
    return l;
  }

  #checkConnected(): void {
    // getpeername() raises ENOTCONN when the socket really is not connected (connect() may have returned EAGAIN).
    if (!this.#connected) super.getpeername();
  }

  // DIFFERS FROM CPYTHON: Python raises AttributeError ('NoneType' object has no attribute ...) here.
  #noLink(what: string): never {
    throw new TypeError(`'NoneType' object has no attribute '${what}'`);
  }

  /**
   * Runs the TLS handshake (`SSL_do_handshake`), bounded by the socket's timeout; with `block` a non-blocking
   * socket is made blocking for the handshake.
   * @throws SSLCertVerificationError (verify_code, verify_message), SSLError, TimeoutError
   *   "The handshake operation timed out", SSLWantReadError/SSLWantWriteError (non-blocking)
   * @see https://docs.python.org/3/library/ssl.html#ssl.SSLSocket.do_handshake
   */
  do_handshake(block = false): void {
    this.#checkConnected();
    const link = this.#link;
    if (link === null) this.#noLink("do_handshake");
    const timeout = this.gettimeout();
    const unblock = timeout === 0 && block;
    if (unblock) this.settimeout(null);
    try {
      drive(
        link,
        this.fileno(),
        mode(this.gettimeout()),
        OP_HANDSHAKE,
        null,
        0,
      );
    } finally {
      if (unblock) this.settimeout(timeout);
    }
  }

  /**
   * Reads up to `len` decrypted bytes (`SSL_read`; at most one TLS record), or into `buffer` and returns the
   * count. At the peer's close_notify it returns an empty result; a connection cut without close_notify does too
   * when `suppress_ragged_eofs` (else {@link SSLEOFError}).
   * @throws ValueError "Read on closed or unwrapped SSL socket." / "size should not be negative"
   * @see https://docs.python.org/3/library/ssl.html#ssl.SSLSocket.read
   */
  read(len?: number): Buffer;
  read(len: number, buffer: ArrayBufferView | ArrayBuffer): number;
  read(
    len = 1024,
    buffer?: ArrayBufferView | ArrayBuffer | null,
  ): Buffer | number {
    const link = this.#linkOr("Read");
    try {
      if (buffer !== undefined && buffer !== null) {
        const b =
          buffer instanceof Uint8Array ? buffer : arg.writableBytes(buffer);
        let n = arg.cInt(len);
        if (n <= 0 || n > b.length) n = b.length;
        if (n === 0) return 0;
        if (n > INT_MAX)
          throw new OverflowError("maximum length can't fit in a C 'int'");
        return drive(
          link,
          this.fileno(),
          mode(this.gettimeout()),
          OP_READ,
          b,
          n,
        );
      }
      const n = arg.cInt(len);
      if (n < 0) throw new ValueError("size should not be negative");
      if (n === 0) return Buffer.alloc(0);
      return readBytes(link, this.fileno(), mode(this.gettimeout()), n);
    } catch (e) {
      if (
        e instanceof SSLError &&
        e.errno === PY_SSL_ERROR_EOF &&
        this.suppress_ragged_eofs
      )
        return buffer !== undefined && buffer !== null ? 0 : Buffer.alloc(0);
      throw e;
    }
  }

  /**
   * Encrypts and sends all of `data` (`SSL_write`) and returns its length.
   * @throws ValueError "Write on closed or unwrapped SSL socket."; TimeoutError "The write operation timed out"
   * @see https://docs.python.org/3/library/ssl.html#ssl.SSLSocket.write
   */
  write(data: arg.BytesLike): number {
    const link = this.#linkOr("Write");
    const b = data instanceof Uint8Array ? data : arg.bytes(data);
    return writeBytes(link, this.fileno(), mode(this.gettimeout()), b);
  }

  /**
   * The peer's certificate: Python's dictionary (subject, issuer, subjectAltName, notAfter...), `{}` when this
   * side did not verify it (CERT_NONE), `null` when the peer sent none; with `binary_form`, its DER bytes.
   * @throws ValueError "handshake not done yet"
   * @see https://docs.python.org/3/library/ssl.html#ssl.SSLSocket.getpeercert
   */
  getpeercert(
    binary_form?: false,
  ): CertificateDict | Record<string, never> | null;
  getpeercert(binary_form: true): Buffer | null;
  getpeercert(
    binary_form = false,
  ): CertificateDict | Record<string, never> | Buffer | null {
    this.#checkConnected();
    const link = this.#link;
    if (link === null) this.#noLink("getpeercert");
    if (!T.handshakeDone(link.ssl))
      throw new ValueError("handshake not done yet");
    const x = T.peerCertificate(link.ssl);
    if (x === 0) return null;
    try {
      if (binary_form) return decodeOr(certificateDer, x);
      if ((T.sslCtxVerifyMode(link.ssl) & SSL_VERIFY_PEER) === 0) return {};
      return decodeOr(decodeCertificate, x);
    } finally {
      T.x509Free(x);
    }
  }

  /** The peer's chain as verified, leaf first, as DER bytes (3.13). @see https://docs.python.org/3/library/ssl.html#ssl.SSLSocket.get_verified_chain */
  get_verified_chain(): Buffer[] {
    const link = this.#link;
    if (link === null) return [];
    return T.peerChain(link.ssl, true).map((x) => decodeOr(certificateDer, x));
  }
  /** The chain the peer sent, as DER bytes (3.13). @see https://docs.python.org/3/library/ssl.html#ssl.SSLSocket.get_unverified_chain */
  get_unverified_chain(): Buffer[] {
    const link = this.#link;
    if (link === null) return [];
    return T.peerChain(link.ssl, false).map((x) => decodeOr(certificateDer, x));
  }

  /** `[name, protocol, secret_bits]` of the negotiated cipher, or `null` before the handshake. @see https://docs.python.org/3/library/ssl.html#ssl.SSLSocket.cipher */
  cipher(): [name: string, protocol: string, secret_bits: number] | null {
    const link = this.#link;
    return link === null ? null : T.currentCipher(link.ssl);
  }
  /** Compression in use: always `null` (OpenSSL 3 builds have none). */
  compression(): null {
    return null;
  }
  /** The protocol negotiated ("TLSv1.3", "TLSv1.2"), or `null` before the handshake. @see https://docs.python.org/3/library/ssl.html#ssl.SSLSocket.version */
  version(): string | null {
    const link = this.#link;
    if (link === null || !T.handshakeDone(link.ssl)) return null;
    const v = T.protocolVersion(link.ssl);
    return v === "unknown" ? null : v;
  }
  /** The ALPN protocol the server selected, or `null`. @see https://docs.python.org/3/library/ssl.html#ssl.SSLSocket.selected_alpn_protocol */
  selected_alpn_protocol(): string | null {
    const link = this.#link;
    return link === null ? null : T.alpnSelected(link.ssl);
  }
  /** Decrypted bytes already buffered inside OpenSSL (`SSL_pending`): readable without the socket being readable. */
  pending(): number {
    const link = this.#link;
    return link === null ? 0 : T.pending(link.ssl);
  }

  /**
   * `read(buflen)` over TLS (`flags` must be 0); a plain `recv` after `unwrap()`.
   * @throws ValueError "non-zero flags not allowed in calls to recv() on <class 'ssl.SSLSocket'>"
   * @see https://docs.python.org/3/library/ssl.html#ssl.SSLSocket.recv
   */
  override recv(buflen = 1024, flags = 0): Buffer {
    if (this.#link !== null) {
      if (flags !== 0)
        throw new ValueError(
          `non-zero flags not allowed in calls to recv() on ${CLS}`,
        );
      return this.read(buflen);
    }
    return super.recv(buflen, flags);
  }

  /**
   * `read(nbytes, buffer)` over TLS: fills `buffer` (up to `nbytes`, 0 = all of it), returns the count.
   * @see https://docs.python.org/3/library/ssl.html#ssl.SSLSocket.recv_into
   */
  override recv_into(
    buffer: ArrayBufferView | ArrayBuffer,
    nbytes = 0,
    flags = 0,
  ): number {
    if (this.#link !== null) {
      if (flags !== 0)
        throw new ValueError(
          `non-zero flags not allowed in calls to recv_into() on ${CLS}`,
        );
      const b =
        buffer instanceof Uint8Array ? buffer : arg.writableBytes(buffer);
      let n = nbytes;
      if (!n) n = b.length || 1024;
      return this.read(n, b);
    }
    return super.recv_into(buffer, nbytes, flags);
  }

  /** Not allowed on a TLS socket. @throws ValueError "recvfrom not allowed on instances of <class 'ssl.SSLSocket'>" */
  override recvfrom<A extends AddressOut = AddressOut>(
    bufsize: number,
    flags = 0,
  ): [data: Buffer, address: A] {
    if (this.#link !== null)
      throw new ValueError(`recvfrom not allowed on instances of ${CLS}`);
    return super.recvfrom<A>(bufsize, flags);
  }
  /** Not allowed on a TLS socket. @throws ValueError "recvfrom_into not allowed on instances of <class 'ssl.SSLSocket'>" */
  override recvfrom_into(
    buffer: ArrayBufferView | ArrayBuffer,
    nbytes = 0,
    flags = 0,
  ): [nbytes: number, address: AddressOut] {
    if (this.#link !== null)
      throw new ValueError(`recvfrom_into not allowed on instances of ${CLS}`);
    return super.recvfrom_into(buffer, nbytes, flags);
  }

  /**
   * `write(data)` over TLS (`flags` must be 0): all bytes are sent, the count is returned.
   * @see https://docs.python.org/3/library/ssl.html#ssl.SSLSocket.send
   */
  override send(data: arg.BytesLike, flags = 0): number {
    if (this.#link !== null) {
      if (flags !== 0)
        throw new ValueError(
          `non-zero flags not allowed in calls to send() on ${CLS}`,
        );
      return this.write(data);
    }
    return super.send(data, flags);
  }

  /**
   * Sends all of `data` over TLS; in timeout mode each internal write has the full timeout (as CPython).
   * @see https://docs.python.org/3/library/ssl.html#ssl.SSLSocket.sendall
   */
  override sendall(data: arg.BytesLike, flags = 0): void {
    if (this.#link !== null) {
      if (flags !== 0)
        throw new ValueError(
          `non-zero flags not allowed in calls to sendall() on ${CLS}`,
        );
      const b = data instanceof Uint8Array ? data : arg.bytes(data);
      let count = 0;
      while (count < b.length)
        count += this.send(count === 0 ? b : b.subarray(count));
      return;
    }
    super.sendall(data, flags);
  }

  /** Not allowed on a TLS socket. @throws ValueError "sendto not allowed on instances of <class 'ssl.SSLSocket'>" */
  override sendto(data: arg.BytesLike, address: Address): number;
  override sendto(data: arg.BytesLike, flags: number, address: Address): number;
  override sendto(data: arg.BytesLike, a: unknown, b?: unknown): number {
    if (this.#link !== null)
      throw new ValueError(`sendto not allowed on instances of ${CLS}`);
    return arguments.length === 3
      ? super.sendto(data, a as number, b as Address)
      : super.sendto(data, a as Address);
  }

  /** @throws NotImplementedError "Can't dup() SSLSocket instances" */
  override dup(): never {
    throw new NotImplementedError("Can't dup() SSLSocket instances");
  }

  /**
   * Shuts down the TCP connection (`shutdown(2)`) after dropping the TLS layer (no close_notify is sent).
   * @see https://docs.python.org/3/library/ssl.html#ssl.SSLSocket.shutdown
   */
  override shutdown(how: number): void {
    freeLink(this.#link);
    this.#link = null;
    super.shutdown(how);
  }

  /**
   * Ends TLS: sends close_notify and waits for the peer's (`SSL_shutdown`, bounded by the timeout), then returns
   * this socket, now plain TCP.
   * @throws ValueError "No SSL wrapper around <...>"; TimeoutError; SSLWantReadError (non-blocking)
   * @see https://docs.python.org/3/library/ssl.html#ssl.SSLSocket.unwrap
   */
  unwrap(): SocketObject {
    const link = this.#link;
    if (link === null)
      throw new ValueError(`No SSL wrapper around ${this.toString()}`);
    const fd = this.fileno();
    if (fd < 0) throw sslErrorFromQueue("Underlying socket has been closed.");
    driveShutdown(link, fd, mode(this.gettimeout()));
    freeLink(link);
    this.#link = null;
    return this;
  }

  /** Closes the socket; the TLS connection is freed without close_notify (use `unwrap()` to send one). */
  override close(): void {
    try {
      super.close();
    } finally {
      // While files from makefile() are open the descriptor stays open, and so does TLS (CPython's _real_close).
      if (this.fileno() < 0) {
        freeLink(this.#link);
        this.#link = null;
      }
    }
  }

  /** Gives up the descriptor (the TLS connection is freed) and returns it. */
  override detach(): number {
    freeLink(this.#link);
    this.#link = null;
    return super.detach();
  }

  /**
   * Connects, then runs the handshake when `do_handshake_on_connect`.
   * @throws ValueError "can't connect in server-side mode" / "attempt to connect already-connected SSLSocket!"
   * @see https://docs.python.org/3/library/ssl.html#ssl.SSLSocket
   */
  override connect(address: Address): void {
    this.#realConnect(address, false);
  }
  /** Like `connect` but returns the errno (0 on success). */
  override connect_ex(address: Address): number {
    return this.#realConnect(address, true);
  }
  #realConnect(address: Address, ex: boolean): number {
    if (this.#serverSide)
      throw new ValueError("can't connect in server-side mode");
    if (this.#connected || this.#link !== null)
      throw new ValueError("attempt to connect already-connected SSLSocket!");
    this.#link = this.#context._newLink(
      this,
      this.fileno(),
      false,
      this.#hostname,
    );
    try {
      let rc = 0;
      if (ex) rc = super.connect_ex(address);
      else super.connect(address);
      if (rc === 0) {
        this.#connected = true;
        if (this.do_handshake_on_connect) this.do_handshake();
      }
      return rc;
    } catch (e) {
      freeLink(this.#link);
      this.#link = null;
      throw e;
    }
  }

  /**
   * Accepts a connection on a listening TLS socket and wraps it as the server side: `[conn, address]`.
   * @see https://docs.python.org/3/library/ssl.html#ssl.SSLSocket
   */
  override accept<A extends SocketAddress = SocketAddress>(): [
    conn: SSLSocket,
    address: A,
  ] {
    const [conn, address] = super.accept<A>();
    const s = this.#context.wrap_socket(conn, {
      do_handshake_on_connect: this.do_handshake_on_connect,
      suppress_ragged_eofs: this.suppress_ragged_eofs,
      server_side: true,
    });
    return [s, address];
  }

  /** @throws NotImplementedError "sendmsg not allowed on instances of <class 'ssl.SSLSocket'>" (data would go out unencrypted) */
  override sendmsg(..._args: Parameters<SocketObject["sendmsg"]>): never {
    throw new NotImplementedError(`sendmsg not allowed on instances of ${CLS}`);
  }
  /** @throws NotImplementedError "recvmsg not allowed on instances of <class 'ssl.SSLSocket'>" */
  override recvmsg(..._args: Parameters<SocketObject["recvmsg"]>): never {
    throw new NotImplementedError(`recvmsg not allowed on instances of ${CLS}`);
  }
  /** @throws NotImplementedError "recvmsg_into not allowed on instances of <class 'ssl.SSLSocket'>" */
  override recvmsg_into(
    ..._args: Parameters<SocketObject["recvmsg_into"]>
  ): never {
    throw new NotImplementedError(
      `recvmsg_into not allowed on instances of ${CLS}`,
    );
  }

  /**
   * Sends a file: over TLS with a read + `send` loop (CPython's `_sendfile_use_send`: `sendfile(2)` would bypass
   * the encryption); a plain `sendfile` after `unwrap()`.
   * @see https://docs.python.org/3/library/socket.html#socket.socket.sendfile
   */
  override sendfile(
    file: SendfileSource,
    offset = 0,
    count: number | null = null,
  ): number {
    if (this.#link === null) return super.sendfile(file, offset, count);
    const src = readOnlySource(file);
    try {
      return sendfileImpl(
        {
          fileno: () => this.fileno(),
          type: this.type,
          gettimeout: () => this.gettimeout(),
          send: (b) => this.send(b),
        },
        src.file,
        offset,
        count,
      );
    } finally {
      src.done();
    }
  }

  /** Python's `repr()`: `<ssl.SSLSocket fd=5, family=2, type=1, proto=0, laddr=..., raddr=...>`. */
  override toString(): string {
    return super.toString().replace(/^<socket\.socket/, "<ssl.SSLSocket");
  }
}

// ---------------------------------------------------------------------------------------------------
// Module functions

/**
 * Python's `ssl.create_default_context(purpose=Purpose.SERVER_AUTH, *, cafile, capath, cadata)`: for
 * SERVER_AUTH a client context that verifies servers (CERT_REQUIRED, `check_hostname`) against `cafile` /
 * `capath` / `cadata`, or else the system store; for CLIENT_AUTH a server context. As 3.13, `verify_flags`
 * gains VERIFY_X509_PARTIAL_CHAIN and VERIFY_X509_STRICT.
 * @example
 * ```ts
 * const ctx = ssl.create_default_context();               // system CAs
 * const test = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, { cafile: "ca.pem" });
 * ```
 * @see https://docs.python.org/3/library/ssl.html#ssl.create_default_context
 */
export function create_default_context(
  purpose: ASN1Object = Purpose.SERVER_AUTH,
  options: {
    cafile?: string | null;
    capath?: string | null;
    cadata?: string | ArrayBufferView | null;
  } = {},
): SSLContextType {
  if (purpose === null || typeof purpose !== "object")
    throw new TypeError(String(purpose));
  let context: SSLContextType;
  if (purpose.oid === Purpose.SERVER_AUTH.oid) {
    context = new SSLContextType(PROTOCOL_TLS_CLIENT);
    context.verify_mode = CERT_REQUIRED;
    context.check_hostname = true;
  } else if (purpose.oid === Purpose.CLIENT_AUTH.oid)
    context = new SSLContextType(PROTOCOL_TLS_SERVER);
  else throw new ValueError(String(purpose.oid));
  context.verify_flags =
    context.verify_flags | VERIFY_X509_PARTIAL_CHAIN | VERIFY_X509_STRICT;
  const { cafile, capath, cadata } = options;
  if (cafile || capath || cadata)
    context.load_verify_locations(cafile, capath, cadata);
  else if (context.verify_mode !== CERT_NONE)
    context.load_default_certs(purpose);
  return context;
}

/** Python's `ssl.DefaultVerifyPaths` namedtuple. */
export interface DefaultVerifyPaths {
  /** The CA file that will be used (`$SSL_CERT_FILE` or OpenSSL's default), or `null` when it does not exist. */
  cafile: string | null;
  /** The CA directory that will be used (`$SSL_CERT_DIR` or OpenSSL's default), or `null` when it does not exist. */
  capath: string | null;
  /** Name of the environment variable that overrides the CA file: `"SSL_CERT_FILE"`. */
  openssl_cafile_env: string;
  /** OpenSSL's built-in CA file path. */
  openssl_cafile: string;
  /** Name of the environment variable that overrides the CA directory: `"SSL_CERT_DIR"`. */
  openssl_capath_env: string;
  /** OpenSSL's built-in CA directory path. */
  openssl_capath: string;
}

/**
 * Where OpenSSL looks for CA certificates by default (`X509_get_default_cert_file` / `_dir` and their
 * environment variables); `cafile` / `capath` are `null` when they do not exist.
 * @example
 * ```ts
 * const paths = ssl.get_default_verify_paths();
 * console.log(paths.cafile, paths.capath);
 * ```
 * @see https://docs.python.org/3/library/ssl.html#ssl.get_default_verify_paths
 */
export function get_default_verify_paths(): DefaultVerifyPaths {
  const p = T.defaultCertPaths();
  const cafile = process.env[p.fileEnv] ?? p.file;
  const capath = process.env[p.dirEnv] ?? p.dir;
  const isFile = (f: string) => {
    try {
      return statSync(f).isFile();
    } catch {
      return false;
    }
  };
  const isDir = (f: string) => {
    try {
      return statSync(f).isDirectory();
    } catch {
      return false;
    }
  };
  return {
    cafile: isFile(cafile) ? cafile : null,
    capath: isDir(capath) ? capath : null,
    openssl_cafile_env: p.fileEnv,
    openssl_cafile: p.file,
    openssl_capath_env: p.dirEnv,
    openssl_capath: p.dir,
  };
}

/**
 * Python's `ssl.DER_cert_to_PEM_cert(der)`: base64 in 64-column lines between the PEM markers.
 * @example
 * ```ts
 * const pem = ssl.DER_cert_to_PEM_cert(tls.getpeercert(true)!);
 * console.log(pem.startsWith("-----BEGIN CERTIFICATE-----")); // true
 * ```
 * @see https://docs.python.org/3/library/ssl.html#ssl.DER_cert_to_PEM_cert
 */
export function DER_cert_to_PEM_cert(der_cert_bytes: arg.BytesLike): string {
  const f = Buffer.from(arg.strictBytes(der_cert_bytes)).toString("base64");
  const lines = [PEM_HEADER];
  for (let i = 0; i < f.length; i += 64) lines.push(f.slice(i, i + 64));
  lines.push(PEM_FOOTER + "\n");
  return lines.join("\n");
}

/**
 * Python's `ssl.PEM_cert_to_DER_cert(pem)`. @throws ValueError "Invalid PEM encoding; must start with -----BEGIN CERTIFICATE-----"
 * @example
 * ```ts
 * const der = ssl.PEM_cert_to_DER_cert(ssl.get_server_certificate(["example.com", 443]));
 * console.log(der.length);
 * ```
 * @see https://docs.python.org/3/library/ssl.html#ssl.PEM_cert_to_DER_cert
 */
export function PEM_cert_to_DER_cert(pem_cert_string: string): Buffer {
  if (typeof pem_cert_string !== "string")
    throw new TypeError(
      `PEM_cert_to_DER_cert() argument must be str, not ${arg.pyArgType(pem_cert_string)}`,
    );
  if (!pem_cert_string.startsWith(PEM_HEADER))
    throw new ValueError(`Invalid PEM encoding; must start with ${PEM_HEADER}`);
  const s = pem_cert_string.trim();
  if (!s.endsWith(PEM_FOOTER))
    throw new ValueError(`Invalid PEM encoding; must end with ${PEM_FOOTER}`);
  return Buffer.from(s.slice(PEM_HEADER.length, -PEM_FOOTER.length), "base64");
}

const MONTHS = [
  "Jan",
  "Feb",
  "Mar",
  "Apr",
  "May",
  "Jun",
  "Jul",
  "Aug",
  "Sep",
  "Oct",
  "Nov",
  "Dec",
];
/**
 * Python's `ssl.cert_time_to_seconds("May  9 00:00:00 2007 GMT")`: seconds since the epoch (UTC).
 * @throws ValueError for another format
 * @example
 * ```ts
 * ssl.cert_time_to_seconds("Jan  5 09:34:43 2018 GMT"); // 1515144883
 * ```
 * @see https://docs.python.org/3/library/ssl.html#ssl.cert_time_to_seconds
 */
export function cert_time_to_seconds(cert_time: string): number {
  if (typeof cert_time !== "string")
    throw new TypeError(
      `strptime() argument 1 must be str, not ${arg.pyArgType(cert_time)}`,
    );
  const fmt = " %d %H:%M:%S %Y GMT";
  const mon = cert_time.slice(0, 3);
  const month = MONTHS.findIndex(
    (m) => m === mon.charAt(0).toUpperCase() + mon.slice(1).toLowerCase(),
  );
  if (month < 0)
    throw new ValueError(
      `time data '${cert_time}' does not match format "%b${fmt}"`,
    );
  const m = /^\s*(\d{1,2}) (\d{1,2}):(\d{1,2}):(\d{1,2}) (\d{4}) GMT$/.exec(
    cert_time.slice(3),
  );
  if (m === null)
    throw new ValueError(
      `time data '${cert_time.slice(3)}' does not match format '${fmt}'`,
    );
  return Date.UTC(+m[5]!, month, +m[1]!, +m[2]!, +m[3]!, +m[4]!) / 1000;
}

/**
 * Python's `ssl.RAND_bytes(n)`: `n` cryptographically strong random bytes (`RAND_bytes`).
 * @example
 * ```ts
 * const key = ssl.RAND_bytes(32); // 32 random bytes from OpenSSL's CSPRNG
 * ```
 * @see https://docs.python.org/3/library/ssl.html#ssl.RAND_bytes
 */
export function RAND_bytes(n: number): Buffer {
  const v = arg.cInt(n);
  if (v < 0) throw new ValueError("num must be positive");
  const b = Buffer.from(new ArrayBuffer(v));
  if (T.randBytes(b) !== 1) throw sslErrorFromQueue();
  return b;
}
/**
 * Python's `ssl.RAND_status()`: whether OpenSSL's generator is seeded.
 * @example
 * ```ts
 * if (!ssl.RAND_status()) throw new Error("OpenSSL PRNG not seeded");
 * ```
 * @see https://docs.python.org/3/library/ssl.html#ssl.RAND_status
 */
export function RAND_status(): boolean {
  return T.randStatus() === 1;
}

/**
 * CPython's `ssl._ssl._test_decode_cert(path)`: the dictionary form of the first certificate in a PEM file
 * (used by tests to compare decoding without a connection).
 * @example
 * ```ts
 * const cert = ssl._test_decode_cert("tests/certs/server.pem");
 * console.log(cert.subject, cert.notAfter);
 * ```
 * @see https://github.com/python/cpython/blob/main/Lib/test/test_ssl.py
 */
export function _test_decode_cert(path: string): CertificateDict {
  const x = readPemCertificateFile(pathArg(path, "path"));
  if (x === "open") {
    T.errClear();
    throw new SSLError("Can't open file");
  }
  if (x === "decode") {
    T.errClear();
    throw new SSLError("Error decoding PEM-encoded file");
  }
  try {
    return decodeOr(decodeCertificate, x);
  } finally {
    T.x509Free(x);
  }
}

// ---------------------------------------------------------------------------------------------------
// The 2.x seed: socket.ssl(sock, keyfile, certfile) -> an object with read/write/server/issuer.

/** Options of the seed's `socket.ssl()` (additions of this implementation, all keyword-style). */
export interface SeedSslOptions {
  /** The server's name: sent as SNI and checked against its certificate. Default: no name check. */
  server_hostname?: string | null;
  /** Verify the server's certificate chain (default true). `false` restores the seed's unverified behaviour. */
  verify?: boolean;
  /** Trust the CA certificates in this PEM file instead of the system store. */
  cafile?: string | null;
}

let defaultSeedContexts: Map<string, SSLContextType> | undefined;

function seedContext(
  keyfile: string | null,
  certfile: string | null,
  verify: boolean,
  cafile: string | null,
): SSLContextType {
  const cacheable = keyfile === null && certfile === null;
  const key = `${verify}\0${cafile ?? ""}`;
  if (cacheable) {
    const c = defaultSeedContexts?.get(key);
    if (c !== undefined) return c;
  }
  const ctx = new SSLContextType(PROTOCOL_TLS_CLIENT);
  // The name check is switched on per connection (only when a name is given); the chain check is the context's.
  ctx.check_hostname = false;
  if (!verify) ctx.verify_mode = CERT_NONE;
  else if (cafile !== null) ctx.load_verify_locations(cafile);
  else ctx.set_default_verify_paths();
  if (certfile !== null) ctx.load_cert_chain(certfile, keyfile);
  if (cacheable) (defaultSeedContexts ??= new Map()).set(key, ctx);
  return ctx;
}

/**
 * The object the 2.x seed's `socket.ssl()` returns (`socket.SSLType` there): a TLS client on the caller's socket,
 * with `write`, `read`, `server` and `issuer`. The socket stays the caller's: its timeout applies to every call,
 * and closing it ends the TLS connection.
 * @example
 * ```ts
 * using s = socket.create_connection(["example.com", 443]);
 * const tls = socket.ssl(s);
 * tls.write("HEAD / HTTP/1.0\r\nHost: example.com\r\n\r\n");
 * console.log(tls.read(1024).toString());
 * ```
 * @see https://docs.python.org/release/2.3/lib/ssl-objects.html
 */
export class SSLType {
  #sock: SocketObject;
  #link: Link;
  #context: SSLContextType;
  #server: string;
  #issuer: string;

  /** @internal Use `socket.ssl(sock, ...)`. */
  constructor(
    token: symbol,
    sock: SocketObject,
    context: SSLContextType,
    link: Link,
  ) {
    if (token !== CREATE)
      throw new TypeError(
        "SSL objects are made by socket.ssl(sock, keyfile, certfile)",
      );
    this.#sock = sock;
    this.#context = context;
    this.#link = link;
    this.#server = "";
    this.#issuer = "";
    const x = T.peerCertificate(link.ssl);
    if (x !== 0) {
      try {
        this.#server = nameOneline(x, "subject");
        this.#issuer = nameOneline(x, "issuer");
      } finally {
        T.x509Free(x);
      }
    }
  }

  #fd(): number {
    if (this.#link.ssl === 0)
      throw new SSLError(0, "Underlying socket connection gone");
    const fd = this.#sock.fileno();
    if (fd < 0) throw new SSLError(0, "Underlying socket connection gone");
    return fd;
  }

  /**
   * Encrypts and sends `data` (`SSL_write`, all of it); returns the number of bytes written.
   * @throws SSLError, TimeoutError "The write operation timed out" (socket timeout), OSError
   */
  write(data: arg.BytesLike): number {
    const b = data instanceof Uint8Array ? data : arg.bytes(data);
    return writeBytes(this.#link, this.#fd(), mode(this.#sock.gettimeout()), b);
  }

  /**
   * With `n`: up to `n` decrypted bytes, as one `SSL_read` returns them (an empty Buffer at EOF). Without `n`:
   * everything until the server closes the connection.
   * A connection cut without close_notify counts as EOF here (Python 3's `suppress_ragged_eofs` default).
   * @throws ValueError "size should not be negative"; SSLError; TimeoutError "The read operation timed out"
   */
  read(n?: number): Buffer {
    const timeout = mode(this.#sock.gettimeout());
    if (n !== undefined) {
      const v = arg.cInt(n);
      if (v < 0) throw new ValueError("size should not be negative");
      if (v === 0) return Buffer.alloc(0);
      return this.#readSome(v, timeout);
    }
    const parts: Buffer[] = [];
    for (;;) {
      const b = this.#readSome(SCRATCH_SIZE, timeout);
      if (b.length === 0) return Buffer.concat(parts);
      parts.push(b);
    }
  }

  #readSome(n: number, timeout: number): Buffer {
    try {
      return readBytes(this.#link, this.#fd(), timeout, n);
    } catch (e) {
      if (e instanceof SSLError && e.errno === PY_SSL_ERROR_EOF)
        return Buffer.alloc(0);
      throw e;
    }
  }

  /** The server certificate's subject as one line (`X509_NAME_oneline`): "/C=US/O=Example/CN=example.org". */
  server(): string {
    return this.#server;
  }
  /** The server certificate's issuer as one line (`X509_NAME_oneline`). */
  issuer(): string {
    return this.#issuer;
  }

  /**
   * Frees the TLS connection now (garbage collection would too); the socket stays open. Not in the seed.
   */
  close(): void {
    freeLink(this.#link);
  }

  /** The SSLContext behind this object (not in the seed). */
  get context(): SSLContextType {
    return this.#context;
  }
}

/**
 * The 2.x seed's `socket.ssl(sock, keyfile, certfile)`: starts TLS as a client on the connected `sock` and
 * returns an {@link SSLType} with `read`, `write`, `server` and `issuer`.
 *
 * DIFFERS FROM the seed, on purpose: the server's certificate chain is verified against the system trust store
 * (`SSL_CTX_set_default_verify_paths`), or `cafile`, and its name against `server_hostname` when one is given;
 * `{ verify: false }` must be asked for to skip verification. TLS 1.2 is the minimum.
 * @throws SSLCertVerificationError, SSLError, TimeoutError, OSError
 */
export function seedSsl(
  sock: SocketObject,
  keyfile?: string | null,
  certfile?: string | null,
  options: SeedSslOptions | null = {},
): SSLType {
  // null reads as "no options", as Python's None would (a fuzzer found `options.verify` on null).
  options ??= {};
  if (!(sock instanceof SocketObject))
    throw new TypeError(
      `ssl() argument 1 must be socket, not ${arg.pyType(sock)}`,
    );
  const key = keyfile == null ? null : pathArg(keyfile, "keyfile");
  const cert = certfile == null ? null : pathArg(certfile, "certfile");
  if ((key === null) !== (cert === null))
    throw new SSLError("Both the key & certificate files must be specified");
  const verify = options.verify ?? true;
  const hostname = encodeHostname(options.server_hostname);
  const ctx = seedContext(key, cert, verify, options.cafile ?? null);
  const fd = sock.fileno();
  if (fd < 0) throw badFd();
  // The name is checked only when verifying and a name was given; SNI is sent whenever one was given.
  const owner = {};
  const ssl = T.sslNew(ctx._handle, fd, false);
  if (ssl === 0) throw sslErrorFromQueue();
  const link = newLink(owner, ssl, hostname);
  try {
    if (hostname !== null && T.sslSetHostname(ssl, hostname, verify) !== 1)
      throw sslErrorFromQueue();
    drive(link, fd, mode(sock.gettimeout()), OP_HANDSHAKE, null, 0);
    const Ctor = SSLType as unknown as new (...a: unknown[]) => SSLType;
    const obj = new Ctor(CREATE, sock, ctx, link);
    // Hand the connection's lifetime to the object.
    linkFinalizer.unregister(link);
    linkFinalizer.register(obj, link, link);
    return obj;
  } catch (e) {
    freeLink(link);
    throw e;
  }
}
