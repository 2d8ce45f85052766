/** `getaddrinfo(3)` on the layout table: one call, the list copied out, then always `freeaddrinfo`. */
import { CString, read, toArrayBuffer, type Pointer } from "bun:ffi";
import { plat } from "../ffi/index.ts";

const sys = plat.sys;
const A = plat.layout.addrinfo;
// Winsock has no EAI_SYSTEM: NaN never equals a code.
const EAI_SYSTEM: number = plat.consts.EAI_SYSTEM ?? Number.NaN;

/** One `struct addrinfo`, copied out of C memory. */
export interface AddrInfoEntry {
  family: number;
  socktype: number;
  protocol: number;
  canonname: string;
  /** The `ai_addr` bytes (`ai_addrlen` long). */
  addr: Uint8Array;
}

/** Result of `getaddrinfo`: entries, or the EAI code (and errno for EAI_SYSTEM). */
export type AddrInfoResult =
  | { ok: true; entries: AddrInfoEntry[] }
  | { ok: false; code: number; errno: number };

const hints = new Uint8Array(new ArrayBuffer(A.size));
const hintsView = new DataView(hints.buffer);
const resBox = new BigUint64Array(new ArrayBuffer(8));

/** NUL-terminated bytes of a C string argument, or null for NULL. */
// Reused C-string buffers for the node and service arguments (no allocation for names that fit).
const nodeBuf = new Uint8Array(new ArrayBuffer(1026));
const servBuf = new Uint8Array(new ArrayBuffer(256));

function cstr(b: Uint8Array | null, into: Uint8Array): Uint8Array | null {
  if (b === null) return null;
  const out =
    b.length < into.length
      ? into
      : new Uint8Array(new ArrayBuffer(b.length + 1));
  out.set(b);
  out[b.length] = 0;
  return out;
}

/** Calls `getaddrinfo(node, service, hints, &res)` and copies every entry before `freeaddrinfo(res)`. */
export function getaddrinfo(
  node: Uint8Array | null,
  service: Uint8Array | null,
  family: number,
  socktype: number,
  protocol: number,
  flags: number,
): AddrInfoResult {
  hints.fill(0);
  hintsView.setInt32(A.flags, flags, true);
  hintsView.setInt32(A.family, family, true);
  hintsView.setInt32(A.socktype, socktype, true);
  hintsView.setInt32(A.protocol, protocol, true);
  resBox[0] = 0n;
  const code = sys.getaddrinfo(
    cstr(node, nodeBuf),
    cstr(service, servBuf),
    hints,
    resBox,
  );
  if (code !== 0) {
    const errno = code === EAI_SYSTEM ? sys.lastError() : 0;
    return { ok: false, code, errno };
  }
  const head = Number(resBox[0]);
  try {
    return { ok: true, entries: readAddrinfo(head) };
  } finally {
    sys.freeaddrinfo(head);
  }
}

/**
 * Copies out the `struct addrinfo` list at `head`, read with the field offsets of `A` (the running OS's by
 * default; tests pass another OS's layout to read a list laid out for it).
 */
export function readAddrinfo(
  head: number,
  A: typeof plat.layout.addrinfo = plat.layout.addrinfo,
): AddrInfoEntry[] {
  const entries: AddrInfoEntry[] = [];
  for (let p = head; p !== 0;) {
    const node = p as Pointer;
    const len =
      A.addrlenSize === 4
        ? read.u32(node, A.addrlen)
        : Number(read.u64(node, A.addrlen));
    const addrP = read.ptr(node, A.addr);
    const canonP = read.ptr(node, A.canonname);
    entries.push({
      family: read.i32(node, A.family),
      socktype: read.i32(node, A.socktype),
      protocol: read.i32(node, A.protocol),
      canonname: canonP ? new CString(canonP as Pointer).toString() : "",
      addr:
        addrP && len > 0
          ? new Uint8Array(toArrayBuffer(addrP as Pointer, 0, len)).slice()
          : new Uint8Array(0),
    });
    p = read.ptr(node, A.next);
  }
  return entries;
}
