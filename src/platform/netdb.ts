/** The network databases through the reentrant libc calls: hosts, services, protocols, names, interfaces. */
import { CString, read, toArrayBuffer, type Pointer } from "bun:ffi";
import { plat } from "../ffi/index.ts";

const sys = plat.sys;
const L = plat.layout;
const ERANGE = plat.errnos.ERANGE;
const MAX_BUF = 1 << 20;

/** A `struct hostent`, copied out. */
export interface HostEnt {
  name: string;
  aliases: string[];
  addrtype: number;
  /** Each address's raw bytes (`h_length` long). */
  addrs: Uint8Array[];
}

/** Result of a netdb lookup: the value, or `null` with `h_errno` (hosts) when not found. */
export type Lookup<T> =
  { ok: true; value: T } | { ok: false; herr: number; errno: number };

function cstrz(b: Uint8Array | null): Uint8Array | null {
  if (b === null) return null;
  const out = new Uint8Array(new ArrayBuffer(b.length + 1));
  out.set(b);
  return out;
}

function str(p: number | bigint | null): string {
  return p ? new CString(Number(p) as Pointer).toString() : "";
}

/** Reads a NULL-terminated `char **` array of strings. */
function strList(pp: number): string[] {
  const out: string[] = [];
  if (!pp) return out;
  for (let i = 0; ; i += 8) {
    const p = read.ptr(pp as Pointer, i);
    if (!p) return out;
    out.push(str(p));
  }
}

function readInt(p: Pointer, off: number, short: boolean): number {
  return short ? read.i16(p, off) : read.i32(p, off);
}

const resultBox = new BigUint64Array(new ArrayBuffer(8));
const herrBox = new Int32Array(new ArrayBuffer(4));

/**
 * Runs a `*_r` call with a growing buffer (ERANGE → double, up to 1 MiB; CPython starts at 16 KiB),
 * then `take` reads the result while the struct and its buffer are still alive (its pointers point into it).
 */
function withBuffers<T>(
  structSize: number,
  call: (ret: Uint8Array, buf: Uint8Array) => number,
  take: (r: number) => T,
): T {
  for (let size = 16384; ; size *= 2) {
    const ret = new Uint8Array(new ArrayBuffer(structSize));
    const buf = new Uint8Array(new ArrayBuffer(size));
    resultBox[0] = 0n;
    herrBox[0] = 0;
    const r = call(ret, buf);
    if (r === ERANGE && size < MAX_BUF) continue;
    const out = take(r);
    // Touch both after reading so neither can be collected while `take` runs.
    if (ret.length + buf.length < 0) throw new Error("unreachable");
    return out;
  }
}

function hostent(p: Pointer): HostEnt {
  const H = L.hostent;
  const len = readInt(p, H.length, H.shortFields);
  const list = read.ptr(p, H.addrList);
  const addrs: Uint8Array[] = [];
  if (list) {
    for (let i = 0; ; i += 8) {
      const a = read.ptr(list as Pointer, i);
      if (!a) break;
      addrs.push(new Uint8Array(toArrayBuffer(a as Pointer, 0, len)).slice());
    }
  }
  return {
    name: str(read.ptr(p, H.name)),
    aliases: strList(read.ptr(p, H.aliases) as number),
    addrtype: readInt(p, H.addrtype, H.shortFields),
    addrs,
  };
}

function hostResult(r: number): Lookup<HostEnt> {
  const p = Number(resultBox[0]);
  if (r !== 0 || p === 0) return { ok: false, herr: herrBox[0]!, errno: r };
  return { ok: true, value: hostent(p as Pointer) };
}

/** `gethostbyname_r(3)`. */
export function gethostbyname(name: Uint8Array): Lookup<HostEnt> {
  const n = cstrz(name);
  return withBuffers(
    L.hostent.size,
    (ret, buf) =>
      sys.gethostbyname_r(n, ret, buf, buf.length, resultBox, herrBox),
    hostResult,
  );
}

/** `gethostbyaddr_r(3)` for 4 or 16 address bytes of family `af`. */
export function gethostbyaddr(addr: Uint8Array, af: number): Lookup<HostEnt> {
  const a = new Uint8Array(new ArrayBuffer(addr.length));
  a.set(addr);
  return withBuffers(
    L.hostent.size,
    (ret, buf) =>
      sys.gethostbyaddr_r(
        a,
        a.length,
        af,
        ret,
        buf,
        buf.length,
        resultBox,
        herrBox,
      ),
    hostResult,
  );
}

/** `hstrerror(3)`. */
export function hstrerror(code: number): string {
  return str(sys.hstrerror(code));
}

/** A `struct servent`, copied out. */
export interface ServEnt {
  name: string;
  port: number;
  proto: string;
}

function servResult(r: number): Lookup<ServEnt> {
  const p = Number(resultBox[0]) as Pointer;
  if (r !== 0 || !p) return { ok: false, herr: 0, errno: r };
  const S = L.servent;
  // s_port holds the port in network byte order in its first two bytes.
  const port = (read.u8(p, S.port) << 8) | read.u8(p, S.port + 1);
  return {
    ok: true,
    value: {
      name: str(read.ptr(p, S.name)),
      port,
      proto: str(read.ptr(p, S.proto)),
    },
  };
}

/** `getservbyname_r(3)`. */
export function getservbyname(
  name: Uint8Array,
  proto: Uint8Array | null,
): Lookup<ServEnt> {
  const n = cstrz(name);
  const pr = cstrz(proto);
  return withBuffers(
    L.servent.size,
    (ret, buf) => sys.getservbyname_r(n, pr, ret, buf, buf.length, resultBox),
    servResult,
  );
}

/** `getservbyport_r(3)`; `port` in host order. */
export function getservbyport(
  port: number,
  proto: Uint8Array | null,
): Lookup<ServEnt> {
  const pr = cstrz(proto);
  const net = plat.littleEndian ? ((port & 0xff) << 8) | (port >>> 8) : port;
  return withBuffers(
    L.servent.size,
    (ret, buf) => sys.getservbyport_r(net, pr, ret, buf, buf.length, resultBox),
    servResult,
  );
}

/** `getprotobyname_r(3)`: the protocol number, or not found. */
export function getprotobyname(name: Uint8Array): Lookup<number> {
  const n = cstrz(name);
  return withBuffers(
    L.protoent.size,
    (ret, buf) => sys.getprotobyname_r(n, ret, buf, buf.length, resultBox),
    (r): Lookup<number> => {
      const p = Number(resultBox[0]) as Pointer;
      if (r !== 0 || !p) return { ok: false, herr: 0, errno: r };
      return { ok: true, value: read.i32(p, L.protoent.proto) };
    },
  );
}

/** `gethostname(2)`: the host name, or -errno. */
export function gethostname(): string | number {
  const buf = new Uint8Array(new ArrayBuffer(1024));
  if (sys.gethostname(buf, buf.length - 1) < 0) return -sys.lastError();
  const end = buf.indexOf(0);
  return new TextDecoder().decode(buf.subarray(0, end < 0 ? buf.length : end));
}

const NI_MAXHOST = 1025;
const NI_MAXSERV = 32;

/** `getnameinfo(3)`: `[host, serv]`, or the EAI code (and errno for EAI_SYSTEM). */
export function getnameinfo(
  sa: Uint8Array,
  salen: number,
  flags: number,
):
  | { ok: true; host: string; serv: string }
  | { ok: false; code: number; errno: number } {
  const host = new Uint8Array(new ArrayBuffer(NI_MAXHOST));
  const serv = new Uint8Array(new ArrayBuffer(NI_MAXSERV));
  const code = sys.getnameinfo(
    sa,
    salen,
    host,
    NI_MAXHOST,
    serv,
    NI_MAXSERV,
    flags,
  );
  if (code !== 0)
    return {
      ok: false,
      code,
      errno: code === plat.consts.EAI_SYSTEM ? sys.lastError() : 0,
    };
  const dec = new TextDecoder();
  const cut = (b: Uint8Array) =>
    dec.decode(b.subarray(0, Math.max(0, b.indexOf(0))));
  return { ok: true, host: cut(host), serv: cut(serv) };
}

/** `if_nameindex(3)`: `[index, name]` pairs, or -errno. */
export function ifNameindex(): [number, string][] | number {
  const head = sys.if_nameindex();
  if (!head) return -sys.lastError();
  const out: [number, string][] = [];
  const N = L.ifNameindex;
  try {
    for (let off = 0; ; off += N.size) {
      const idx = read.u32(head as Pointer, off + N.index);
      const name = read.ptr(head as Pointer, off + N.name);
      if (idx === 0 && !name) break;
      out.push([idx, str(name)]);
    }
  } finally {
    sys.if_freenameindex(head);
  }
  return out;
}

/** `if_nametoindex(3)`: the index, or 0 when there is no such interface. */
export function ifNametoindex(name: Uint8Array): number {
  return sys.if_nametoindex(cstrz(name));
}

/** `if_indextoname(3)`: the name, or -errno. */
export function ifIndextoname(index: number): string | number {
  const buf = new Uint8Array(new ArrayBuffer(64));
  const p = sys.if_indextoname(index, buf);
  if (!p) return -sys.lastError();
  const end = buf.indexOf(0);
  return new TextDecoder().decode(buf.subarray(0, end < 0 ? buf.length : end));
}
