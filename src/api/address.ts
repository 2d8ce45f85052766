/** Python socket addresses ↔ sockaddr: `[host, port]`, `[host, port, flowinfo, scope_id]`, AF_UNIX paths. */
import { plat } from "../ffi/index.ts";
import { loadOnce } from "../ffi/lazy.ts";
import { inetNtop, inetPton } from "../platform/calls.ts";
import type * as Resolve from "../platform/resolve.ts";
import { SockAddr, SUN_PATH_SIZE } from "../platform/sockaddr.ts";
import { index, pyType } from "./args.ts";
import type * as Idna from "./idna.ts";
import {
  fromErrno,
  fromGaiCode,
  OSError,
  OverflowError,
  ValueError,
} from "./errors.ts";

// Name resolution and IDNA load on the first host name that is not a numeric address: most programs
// never need them, and every module costs start-up time (bench E).
/** `platform/resolve.ts`, loaded on first use. */
export const resolver: () => typeof Resolve = loadOnce(
  () => require("../platform/resolve.ts") as typeof Resolve,
);
/** `api/idna.ts`, loaded on first use. */
export const idna: () => typeof Idna = loadOnce(
  () => require("./idna.ts") as typeof Idna,
);

const K = plat.consts;
const AF_INET = K.AF_INET;
const AF_INET6 = K.AF_INET6;
const AF_UNIX = K.AF_UNIX;

/** An AF_INET address: `[host, port]`. */
export type Inet4Address = [host: string, port: number];
/** An AF_INET6 address: `[host, port, flowinfo, scope_id]` (the last two optional on input). */
export type Inet6Address =
  | [host: string, port: number, flowinfo: number, scope_id: number]
  | [host: string, port: number, flowinfo?: number, scope_id?: number];
/** An AF_UNIX address: a path string, or bytes (a leading NUL byte is Linux's abstract namespace). */
export type UnixAddress = string | Uint8Array;
/** An AF_INET or AF_INET6 address as returned by the OS (`getaddrinfo`, `getsockname` on IP sockets). */
export type InetAddress =
  | [host: string, port: number]
  | [host: string, port: number, flowinfo: number, scope_id: number];
/** Any address a socket method accepts. */
export type Address =
  Inet4Address | Inet6Address | UnixAddress | readonly unknown[];
/** An address as returned by `getsockname`, `accept`, `recvfrom`... (`null` when the OS gave none). */
export type AddressOut =
  | [host: string, port: number]
  | [host: string, port: number, flowinfo: number, scope_id: number]
  | string
  | Buffer
  | [family: number, data: Buffer]
  | null;
/** An address the OS reported for a socket (`getsockname`, `getpeername`, `accept`): never `null`. */
export type SocketAddress = Exclude<AddressOut, null>;

const enc = new TextEncoder();

/** Host text to bytes as CPython's `idna_converter` does: ASCII as is, other names IDNA-encoded, no NUL. */
function hostBytes(host: unknown): Uint8Array {
  let b: Uint8Array;
  // eslint-disable-next-line no-control-regex
  if (typeof host === "string")
    b = enc.encode(/[^\x00-\x7f]/.test(host) ? idna().idnaEncode(host) : host);
  else if (host instanceof Uint8Array) b = host;
  else
    throw new TypeError(
      `str, bytes or bytearray expected, not ${pyType(host)}`,
    );
  if (b.includes(0))
    throw new TypeError("host name must not contain null character");
  return b;
}

/** Strict dotted-quad parse as glibc's inet_pton(AF_INET) does it (no short forms, no leading zeros). */
function parseIPv4(s: string): number[] | null {
  const parts = s.split(".");
  if (parts.length !== 4) return null;
  const out: number[] = [];
  for (const p of parts) {
    if (p.length === 0 || p.length > 3 || (p.length > 1 && p[0] === "0"))
      return null;
    let v = 0;
    for (let i = 0; i < p.length; i++) {
      const c = p.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return null;
      v = v * 10 + c;
    }
    if (v > 255) return null;
    out.push(v);
  }
  return out;
}

// The last numeric host parsed (never a resolved name: those are looked up on every call).
let lastHost = "\u0000";
let lastFamily = -1;
let lastBytes: ArrayLike<number> = [];

/**
 * CPython's `setipaddr`: the address bytes for `host` in `family` (AF_INET → 4, AF_INET6 → 16).
 * `""` is the wildcard, `"<broadcast>"` is INADDR_BROADCAST, numeric hosts skip the resolver,
 * anything else goes through `getaddrinfo` (first result of the family).
 */
export function ipBytes(host: unknown, family: number): ArrayLike<number> {
  if (typeof host === "string" && host === lastHost && family === lastFamily)
    return lastBytes;
  const b = hostBytes(host);
  const s = typeof host === "string" ? host : new TextDecoder().decode(b);
  let out: ArrayLike<number> | null = null;
  if (s === "") out = family === AF_INET ? [0, 0, 0, 0] : new Uint8Array(16);
  else if (s === "<broadcast>" || s === "255.255.255.255") {
    if (family !== AF_INET) throw new OSError("address family mismatched");
    out = [255, 255, 255, 255];
  } else if (family === AF_INET) out = parseIPv4(s);
  else if (!s.includes("%")) {
    const r = inetPton(AF_INET6, b);
    if (r instanceof Uint8Array) out = r;
  }
  if (out === null) return resolveFirst(b, family); // names are resolved on every call, as CPython does
  if (typeof host === "string") {
    lastHost = host;
    lastFamily = family;
    lastBytes = out;
  }
  return out;
}

/** The address bytes of the first `getaddrinfo(host, NULL, family)` result; gaierror on failure. */
function resolveFirst(host: Uint8Array, family: number): Uint8Array {
  const r = resolver().getaddrinfo(host, null, family, 0, 0, 0);
  if (!r.ok) throw r.errno ? fromErrno(r.errno) : fromGaiCode(r.code);
  const first = r.entries[0];
  if (!first) throw fromGaiCode(K.EAI_NONAME);
  const sa = new SockAddr();
  sa.packRaw(first.addr);
  if (sa.family() !== family) throw new OSError("address family mismatched");
  return family === AF_INET ? sa.in4().slice() : sa.in6().slice();
}

function port(x: unknown, caller: string): number {
  const p = index(x);
  if (p < 0 || p > 0xffff)
    throw new OverflowError(`${caller}(): port must be 0-65535.`);
  return p;
}

/** Encodes a str path as Python's filesystem encoding does on Linux: UTF-8 with surrogateescape. */
export function fsEncode(s: string): Uint8Array {
  let plain = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) {
      plain = false;
      break;
    }
  }
  if (plain) return enc.encode(s);
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xdc80 && c <= 0xdcff) out.push(c - 0xdc00);
    else if (
      c >= 0xd800 &&
      c <= 0xdbff &&
      i + 1 < s.length &&
      (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00
    ) {
      out.push(...enc.encode(s.slice(i, i + 2)));
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff)
      throw new ValueError(
        `'utf-8' codec can't encode character '\\u${c.toString(16)}' in position ${i}: surrogates not allowed`,
      );
    else out.push(...enc.encode(s[i]!));
  }
  return new Uint8Array(out);
}

/** Decodes a path as Python's filesystem encoding does: UTF-8, undecodable bytes as lone surrogates. */
export function fsDecode(b: Uint8Array): string {
  const strict = new TextDecoder("utf-8", { fatal: true });
  try {
    return strict.decode(b);
  } catch {
    let s = "";
    for (let i = 0; i < b.length;) {
      // Find the longest valid UTF-8 run starting at i, else escape one byte.
      let ok = false;
      for (let n = Math.min(4, b.length - i); n >= 1; n--) {
        try {
          s += strict.decode(b.subarray(i, i + n));
          i += n;
          ok = true;
          break;
        } catch {
          /* try a shorter run */
        }
      }
      if (!ok) s += String.fromCharCode(0xdc00 + b[i++]!);
    }
    return s;
  }
}

/**
 * Packs a Python address for a socket of `family` into `sa`, as CPython's `getsockaddrarg` does;
 * `caller` names the method in messages (`"bind"`, `"connect"`, ...). Returns the sockaddr length.
 */
export function packAddress(
  family: number,
  address: unknown,
  caller: string,
  sa: SockAddr,
): number {
  if (family === AF_INET) {
    if (!Array.isArray(address))
      throw new TypeError(
        `${caller}(): AF_INET address must be tuple, not ${pyType(address)}`,
      );
    if (address.length !== 2)
      throw new TypeError("AF_INET address must be a pair (host, port)");
    if (address[0] !== lastHost) hostBytes(address[0]); // validated when it was cached
    const p = index(address[1]);
    const ip = ipBytes(address[0], AF_INET);
    if (p < 0 || p > 0xffff)
      throw new OverflowError(`${caller}(): port must be 0-65535.`);
    return sa.packIn4(ip, p);
  }
  if (family === AF_INET6) {
    if (!Array.isArray(address))
      throw new TypeError(
        `${caller}(): AF_INET6 address must be tuple, not ${pyType(address)}`,
      );
    if (address.length < 2 || address.length > 4)
      throw new TypeError(
        "AF_INET6 address must be a tuple (host, port[, flowinfo[, scopeid]])",
      );
    hostBytes(address[0]);
    const p = port(address[1], caller);
    const flow = address.length > 2 ? index(address[2]) : 0;
    const scope = address.length > 3 ? index(address[3]) : 0;
    if (flow < 0 || flow > 0xfffff)
      throw new OverflowError(`${caller}(): flowinfo must be 0-1048575.`);
    if (scope < 0 || scope > 0xffffffff)
      throw new OverflowError("scope_id must be 0-4294967295");
    const ip = ipBytes(address[0], AF_INET6);
    return sa.packIn6(ip, p, flow, scope);
  }
  if (family === AF_UNIX) {
    let path: Uint8Array;
    if (typeof address === "string") path = fsEncode(address);
    else if (ArrayBuffer.isView(address))
      path = new Uint8Array(
        address.buffer,
        address.byteOffset,
        address.byteLength,
      );
    else if (address instanceof ArrayBuffer) path = new Uint8Array(address);
    else
      throw new TypeError(
        `a bytes-like object is required, not '${pyType(address)}'`,
      );
    const abstract =
      path.length > 0 && path[0] === 0 && plat.features.abstractUnix;
    if (abstract ? path.length > SUN_PATH_SIZE : path.length >= SUN_PATH_SIZE)
      throw new OSError("AF_UNIX path too long");
    return sa.packUnix(path);
  }
  // Other families: Python needs per-family code; accept raw sockaddr bytes as an escape hatch.
  if (ArrayBuffer.isView(address)) {
    const raw = new Uint8Array(
      address.buffer,
      address.byteOffset,
      address.byteLength,
    );
    return sa.packRaw(raw);
  }
  throw fromErrno(plat.errnos.EAFNOSUPPORT);
}

const ip4Cache: string[] = [];
for (let i = 0; i < 256; i++) ip4Cache.push(String(i));

// The text of the last IPv4 address unpacked (recvfrom in a loop sees the same peer again and again).
let lastIp4Key = -1;
let lastIp4 = "";

/** Unpacks the address in `sa` (length `sa.len`) to Python's form, as CPython's `makesockaddr` does. */
export function unpackAddress(sa: SockAddr): AddressOut {
  if (sa.len === 0) return null;
  const fam = sa.family();
  if (fam === AF_INET) {
    const b = sa.bytes;
    const key = ((b[4]! << 24) | (b[5]! << 16) | (b[6]! << 8) | b[7]!) >>> 0;
    if (key !== lastIp4Key) {
      lastIp4Key = key;
      lastIp4 = `${ip4Cache[b[4]!]}.${ip4Cache[b[5]!]}.${ip4Cache[b[6]!]}.${ip4Cache[b[7]!]}`;
    }
    return [lastIp4, sa.port()];
  }
  if (fam === AF_INET6) {
    return [
      inetNtop(AF_INET6, sa.in6()) ?? "::",
      sa.port(),
      sa.flowinfo(),
      sa.scopeId(),
    ];
  }
  if (fam === AF_UNIX) {
    const p = sa.unixPath();
    if (p.length > 0 && p[0] === 0 && plat.features.abstractUnix)
      return Buffer.from(p);
    const nul = p.indexOf(0);
    return fsDecode(nul < 0 ? p : p.subarray(0, nul));
  }
  return [fam, Buffer.from(sa.bytes.subarray(2, Math.max(2, sa.len)))];
}
