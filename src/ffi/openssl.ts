/**
 * The system OpenSSL 3 (libssl + libcrypto) through bun:ffi: candidate library names per OS (data), the
 * `BUN_SOCKET_LIBSSL` / `BUN_SOCKET_LIBCRYPTO` overrides, both dlopen tables, and the header numbers
 * the TLS layer needs. Loading happens when this module is first imported; when no usable OpenSSL 3
 * is found, the import throws one error that lists every name tried and how to fix it.
 *
 * Only `src/platform/tls.ts` and `src/platform/x509.ts` use these symbols.
 *
 * Types: `long` / `unsigned long` are 64-bit on Linux and macOS (LP64) and 32-bit on Windows (LLP64):
 * they come from {@link CLONG} below, chosen by OS as data. Error codes (`unsigned long`) always fit in
 * 32 bits and are declared `u32` everywhere. Pointers are returned as numbers (`ptr`).
 * @module
 */
import { dlopen, FFIType, type FFIFunction } from "bun:ffi";
import { plat } from "./index.ts";
import type { Features } from "./types.ts";

type OS = Features["os"];

/** Where to look for OpenSSL 3, per OS: tried in order, libcrypto first. Never unversioned names (see below). */
export const OPENSSL_CANDIDATES: Readonly<
  Record<
    OS,
    {
      readonly crypto: readonly string[];
      readonly ssl: readonly string[];
      readonly install: string;
    }
  >
> = {
  // Debian/Ubuntu (libssl3), Fedora/RHEL 9 (openssl-libs), Alpine (libssl3), Arch (openssl): same soname.
  linux: {
    crypto: ["libcrypto.so.3"],
    ssl: ["libssl.so.3"],
    install:
      "install OpenSSL 3 (Debian/Ubuntu: apt install libssl3; Fedora/RHEL: dnf install openssl-libs; Alpine: apk add libssl3)",
  },
  // Never dlopen the unversioned libssl.dylib / libcrypto.dylib: since macOS 10.15 that is Apple's LibreSSL
  // shim, which abort()s the process ("Invalid dylib load", wbond/asn1crypto#158). Homebrew / MacPorts only.
  darwin: {
    crypto: [
      "/opt/homebrew/opt/openssl@3/lib/libcrypto.3.dylib",
      "/usr/local/opt/openssl@3/lib/libcrypto.3.dylib",
      "/opt/local/lib/libcrypto.3.dylib",
    ],
    ssl: [
      "/opt/homebrew/opt/openssl@3/lib/libssl.3.dylib",
      "/usr/local/opt/openssl@3/lib/libssl.3.dylib",
      "/opt/local/lib/libssl.3.dylib",
    ],
    install:
      "install OpenSSL 3 (Homebrew: brew install openssl@3; MacPorts: port install openssl3)",
  },
  // OpenSSL's own Windows build names; none ships with Windows (found on PATH, e.g. Git for Windows).
  win32: {
    crypto: ["libcrypto-3-x64.dll", "libcrypto-3.dll"],
    ssl: ["libssl-3-x64.dll", "libssl-3.dll"],
    install: "install OpenSSL 3 for Windows and put its bin directory on PATH",
  },
};

/** Environment variables naming the libraries to load instead of the candidates (full paths). */
export const ENV_LIBSSL = "BUN_SOCKET_LIBSSL";
/** C `ENV_LIBCRYPTO`. */
export const ENV_LIBCRYPTO = "BUN_SOCKET_LIBCRYPTO";

/** C `long` / `unsigned long` per OS (argument and return types; `_fast` returns give numbers). */
const CLONG: Readonly<
  Record<
    OS,
    {
      readonly arg: FFIType;
      readonly ret: FFIType;
      readonly uarg: FFIType;
      readonly uret: FFIType;
    }
  >
> = {
  linux: {
    arg: FFIType.i64,
    ret: FFIType.i64_fast,
    uarg: FFIType.u64,
    uret: FFIType.u64_fast,
  },
  darwin: {
    arg: FFIType.i64,
    ret: FFIType.i64_fast,
    uarg: FFIType.u64,
    uret: FFIType.u64_fast,
  },
  win32: {
    arg: FFIType.i32,
    ret: FFIType.i32,
    uarg: FFIType.u32,
    uret: FFIType.u32,
  },
};
const os = plat.features.os;
// Typed as the LP64 members so the symbol signatures stay precise; the values follow the OS table.
const LA = CLONG[os].arg as FFIType.i64;
const LR = CLONG[os].ret as FFIType.i64_fast;
const ULA = CLONG[os].uarg as FFIType.u64;
const ULR = CLONG[os].uret as FFIType.u64_fast;

function libsslSymbols() {
  return {
    TLS_method: { args: [], returns: "ptr" }, // const SSL_METHOD *(void)
    TLS_client_method: { args: [], returns: "ptr" }, // const SSL_METHOD *(void)
    TLS_server_method: { args: [], returns: "ptr" }, // const SSL_METHOD *(void)
    SSL_CTX_new: { args: ["ptr"], returns: "ptr" }, // SSL_CTX *(const SSL_METHOD *); NULL + queue
    SSL_CTX_free: { args: ["ptr"], returns: "void" }, // void(SSL_CTX *); refcounted
    SSL_CTX_ctrl: { args: ["ptr", "i32", LA, "ptr"], returns: LR }, // long(SSL_CTX *, int cmd, long larg, void *parg)
    SSL_CTX_set_options: { args: ["ptr", "u64"], returns: FFIType.u64_fast }, // uint64_t(SSL_CTX *, uint64_t) in 3.x
    SSL_CTX_clear_options: { args: ["ptr", "u64"], returns: FFIType.u64_fast }, // uint64_t(SSL_CTX *, uint64_t)
    SSL_CTX_get_options: { args: ["ptr"], returns: FFIType.u64_fast }, // uint64_t(const SSL_CTX *)
    SSL_CTX_set_verify: { args: ["ptr", "i32", "ptr"], returns: "void" }, // void(SSL_CTX *, int mode, verify_cb)
    SSL_CTX_get_verify_mode: { args: ["ptr"], returns: "i32" }, // int(const SSL_CTX *)
    SSL_CTX_load_verify_locations: {
      args: ["ptr", "ptr", "ptr"],
      returns: "i32",
    }, // int(ctx, CAfile, CApath); 1 ok
    SSL_CTX_set_default_verify_paths: { args: ["ptr"], returns: "i32" }, // int(SSL_CTX *); 1 ok
    SSL_CTX_use_certificate_chain_file: {
      args: ["ptr", "ptr"],
      returns: "i32",
    }, // int(ctx, const char *file); 1 ok
    SSL_CTX_use_PrivateKey_file: {
      args: ["ptr", "ptr", "i32"],
      returns: "i32",
    }, // int(ctx, file, int type); 1 ok
    SSL_CTX_check_private_key: { args: ["ptr"], returns: "i32" }, // int(const SSL_CTX *); 1 ok
    SSL_CTX_set_default_passwd_cb_userdata: {
      args: ["ptr", "ptr"],
      returns: "void",
    }, // void(ctx, void *u)
    SSL_CTX_set_cipher_list: { args: ["ptr", "ptr"], returns: "i32" }, // int(ctx, const char *str); 1 ok
    SSL_CTX_set_alpn_protos: { args: ["ptr", "ptr", "u32"], returns: "i32" }, // int(ctx, const uchar *, uint); 0 = OK (!)
    SSL_CTX_set_alpn_select_cb: {
      args: ["ptr", "ptr", "ptr"],
      returns: "void",
    }, // void(ctx, cb, void *arg)
    SSL_select_next_proto: {
      args: ["ptr", "ptr", "ptr", "u32", "ptr", "u32"],
      returns: "i32",
    }, // int(uchar **out, uchar *outlen, server, slen, client, clen)
    SSL_CTX_get_cert_store: { args: ["ptr"], returns: "ptr" }, // X509_STORE *(const SSL_CTX *)
    SSL_CTX_get0_param: { args: ["ptr"], returns: "ptr" }, // X509_VERIFY_PARAM *(SSL_CTX *)
    SSL_CTX_set_session_id_context: {
      args: ["ptr", "ptr", "u32"],
      returns: "i32",
    }, // int(ctx, const uchar *, uint)
    SSL_CTX_get_security_level: { args: ["ptr"], returns: "i32" }, // int(const SSL_CTX *)
    SSL_CTX_set_num_tickets: { args: ["ptr", "u64"], returns: "i32" }, // int(SSL_CTX *, size_t)
    SSL_CTX_get_num_tickets: { args: ["ptr"], returns: FFIType.u64_fast }, // size_t(const SSL_CTX *)
    SSL_new: { args: ["ptr"], returns: "ptr" }, // SSL *(SSL_CTX *); NULL + queue
    SSL_free: { args: ["ptr"], returns: "void" }, // void(SSL *); does not close the fd
    SSL_ctrl: { args: ["ptr", "i32", LA, "ptr"], returns: LR }, // long(SSL *, int cmd, long larg, void *parg)
    SSL_set_fd: { args: ["ptr", "i32"], returns: "i32" }, // int(SSL *, int fd); 1 ok (Windows: SOCKET truncated to int)
    SSL_set_connect_state: { args: ["ptr"], returns: "void" }, // void(SSL *)
    SSL_set_accept_state: { args: ["ptr"], returns: "void" }, // void(SSL *)
    SSL_get0_param: { args: ["ptr"], returns: "ptr" }, // X509_VERIFY_PARAM *(SSL *)
    SSL_set_read_ahead: { args: ["ptr", "i32"], returns: "void" }, // void(SSL *, int yes)
    SSL_do_handshake: { args: ["ptr"], returns: "i32" }, // int(SSL *); 1 ok, <= 0: SSL_get_error
    SSL_read: { args: ["ptr", "ptr", "i32"], returns: "i32" }, // int(SSL *, void *, int); > 0 bytes, <= 0: SSL_get_error
    SSL_write: { args: ["ptr", "ptr", "i32"], returns: "i32" }, // int(SSL *, const void *, int); > 0 bytes, <= 0: SSL_get_error
    SSL_pending: { args: ["ptr"], returns: "i32" }, // int(const SSL *)
    SSL_get_error: { args: ["ptr", "i32"], returns: "i32" }, // int(const SSL *, int ret): SSL_ERROR_*
    SSL_shutdown: { args: ["ptr"], returns: "i32" }, // int(SSL *): 1 done, 0 sent, < 0 SSL_get_error
    SSL_get_shutdown: { args: ["ptr"], returns: "i32" }, // int(const SSL *): SSL_SENT/RECEIVED_SHUTDOWN bits
    SSL_get_verify_result: { args: ["ptr"], returns: LR }, // long(const SSL *): X509_V_*
    SSL_get_version: { args: ["ptr"], returns: "cstring" }, // const char *(const SSL *)
    SSL_is_init_finished: { args: ["ptr"], returns: "i32" }, // int(const SSL *)
    SSL_session_reused: { args: ["ptr"], returns: "i32" }, // int(const SSL *)
    SSL_get_current_cipher: { args: ["ptr"], returns: "ptr" }, // const SSL_CIPHER *(const SSL *)
    SSL_get_ciphers: { args: ["ptr"], returns: "ptr" }, // STACK_OF(SSL_CIPHER) *(const SSL *)
    SSL_CIPHER_get_name: { args: ["ptr"], returns: "cstring" }, // const char *(const SSL_CIPHER *)
    SSL_CIPHER_get_version: { args: ["ptr"], returns: "cstring" }, // const char *(const SSL_CIPHER *)
    SSL_CIPHER_get_bits: { args: ["ptr", "ptr"], returns: "i32" }, // int(const SSL_CIPHER *, int *alg_bits)
    SSL_CIPHER_get_id: { args: ["ptr"], returns: "u32" }, // uint32_t(const SSL_CIPHER *)
    SSL_CIPHER_description: { args: ["ptr", "ptr", "i32"], returns: "ptr" }, // char *(cipher, char *buf, int size)
    SSL_CIPHER_is_aead: { args: ["ptr"], returns: "i32" }, // int(const SSL_CIPHER *)
    SSL_CIPHER_get_cipher_nid: { args: ["ptr"], returns: "i32" }, // int(const SSL_CIPHER *)
    SSL_CIPHER_get_digest_nid: { args: ["ptr"], returns: "i32" }, // int(const SSL_CIPHER *)
    SSL_CIPHER_get_kx_nid: { args: ["ptr"], returns: "i32" }, // int(const SSL_CIPHER *)
    SSL_CIPHER_get_auth_nid: { args: ["ptr"], returns: "i32" }, // int(const SSL_CIPHER *)
    SSL_get1_peer_certificate: { args: ["ptr"], returns: "ptr" }, // X509 *(const SSL *): +1 reference (3.0+)
    SSL_get_peer_cert_chain: { args: ["ptr"], returns: "ptr" }, // STACK_OF(X509) *(const SSL *): borrowed
    SSL_get0_verified_chain: { args: ["ptr"], returns: "ptr" }, // STACK_OF(X509) *(const SSL *): borrowed
    SSL_get0_alpn_selected: { args: ["ptr", "ptr", "ptr"], returns: "void" }, // void(ssl, const uchar **data, uint *len)
    SSL_get_SSL_CTX: { args: ["ptr"], returns: "ptr" }, // SSL_CTX *(const SSL *)
    SSL_set_SSL_CTX: { args: ["ptr", "ptr"], returns: "ptr" }, // SSL_CTX *(SSL *, SSL_CTX *)
  } as const satisfies Record<string, FFIFunction>;
}

function libcryptoSymbols() {
  return {
    OpenSSL_version_num: { args: [], returns: "u32" }, // unsigned long: 0xMNN00PP0 fits in 32 bits
    OpenSSL_version: { args: ["i32"], returns: "cstring" }, // const char *(int type)
    ERR_get_error: { args: [], returns: "u32" }, // unsigned long; codes fit in 32 bits
    ERR_peek_last_error: { args: [], returns: "u32" }, // unsigned long
    ERR_clear_error: { args: [], returns: "void" }, // void(void); the queue is per thread
    ERR_reason_error_string: { args: ["u32"], returns: "ptr" }, // const char *(unsigned long); NULL if unknown
    X509_verify_cert_error_string: { args: [LA], returns: "cstring" }, // const char *(long n)
    X509_free: { args: ["ptr"], returns: "void" }, // void(X509 *)
    X509_get_subject_name: { args: ["ptr"], returns: "ptr" }, // X509_NAME *(const X509 *): borrowed
    X509_get_issuer_name: { args: ["ptr"], returns: "ptr" }, // X509_NAME *(const X509 *): borrowed
    X509_get_version: { args: ["ptr"], returns: LR }, // long(const X509 *): 0-based
    X509_get_serialNumber: { args: ["ptr"], returns: "ptr" }, // ASN1_INTEGER *(X509 *): borrowed
    X509_get0_notBefore: { args: ["ptr"], returns: "ptr" }, // const ASN1_TIME *(const X509 *)
    X509_get0_notAfter: { args: ["ptr"], returns: "ptr" }, // const ASN1_TIME *(const X509 *)
    X509_get_ext_d2i: { args: ["ptr", "i32", "ptr", "ptr"], returns: "ptr" }, // void *(x, int nid, int *crit, int *idx): owned
    X509_check_ca: { args: ["ptr"], returns: "i32" }, // int(X509 *)
    X509_NAME_entry_count: { args: ["ptr"], returns: "i32" }, // int(const X509_NAME *)
    X509_NAME_get_entry: { args: ["ptr", "i32"], returns: "ptr" }, // X509_NAME_ENTRY *(const X509_NAME *, int)
    X509_NAME_ENTRY_set: { args: ["ptr"], returns: "i32" }, // int(const X509_NAME_ENTRY *): RDN index
    X509_NAME_ENTRY_get_object: { args: ["ptr"], returns: "ptr" }, // ASN1_OBJECT *(const X509_NAME_ENTRY *)
    X509_NAME_ENTRY_get_data: { args: ["ptr"], returns: "ptr" }, // ASN1_STRING *(const X509_NAME_ENTRY *)
    X509_NAME_oneline: { args: ["ptr", "ptr", "i32"], returns: "ptr" }, // char *(const X509_NAME *, char *buf, int size)
    X509_get_default_cert_file: { args: [], returns: "cstring" }, // const char *(void)
    X509_get_default_cert_dir: { args: [], returns: "cstring" }, // const char *(void)
    X509_get_default_cert_file_env: { args: [], returns: "cstring" }, // const char *(void)
    X509_get_default_cert_dir_env: { args: [], returns: "cstring" }, // const char *(void)
    X509_STORE_get0_objects: { args: ["ptr"], returns: "ptr" }, // STACK_OF(X509_OBJECT) *(const X509_STORE *)
    X509_STORE_add_cert: { args: ["ptr", "ptr"], returns: "i32" }, // int(X509_STORE *, X509 *); 1 ok (+1 ref)
    X509_OBJECT_get_type: { args: ["ptr"], returns: "i32" }, // X509_LOOKUP_TYPE(const X509_OBJECT *)
    X509_OBJECT_get0_X509: { args: ["ptr"], returns: "ptr" }, // X509 *(const X509_OBJECT *)
    X509_VERIFY_PARAM_set1_host: {
      args: ["ptr", "ptr", "u64"],
      returns: "i32",
    }, // int(param, const char *, size_t)
    X509_VERIFY_PARAM_set1_ip: { args: ["ptr", "ptr", "u64"], returns: "i32" }, // int(param, const uchar *, size_t)
    X509_VERIFY_PARAM_set_hostflags: { args: ["ptr", "u32"], returns: "void" }, // void(param, unsigned int)
    X509_VERIFY_PARAM_get_hostflags: { args: ["ptr"], returns: "u32" }, // unsigned int(const param *)
    X509_VERIFY_PARAM_set_flags: { args: ["ptr", ULA], returns: "i32" }, // int(param, unsigned long)
    X509_VERIFY_PARAM_clear_flags: { args: ["ptr", ULA], returns: "i32" }, // int(param, unsigned long)
    X509_VERIFY_PARAM_get_flags: { args: ["ptr"], returns: ULR }, // unsigned long(const param *)
    a2i_IPADDRESS: { args: ["ptr"], returns: "ptr" }, // ASN1_OCTET_STRING *(const char *); NULL if not an IP
    ASN1_OCTET_STRING_free: { args: ["ptr"], returns: "void" }, // void(ASN1_OCTET_STRING *)
    ASN1_STRING_get0_data: { args: ["ptr"], returns: "ptr" }, // const uchar *(const ASN1_STRING *)
    ASN1_STRING_length: { args: ["ptr"], returns: "i32" }, // int(const ASN1_STRING *)
    ASN1_STRING_to_UTF8: { args: ["ptr", "ptr"], returns: "i32" }, // int(uchar **out, const ASN1_STRING *); CRYPTO_free(out)
    ASN1_TIME_print: { args: ["ptr", "ptr"], returns: "i32" }, // int(BIO *, const ASN1_TIME *)
    i2a_ASN1_INTEGER: { args: ["ptr", "ptr"], returns: "i32" }, // int(BIO *, const ASN1_INTEGER *)
    i2d_X509: { args: ["ptr", "ptr"], returns: "i32" }, // int(const X509 *, uchar **out): advances *out
    d2i_X509_bio: { args: ["ptr", "ptr"], returns: "ptr" }, // X509 *(BIO *, X509 **)
    PEM_read_bio_X509: { args: ["ptr", "ptr", "ptr", "ptr"], returns: "ptr" }, // X509 *(BIO *, X509 **, pem_password_cb *, void *)
    BIO_new: { args: ["ptr"], returns: "ptr" }, // BIO *(const BIO_METHOD *)
    BIO_s_mem: { args: [], returns: "ptr" }, // const BIO_METHOD *(void)
    BIO_new_mem_buf: { args: ["ptr", "i32"], returns: "ptr" }, // BIO *(const void *, int len): read-only, borrows
    BIO_new_file: { args: ["ptr", "ptr"], returns: "ptr" }, // BIO *(const char *name, const char *mode)
    BIO_read: { args: ["ptr", "ptr", "i32"], returns: "i32" }, // int(BIO *, void *, int)
    BIO_ctrl: { args: ["ptr", "i32", LA, "ptr"], returns: LR }, // long(BIO *, int cmd, long, void *)
    BIO_free: { args: ["ptr"], returns: "i32" }, // int(BIO *)
    OBJ_obj2txt: { args: ["ptr", "i32", "ptr", "i32"], returns: "i32" }, // int(char *buf, int len, const ASN1_OBJECT *, int no_name)
    OBJ_obj2nid: { args: ["ptr"], returns: "i32" }, // int(const ASN1_OBJECT *)
    OBJ_nid2ln: { args: ["i32"], returns: "cstring" }, // const char *(int n)
    GENERAL_NAME_get0_value: { args: ["ptr", "ptr"], returns: "ptr" }, // void *(const GENERAL_NAME *, int *ptype)
    GENERAL_NAME_print: { args: ["ptr", "ptr"], returns: "i32" }, // int(BIO *, GENERAL_NAME *)
    GENERAL_NAMES_free: { args: ["ptr"], returns: "void" }, // void(GENERAL_NAMES *)
    AUTHORITY_INFO_ACCESS_free: { args: ["ptr"], returns: "void" }, // void(AUTHORITY_INFO_ACCESS *)
    CRL_DIST_POINTS_free: { args: ["ptr"], returns: "void" }, // void(CRL_DIST_POINTS *)
    OPENSSL_sk_num: { args: ["ptr"], returns: "i32" }, // int(const OPENSSL_STACK *); -1 for NULL
    OPENSSL_sk_value: { args: ["ptr", "i32"], returns: "ptr" }, // void *(const OPENSSL_STACK *, int)
    CRYPTO_free: { args: ["ptr", "ptr", "i32"], returns: "void" }, // void(void *, const char *file, int line) = OPENSSL_free
    RAND_bytes: { args: ["ptr", "i32"], returns: "i32" }, // int(uchar *, int); 1 ok
    RAND_status: { args: [], returns: "i32" }, // int(void)
  } as const satisfies Record<string, FFIFunction>;
}

function openCrypto(path: string) {
  return dlopen(path, libcryptoSymbols());
}
function openSsl(path: string) {
  return dlopen(path, libsslSymbols());
}

/** libssl's symbols, as bun:ffi functions. */
export type LibSsl = ReturnType<typeof openSsl>["symbols"];
/** libcrypto's symbols, as bun:ffi functions. */
export type LibCrypto = ReturnType<typeof openCrypto>["symbols"];

/** What was loaded: both symbol tables and the paths that worked. */
export interface OpenSSL {
  readonly ssl: LibSsl;
  readonly crypto: LibCrypto;
  readonly sslPath: string;
  readonly cryptoPath: string;
}

/** OpenSSL 3.0.0 as `OpenSSL_version_num()` reports it (0xMNN00PP0). */
const MIN_VERSION = 0x30000000;

function firstLoading<T>(
  names: readonly string[],
  open: (p: string) => T,
  tried: string[],
): [T, string] | undefined {
  for (const name of names) {
    try {
      return [open(name), name];
    } catch (e) {
      const why = (e instanceof Error ? e.message : String(e)).split("\n")[0];
      tried.push(`${name} (${why})`);
    }
  }
  return undefined;
}

function load(): OpenSSL {
  const cand = OPENSSL_CANDIDATES[os];
  const envSsl = process.env[ENV_LIBSSL];
  const envCrypto = process.env[ENV_LIBCRYPTO];
  const cryptoNames = envCrypto ? [envCrypto] : cand.crypto;
  const sslNames = envSsl ? [envSsl] : cand.ssl;
  const tried: string[] = [];
  const crypto = firstLoading(cryptoNames, openCrypto, tried);
  const ssl = crypto && firstLoading(sslNames, openSsl, tried);
  let problem: string | undefined;
  if (crypto === undefined) problem = "no libcrypto could be loaded";
  else if (ssl === undefined) problem = "no libssl could be loaded";
  else {
    const v = crypto[0].symbols.OpenSSL_version_num() >>> 0;
    if (v < MIN_VERSION)
      problem = `${crypto[1]} is ${crypto[0].symbols.OpenSSL_version(0)}; OpenSSL 3.0 or newer is needed`;
  }
  if (problem !== undefined || crypto === undefined || ssl === undefined) {
    const err = new Error(
      `bun-socket/ssl: cannot use the system OpenSSL: ${problem}.\n` +
        `  tried: ${tried.length ? tried.join("; ") : "(nothing)"}\n` +
        `  fix: ${cand.install}, or set ${ENV_LIBSSL} and ${ENV_LIBCRYPTO} to the full paths of an OpenSSL 3 libssl and libcrypto` +
        (envSsl || envCrypto
          ? ` (now ${ENV_LIBSSL}=${envSsl ?? "(unset)"}, ${ENV_LIBCRYPTO}=${envCrypto ?? "(unset)"})`
          : ""),
    );
    err.name = "ImportError";
    throw err;
  }
  return {
    ssl: ssl[0].symbols,
    crypto: crypto[0].symbols,
    sslPath: ssl[1],
    cryptoPath: crypto[1],
  };
}

/** The loaded OpenSSL; importing this module throws (an `ImportError`-named Error) when there is none. */
export const openssl: OpenSSL = load();

// ---------------------------------------------------------------------------------------------------
// Header numbers (OpenSSL 3.x; the same on every OS).

/** `SSL_get_error()` results (`<openssl/ssl.h>`). */
export const SSL_ERROR_NONE = 0;
/** C `SSL_ERROR_SSL`. */
export const SSL_ERROR_SSL = 1;
/** C `SSL_ERROR_WANT_READ`. */
export const SSL_ERROR_WANT_READ = 2;
/** C `SSL_ERROR_WANT_WRITE`. */
export const SSL_ERROR_WANT_WRITE = 3;
/** C `SSL_ERROR_WANT_X509_LOOKUP`. */
export const SSL_ERROR_WANT_X509_LOOKUP = 4;
/** C `SSL_ERROR_SYSCALL`. */
export const SSL_ERROR_SYSCALL = 5;
/** C `SSL_ERROR_ZERO_RETURN`. */
export const SSL_ERROR_ZERO_RETURN = 6;
/** C `SSL_ERROR_WANT_CONNECT`. */
export const SSL_ERROR_WANT_CONNECT = 7;

/** `SSL_get_shutdown()` bits. */
export const SSL_SENT_SHUTDOWN = 1;
/** C `SSL_RECEIVED_SHUTDOWN`. */
export const SSL_RECEIVED_SHUTDOWN = 2;

/** `SSL_CTX_set_verify()` modes. */
export const SSL_VERIFY_NONE = 0;
/** C `SSL_VERIFY_PEER`. */
export const SSL_VERIFY_PEER = 1;
/** C `SSL_VERIFY_FAIL_IF_NO_PEER_CERT`. */
export const SSL_VERIFY_FAIL_IF_NO_PEER_CERT = 2;
/** `SSL_FILETYPE_PEM` (`X509_FILETYPE_PEM`). */
export const SSL_FILETYPE_PEM = 1;

/** `SSL_ctrl` / `SSL_CTX_ctrl` commands behind the header macros (`<openssl/ssl.h>`). */
export const SSL_CTRL_MODE = 33; // SSL_[CTX_]set_mode / get_mode (larg 0)
/** C `SSL_CTRL_SET_TLSEXT_HOSTNAME`. SSL_set_tlsext_host_name (larg TLSEXT_NAMETYPE_host_name = 0) */
export const SSL_CTRL_SET_TLSEXT_HOSTNAME = 55;
/** C `SSL_CTRL_SET_MIN_PROTO_VERSION`. */
export const SSL_CTRL_SET_MIN_PROTO_VERSION = 123;
/** C `SSL_CTRL_SET_MAX_PROTO_VERSION`. */
export const SSL_CTRL_SET_MAX_PROTO_VERSION = 124;
/** C `SSL_CTRL_GET_MIN_PROTO_VERSION`. */
export const SSL_CTRL_GET_MIN_PROTO_VERSION = 130;
/** C `SSL_CTRL_GET_MAX_PROTO_VERSION`. */
export const SSL_CTRL_GET_MAX_PROTO_VERSION = 131;
/** `BIO_ctrl` command behind `BIO_get_mem_data`. */
export const BIO_CTRL_INFO = 3;

/** `SSL_MODE_*`. */
export const SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER = 2;
/** C `SSL_MODE_AUTO_RETRY`. */
export const SSL_MODE_AUTO_RETRY = 4;
/** C `SSL_MODE_RELEASE_BUFFERS`: free a connection's read/write buffers whenever they are empty. */
export const SSL_MODE_RELEASE_BUFFERS = 0x10;

/** `SSL_OP_*` (uint64_t bits in 3.x; every one used here is below 2^32). */
export const SSL_OP = {
  LEGACY_SERVER_CONNECT: 1 << 2,
  TLSEXT_PADDING: 1 << 4,
  SAFARI_ECDHE_ECDSA_BUG: 1 << 6,
  IGNORE_UNEXPECTED_EOF: 1 << 7,
  ALLOW_CLIENT_RENEGOTIATION: 1 << 8,
  DISABLE_TLSEXT_CA_NAMES: 1 << 9,
  ALLOW_NO_DHE_KEX: 1 << 10,
  DONT_INSERT_EMPTY_FRAGMENTS: 1 << 11,
  NO_QUERY_MTU: 1 << 12,
  COOKIE_EXCHANGE: 1 << 13,
  NO_TICKET: 1 << 14,
  CISCO_ANYCONNECT: 1 << 15,
  NO_SESSION_RESUMPTION_ON_RENEGOTIATION: 1 << 16,
  NO_COMPRESSION: 1 << 17,
  ALLOW_UNSAFE_LEGACY_RENEGOTIATION: 1 << 18,
  PRIORITIZE_CHACHA: 1 << 21,
  ENABLE_MIDDLEBOX_COMPAT: 1 << 20,
  CIPHER_SERVER_PREFERENCE: 1 << 22,
  TLS_ROLLBACK_BUG: 1 << 23,
  NO_ANTI_REPLAY: 1 << 24,
  NO_SSLv3: 1 << 25,
  NO_TLSv1: 1 << 26,
  NO_TLSv1_2: 1 << 27,
  NO_TLSv1_1: 1 << 28,
  NO_TLSv1_3: 1 << 29,
  NO_RENEGOTIATION: 2 ** 30,
  CRYPTOPRO_TLSEXT_BUG: 2 ** 31,
  ENABLE_KTLS: 1 << 3,
  /** `SSL_OP_ALL`: CRYPTOPRO_TLSEXT_BUG | DONT_INSERT_EMPTY_FRAGMENTS | TLSEXT_PADDING | SAFARI_ECDHE_ECDSA_BUG. */
  ALL: 2 ** 31 + (1 << 11) + (1 << 4) + (1 << 6),
} as const;

/** Protocol version numbers (`TLS1_2_VERSION` ...). */
export const SSL3_VERSION = 0x300;
/** C `TLS1_VERSION`. */
export const TLS1_VERSION = 0x301;
/** C `TLS1_1_VERSION`. */
export const TLS1_1_VERSION = 0x302;
/** C `TLS1_2_VERSION`. */
export const TLS1_2_VERSION = 0x303;
/** C `TLS1_3_VERSION`. */
export const TLS1_3_VERSION = 0x304;

/** `X509_V_FLAG_*` verification flags (`<openssl/x509_vfy.h>`). */
export const X509_V_FLAG_CRL_CHECK = 0x4;
/** C `X509_V_FLAG_CRL_CHECK_ALL`. */
export const X509_V_FLAG_CRL_CHECK_ALL = 0x8;
/** C `X509_V_FLAG_X509_STRICT`. */
export const X509_V_FLAG_X509_STRICT = 0x20;
/** C `X509_V_FLAG_ALLOW_PROXY_CERTS`. */
export const X509_V_FLAG_ALLOW_PROXY_CERTS = 0x40;
/** C `X509_V_FLAG_TRUSTED_FIRST`. */
export const X509_V_FLAG_TRUSTED_FIRST = 0x8000;
/** C `X509_V_FLAG_PARTIAL_CHAIN`. */
export const X509_V_FLAG_PARTIAL_CHAIN = 0x80000;

/** `X509_V_ERR_*` results the API words specially. */
export const X509_V_ERR_HOSTNAME_MISMATCH = 62;
/** C `X509_V_ERR_IP_ADDRESS_MISMATCH`. */
export const X509_V_ERR_IP_ADDRESS_MISMATCH = 64;

/** `X509_CHECK_FLAG_*` host-check flags (`<openssl/x509v3.h>`). */
export const X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS = 0x4;
/** C `X509_CHECK_FLAG_NEVER_CHECK_SUBJECT`. */
export const X509_CHECK_FLAG_NEVER_CHECK_SUBJECT = 0x20;

/** `X509_LU_X509` / `X509_LU_CRL` (`X509_LOOKUP_TYPE`). */
export const X509_LU_X509 = 1;
/** C `X509_LU_CRL`. */
export const X509_LU_CRL = 2;

/** NIDs (`<openssl/obj_mac.h>`). */
export const NID_undef = 0;
/** C `NID_subject_alt_name`. */
export const NID_subject_alt_name = 85;
/** C `NID_crl_distribution_points`. */
export const NID_crl_distribution_points = 103;
/** C `NID_info_access`. */
export const NID_info_access = 177;
/** C `NID_ad_OCSP`. */
export const NID_ad_OCSP = 178;
/** C `NID_ad_ca_issuers`. */
export const NID_ad_ca_issuers = 179;

/** `GENERAL_NAME` types (`GEN_*`, `<openssl/x509v3.h>`). */
export const GEN_OTHERNAME = 0;
/** C `GEN_EMAIL`. */
export const GEN_EMAIL = 1;
/** C `GEN_DNS`. */
export const GEN_DNS = 2;
/** C `GEN_X400`. */
export const GEN_X400 = 3;
/** C `GEN_DIRNAME`. */
export const GEN_DIRNAME = 4;
/** C `GEN_EDIPARTY`. */
export const GEN_EDIPARTY = 5;
/** C `GEN_URI`. */
export const GEN_URI = 6;
/** C `GEN_IPADD`. */
export const GEN_IPADD = 7;
/** C `GEN_RID`. */
export const GEN_RID = 8;

/**
 * Struct offsets for the two extension structs that have no accessor functions (`<openssl/x509v3.h>`),
 * the same on every 64-bit OS (pointers and one int only):
 * - `ACCESS_DESCRIPTION { ASN1_OBJECT *method @0; GENERAL_NAME *location @8 }`
 * - `DIST_POINT { DIST_POINT_NAME *distpoint @0; ... }`
 * - `DIST_POINT_NAME { int type @0; union { GENERAL_NAMES *fullname; ... } name @8 }`
 */
export const ACCESS_DESCRIPTION_METHOD = 0;
/** C `ACCESS_DESCRIPTION_LOCATION`. */
export const ACCESS_DESCRIPTION_LOCATION = 8;
/** C `DIST_POINT_DISTPOINT`. */
export const DIST_POINT_DISTPOINT = 0;
/** C `DIST_POINT_NAME_TYPE`. */
export const DIST_POINT_NAME_TYPE = 0;
/** C `DIST_POINT_NAME_NAME`. */
export const DIST_POINT_NAME_NAME = 8;

/** `OPENSSL_NPN_NEGOTIATED`, `SSL_TLSEXT_ERR_OK`, `SSL_TLSEXT_ERR_NOACK`. */
export const OPENSSL_NPN_NEGOTIATED = 1;
/** C `SSL_TLSEXT_ERR_OK`. */
export const SSL_TLSEXT_ERR_OK = 0;
/** C `SSL_TLSEXT_ERR_NOACK`. */
export const SSL_TLSEXT_ERR_NOACK = 3;

/** Error-code packing of 3.x (`<openssl/err.h>`, static inline there): `lib << 23 | reason`, bit 31 = system error. */
export const ERR_SYSTEM_FLAG = 0x80000000;
/** C `ERR_LIB_SYS`. */
export const ERR_LIB_SYS = 2;
/** C `ERR_LIB_SSL`. */
export const ERR_LIB_SSL = 20;
/** C `ERR_LIB_PEM`. */
export const ERR_LIB_PEM = 9;
/** C `ERR_LIB_ASN1`. */
export const ERR_LIB_ASN1 = 13;
/** C `ERR_LIB_X509`. */
export const ERR_LIB_X509 = 11;
/** `ERR_GET_LIB(e)`. */
export function ERR_GET_LIB(e: number): number {
  return (e & ERR_SYSTEM_FLAG) !== 0 ? ERR_LIB_SYS : (e >>> 23) & 0xff;
}
/** `ERR_GET_REASON(e)`. */
export function ERR_GET_REASON(e: number): number {
  return (e & ERR_SYSTEM_FLAG) !== 0 ? e & 0x7fffffff : e & 0x7fffff;
}
/** Reasons CPython treats specially. */
export const SSL_R_CERTIFICATE_VERIFY_FAILED = 134;
/** C `SSL_R_UNEXPECTED_EOF_WHILE_READING`. */
export const SSL_R_UNEXPECTED_EOF_WHILE_READING = 294;
/** C `PEM_R_NO_START_LINE`. */
export const PEM_R_NO_START_LINE = 108;
/** C `ASN1_R_HEADER_TOO_LONG`. */
export const ASN1_R_HEADER_TOO_LONG = 123;
/** C `X509_R_CERT_ALREADY_IN_HASH_TABLE`. */
export const X509_R_CERT_ALREADY_IN_HASH_TABLE = 101;
