/**
 * OpenSSL calls turned into plain functions for the TLS API: contexts (`SSL_CTX`), connections (`SSL`), the
 * error queue, and module facts. Nothing here throws Python errors: failures come back as 0 / negative
 * numbers, with the OpenSSL error queue and the OS error code left for `src/api/` to read.
 *
 * I/O convention (`handshake`, `read`, `write`, `shutdown`): a positive result is success (bytes moved, or 1);
 * otherwise the result is `-SSL_get_error(...)` (`-2` = SSL_ERROR_WANT_READ, ...), and {@link lastSysError}
 * holds the OS error code captured right after the call. Every I/O call clears the thread's error queue
 * first, so `SSL_get_error` never sees a stale entry (OpenSSL's own advice).
 * @module
 */
import {
  CString,
  JSCallback,
  ptr,
  read,
  toArrayBuffer,
  type Pointer,
} from "bun:ffi";
import { plat } from "../ffi/index.ts";
import {
  errorLibraries,
  errorReasons,
} from "../ffi/constants/openssl-errors.ts";
import {
  ERR_GET_LIB,
  ERR_GET_REASON,
  ERR_LIB_X509,
  X509_R_CERT_ALREADY_IN_HASH_TABLE,
  openssl,
  OPENSSL_NPN_NEGOTIATED,
  SSL_CTRL_GET_MAX_PROTO_VERSION,
  SSL_CTRL_GET_MIN_PROTO_VERSION,
  SSL_CTRL_MODE,
  SSL_CTRL_SET_MAX_PROTO_VERSION,
  SSL_CTRL_SET_MIN_PROTO_VERSION,
  SSL_CTRL_SET_TLSEXT_HOSTNAME,
  SSL_FILETYPE_PEM,
  SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER,
  SSL_MODE_AUTO_RETRY,
  SSL_TLSEXT_ERR_NOACK,
  SSL_TLSEXT_ERR_OK,
  X509_LU_CRL,
  X509_LU_X509,
  NID_undef,
} from "../ffi/openssl.ts";

const S = openssl.ssl;
const X = openssl.crypto;
const sys = plat.sys;

/** An OpenSSL object address (`SSL_CTX *`, `SSL *`, `X509 *`, ...); 0 is NULL. */
export type Handle = number;

const asPtr = (n: number): Pointer => n as Pointer;
const NUL = new Uint8Array(1);
const enc = new TextEncoder();

/** A NUL-terminated copy of `s` (OpenSSL copies or only reads it during the call). */
export function cstr(s: string): Uint8Array {
  return enc.encode(s + "\0");
}

// Out-parameters: ArrayBuffer-backed so their address never moves (oven-sh/bun#32054).
const outPtr = new BigUint64Array(new ArrayBuffer(8));
const outU32 = new Uint32Array(new ArrayBuffer(4));
const outI32 = new Int32Array(new ArrayBuffer(4));

/** Copies `n` bytes of C memory at `p` into a new Buffer. */
export function copyOut(p: number, n: number): Buffer {
  if (n <= 0 || p === 0) return Buffer.alloc(0);
  return Buffer.from(new Uint8Array(toArrayBuffer(asPtr(p), 0, n)));
}

// -------------------------------------------------------------------------------------------------
// Module facts

/** `OpenSSL_version(OPENSSL_VERSION)`: "OpenSSL 3.0.19 27 Jan 2026". */
export function versionText(): string {
  return String(X.OpenSSL_version(0));
}
/** `OpenSSL_version_num()`: 0x30000130 for 3.0.19. */
export function versionNumber(): number {
  return X.OpenSSL_version_num() >>> 0;
}
/** The library paths that were loaded. */
export function loadedFrom(): { ssl: string; crypto: string } {
  return { ssl: openssl.sslPath, crypto: openssl.cryptoPath };
}
/** The four `X509_get_default_cert_*` answers: compiled-in CA file/dir and the env variable names. */
export function defaultCertPaths(): {
  file: string;
  dir: string;
  fileEnv: string;
  dirEnv: string;
} {
  return {
    file: String(X.X509_get_default_cert_file()),
    dir: String(X.X509_get_default_cert_dir()),
    fileEnv: String(X.X509_get_default_cert_file_env()),
    dirEnv: String(X.X509_get_default_cert_dir_env()),
  };
}
/** `RAND_bytes(buf, n)`: 1 on success. */
export function randBytes(buf: Uint8Array): number {
  return buf.length === 0 ? 1 : X.RAND_bytes(buf, buf.length);
}
/** `RAND_status()`: 1 when the generator is seeded. */
export function randStatus(): number {
  return X.RAND_status();
}

// -------------------------------------------------------------------------------------------------
// Error queue

/** `ERR_peek_last_error()`: the newest code in this thread's queue, or 0. */
export function errPeekLast(): number {
  return X.ERR_peek_last_error() >>> 0;
}
/** `ERR_clear_error()`. */
export function errClear(): void {
  X.ERR_clear_error();
}
/** `ERR_reason_error_string(code)`: OpenSSL's text for a code ("certificate verify failed"), or null. */
export function errReasonText(code: number): string | null {
  const p = X.ERR_reason_error_string(code);
  return p ? new CString(p).toString() : null;
}
/** `X509_verify_cert_error_string(n)`: "certificate has expired", ... */
export function verifyErrorText(n: number): string {
  return String(X.X509_verify_cert_error_string(n));
}

let reasonCache: Map<number, Map<number, string>> | undefined;
/** The mnemonic of an error library (`20` -> "SSL"), as CPython names it, or null. */
export function errLibraryName(lib: number): string | null {
  return errorLibraries[lib] ?? null;
}
/** The mnemonic of an error reason (`(20, 134)` -> "CERTIFICATE_VERIFY_FAILED"), or null. */
export function errReasonName(lib: number, reason: number): string | null {
  reasonCache ??= new Map();
  let m = reasonCache.get(lib);
  if (m === undefined) {
    m = new Map();
    const parts = (errorReasons[lib] ?? "").split(" ");
    for (let i = 0; i + 1 < parts.length; i += 2)
      m.set(Number(parts[i]), parts[i + 1]!);
    reasonCache.set(lib, m);
  }
  return m.get(reason) ?? null;
}

// -------------------------------------------------------------------------------------------------
// SSL_CTX

/** `SSL_CTX_new` on `TLS_method` / `TLS_client_method` / `TLS_server_method`; 0 on failure (queue). */
export function ctxNew(kind: "any" | "client" | "server"): Handle {
  const m =
    kind === "client"
      ? S.TLS_client_method()
      : kind === "server"
        ? S.TLS_server_method()
        : S.TLS_method();
  return (S.SSL_CTX_new(m) as number | null) ?? 0;
}
/** `SSL_CTX_free` (refcounted: SSL objects made from it keep it alive). */
export function ctxFree(ctx: Handle): void {
  S.SSL_CTX_free(asPtr(ctx));
}
/** `SSL_CTX_get_options`. */
export function ctxGetOptions(ctx: Handle): number {
  return Number(S.SSL_CTX_get_options(asPtr(ctx)));
}
/** `SSL_CTX_set_options(ctx, bits)` (adds bits). */
export function ctxSetOptions(ctx: Handle, bits: number): number {
  return Number(S.SSL_CTX_set_options(asPtr(ctx), bits));
}
/** `SSL_CTX_clear_options(ctx, bits)`. */
export function ctxClearOptions(ctx: Handle, bits: number): number {
  return Number(S.SSL_CTX_clear_options(asPtr(ctx), bits));
}
/** `SSL_CTX_set_mode` (a `SSL_CTX_ctrl(SSL_CTRL_MODE)` macro): adds `mode` bits, returns the mode now set. */
export function ctxSetMode(ctx: Handle, mode: number): number {
  return Number(S.SSL_CTX_ctrl(asPtr(ctx), SSL_CTRL_MODE, mode, null));
}
/** `SSL_CTX_set_min_proto_version` / `..._max_...` (ctrl macros): 1 ok, 0 unsupported. */
export function ctxSetProtoVersion(
  ctx: Handle,
  which: "min" | "max",
  v: number,
): number {
  return Number(
    S.SSL_CTX_ctrl(
      asPtr(ctx),
      which === "min"
        ? SSL_CTRL_SET_MIN_PROTO_VERSION
        : SSL_CTRL_SET_MAX_PROTO_VERSION,
      v,
      null,
    ),
  );
}
/** `SSL_CTX_get_min_proto_version` / `..._max_...`: 0 means no limit. */
export function ctxGetProtoVersion(ctx: Handle, which: "min" | "max"): number {
  return Number(
    S.SSL_CTX_ctrl(
      asPtr(ctx),
      which === "min"
        ? SSL_CTRL_GET_MIN_PROTO_VERSION
        : SSL_CTRL_GET_MAX_PROTO_VERSION,
      0,
      null,
    ),
  );
}
/** `SSL_CTX_set_verify(ctx, mode, NULL)` (OpenSSL's built-in chain verification). */
export function ctxSetVerify(ctx: Handle, mode: number): void {
  S.SSL_CTX_set_verify(asPtr(ctx), mode, null);
}
/** `SSL_CTX_get_verify_mode`. */
export function ctxGetVerify(ctx: Handle): number {
  return S.SSL_CTX_get_verify_mode(asPtr(ctx));
}
/** `SSL_CTX_get0_param`: the context's X509_VERIFY_PARAM (borrowed). */
export function ctxParam(ctx: Handle): Handle {
  return (S.SSL_CTX_get0_param(asPtr(ctx)) as number | null) ?? 0;
}
/** `X509_VERIFY_PARAM_get_flags`. */
export function paramGetFlags(param: Handle): number {
  return Number(X.X509_VERIFY_PARAM_get_flags(asPtr(param)));
}
/** `X509_VERIFY_PARAM_set_flags` (adds) / `..._clear_flags`. */
export function paramChangeFlags(
  param: Handle,
  set: number,
  clear: number,
): void {
  if (clear) X.X509_VERIFY_PARAM_clear_flags(asPtr(param), clear);
  if (set) X.X509_VERIFY_PARAM_set_flags(asPtr(param), set);
}
/** `X509_VERIFY_PARAM_get_hostflags`. */
export function paramGetHostflags(param: Handle): number {
  return X.X509_VERIFY_PARAM_get_hostflags(asPtr(param)) >>> 0;
}
/** `X509_VERIFY_PARAM_set_hostflags`. */
export function paramSetHostflags(param: Handle, flags: number): void {
  X.X509_VERIFY_PARAM_set_hostflags(asPtr(param), flags >>> 0);
}

/**
 * Runs an OpenSSL call that may fail inside the C library's `fopen` and reports `[result, errno]`, with the
 * OS error code zeroed before the call (CPython does `errno = 0` first, then reports a non-zero errno as OSError).
 */
function withErrno(call: () => number): [number, number] {
  sys.setLastError(0);
  const r = call();
  return [r, r === 1 ? 0 : sys.lastError()];
}

/** `SSL_CTX_load_verify_locations(ctx, cafile, capath)`: `[1 | 0, errno]`. */
export function ctxLoadVerifyLocations(
  ctx: Handle,
  cafile: string | null,
  capath: string | null,
): [number, number] {
  return withErrno(() =>
    S.SSL_CTX_load_verify_locations(
      asPtr(ctx),
      cafile === null ? null : cstr(cafile),
      capath === null ? null : cstr(capath),
    ),
  );
}
/** `SSL_CTX_set_default_verify_paths`: OpenSSL's compiled-in store, or `$SSL_CERT_FILE` / `$SSL_CERT_DIR`. */
export function ctxSetDefaultVerifyPaths(ctx: Handle): number {
  return S.SSL_CTX_set_default_verify_paths(asPtr(ctx));
}
/** `SSL_CTX_use_certificate_chain_file`: `[1 | 0, errno]`. */
export function ctxUseCertChain(ctx: Handle, path: string): [number, number] {
  return withErrno(() =>
    S.SSL_CTX_use_certificate_chain_file(asPtr(ctx), cstr(path)),
  );
}
/** `SSL_CTX_use_PrivateKey_file(ctx, path, SSL_FILETYPE_PEM)`: `[1 | 0, errno]`. */
export function ctxUsePrivateKey(ctx: Handle, path: string): [number, number] {
  return withErrno(() =>
    S.SSL_CTX_use_PrivateKey_file(asPtr(ctx), cstr(path), SSL_FILETYPE_PEM),
  );
}
/** `SSL_CTX_check_private_key`: 1 when the key matches the certificate. */
export function ctxCheckPrivateKey(ctx: Handle): number {
  return S.SSL_CTX_check_private_key(asPtr(ctx));
}
/**
 * `SSL_CTX_set_default_passwd_cb_userdata(ctx, password)` with no callback: OpenSSL's default PEM callback then
 * uses the NUL-terminated userdata as the pass phrase, and never prompts on a terminal while one is set.
 * `password` must stay referenced until it is reset with `null`.
 */
export function ctxSetPassword(ctx: Handle, password: Uint8Array | null): void {
  S.SSL_CTX_set_default_passwd_cb_userdata(asPtr(ctx), password);
}
/** `SSL_CTX_set_cipher_list`: 1 when at least one cipher was selected. */
export function ctxSetCipherList(ctx: Handle, list: string): number {
  return S.SSL_CTX_set_cipher_list(asPtr(ctx), cstr(list));
}
/** `SSL_CTX_set_session_id_context`. */
export function ctxSetSessionIdContext(ctx: Handle, id: string): number {
  const b = enc.encode(id);
  return S.SSL_CTX_set_session_id_context(asPtr(ctx), b, b.length);
}
/** `SSL_CTX_get_security_level`. */
export function ctxSecurityLevel(ctx: Handle): number {
  return S.SSL_CTX_get_security_level(asPtr(ctx));
}
/** `SSL_CTX_get_num_tickets`. */
export function ctxGetNumTickets(ctx: Handle): number {
  return Number(S.SSL_CTX_get_num_tickets(asPtr(ctx)));
}
/** `SSL_CTX_set_num_tickets`: 1 ok. */
export function ctxSetNumTickets(ctx: Handle, n: number): number {
  return S.SSL_CTX_set_num_tickets(asPtr(ctx), n);
}

// ALPN: one process-wide select callback (never closed, so no SSL_CTX can outlive it; a closed JSCallback
// still installed crashed Bun 1.3.14). Its `arg` is the context's persistent [u32 length][wire list] block.
let alpnCallback: JSCallback | undefined;
function alpnSelect(
  _ssl: number,
  out: number,
  outlen: number,
  inp: number,
  inlen: number,
  arg: number,
): number {
  // Never throw into OpenSSL: the return value would be undefined (research/openssl-ffi.md §4).
  try {
    if (!arg || !inp) return SSL_TLSEXT_ERR_NOACK;
    const len = read.u32(asPtr(arg), 0);
    // An empty server list must not reach SSL_select_next_proto (CVE-2024-5535).
    if (len === 0) return SSL_TLSEXT_ERR_NOACK;
    // Server preference, as CPython's _selectALPN_cb: no overlap means "no ALPN", not a failed handshake.
    const r = S.SSL_select_next_proto(
      asPtr(out),
      asPtr(outlen),
      asPtr(arg + 4),
      len,
      asPtr(inp),
      inlen,
    );
    return r === OPENSSL_NPN_NEGOTIATED
      ? SSL_TLSEXT_ERR_OK
      : SSL_TLSEXT_ERR_NOACK;
  } catch {
    return SSL_TLSEXT_ERR_NOACK;
  }
}

/**
 * Sets the ALPN protocols a context offers (client) and selects from (server): `SSL_CTX_set_alpn_protos` and
 * `SSL_CTX_set_alpn_select_cb`. `block` is `[u32 length][wire list]` in ArrayBuffer-backed memory that the
 * caller keeps referenced for the context's lifetime (the callback reads it during handshakes).
 * Returns 0 on success (OpenSSL's inverted convention for set_alpn_protos).
 */
export function ctxSetAlpn(ctx: Handle, block: Uint8Array): number {
  alpnCallback ??= new JSCallback(alpnSelect, {
    args: ["ptr", "ptr", "ptr", "ptr", "u32", "ptr"],
    returns: "i32",
  });
  const len = new DataView(block.buffer, block.byteOffset).getUint32(0, true);
  S.SSL_CTX_set_alpn_select_cb(asPtr(ctx), alpnCallback.ptr, ptr(block));
  return S.SSL_CTX_set_alpn_protos(
    asPtr(ctx),
    len === 0 ? NUL : block.subarray(4),
    len,
  );
}

/**
 * Adds every certificate in `data` to the context's store (`PEM_read_bio_X509` or `d2i_X509_bio` over a memory
 * BIO, then `X509_STORE_add_cert`). Returns the number added (duplicates count) and the last error code left in
 * the queue after the loop ended (the end-of-data error for a clean end).
 */
export function ctxAddCaCerts(
  ctx: Handle,
  data: Uint8Array,
  pem: boolean,
): { loaded: number; lastError: number } {
  const store = S.SSL_CTX_get_cert_store(asPtr(ctx));
  const bio = X.BIO_new_mem_buf(data, data.length);
  if (!bio) return { loaded: 0, lastError: errPeekLast() };
  let loaded = 0;
  let lastError = 0;
  try {
    for (;;) {
      const x = pem
        ? X.PEM_read_bio_X509(bio, null, null, null)
        : X.d2i_X509_bio(bio, null);
      if (!x) break;
      const r = X.X509_STORE_add_cert(store, x);
      X.X509_free(x);
      if (r !== 1) {
        // X509_R_CERT_ALREADY_IN_HASH_TABLE is fine (CPython ignores duplicates); anything else stops.
        const e = errPeekLast();
        if (
          ERR_GET_LIB(e) !== ERR_LIB_X509 ||
          ERR_GET_REASON(e) !== X509_R_CERT_ALREADY_IN_HASH_TABLE
        ) {
          lastError = e;
          return { loaded, lastError: e };
        }
        X.ERR_clear_error();
      }
      loaded++;
    }
    lastError = errPeekLast();
  } finally {
    X.BIO_free(bio);
  }
  return { loaded, lastError };
}

/** The context store's objects: every certificate (`X509 *`, borrowed) and the CRL count (`X509_STORE_get0_objects`). */
export function ctxStoreObjects(ctx: Handle): {
  certs: Handle[];
  crls: number;
} {
  const store = S.SSL_CTX_get_cert_store(asPtr(ctx));
  const sk = X.X509_STORE_get0_objects(store);
  const certs: Handle[] = [];
  let crls = 0;
  const n = sk ? X.OPENSSL_sk_num(sk) : 0;
  for (let i = 0; i < n; i++) {
    const obj = X.OPENSSL_sk_value(sk, i);
    if (!obj) continue;
    const t = X.X509_OBJECT_get_type(obj);
    if (t === X509_LU_X509) {
      const x = X.X509_OBJECT_get0_X509(obj);
      if (x) certs.push(x as number);
    } else if (t === X509_LU_CRL) crls++;
  }
  return { certs, crls };
}
/** `X509_check_ca(x)`: non-zero when `x` is a CA certificate. */
export function isCa(x: Handle): boolean {
  return X.X509_check_ca(asPtr(x)) !== 0;
}

/** One cipher, as CPython's `cipher_to_dict` describes it. */
export interface CipherInfo {
  /** The cipher suite's numeric id (`SSL_CIPHER_get_id`). */
  id: number;
  /** OpenSSL's name, e.g. `"TLS_AES_256_GCM_SHA384"`. */
  name: string;
  /** The protocol version it first appeared in, e.g. `"TLSv1.3"`. */
  protocol: string;
  /** OpenSSL's one-line description (`SSL_CIPHER_description`). */
  description: string;
  /** Effective key strength in bits. */
  strength_bits: number;
  /** Key bits of the algorithm. */
  alg_bits: number;
  /** Whether it is an AEAD cipher (then `digest` is `null`). */
  aead: boolean;
  /** The symmetric cipher, e.g. `"aes-256-gcm"`, or `null`. */
  symmetric: string | null;
  /** The MAC digest, e.g. `"sha384"`, or `null` for AEAD ciphers. */
  digest: string | null;
  /** The key exchange, e.g. `"kx-ecdhe"` (`"kx-any"` for TLS 1.3), or `null`. */
  kea: string | null;
  /** The authentication, e.g. `"auth-rsa"` (`"auth-any"` for TLS 1.3), or `null`. */
  auth: string | null;
}
const descBuf = new Uint8Array(new ArrayBuffer(256));
function nidName(nid: number): string | null {
  return nid === NID_undef ? null : String(X.OBJ_nid2ln(nid));
}
function cipherInfo(c: Pointer): CipherInfo {
  S.SSL_CIPHER_description(c, descBuf, descBuf.length - 1);
  let end = descBuf.indexOf(0);
  if (end < 0) end = descBuf.length;
  let desc = Buffer.from(descBuf.subarray(0, end)).toString("latin1");
  if (desc.length > 1 && desc.endsWith("\n")) desc = desc.slice(0, -1);
  const bits = S.SSL_CIPHER_get_bits(c, outI32);
  return {
    id: S.SSL_CIPHER_get_id(c) >>> 0,
    name: String(S.SSL_CIPHER_get_name(c)),
    protocol: String(S.SSL_CIPHER_get_version(c)),
    description: desc,
    strength_bits: bits,
    alg_bits: outI32[0]!,
    aead: S.SSL_CIPHER_is_aead(c) !== 0,
    symmetric: nidName(S.SSL_CIPHER_get_cipher_nid(c)),
    digest: nidName(S.SSL_CIPHER_get_digest_nid(c)),
    kea: nidName(S.SSL_CIPHER_get_kx_nid(c)),
    auth: nidName(S.SSL_CIPHER_get_auth_nid(c)),
  };
}
/** The ciphers a connection from this context would offer, in order (`SSL_new` + `SSL_get_ciphers`). */
export function ctxCiphers(ctx: Handle): CipherInfo[] | null {
  const ssl = S.SSL_new(asPtr(ctx));
  if (!ssl) return null;
  try {
    const sk = S.SSL_get_ciphers(ssl);
    const out: CipherInfo[] = [];
    const n = sk ? X.OPENSSL_sk_num(sk) : 0;
    for (let i = 0; i < n; i++) {
      const c = X.OPENSSL_sk_value(sk, i);
      if (c) out.push(cipherInfo(c as Pointer));
    }
    return out;
  } finally {
    S.SSL_free(ssl);
  }
}

// -------------------------------------------------------------------------------------------------
// SSL

/**
 * A connection object on `fd`: `SSL_new`, `SSL_set_fd`, `SSL_set_mode(ACCEPT_MOVING_WRITE_BUFFER | AUTO_RETRY)`
 * (as CPython: a retried write may come from another address), then connect or accept state. 0 on failure.
 */
export function sslNew(ctx: Handle, fd: number, server: boolean): Handle {
  const ssl = S.SSL_new(asPtr(ctx));
  if (!ssl) return 0;
  if (S.SSL_set_fd(ssl, fd) !== 1) {
    S.SSL_free(ssl);
    return 0;
  }
  S.SSL_ctrl(
    ssl,
    SSL_CTRL_MODE,
    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_AUTO_RETRY,
    null,
  );
  if (server) S.SSL_set_accept_state(ssl);
  else S.SSL_set_connect_state(ssl);
  return ssl as number;
}
/** `SSL_free` (does not close the descriptor). */
export function sslFree(ssl: Handle): void {
  S.SSL_free(asPtr(ssl));
}
/**
 * Configures a client's server name as CPython's `_ssl_configure_hostname` does: SNI (`SSL_set_tlsext_host_name`)
 * unless the name is an IP literal, and, when `check`, the name check on the connection's X509_VERIFY_PARAM
 * (`X509_VERIFY_PARAM_set1_host`, or `..._set1_ip` for an IP literal recognised by `a2i_IPADDRESS`).
 * Returns 1, or 0 with the reason in the error queue.
 */
export function sslSetHostname(
  ssl: Handle,
  name: string,
  check: boolean,
): number {
  const c = cstr(name);
  const ip = X.a2i_IPADDRESS(c);
  if (!ip) X.ERR_clear_error();
  try {
    if (
      !ip &&
      !Number(S.SSL_ctrl(asPtr(ssl), SSL_CTRL_SET_TLSEXT_HOSTNAME, 0, c))
    )
      return 0;
    if (check) {
      const param = S.SSL_get0_param(asPtr(ssl));
      const r = ip
        ? X.X509_VERIFY_PARAM_set1_ip(
            param,
            X.ASN1_STRING_get0_data(ip),
            X.ASN1_STRING_length(ip),
          )
        : X.X509_VERIFY_PARAM_set1_host(param, c, c.length - 1);
      if (r !== 1) return 0;
    }
    return 1;
  } finally {
    if (ip) X.ASN1_OCTET_STRING_free(ip);
  }
}

let sysErr = 0;
/** The OS error code captured right after the last failed I/O call (0 when the OS reported none). */
export function lastSysError(): number {
  return sysErr;
}
function failed(ssl: Pointer, rc: number): number {
  sysErr = sys.lastError();
  return -S.SSL_get_error(ssl, rc);
}

/** `SSL_do_handshake`: 1, or `-SSL_ERROR_*`. */
export function handshake(ssl: Handle): number {
  const p = asPtr(ssl);
  X.ERR_clear_error();
  sys.setLastError(0);
  const rc = S.SSL_do_handshake(p);
  return rc === 1 ? 1 : failed(p, rc);
}
/** `SSL_read(ssl, buf, n)`: bytes (> 0), or `-SSL_ERROR_*`. `n` is at most 2^31 - 1. */
export function readInto(ssl: Handle, buf: Uint8Array, n: number): number {
  const p = asPtr(ssl);
  X.ERR_clear_error();
  sys.setLastError(0);
  const rc = S.SSL_read(p, buf, n);
  return rc > 0 ? rc : failed(p, rc);
}
/** `SSL_write(ssl, buf, n)`: bytes (> 0; all of them, partial writes are off), or `-SSL_ERROR_*`. */
export function write(ssl: Handle, buf: Uint8Array, n: number): number {
  const p = asPtr(ssl);
  X.ERR_clear_error();
  sys.setLastError(0);
  const rc = S.SSL_write(p, buf, n);
  return rc > 0 ? rc : failed(p, rc);
}
/** `SSL_shutdown`: 1 (both close_notify done), 0 (ours sent), or `-SSL_ERROR_*`. */
export function shutdown(ssl: Handle): number {
  const p = asPtr(ssl);
  X.ERR_clear_error();
  sys.setLastError(0);
  const rc = S.SSL_shutdown(p);
  return rc >= 0 ? rc : failed(p, rc);
}
/** `SSL_set_read_ahead(ssl, on)`. */
export function setReadAhead(ssl: Handle, on: boolean): void {
  S.SSL_set_read_ahead(asPtr(ssl), on ? 1 : 0);
}
/** `SSL_get_shutdown`: SSL_SENT_SHUTDOWN / SSL_RECEIVED_SHUTDOWN bits. */
export function getShutdown(ssl: Handle): number {
  return S.SSL_get_shutdown(asPtr(ssl));
}
/** `SSL_pending`: decrypted bytes buffered inside OpenSSL. */
export function pending(ssl: Handle): number {
  return S.SSL_pending(asPtr(ssl));
}
/** `SSL_is_init_finished`. */
export function handshakeDone(ssl: Handle): boolean {
  return S.SSL_is_init_finished(asPtr(ssl)) !== 0;
}
/** `SSL_get_version`: "TLSv1.3", ... */
export function protocolVersion(ssl: Handle): string {
  return String(S.SSL_get_version(asPtr(ssl)));
}
/** `SSL_get_verify_result`: X509_V_OK (0) or an X509_V_ERR_* code. */
export function verifyResult(ssl: Handle): number {
  return Number(S.SSL_get_verify_result(asPtr(ssl)));
}
/** `SSL_session_reused`. */
export function sessionReused(ssl: Handle): boolean {
  return S.SSL_session_reused(asPtr(ssl)) !== 0;
}
/** `(name, protocol, secret bits)` of the current cipher, or null before the handshake. */
export function currentCipher(
  ssl: Handle,
): [name: string, protocol: string, bits: number] | null {
  const c = S.SSL_get_current_cipher(asPtr(ssl));
  if (!c) return null;
  return [
    String(S.SSL_CIPHER_get_name(c)),
    String(S.SSL_CIPHER_get_version(c)),
    S.SSL_CIPHER_get_bits(c, null),
  ];
}
/** `SSL_get0_alpn_selected`: the negotiated protocol, or null. */
export function alpnSelected(ssl: Handle): string | null {
  outPtr[0] = 0n;
  outU32[0] = 0;
  S.SSL_get0_alpn_selected(asPtr(ssl), outPtr, outU32);
  const n = outU32[0]!;
  if (n === 0) return null;
  return copyOut(Number(outPtr[0]), n).toString("latin1");
}
/** `SSL_get1_peer_certificate`: a new reference the caller must release with {@link x509Free}, or 0. */
export function peerCertificate(ssl: Handle): Handle {
  return (S.SSL_get1_peer_certificate(asPtr(ssl)) as number | null) ?? 0;
}
/** The peer's chain as sent (`SSL_get_peer_cert_chain`) or as verified (`SSL_get0_verified_chain`): borrowed X509s. */
export function peerChain(ssl: Handle, verified: boolean): Handle[] {
  const sk = verified
    ? S.SSL_get0_verified_chain(asPtr(ssl))
    : S.SSL_get_peer_cert_chain(asPtr(ssl));
  const out: Handle[] = [];
  const n = sk ? X.OPENSSL_sk_num(sk) : 0;
  for (let i = 0; i < n; i++) {
    const x = X.OPENSSL_sk_value(sk, i);
    if (x) out.push(x as number);
  }
  return out;
}
/** `SSL_get_verify_mode` of the connection's context (`SSL_CTX_get_verify_mode(SSL_get_SSL_CTX(ssl))`). */
export function sslCtxVerifyMode(ssl: Handle): number {
  return S.SSL_CTX_get_verify_mode(S.SSL_get_SSL_CTX(asPtr(ssl)));
}
/** `SSL_set_SSL_CTX`. */
export function sslSetCtx(ssl: Handle, ctx: Handle): void {
  S.SSL_set_SSL_CTX(asPtr(ssl), asPtr(ctx));
}
/** `X509_free`. */
export function x509Free(x: Handle): void {
  X.X509_free(asPtr(x));
}
