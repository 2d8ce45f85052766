/** Packs and unpacks `struct sockaddr_in`, `sockaddr_in6` and `sockaddr_un` from the layout table (no OS branches). */
import { plat } from "../ffi/index.ts";

const L = plat.layout;
const K = plat.consts;

/**
 * A zero-filled `sockaddr_storage` plus its length, in memory that never moves
 * (ArrayBuffer-backed; oven-sh/bun#32054: storage of small typed arrays moves).
 * `lenBox` is the `socklen_t` in/out argument of accept/recvfrom/getsockname.
 */
export class SockAddr {
  readonly bytes = new Uint8Array(new ArrayBuffer(L.storageSize));
  readonly view = new DataView(this.bytes.buffer);
  readonly lenBox = new Uint32Array(new ArrayBuffer(4));
  /** Valid length after a pack or an OS call. */
  len = 0;

  /** Prepares the storage for an OS call that writes an address (accept, recvfrom, getsockname). */
  prepareOut(): void {
    this.bytes.fill(0);
    this.lenBox[0] = L.storageSize;
  }
  /** Takes the length the OS wrote into `lenBox`. */
  takeLen(): number {
    this.len = Math.min(this.lenBox[0]!, L.storageSize);
    return this.len;
  }
  /** The `sa_family` field. */
  family(): number {
    return L.familyField === "u16"
      ? this.view.getUint16(0, true)
      : this.bytes[1]!;
  }
  #header(family: number, size: number): void {
    this.bytes.fill(0);
    if (L.familyField === "u16") this.view.setUint16(0, family, true);
    else {
      this.bytes[0] = size;
      this.bytes[1] = family;
    }
  }
  /** Fills a `sockaddr_in`; `addr` is the 4 address bytes in network order. Returns the length. */
  packIn4(addr: ArrayLike<number>, port: number): number {
    this.#header(K.AF_INET, L.sinSize);
    this.view.setUint16(2, port, false);
    this.bytes[4] = addr[0]!;
    this.bytes[5] = addr[1]!;
    this.bytes[6] = addr[2]!;
    this.bytes[7] = addr[3]!;
    return (this.len = L.sinSize);
  }
  /** Fills a `sockaddr_in6`; `addr` is 16 bytes. Returns the length. */
  packIn6(
    addr: ArrayLike<number>,
    port: number,
    flowinfo: number,
    scopeId: number,
  ): number {
    this.#header(K.AF_INET6, L.sin6Size);
    this.view.setUint16(2, port, false);
    this.view.setUint32(4, flowinfo, false);
    for (let i = 0; i < 16; i++) this.bytes[8 + i] = addr[i]!;
    this.view.setUint32(24, scopeId, true);
    return (this.len = L.sin6Size);
  }
  /**
   * Fills a `sockaddr_un` with `path` (caller checked `path.length < sunPathSize`, or `<=` for
   * an abstract name). A filesystem path gets its NUL terminator counted, as CPython does.
   */
  packUnix(path: Uint8Array): number {
    const size = L.sunPathOffset + L.sunPathSize;
    this.#header(K.AF_UNIX, size);
    this.bytes.set(path, L.sunPathOffset);
    // CPython (Linux): an empty address is abstract too, length = offsetof(sun_path): autobind.
    const abstract =
      path.length === 0 ? plat.features.abstractUnix : path[0] === 0;
    return (this.len = L.sunPathOffset + path.length + (abstract ? 0 : 1));
  }
  /** Copies raw bytes (an address from getaddrinfo or recvmsg). */
  packRaw(raw: Uint8Array): number {
    this.bytes.fill(0);
    this.bytes.set(raw.subarray(0, L.storageSize));
    return (this.len = Math.min(raw.length, L.storageSize));
  }
  /** Port of an AF_INET/AF_INET6 address (host order). */
  port(): number {
    return this.view.getUint16(2, false);
  }
  /** `sin6_flowinfo` (network order in memory). */
  flowinfo(): number {
    return this.view.getUint32(4, false);
  }
  /** `sin6_scope_id` (host order). */
  scopeId(): number {
    return this.view.getUint32(24, true);
  }
  /** The 4 bytes of `sin_addr`, as a view into the storage. */
  in4(): Uint8Array {
    return this.bytes.subarray(4, 8);
  }
  /** The 16 bytes of `sin6_addr`, as a view into the storage. */
  in6(): Uint8Array {
    return this.bytes.subarray(8, 24);
  }
  /** The bytes of `sun_path` within the valid length (not copied). */
  unixPath(): Uint8Array {
    const end = Math.max(L.sunPathOffset, this.len);
    return this.bytes.subarray(L.sunPathOffset, end);
  }
}

/** Largest `sun_path` content: a filesystem path needs room for its NUL, an abstract name does not. */
export const SUN_PATH_SIZE = L.sunPathSize;
/** `sizeof(struct sockaddr_storage)`. */
export const STORAGE_SIZE = L.storageSize;
