/** Name resolution and the network databases, as Python's socket module has them (calls libc directly). */
import { plat } from "../ffi/index.ts";
import { loadOnce } from "../ffi/lazy.ts";
import { inetNtop } from "../platform/calls.ts";
import type * as Netdb from "../platform/netdb.ts";
import { SockAddr } from "../platform/sockaddr.ts";
import {
  idna,
  ipBytes,
  resolver,
  unpackAddress,
  type InetAddress,
} from "./address.ts";
import { cInt, index, pyArgType } from "./args.ts";
import {
  fromErrno,
  fromGaiCode,
  herror,
  OSError,
  OverflowError,
} from "./errors.ts";

/** `platform/netdb.ts` (the reentrant netdb calls), loaded on first use: start-up time (bench E). */
const netdb = loadOnce(() => require("../platform/netdb.ts") as typeof Netdb);

const K = plat.consts;
const enc = new TextEncoder();

/** One `getaddrinfo` result: `[family, type, proto, canonname, sockaddr]`, as Python's 5-tuple. */
export type AddrInfo = [
  family: number,
  type: number,
  proto: number,
  canonname: string,
  sockaddr: InetAddress,
];

/** getaddrinfo's host argument → C string bytes (`null` for NULL); str hosts are IDNA-encoded. */
function gaiHost(host: unknown): Uint8Array | null {
  if (host === null || host === undefined) return null;
  if (host instanceof Uint8Array) return host;
  if (typeof host !== "string")
    throw new TypeError("getaddrinfo() argument 1 must be string or None");
  return enc.encode(idna().idnaEncode(host));
}

/** getaddrinfo's port argument → service C string: an int as decimal, a str/bytes as given, null for NULL. */
function gaiPort(port: unknown): Uint8Array | null {
  if (port === null || port === undefined) return null;
  if (typeof port === "number" && Number.isInteger(port))
    return enc.encode(String(port));
  if (typeof port === "bigint") return enc.encode(port.toString());
  if (typeof port === "string") return enc.encode(port);
  if (port instanceof Uint8Array) return port;
  throw new OSError("Int or String expected");
}

const gaiSa = new SockAddr();

/**
 * Resolves `host`/`port` into a list of `[family, type, proto, canonname, sockaddr]`, calling
 * `getaddrinfo(3)` (and always `freeaddrinfo`). `host` and `port` may be `null` (NULL to C);
 * `port` may be a number, a numeric string or a service name (`"http"`). Non-ASCII host names are
 * IDNA-encoded. Results keep the C library's order.
 * @throws gaierror with the EAI_* code (`[Errno -2] Name or service not known`); OSError for EAI_SYSTEM;
 *   TypeError "getaddrinfo() argument 1 must be string or None"; OSError "Int or String expected"
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
  const h = gaiHost(host);
  const p = gaiPort(port);
  const r = resolver().getaddrinfo(
    h,
    p,
    cInt(family),
    cInt(type),
    cInt(proto),
    cInt(flags),
  );
  if (!r.ok) throw r.errno ? fromErrno(r.errno) : fromGaiCode(r.code);
  const out: AddrInfo[] = new Array(r.entries.length);
  for (let i = 0; i < r.entries.length; i++) {
    const e = r.entries[i]!;
    gaiSa.packRaw(e.addr);
    out[i] = [
      e.family,
      e.socktype,
      e.protocol,
      e.canonname,
      unpackAddress(gaiSa) as InetAddress,
    ];
  }
  return out;
}

/**
 * Translates a socket address into `[host, port]` strings, calling `getnameinfo(3)`; `flags` are NI_*.
 * The host must be numeric-resolvable to exactly one address, as in CPython.
 * @throws TypeError "getnameinfo() argument 1 must be a tuple"; gaierror
 * @example
 * ```ts
 * socket.getnameinfo(["127.0.0.1", 80], 0); // ["localhost", "http"]
 * ```
 * @see https://docs.python.org/3/library/socket.html#socket.getnameinfo
 */
export function getnameinfo(
  sockaddr: unknown[],
  flags: number,
): [host: string, port: string] {
  if (!Array.isArray(sockaddr))
    throw new TypeError("getnameinfo() argument 1 must be a tuple");
  if (sockaddr.length < 2 || sockaddr.length > 4)
    throw new TypeError("getnameinfo(): illegal sockaddr argument");
  const [host, port, flowinfo = 0, scopeId = 0] = sockaddr;
  if (typeof host !== "string")
    throw new TypeError(`getnameinfo(): illegal sockaddr argument`);
  const p = index(port);
  const flow = index(flowinfo);
  const scope = index(scopeId);
  const fl = cInt(flags);
  if (flow < 0 || flow > 0xfffff)
    throw new OverflowError("getnameinfo(): flowinfo must be 0-1048575.");
  const r = resolver().getaddrinfo(
    enc.encode(host),
    enc.encode(String(p)),
    K.AF_UNSPEC,
    K.SOCK_DGRAM,
    0,
    K.AI_NUMERICHOST,
  );
  if (!r.ok) throw r.errno ? fromErrno(r.errno) : fromGaiCode(r.code);
  if (r.entries.length !== 1)
    throw new OSError("sockaddr resolved to multiple addresses");
  const sa = new SockAddr();
  const len = sa.packRaw(r.entries[0]!.addr);
  const fam = sa.family();
  if (fam === K.AF_INET) {
    if (sockaddr.length !== 2)
      throw new OSError("IPv4 sockaddr must be 2 tuple");
  } else if (fam === K.AF_INET6) {
    sa.packIn6(sa.in6().slice(), sa.port(), flow, scope);
  }
  const n = netdb().getnameinfo(sa.bytes, len, fl);
  if (!n.ok) throw n.errno ? fromErrno(n.errno) : fromGaiCode(n.code);
  return [n.host, n.serv];
}

function hostArg(name: unknown, fn: string): string {
  if (typeof name === "string") return name;
  if (name instanceof Uint8Array) return new TextDecoder().decode(name);
  throw new TypeError(
    `${fn}() argument 1 must be str, bytes or bytearray, not ${pyArgType(name)}`,
  );
}

function fromHerr(herr: number): herror {
  return new herror(herr, netdb().hstrerror(herr));
}

function ip4(b: ArrayLike<number>): string {
  return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
}

/** `[hostname, aliaslist, ipaddrlist]`, as Python's gethostbyname_ex/gethostbyaddr return. */
export type HostInfo = [
  hostname: string,
  aliaslist: string[],
  ipaddrlist: string[],
];

function hostInfo(h: Netdb.HostEnt): HostInfo {
  const ips = h.addrs.map((a) =>
    a.length === 4 ? ip4(a) : (inetNtop(K.AF_INET6, a) ?? ""),
  );
  return [h.name, h.aliases, ips];
}

/**
 * Translates a host name to an IPv4 address string (`"127.0.0.1"`); numeric input is returned as normalised.
 * Resolves with `getaddrinfo(3)` (AF_INET), as CPython does.
 * @throws gaierror when the name does not resolve
 * @example
 * ```ts
 * socket.gethostbyname("localhost"); // "127.0.0.1"
 * ```
 * @see https://docs.python.org/3/library/socket.html#socket.gethostbyname
 */
export function gethostbyname(hostname: string): string {
  return ip4(ipBytes(hostArg(hostname, "gethostbyname"), K.AF_INET));
}

/**
 * Translates a host name to `[hostname, aliaslist, ipaddrlist]` (IPv4), calling `gethostbyname_r(3)`.
 * @throws gaierror when the name does not resolve; herror from the hosts database
 * @example
 * ```ts
 * const [name, aliases, addresses] = socket.gethostbyname_ex("localhost");
 * ```
 * @see https://docs.python.org/3/library/socket.html#socket.gethostbyname_ex
 */
export function gethostbyname_ex(hostname: string): HostInfo {
  const name = hostArg(hostname, "gethostbyname_ex");
  ipBytes(name, K.AF_INET);
  const r = netdb().gethostbyname(enc.encode(idna().idnaEncode(name)));
  if (!r.ok) throw fromHerr(r.herr);
  return hostInfo(r.value);
}

/**
 * Reverse lookup of an IPv4 or IPv6 address (or a name, resolved first): `[hostname, aliaslist, ipaddrlist]`.
 * Calls `gethostbyaddr_r(3)`.
 * @throws herror "[Errno 1] Unknown host" when the address has no name
 * @example
 * ```ts
 * const [hostname, aliases, addresses] = socket.gethostbyaddr("127.0.0.1");
 * ```
 * @see https://docs.python.org/3/library/socket.html#socket.gethostbyaddr
 */
export function gethostbyaddr(ip_address: string): HostInfo {
  const name = hostArg(ip_address, "gethostbyaddr");
  const r = resolver().getaddrinfo(
    enc.encode(idna().idnaEncode(name)),
    null,
    K.AF_UNSPEC,
    0,
    0,
    0,
  );
  if (!r.ok) throw r.errno ? fromErrno(r.errno) : fromGaiCode(r.code);
  const sa = new SockAddr();
  sa.packRaw(r.entries[0]!.addr);
  const af = sa.family();
  const addr = af === K.AF_INET ? sa.in4().slice() : sa.in6().slice();
  const h = netdb().gethostbyaddr(addr, af);
  if (!h.ok) throw fromHerr(h.herr);
  return hostInfo(h.value);
}

/**
 * The machine's host name, from `gethostname(2)`.
 * @example
 * ```ts
 * console.log(socket.gethostname()); // e.g. "build-01"
 * ```
 * @see https://docs.python.org/3/library/socket.html#socket.gethostname
 */
export function gethostname(): string {
  const r = netdb().gethostname();
  if (typeof r === "number") throw fromErrno(-r);
  return r;
}

/**
 * A fully qualified domain name for `name` (default: this host), by CPython's rule: `gethostbyaddr(name)`,
 * then the first of hostname and aliases that contains a dot, else the hostname; `name` itself on failure.
 * @example
 * ```ts
 * socket.getfqdn(); // e.g. "build-01.example.com"
 * ```
 * @see https://docs.python.org/3/library/socket.html#socket.getfqdn
 */
export function getfqdn(name = ""): string {
  let n = name.trim();
  if (!n || n === "0.0.0.0" || n === "::") n = gethostname();
  let info: HostInfo;
  try {
    info = gethostbyaddr(n);
  } catch (e) {
    if (e instanceof OSError) return n;
    throw e;
  }
  const [hostname, aliases] = info;
  for (const a of [hostname, ...aliases]) if (a.includes(".")) return a;
  return hostname;
}

/** The optional protocol name: omitted → NULL; anything but a str (Python's None too) → TypeError. */
function protoArg(proto: unknown, fn: string): Uint8Array | null {
  if (proto === undefined) return null;
  if (typeof proto !== "string")
    throw new TypeError(
      `${fn}() argument 2 must be str, not ${pyArgType(proto)}`,
    );
  return enc.encode(proto);
}

/**
 * The port number of a service (`"http"` → 80), calling `getservbyname_r(3)`; `protocolname` is `"tcp"` or `"udp"`.
 * @throws OSError "service/proto not found"
 * @example
 * ```ts
 * socket.getservbyname("https", "tcp"); // 443
 * ```
 * @see https://docs.python.org/3/library/socket.html#socket.getservbyname
 */
export function getservbyname(
  servicename: string,
  protocolname?: string,
): number {
  if (typeof servicename !== "string")
    throw new TypeError(
      `getservbyname() argument 1 must be str, not ${pyArgType(servicename)}`,
    );
  const r = netdb().getservbyname(
    enc.encode(servicename),
    protoArg(protocolname, "getservbyname"),
  );
  if (!r.ok) throw new OSError("service/proto not found");
  return r.value.port;
}

/**
 * The service name of a port (80 → `"http"`), calling `getservbyport_r(3)`.
 * @throws OverflowError "getservbyport: port must be 0-65535."; OSError "port/proto not found"
 * @example
 * ```ts
 * socket.getservbyport(22, "tcp"); // "ssh"
 * ```
 * @see https://docs.python.org/3/library/socket.html#socket.getservbyport
 */
export function getservbyport(port: number, protocolname?: string): string {
  const p = index(port);
  if (p < 0 || p > 0xffff)
    throw new OverflowError("getservbyport: port must be 0-65535.");
  const r = netdb().getservbyport(p, protoArg(protocolname, "getservbyport"));
  if (!r.ok) throw new OSError("port/proto not found");
  return r.value.name;
}

/**
 * The number of a protocol (`"tcp"` → 6), calling `getprotobyname_r(3)`.
 * @throws OSError "protocol not found"
 * @example
 * ```ts
 * socket.getprotobyname("tcp"); // 6 (socket.IPPROTO_TCP)
 * ```
 * @see https://docs.python.org/3/library/socket.html#socket.getprotobyname
 */
export function getprotobyname(protocolname: string): number {
  if (typeof protocolname !== "string")
    throw new TypeError(
      `getprotobyname() argument must be str, not ${pyArgType(protocolname)}`,
    );
  const r = netdb().getprotobyname(enc.encode(protocolname));
  if (!r.ok) throw new OSError("protocol not found");
  return r.value;
}

/**
 * The network interfaces as `[index, name]` pairs, from `if_nameindex(3)`.
 * @example
 * ```ts
 * for (const [index, name] of socket.if_nameindex()) console.log(index, name); // 1 "lo", ...
 * ```
 * @see https://docs.python.org/3/library/socket.html#socket.if_nameindex
 */
export function if_nameindex(): [index: number, name: string][] {
  const r = netdb().ifNameindex();
  if (typeof r === "number") throw fromErrno(-r);
  return r;
}

/**
 * The index of a network interface by name (`"lo"` → 1), from `if_nametoindex(3)`.
 * @throws OSError "no interface with this name"
 * @example
 * ```ts
 * socket.if_nametoindex("lo"); // 1 on Linux
 * ```
 * @see https://docs.python.org/3/library/socket.html#socket.if_nametoindex
 */
export function if_nametoindex(if_name: string): number {
  const n: unknown = if_name;
  if (typeof n !== "string" && !(n instanceof Uint8Array))
    throw new TypeError(
      `expected str, bytes or os.PathLike object, not ${pyArgType(if_name)}`,
    );
  const r = netdb().ifNametoindex(
    typeof n === "string" ? enc.encode(n) : (n as Uint8Array),
  );
  if (r === 0) throw new OSError("no interface with this name");
  return r;
}

/**
 * The name of a network interface by index (1 → `"lo"`), from `if_indextoname(3)`.
 * @throws OSError ENXIO for an unknown index; OverflowError for a negative one
 * @example
 * ```ts
 * socket.if_indextoname(1); // "lo" on Linux
 * ```
 * @see https://docs.python.org/3/library/socket.html#socket.if_indextoname
 */
export function if_indextoname(if_index: number): string {
  if (typeof if_index !== "number" || !Number.isInteger(if_index))
    throw new TypeError("an integer is required");
  if (if_index < 0)
    throw new OverflowError("can't convert negative value to unsigned int");
  if (if_index > 0xffffffff)
    throw new OverflowError(
      "Python int too large to convert to C unsigned long",
    );
  const r = netdb().ifIndextoname(if_index);
  if (typeof r === "number") throw fromErrno(-r);
  return r;
}
