/** Byte-order and address-text conversions: `htons`/`ntohl`..., `inet_aton`/`inet_ntoa`/`inet_pton`/`inet_ntop`. */
import { plat } from "../ffi/index.ts";
import { inetAton, inetNtop, inetPton } from "../platform/calls.ts";
import { index, pyType, strictBytes } from "./args.ts";
import { fromErrno, OSError, OverflowError, ValueError } from "./errors.ts";

const K = plat.consts;
const LE = plat.littleEndian;

function swap16(x: number): number {
  return LE ? ((x & 0xff) << 8) | (x >>> 8) : x;
}
function swap32(x: number): number {
  return LE
    ? (((x & 0xff) << 24) |
        ((x & 0xff00) << 8) |
        ((x >>> 8) & 0xff00) |
        (x >>> 24)) >>>
        0
    : x;
}

function u16(x: unknown, fn: string): number {
  const v = index(x);
  // CPython 3.13 first takes a C int (3.11 said "signed integer is greater than maximum").
  if (v > 0x7fffffff || v < -0x80000000)
    throw new OverflowError("Python int too large to convert to C int");
  if (v < 0)
    throw new OverflowError(
      `${fn}: can't convert negative Python int to C 16-bit unsigned integer`,
    );
  if (v > 0xffff)
    throw new OverflowError(
      `${fn}: Python int too large to convert to C 16-bit unsigned integer`,
    );
  return v;
}
function u32(x: unknown): number {
  // CPython's socket_htonl tests PyLong_Check itself: "expected int, float found".
  if (
    typeof x === "number"
      ? !Number.isInteger(x)
      : typeof x !== "bigint" && typeof x !== "boolean"
  )
    throw new TypeError(`expected int, ${pyType(x)} found`);
  const v = index(x);
  if (v < 0)
    throw new OverflowError("can't convert negative value to unsigned int");
  if (v > 0xffffffff) throw new OverflowError("int larger than 32 bits");
  return v;
}

/**
 * Converts a 16-bit integer from host to network byte order (pure JS; no C call).
 * @throws OverflowError outside 0..65535; TypeError for non-integers
 * @example
 * ```ts
 * socket.htons(0x1234); // 0x3412 on a little-endian host
 * ```
 * @see https://docs.python.org/3/library/socket.html#socket.htons
 */
export function htons(x: number): number {
  return swap16(u16(x, "htons"));
}
/**
 * Converts a 16-bit integer from network to host byte order. @see https://docs.python.org/3/library/socket.html#socket.ntohs
 * @example
 * ```ts
 * socket.ntohs(0x3412); // 0x1234 on a little-endian host
 * ```
 */
export function ntohs(x: number): number {
  return swap16(u16(x, "ntohs"));
}
/**
 * Converts a 32-bit integer from host to network byte order. @throws OverflowError outside 0..2^32-1 @see https://docs.python.org/3/library/socket.html#socket.htonl
 * @example
 * ```ts
 * socket.htonl(1); // 0x01000000 on a little-endian host
 * ```
 */
export function htonl(x: number): number {
  return swap32(u32(x));
}
/**
 * Converts a 32-bit integer from network to host byte order. @see https://docs.python.org/3/library/socket.html#socket.ntohl
 * @example
 * ```ts
 * socket.ntohl(0x01000000); // 1 on a little-endian host
 * ```
 */
export function ntohl(x: number): number {
  return swap32(u32(x));
}

const enc = new TextEncoder();

function asciiText(x: unknown, fn: string): Uint8Array {
  if (typeof x !== "string")
    throw new TypeError(`${fn}() argument must be str, not ${pyType(x)}`);
  const b = enc.encode(x);
  if (b.includes(0)) throw new ValueError("embedded null character");
  return b;
}

/**
 * Packs a dotted IPv4 string into 4 bytes, accepting the short forms `inet_aton(3)` accepts (`"127.1"`).
 * Calls `inet_aton(3)`.
 * @throws OSError "illegal IP address string passed to inet_aton"
 * @example
 * ```ts
 * socket.inet_aton("127.0.0.1"); // <Buffer 7f 00 00 01>
 * ```
 * @see https://docs.python.org/3/library/socket.html#socket.inet_aton
 */
export function inet_aton(ip_string: string): Buffer {
  const r = inetAton(asciiText(ip_string, "inet_aton"));
  if (r === null)
    throw new OSError("illegal IP address string passed to inet_aton");
  return Buffer.from(r);
}

/**
 * Formats 4 packed bytes as a dotted IPv4 string.
 * @throws OSError "packed IP wrong length for inet_ntoa"
 * @example
 * ```ts
 * socket.inet_ntoa(Buffer.from([127, 0, 0, 1])); // "127.0.0.1"
 * ```
 * @see https://docs.python.org/3/library/socket.html#socket.inet_ntoa
 */
export function inet_ntoa(packed_ip: ArrayBufferView | ArrayBuffer): string {
  const b = strictBytes(packed_ip);
  if (b.length !== 4) throw new OSError("packed IP wrong length for inet_ntoa");
  return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
}

/**
 * Packs an IP address string of `address_family` (AF_INET or AF_INET6) into bytes (`inet_pton(3)`).
 * @throws OSError "illegal IP address string passed to inet_pton"; OSError EAFNOSUPPORT for other families
 * @example
 * ```ts
 * socket.inet_pton(socket.AF_INET6, "::1"); // 16 bytes, the last one 1
 * ```
 * @see https://docs.python.org/3/library/socket.html#socket.inet_pton
 */
export function inet_pton(address_family: number, ip_string: string): Buffer {
  const af = index(address_family);
  const r = inetPton(af, asciiText(ip_string, "inet_pton"));
  if (typeof r === "number") throw fromErrno(-r);
  if (r === null)
    throw new OSError("illegal IP address string passed to inet_pton");
  return Buffer.from(r);
}

/**
 * Formats packed address bytes of `address_family` as a string (`inet_ntop(3)`).
 * @throws ValueError "invalid length of packed IP address string" / "unknown address family N"
 * @example
 * ```ts
 * socket.inet_ntop(socket.AF_INET6, socket.inet_pton(socket.AF_INET6, "0:0::1")); // "::1"
 * ```
 * @see https://docs.python.org/3/library/socket.html#socket.inet_ntop
 */
export function inet_ntop(
  address_family: number,
  packed_ip: ArrayBufferView | ArrayBuffer,
): string {
  const af = index(address_family);
  const b = strictBytes(packed_ip);
  if (af === K.AF_INET) {
    if (b.length !== 4)
      throw new ValueError("invalid length of packed IP address string");
  } else if (af === K.AF_INET6) {
    if (b.length !== 16)
      throw new ValueError("invalid length of packed IP address string");
  } else throw new ValueError(`unknown address family ${af}`);
  const s = inetNtop(af, b);
  if (s === null) throw fromErrno(plat.sys.lastError());
  return s;
}
