/**
 * Python's `ssl` exceptions (`SSLError` and its subclasses) and how an OpenSSL failure becomes one, as CPython's
 * `PySSL_SetError` / `fill_and_set_sslerror` / `_setSSLError` decide.
 * @module
 */
import {
  ERR_GET_LIB,
  ERR_GET_REASON,
  ERR_LIB_SSL,
  ERR_LIB_SYS,
  SSL_ERROR_SSL,
  SSL_ERROR_SYSCALL,
  SSL_ERROR_WANT_CONNECT,
  SSL_ERROR_WANT_READ,
  SSL_ERROR_WANT_WRITE,
  SSL_ERROR_WANT_X509_LOOKUP,
  SSL_ERROR_ZERO_RETURN,
  SSL_R_CERTIFICATE_VERIFY_FAILED,
  SSL_R_UNEXPECTED_EOF_WHILE_READING,
  X509_V_ERR_HOSTNAME_MISMATCH,
  X509_V_ERR_IP_ADDRESS_MISMATCH,
} from "../ffi/openssl.ts";
import * as T from "../platform/tls.ts";
import { fromErrno, named, OSError } from "./errors.ts";

/** `ssl.SSL_ERROR_SSL` (`SSLErrorNumber`): a failure in the TLS library; the `errno` of most SSLErrors. */
export const PY_SSL_ERROR_SSL = 1;
/** `ssl.SSL_ERROR_WANT_READ`: the `errno` of SSLWantReadError. */
export const PY_SSL_ERROR_WANT_READ = 2;
/** `ssl.SSL_ERROR_WANT_WRITE`: the `errno` of SSLWantWriteError. */
export const PY_SSL_ERROR_WANT_WRITE = 3;
/** `ssl.SSL_ERROR_WANT_X509_LOOKUP`: a certificate callback must run first. */
export const PY_SSL_ERROR_WANT_X509_LOOKUP = 4;
/** `ssl.SSL_ERROR_SYSCALL`: an I/O error below TLS. */
export const PY_SSL_ERROR_SYSCALL = 5;
/** `ssl.SSL_ERROR_ZERO_RETURN`: the `errno` of SSLZeroReturnError. */
export const PY_SSL_ERROR_ZERO_RETURN = 6;
/** `ssl.SSL_ERROR_WANT_CONNECT`: the transport is not connected yet. */
export const PY_SSL_ERROR_WANT_CONNECT = 7;
/** `ssl.SSL_ERROR_EOF`: the `errno` of SSLEOFError (Python's own number; OpenSSL has none). */
export const PY_SSL_ERROR_EOF = 8;
/** `ssl.SSL_ERROR_INVALID_ERROR_CODE`: OpenSSL returned an unknown `SSL_get_error` value. */
export const PY_SSL_ERROR_INVALID_ERROR_CODE = 10;

/** Python's `repr()` of a message-only exception's args tuple, which is what `str(SSLError("x"))` prints. */
function reprArgs(args: unknown[]): string {
  const r = (a: unknown): string =>
    typeof a === "string"
      ? `'${a.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`
      : a === null || a === undefined
        ? "None"
        : String(a);
  if (args.length === 1) return `(${r(args[0])},)`;
  return `(${args.map(r).join(", ")})`;
}

/**
 * Python's `ssl.SSLError` (a subclass of `OSError`): an error reported by OpenSSL.
 *
 * Raised by operations as `SSLError(errno, message)` where `errno` is one of the `SSL_ERROR_*` numbers and the
 * message reads `[LIBRARY: REASON] text`, e.g. `[SSL: WRONG_VERSION_NUMBER] wrong version number`.
 * `message` is Python's `str(err)`: the message itself (not `[Errno 1] ...`).
 *
 * DIFFERS FROM CPYTHON: messages carry no `(_ssl.c:1006)` suffix (nor the `_ssl.c:989:` prefix of handshake
 * timeouts): those name lines of CPython's C source, which this implementation does not have.
 * @example
 * ```ts
 * try {
 *   ctx.wrap_socket(sock, { server_hostname: "example.com" });
 * } catch (e) {
 *   if (e instanceof ssl.SSLError) console.log(e.library, e.reason);
 * }
 * ```
 * @see https://docs.python.org/3/library/ssl.html#ssl.SSLError
 */
export class SSLError extends OSError {
  /** OpenSSL's library mnemonic (`"SSL"`, `"X509"`, `"PEM"`...), or `null`. */
  library: string | null = null;
  /** OpenSSL's reason mnemonic (`"CERTIFICATE_VERIFY_FAILED"`...), or `null`. */
  reason: string | null = null;

  constructor(...args: unknown[]) {
    super(...args);
    // SSLError_str: the strerror when there is one, else str(args).
    this.message =
      this.strerror !== null
        ? this.strerror
        : args.length === 0
          ? ""
          : reprArgs(args);
    // errno here is an SSL_ERROR_* number, not an OS errno: no Node-style code.
    this.code = undefined;
  }
}
named(SSLError, "SSLError");

/**
 * Python's `ssl.SSLZeroReturnError`: the peer closed the TLS layer cleanly (close_notify) where data was needed.
 * @example
 * ```ts
 * try {
 *   tls.recv(1024); // the peer sent close_notify
 * } catch (e) {
 *   if (e instanceof ssl.SSLZeroReturnError) console.log("TLS closed cleanly");
 * }
 * ```
 * @see https://docs.python.org/3/library/ssl.html#ssl.SSLZeroReturnError
 */
export class SSLZeroReturnError extends SSLError {}
named(SSLZeroReturnError, "SSLZeroReturnError");
/**
 * Python's `ssl.SSLWantReadError`: a non-blocking socket must become readable before the operation can go on.
 * @example
 * ```ts
 * try {
 *   tls.setblocking(false);
 *   tls.recv(1024); // TLS needs more bytes from the peer first
 * } catch (e) {
 *   if (e instanceof ssl.SSLWantReadError) console.log("wait until readable");
 * }
 * ```
 * @see https://docs.python.org/3/library/ssl.html#ssl.SSLWantReadError
 */
export class SSLWantReadError extends SSLError {}
named(SSLWantReadError, "SSLWantReadError");
/**
 * Python's `ssl.SSLWantWriteError`: a non-blocking socket must become writable before the operation can go on.
 * @example
 * ```ts
 * try {
 *   tls.setblocking(false);
 *   tls.send(data); // the send buffer is full
 * } catch (e) {
 *   if (e instanceof ssl.SSLWantWriteError) console.log("wait until writable");
 * }
 * ```
 * @see https://docs.python.org/3/library/ssl.html#ssl.SSLWantWriteError
 */
export class SSLWantWriteError extends SSLError {}
named(SSLWantWriteError, "SSLWantWriteError");
/**
 * Python's `ssl.SSLSyscallError`: a system error in OpenSSL's I/O that left no OS error code.
 * @example
 * ```ts
 * try {
 *   tls.recv(1024); // the OS reported an error under TLS
 * } catch (e) {
 *   if (e instanceof ssl.SSLSyscallError) console.log(e.message);
 * }
 * ```
 * @see https://docs.python.org/3/library/ssl.html#ssl.SSLSyscallError
 */
export class SSLSyscallError extends SSLError {}
named(SSLSyscallError, "SSLSyscallError");
/**
 * Python's `ssl.SSLEOFError`: the connection ended without close_notify ("EOF occurred in violation of protocol").
 * @example
 * ```ts
 * try {
 *   tls.recv(1024); // the peer closed the TCP connection without close_notify
 * } catch (e) {
 *   if (e instanceof ssl.SSLEOFError) console.log(e.message);
 * }
 * ```
 * @see https://docs.python.org/3/library/ssl.html#ssl.SSLEOFError
 */
export class SSLEOFError extends SSLError {}
named(SSLEOFError, "SSLEOFError");
/**
 * Python's `ssl.SSLCertVerificationError`: the peer's certificate failed verification (untrusted issuer,
 * expired, wrong host name...). `verify_code` is OpenSSL's `X509_V_ERR_*` number, `verify_message` its text.
 *
 * DIFFERS FROM CPYTHON: in Python it is also a `ValueError` (multiple inheritance); here it is only an SSLError.
 * @example
 * ```ts
 * try {
 *   ctx.wrap_socket(sock, { server_hostname: "self-signed.badssl.com" });
 * } catch (e) {
 *   if (e instanceof ssl.SSLCertVerificationError) console.log(e.verify_code, e.verify_message);
 * }
 * ```
 * @see https://docs.python.org/3/library/ssl.html#ssl.SSLCertVerificationError
 */
export class SSLCertVerificationError extends SSLError {
  /** The `X509_V_ERR_*` code (`10` expired, `20` unknown issuer, `62` host name mismatch...). */
  verify_code: number | null = null;
  /** Text for `verify_code` ("certificate has expired", "Hostname mismatch, certificate is not valid for 'x'."). */
  verify_message: string | null = null;
}
named(SSLCertVerificationError, "SSLCertVerificationError");
/** Python's `ssl.CertificateError`: an alias of {@link SSLCertVerificationError} (3.7+). */
export const CertificateError: typeof SSLCertVerificationError =
  SSLCertVerificationError;

type SSLErrorClass = new (...args: unknown[]) => SSLError;

/**
 * CPython's `fill_and_set_sslerror`: an exception of `cls` for `code` (an OpenSSL error code, 0 for none) with
 * `errstr` (or OpenSSL's text for the code) and, for certificate failures, the verification details.
 */
function build(
  cls: SSLErrorClass,
  pyErrno: number,
  errstr: string | null,
  code: number,
  verify: { code: number; hostname: string | null } | null,
): SSLError {
  let lib: string | null = null;
  let reason: string | null = null;
  let text = errstr;
  if (code !== 0) {
    const l = ERR_GET_LIB(code);
    reason = T.errReasonName(l, ERR_GET_REASON(code));
    lib = T.errLibraryName(l);
    text ??= T.errReasonText(code);
  }
  text ??= "unknown error";
  let verifyMessage: string | null = null;
  if (verify !== null) {
    verifyMessage =
      verify.code === X509_V_ERR_HOSTNAME_MISMATCH
        ? `Hostname mismatch, certificate is not valid for '${verify.hostname}'.`
        : verify.code === X509_V_ERR_IP_ADDRESS_MISMATCH
          ? `IP address mismatch, certificate is not valid for '${verify.hostname}'.`
          : T.verifyErrorText(verify.code);
  }
  const msg =
    verifyMessage !== null && reason !== null && lib !== null
      ? `[${lib}: ${reason}] ${text}: ${verifyMessage}`
      : reason !== null && lib !== null
        ? `[${lib}: ${reason}] ${text}`
        : lib !== null
          ? `[${lib}] ${text}`
          : text;
  // Python: ERR_GET_REASON(ssl_errno) is the errno; for the small SSL_ERROR_* numbers that is the number itself.
  const err = new cls(ERR_GET_REASON(pyErrno), msg);
  err.library = lib;
  err.reason = reason;
  if (err instanceof SSLCertVerificationError && verify !== null) {
    err.verify_code = verify.code;
    err.verify_message = verifyMessage;
  }
  return err;
}

/**
 * CPython's `_setSSLError`: an SSLError for a failed configuration call. With `errstr`, that text and errno 0;
 * without, the newest entry of the OpenSSL error queue. The queue is cleared.
 */
export function sslErrorFromQueue(errstr: string | null = null): SSLError {
  const code = errstr === null ? T.errPeekLast() : 0;
  const e = build(SSLError, code, errstr, code, null);
  T.errClear();
  return e;
}

/** A connection whose failure is being reported: its `SSL *` and the server name it was opened for. */
export interface FailingConnection {
  readonly ssl: T.Handle;
  readonly hostname: string | null;
}

/**
 * CPython's `PySSL_SetError`: the exception for an operation that ended with `SSL_get_error() == sslErr`
 * (`sysErr` is the OS error code captured right after the call). Returns an OSError (for system errors) or an
 * SSLError subclass; clears the OpenSSL error queue.
 */
export function connectionError(
  conn: FailingConnection,
  sslErr: number,
  sysErr: number,
): OSError {
  const e = T.errPeekLast();
  let cls: SSLErrorClass = SSLError;
  let p: number;
  let errstr: string | null = null;
  switch (sslErr) {
    case SSL_ERROR_ZERO_RETURN:
      errstr = "TLS/SSL connection has been closed (EOF)";
      cls = SSLZeroReturnError;
      p = PY_SSL_ERROR_ZERO_RETURN;
      break;
    case SSL_ERROR_WANT_READ:
      errstr = "The operation did not complete (read)";
      cls = SSLWantReadError;
      p = PY_SSL_ERROR_WANT_READ;
      break;
    case SSL_ERROR_WANT_WRITE:
      errstr = "The operation did not complete (write)";
      cls = SSLWantWriteError;
      p = PY_SSL_ERROR_WANT_WRITE;
      break;
    case SSL_ERROR_WANT_X509_LOOKUP:
      errstr = "The operation did not complete (X509 lookup)";
      p = PY_SSL_ERROR_WANT_X509_LOOKUP;
      break;
    case SSL_ERROR_WANT_CONNECT:
      errstr = "The operation did not complete (connect)";
      p = PY_SSL_ERROR_WANT_CONNECT;
      break;
    case SSL_ERROR_SYSCALL:
      if (e === 0) {
        T.errClear();
        if (sysErr !== 0) return fromErrno(sysErr);
        errstr = "EOF occurred in violation of protocol";
        cls = SSLEOFError;
        p = PY_SSL_ERROR_EOF;
      } else {
        if (
          ERR_GET_LIB(e) === ERR_LIB_SSL &&
          ERR_GET_REASON(e) === SSL_R_CERTIFICATE_VERIFY_FAILED
        )
          cls = SSLCertVerificationError;
        if (ERR_GET_LIB(e) === ERR_LIB_SYS) {
          T.errClear();
          return fromErrno(ERR_GET_REASON(e));
        }
        p = PY_SSL_ERROR_SYSCALL;
      }
      break;
    case SSL_ERROR_SSL:
      p = PY_SSL_ERROR_SSL;
      if (e === 0) errstr = "A failure in the SSL library occurred";
      if (ERR_GET_LIB(e) === ERR_LIB_SSL) {
        const r = ERR_GET_REASON(e);
        if (r === SSL_R_CERTIFICATE_VERIFY_FAILED)
          cls = SSLCertVerificationError;
        // OpenSSL 3 reports a TCP EOF without close_notify as this reason (1.1.1 used SSL_ERROR_SYSCALL).
        if (r === SSL_R_UNEXPECTED_EOF_WHILE_READING) {
          p = PY_SSL_ERROR_EOF;
          cls = SSLEOFError;
          errstr = "EOF occurred in violation of protocol";
        }
      }
      if (ERR_GET_LIB(e) === ERR_LIB_SYS) {
        T.errClear();
        return fromErrno(ERR_GET_REASON(e));
      }
      break;
    default:
      p = PY_SSL_ERROR_INVALID_ERROR_CODE;
      errstr = "Invalid error code";
  }
  const verify =
    cls === SSLCertVerificationError
      ? { code: T.verifyResult(conn.ssl), hostname: conn.hostname }
      : null;
  const err = build(cls, p, errstr, e, verify);
  T.errClear();
  return err;
}
