/**
 * X.509 certificates as plain data: Python's `getpeercert()` dictionary, DER bytes, and one-line names,
 * read from an `X509 *` with libcrypto accessors (no struct layouts except the two extension structs
 * OpenSSL gives no accessor for). Every temporary OpenSSL object is freed before returning.
 * @module
 */
import { ptr, read, type Pointer } from "bun:ffi";
import {
  ACCESS_DESCRIPTION_LOCATION,
  ACCESS_DESCRIPTION_METHOD,
  DIST_POINT_DISTPOINT,
  DIST_POINT_NAME_NAME,
  DIST_POINT_NAME_TYPE,
  GEN_DIRNAME,
  GEN_DNS,
  GEN_EMAIL,
  GEN_IPADD,
  GEN_RID,
  GEN_URI,
  NID_ad_ca_issuers,
  NID_ad_OCSP,
  NID_crl_distribution_points,
  NID_info_access,
  NID_subject_alt_name,
  openssl,
} from "../ffi/openssl.ts";
import { copyOut, cstr, type Handle } from "./tls.ts";

const X = openssl.crypto;
const asPtr = (n: number): Pointer => n as Pointer;

/** One attribute of a distinguished name: `["commonName", "localhost"]`. */
export type NameAttribute = [key: string, value: string];
/** A relative distinguished name: one or more attributes (more than one for a multi-valued RDN). */
export type RelativeDistinguishedName = NameAttribute[];
/** A distinguished name, as Python's tuple of RDN tuples. */
export type DistinguishedName = RelativeDistinguishedName[];
/** One subjectAltName entry: `["DNS", "localhost"]`, `["IP Address", "127.0.0.1"]`, `["DirName", name]`, ... */
export type AltName = [type: string, value: string | DistinguishedName];

/** Python's decoded certificate (`SSLSocket.getpeercert()`); tuples become arrays. */
export interface CertificateDict {
  /** Who the certificate is for: relative distinguished names, e.g. `[[["commonName", "localhost"]]]`. */
  subject: DistinguishedName;
  /** Who signed it, in the same form as `subject`. */
  issuer: DistinguishedName;
  /** X.509 version: 3 for v3 certificates. */
  version: number;
  /** Serial number in upper-case hexadecimal. */
  serialNumber: string;
  /** Start of validity, as OpenSSL prints it: `"Jan  1 00:00:00 2025 GMT"`. */
  notBefore: string;
  /** End of validity, same form (`ssl.cert_time_to_seconds` converts it). */
  notAfter: string;
  /** Subject alternative names: `[["DNS", "localhost"], ["IP Address", "127.0.0.1"], ...]`. */
  subjectAltName?: AltName[];
  /** OCSP responder URLs (Authority Information Access). */
  OCSP?: string[];
  /** URLs of the issuer's certificate (Authority Information Access). */
  caIssuers?: string[];
  /** CRL distribution point URLs. */
  crlDistributionPoints?: string[];
}

/** A libcrypto call failed while decoding; the reason is in the OpenSSL error queue. */
export class DecodeFailure extends Error {}

// Scratch memory (ArrayBuffer-backed; addresses never move).
const X509_NAME_MAXLEN = 256; // CPython's buffer for OBJ_obj2txt and X509_NAME_oneline
const txt = new Uint8Array(new ArrayBuffer(X509_NAME_MAXLEN));
const textBuf = new Uint8Array(new ArrayBuffer(4096));
const outPtr = new BigUint64Array(new ArrayBuffer(8));
const outType = new Int32Array(new ArrayBuffer(4));
const utf8 = new TextDecoder("utf-8", { fatal: true });

function cText(buf: Uint8Array, n: number): string {
  return Buffer.from(
    buf.subarray(0, Math.max(0, Math.min(n, buf.length))),
  ).toString("latin1");
}

/** `OBJ_obj2txt(buf, 256, obj, 0)`: the long name ("commonName") or dotted OID. */
function objText(obj: number): string {
  const n = X.OBJ_obj2txt(txt, txt.length, asPtr(obj), 0);
  return cText(txt, n);
}

/** `ASN1_STRING_to_UTF8` then `CRYPTO_free`: a name entry's value as text. */
function asn1Utf8(str: number): string {
  outPtr[0] = 0n;
  const n = X.ASN1_STRING_to_UTF8(outPtr, asPtr(str));
  if (n < 0) throw new DecodeFailure("ASN1_STRING_to_UTF8");
  const p = Number(outPtr[0]);
  try {
    return utf8.decode(copyOut(p, n));
  } finally {
    X.CRYPTO_free(asPtr(p), null, 0);
  }
}

/** An IA5String's bytes (DNS/email/URI in a GENERAL_NAME), decoded as UTF-8 as CPython does. */
function ia5(str: number): string {
  const p = X.ASN1_STRING_get0_data(asPtr(str)) as number | null;
  return utf8.decode(copyOut(p ?? 0, X.ASN1_STRING_length(asPtr(str))));
}

/** Runs `fn(bio)` against a memory BIO and returns what it wrote (first line, as CPython's `BIO_gets`). */
function bioText(fn: (bio: Pointer) => number): string {
  const bio = X.BIO_new(X.BIO_s_mem()) as Pointer | null;
  if (!bio) throw new DecodeFailure("BIO_new");
  try {
    if (fn(bio) < 0) throw new DecodeFailure("print");
    const n = X.BIO_read(bio, textBuf, textBuf.length);
    const s = Buffer.from(textBuf.subarray(0, Math.max(0, n))).toString("utf8");
    const nl = s.indexOf("\n");
    return nl >= 0 ? s.slice(0, nl + 1) : s;
  } finally {
    X.BIO_free(bio);
  }
}

/**
 * An X509_NAME as Python's nested tuples: consecutive entries with the same `X509_NAME_ENTRY_set` index form
 * one (multi-valued) RDN.
 */
export function nameTuple(name: Handle): DistinguishedName {
  const out: DistinguishedName = [];
  let last = -1;
  const n = X.X509_NAME_entry_count(asPtr(name));
  for (let i = 0; i < n; i++) {
    const e = X.X509_NAME_get_entry(asPtr(name), i);
    if (!e) continue;
    const set = X.X509_NAME_ENTRY_set(e);
    const attr: NameAttribute = [
      objText(X.X509_NAME_ENTRY_get_object(e) as number),
      asn1Utf8(X.X509_NAME_ENTRY_get_data(e) as number),
    ];
    if (set !== last || out.length === 0) out.push([attr]);
    else out[out.length - 1]!.push(attr);
    last = set;
  }
  return out;
}

/** CPython's IP text: dotted quad, or eight upper-case hex groups without `::` compression. */
function ipText(b: Buffer): string {
  if (b.length === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  if (b.length === 16) {
    const g: string[] = [];
    for (let i = 0; i < 16; i += 2)
      g.push(((b[i]! << 8) | b[i + 1]!).toString(16).toUpperCase());
    return g.join(":");
  }
  return "<invalid>";
}

/** A GENERAL_NAME of type URI, or null (for AIA and CRL DP). */
function uriOf(gn: number): string | null {
  if (!gn) return null;
  const v = X.GENERAL_NAME_get0_value(asPtr(gn), outType) as number | null;
  return outType[0] === GEN_URI && v ? ia5(v) : null;
}

function altNames(x: number): AltName[] | undefined {
  const sk = X.X509_get_ext_d2i(asPtr(x), NID_subject_alt_name, null, null);
  if (!sk) return undefined;
  try {
    const out: AltName[] = [];
    const n = X.OPENSSL_sk_num(sk);
    for (let i = 0; i < n; i++) {
      const gn = X.OPENSSL_sk_value(sk, i);
      if (!gn) continue;
      const v = X.GENERAL_NAME_get0_value(gn, outType) as number | null;
      const type = outType[0];
      if (type === GEN_DNS) out.push(["DNS", ia5(v!)]);
      else if (type === GEN_EMAIL) out.push(["email", ia5(v!)]);
      else if (type === GEN_URI) out.push(["URI", ia5(v!)]);
      else if (type === GEN_DIRNAME) out.push(["DirName", nameTuple(v!)]);
      else if (type === GEN_RID) out.push(["Registered ID", objText(v!)]);
      else if (type === GEN_IPADD) {
        const p = X.ASN1_STRING_get0_data(asPtr(v!)) as number | null;
        out.push([
          "IP Address",
          ipText(copyOut(p ?? 0, X.ASN1_STRING_length(asPtr(v!)))),
        ]);
      } else {
        // othername, X400, EDI party: OpenSSL's print form "type:value", split at the first ':' (as CPython).
        const s = bioText((bio) => X.GENERAL_NAME_print(bio, gn)).replace(
          /\n$/,
          "",
        );
        const colon = s.indexOf(":");
        if (colon < 0)
          throw new DecodeFailure(`Invalid value ${s.slice(0, 200)}`);
        out.push([s.slice(0, colon), s.slice(colon + 1)]);
      }
    }
    return out;
  } finally {
    X.GENERAL_NAMES_free(sk);
  }
}

function accessUris(x: number, nid: number): string[] | undefined {
  const sk = X.X509_get_ext_d2i(asPtr(x), NID_info_access, null, null);
  if (!sk) return undefined;
  try {
    const out: string[] = [];
    const n = X.OPENSSL_sk_num(sk);
    for (let i = 0; i < n; i++) {
      const ad = X.OPENSSL_sk_value(sk, i) as number | null;
      if (!ad) continue;
      if (
        X.OBJ_obj2nid(
          read.ptr(asPtr(ad), ACCESS_DESCRIPTION_METHOD) as Pointer,
        ) !== nid
      )
        continue;
      const u = uriOf(read.ptr(asPtr(ad), ACCESS_DESCRIPTION_LOCATION));
      if (u !== null) out.push(u);
    }
    return out.length ? out : undefined;
  } finally {
    X.AUTHORITY_INFO_ACCESS_free(sk);
  }
}

function crlPoints(x: number): string[] | undefined {
  const sk = X.X509_get_ext_d2i(
    asPtr(x),
    NID_crl_distribution_points,
    null,
    null,
  );
  if (!sk) return undefined;
  try {
    const out: string[] = [];
    const n = X.OPENSSL_sk_num(sk);
    for (let i = 0; i < n; i++) {
      const dp = X.OPENSSL_sk_value(sk, i) as number | null;
      if (!dp) continue;
      const dpn = read.ptr(asPtr(dp), DIST_POINT_DISTPOINT);
      // An empty distribution point is skipped (CPython, CVE-2019-5010); only a fullname (type 0) holds URIs.
      if (!dpn || read.i32(asPtr(dpn), DIST_POINT_NAME_TYPE) !== 0) continue;
      const gns = read.ptr(asPtr(dpn), DIST_POINT_NAME_NAME);
      const m = gns ? X.OPENSSL_sk_num(asPtr(gns)) : 0;
      for (let j = 0; j < m; j++) {
        const u = uriOf(X.OPENSSL_sk_value(asPtr(gns), j) as number);
        if (u !== null) out.push(u);
      }
    }
    return out.length ? out : undefined;
  } finally {
    X.CRL_DIST_POINTS_free(sk);
  }
}

/**
 * Python's certificate dictionary (CPython's `_decode_certificate`): subject, issuer, version, serialNumber,
 * notBefore, notAfter, and when present subjectAltName, OCSP, caIssuers, crlDistributionPoints.
 * @throws DecodeFailure when libcrypto fails (the reason is in the error queue)
 */
export function decodeCertificate(x: Handle): CertificateDict {
  const d: CertificateDict = {
    subject: nameTuple(X.X509_get_subject_name(asPtr(x)) as number),
    issuer: nameTuple(X.X509_get_issuer_name(asPtr(x)) as number),
    version: Number(X.X509_get_version(asPtr(x))) + 1,
    serialNumber: bioText((b) =>
      X.i2a_ASN1_INTEGER(b, X.X509_get_serialNumber(asPtr(x))),
    ),
    notBefore: bioText((b) =>
      X.ASN1_TIME_print(b, X.X509_get0_notBefore(asPtr(x))),
    ),
    notAfter: bioText((b) =>
      X.ASN1_TIME_print(b, X.X509_get0_notAfter(asPtr(x))),
    ),
  };
  const san = altNames(x);
  if (san !== undefined) d.subjectAltName = san;
  const ocsp = accessUris(x, NID_ad_OCSP);
  if (ocsp !== undefined) d.OCSP = ocsp;
  const ca = accessUris(x, NID_ad_ca_issuers);
  if (ca !== undefined) d.caIssuers = ca;
  const crl = crlPoints(x);
  if (crl !== undefined) d.crlDistributionPoints = crl;
  return d;
}

/** The certificate's DER encoding (`i2d_X509`, twice: length, then bytes). */
export function certificateDer(x: Handle): Buffer {
  const len = X.i2d_X509(asPtr(x), null);
  if (len < 0) throw new DecodeFailure("i2d_X509");
  const der = new Uint8Array(new ArrayBuffer(len));
  // i2d advances *out: give it a scratch slot holding der's (stable, ArrayBuffer-backed) address.
  const slot = new BigUint64Array(new ArrayBuffer(8));
  slot[0] = BigInt(ptr(der));
  if (X.i2d_X509(asPtr(x), slot) !== len) throw new DecodeFailure("i2d_X509");
  return Buffer.from(der.buffer);
}

/** `X509_NAME_oneline` of the subject or issuer: "/C=US/O=Example/CN=localhost" (the 2.x seed's server()/issuer()). */
export function nameOneline(x: Handle, which: "subject" | "issuer"): string {
  const name =
    which === "subject"
      ? X.X509_get_subject_name(asPtr(x))
      : X.X509_get_issuer_name(asPtr(x));
  txt.fill(0);
  X.X509_NAME_oneline(name, txt, txt.length);
  const end = txt.indexOf(0);
  return cText(txt, end < 0 ? txt.length : end);
}

/** Reads the first PEM certificate of a file (`BIO_new_file` + `PEM_read_bio_X509`): an owned X509, or a failure word. */
export function readPemCertificateFile(
  path: string,
): Handle | "open" | "decode" {
  const bio = X.BIO_new_file(cstr(path), cstr("r"));
  if (!bio) return "open";
  try {
    const x = X.PEM_read_bio_X509(bio, null, null, null);
    return x ? (x as number) : "decode";
  } finally {
    X.BIO_free(bio);
  }
}
