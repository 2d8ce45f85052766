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

/** A `struct cmsghdr` layout (the running OS's by default; tests pass another OS's). */
type CmsgLayout = typeof plat.layout.cmsghdr;

/** `CMSG_ALIGN(n)`. */
export function cmsgAlign(n: number, cm: CmsgLayout = CM): number {
  return (n + cm.align - 1) & ~(cm.align - 1);
}
/** `CMSG_LEN(n)`: header plus `n` data bytes. */
export function cmsgLen(n: number, cm: CmsgLayout = CM): number {
  return cm.data + n;
}
/** `CMSG_SPACE(n)`: header plus `n` data bytes, padded. */
export function cmsgSpace(n: number, cm: CmsgLayout = CM): number {
  return cm.data + cmsgAlign(n, cm);
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
  writeMsghdr(msgView, {
    name: name && namelen ? addr(name) : 0,
    namelen: name ? namelen : 0,
    iov: bufs.length ? addr(iovs) : 0,
    iovlen: bufs.length,
    control: control && control.length ? addr(control) : 0,
    controllen: control ? control.length : 0,
  });
}

/** The fields of a `struct msghdr` we set (pointers as numbers); `msg_flags` stays 0. */
export interface MsghdrFields {
  name: number;
  namelen: number;
  iov: number;
  iovlen: number;
  control: number;
  controllen: number;
}

/** Writes `f` into the zeroed `struct msghdr` at `view`, laid out as `M` (the running OS's by default). */
export function writeMsghdr(
  view: DataView,
  f: MsghdrFields,
  M: typeof plat.layout.msghdr = plat.layout.msghdr,
): void {
  view.setBigUint64(M.name, BigInt(f.name), true);
  view.setUint32(M.namelen, f.namelen, true);
  view.setBigUint64(M.iov, BigInt(f.iov), true);
  setSize(view, M.iovlen, M.iovlenSize, f.iovlen);
  view.setBigUint64(M.control, BigInt(f.control), true);
  setSize(view, M.controllen, M.controllenSize, f.controllen);
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
export function packCmsgs(
  items: readonly Cmsg[],
  cm: CmsgLayout = CM,
): Uint8Array | null {
  if (items.length === 0) return null;
  let total = 0;
  for (const [, , d] of items) total += cmsgSpace(d.length, cm);
  const out = new Uint8Array(new ArrayBuffer(total));
  const view = new DataView(out.buffer);
  let off = 0;
  for (const [level, type, data] of items) {
    setSize(view, off, cm.lenSize, cmsgLen(data.length, cm));
    view.setInt32(off + cm.level, level, true);
    view.setInt32(off + cm.type, type, true);
    out.set(data, off + cm.data);
    off += cmsgSpace(data.length, cm);
  }
  return out;
}

/**
 * Reads the control messages in the first `controllen` bytes of `control`, as CPython does: a message whose
 * data was cut short (MSG_CTRUNC) yields the bytes that arrived; a header that does not fit ends the list.
 */
export function parseCmsgs(
  control: Uint8Array,
  controllen: number,
  cm: CmsgLayout = CM,
): Cmsg[] {
  const out: Cmsg[] = [];
  const view = new DataView(
    control.buffer,
    control.byteOffset,
    control.byteLength,
  );
  const end = Math.min(controllen, control.length);
  for (let off = 0; off + cm.data <= end;) {
    const len = getSize(view, off, cm.lenSize);
    if (len < cm.data) break;
    const dataEnd = Math.min(off + len, end);
    out.push([
      view.getInt32(off + cm.level, true),
      view.getInt32(off + cm.type, true),
      control.slice(off + cm.data, dataEnd),
    ]);
    off += cmsgAlign(len, cm);
  }
  return out;
}
