/** Name resolution as Python's socket module has it: `getaddrinfo` (the rest of the resolver functions follow). */
import { domainToASCII } from "node:url";
import { getaddrinfo as gai } from "../platform/resolve.ts";
import { SockAddr } from "../platform/sockaddr.ts";
import { unpackAddress, type AddressOut } from "./address.ts";
import { cInt, pyType } from "./args.ts";
import { fromErrno, fromGaiCode, OSError, ValueError } from "./errors.ts";

const enc = new TextEncoder();

/** One `getaddrinfo` result: `[family, type, proto, canonname, sockaddr]`, as Python's 5-tuple. */
export type AddrInfo = [
  family: number,
  type: number,
  proto: number,
  canonname: string,
  sockaddr: AddressOut,
];

/** Host argument → C string bytes: non-ASCII names are IDNA-encoded, as CPython's `"idna"` codec does. */
export function encodeHost(host: unknown, fn: string): Uint8Array | null {
  if (host === null || host === undefined) return null;
  if (host instanceof Uint8Array) return host;
  if (typeof host !== "string")
    throw new TypeError(`${fn}() argument 1 must be string or None`);
  let ascii = host;
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(host)) {
    ascii = domainToASCII(host);
    if (ascii === "")
      throw new ValueError(
        `encoding with 'idna' codec failed (UnicodeError: label invalid)`,
      );
  }
  const b = enc.encode(ascii);
  if (b.includes(0)) throw new ValueError("embedded null character");
  return b;
}

/** Port argument → service C string: an int as decimal, a str/bytes as given, null for NULL. */
function encodePort(port: unknown): Uint8Array | null {
  if (port === null || port === undefined) return null;
  if (typeof port === "number" && Number.isInteger(port))
    return enc.encode(String(port));
  if (typeof port === "bigint") return enc.encode(port.toString());
  if (typeof port === "string") {
    const b = enc.encode(port);
    if (b.includes(0)) throw new ValueError("embedded null character");
    return b;
  }
  if (port instanceof Uint8Array) return port;
  throw new OSError("Int or String expected");
}

/**
 * Resolves `host`/`port` into a list of `[family, type, proto, canonname, sockaddr]`, calling
 * `getaddrinfo(3)` (and always `freeaddrinfo`). `host` and `port` may be `null` (NULL to C);
 * `port` may be a number, a numeric string or a service name (`"http"`).
 * @throws gaierror with the EAI_* code (`[Errno -2] Name or service not known`); OSError for EAI_SYSTEM
 * @example
 * ```ts
 * for (const [af, type, proto, , sa] of socket.getaddrinfo("localhost", 8080, socket.AF_UNSPEC, socket.SOCK_STREAM)) { ... }
 * ```
 * @see https://docs.python.org/3/library/socket.html#socket.getaddrinfo
 */
export function getaddrinfo(
  host: string | Uint8Array | null,
  port: string | number | Uint8Array | null,
  family = 0,
  type = 0,
  proto = 0,
  flags = 0,
): AddrInfo[] {
  const h = encodeHost(host, "getaddrinfo");
  const p = encodePort(port);
  const r = gai(h, p, cInt(family), cInt(type), cInt(proto), cInt(flags));
  if (!r.ok) throw r.errno ? fromErrno(r.errno) : fromGaiCode(r.code);
  const sa = new SockAddr();
  return r.entries.map((e) => {
    sa.packRaw(e.addr);
    return [e.family, e.socktype, e.protocol, e.canonname, unpackAddress(sa)];
  });
}

export { pyType as _pyType };
