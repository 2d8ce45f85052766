/** `sendmsg(2)`/`recvmsg(2)` with scatter/gather buffers and ancillary data, packed from the layout table. */
import { ptr } from "bun:ffi";
import { plat } from "../ffi/index.ts";

const sys = plat.sys;
const M = plat.layout.msghdr;
const IOV = plat.layout.iovec;
const CM = plat.layout.cmsghdr;

const msg = new Uint8Array(new ArrayBuffer(M.size));
const msgView = new DataView(msg.buffer);
let iovs = new Uint8Array(new ArrayBuffer(IOV.size * 16));
let iovView = new DataView(iovs.buffer);

/** `CMSG_ALIGN(n)`. */
export function cmsgAlign(n: number): number {
  return (n + CM.align - 1) & ~(CM.align - 1);
}
/** `CMSG_LEN(n)`: header plus `n` data bytes. */
export function cmsgLen(n: number): number {
  return CM.data + n;
}
/** `CMSG_SPACE(n)`: header plus `n` data bytes, padded. */
export function cmsgSpace(n: number): number {
  return CM.data + cmsgAlign(n);
}

/** The address of a view's bytes, made stable first (a small typed array's storage moves until `.buffer` is read). */
function addr(v: Uint8Array): number {
  if (v.byteLength === 0) return 0;
  void v.buffer; // oven-sh/bun#32054: materialise the backing store before taking its address
  return ptr(v);
}

function setSize(view: DataView, off: number, size: 4 | 8, v: number): void {
  if (size === 8) view.setBigUint64(off, BigInt(v), true);
  else view.setUint32(off, v, true);
}
function getSize(view: DataView, off: number, size: 4 | 8): number {
  return size === 8
    ? Number(view.getBigUint64(off, true))
    : view.getUint32(off, true);
}

/** Fills `msg` and the iovec array; all memory referenced by pointers is kept alive by the caller's arguments. */
function fill(
  bufs: readonly Uint8Array[],
  control: Uint8Array | null,
  name: Uint8Array | null,
  namelen: number,
): void {
  if (iovs.length < bufs.length * IOV.size) {
    iovs = new Uint8Array(new ArrayBuffer(bufs.length * IOV.size * 2));
    iovView = new DataView(iovs.buffer);
  }
  iovs.fill(0);
  for (let i = 0; i < bufs.length; i++) {
    const b = bufs[i]!;
    iovView.setBigUint64(i * IOV.size, BigInt(addr(b)), true);
    setSize(iovView, i * IOV.size + IOV.len, 8, b.byteLength);
  }
  msg.fill(0);
  msgView.setBigUint64(M.name, BigInt(name && namelen ? addr(name) : 0), true);
  msgView.setUint32(M.namelen, name ? namelen : 0, true);
  msgView.setBigUint64(M.iov, BigInt(bufs.length ? addr(iovs) : 0), true);
  setSize(msgView, M.iovlen, M.iovlenSize, bufs.length);
  msgView.setBigUint64(
    M.control,
    BigInt(control && control.length ? addr(control) : 0),
    true,
  );
  setSize(
    msgView,
    M.controllen,
    M.controllenSize,
    control ? control.length : 0,
  );
}

/** `sendmsg(2)`: returns bytes sent or -errno. `flags` already include MSG_NOSIGNAL where wanted. */
export function sendmsg(
  fd: number,
  bufs: readonly Uint8Array[],
  control: Uint8Array | null,
  name: Uint8Array | null,
  namelen: number,
  flags: number,
): number {
  fill(bufs, control, name, namelen);
  const r = sys.sendmsg(fd, msg, flags);
  return r < 0 ? -sys.lastError() : r;
}

/** What the last `recvmsg` reported besides the byte count. */
export const recvInfo = { flags: 0, controllen: 0, namelen: 0 };

/** `recvmsg(2)` into `bufs`, ancillary data into `control`, the sender into `name`: bytes or -errno. */
export function recvmsg(
  fd: number,
  bufs: readonly Uint8Array[],
  control: Uint8Array | null,
  name: Uint8Array,
  flags: number,
): number {
  name.fill(0);
  fill(bufs, control, name, name.length);
  const r = sys.recvmsg(fd, msg, flags);
  if (r < 0) return -sys.lastError();
  recvInfo.flags = msgView.getInt32(M.flags, true);
  recvInfo.controllen = getSize(msgView, M.controllen, M.controllenSize);
  recvInfo.namelen = msgView.getUint32(M.namelen, true);
  return r;
}

/** One control message: `[level, type, data]`. */
export type Cmsg = [level: number, type: number, data: Uint8Array];

/** Packs control messages into one buffer, each `CMSG_SPACE(len)` long (the buffer never moves). */
export function packCmsgs(items: readonly Cmsg[]): Uint8Array | null {
  if (items.length === 0) return null;
  let total = 0;
  for (const [, , d] of items) total += cmsgSpace(d.length);
  const out = new Uint8Array(new ArrayBuffer(total));
  const view = new DataView(out.buffer);
  let off = 0;
  for (const [level, type, data] of items) {
    setSize(view, off, CM.lenSize, cmsgLen(data.length));
    view.setInt32(off + CM.level, level, true);
    view.setInt32(off + CM.type, type, true);
    out.set(data, off + CM.data);
    off += cmsgSpace(data.length);
  }
  return out;
}

/**
 * Reads the control messages in the first `controllen` bytes of `control`, as CPython does: a message whose
 * data was cut short (MSG_CTRUNC) yields the bytes that arrived; a header that does not fit ends the list.
 */
export function parseCmsgs(control: Uint8Array, controllen: number): Cmsg[] {
  const out: Cmsg[] = [];
  const view = new DataView(
    control.buffer,
    control.byteOffset,
    control.byteLength,
  );
  const end = Math.min(controllen, control.length);
  for (let off = 0; off + CM.data <= end;) {
    const len = getSize(view, off, CM.lenSize);
    if (len < CM.data) break;
    const dataEnd = Math.min(off + len, end);
    out.push([
      view.getInt32(off + CM.level, true),
      view.getInt32(off + CM.type, true),
      control.slice(off + CM.data, dataEnd),
    ]);
    off += cmsgAlign(len);
  }
  return out;
}
