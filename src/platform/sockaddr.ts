/** Packs and unpacks `struct sockaddr_in`, `sockaddr_in6` and `sockaddr_un` from the layout table (no OS branches). */
import { plat, type Layout } from "../ffi/index.ts";

const L = plat.layout;

/**
 * What {@link SockAddr} needs to know about an OS: its struct layout and address family numbers. The default
 * is the running OS; tests pass another OS's to pack and unpack its layout anywhere.
 */
export interface SockAddrOS {
  readonly layout: Layout;
  readonly AF_INET: number;
  readonly AF_INET6: number;
  readonly AF_UNIX: number;
  /** AF_UNIX abstract names exist (Linux): an empty path is abstract too (autobind). */
  readonly abstractUnix: boolean;
}

/** The running OS, for {@link SockAddr}. */
export const THIS_OS: SockAddrOS = {
  layout: plat.layout,
  AF_INET: plat.consts.AF_INET,
  AF_INET6: plat.consts.AF_INET6,
  AF_UNIX: plat.consts.AF_UNIX,
  abstractUnix: plat.features.abstractUnix,
};

/**
 * A zero-filled `sockaddr_storage` plus its length, in memory that never moves
 * (ArrayBuffer-backed; oven-sh/bun#32054: storage of small typed arrays moves).
 * `lenBox` is the `socklen_t` in/out argument of accept/recvfrom/getsockname.
 * Packs for the running OS, or for `os` when given (tests of other OSes' layouts).
 */
export class SockAddr {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly lenBox = new Uint32Array(new ArrayBuffer(4));
  /** Valid length after a pack or an OS call. */
  len = 0;
  readonly #os: SockAddrOS;
  readonly #L: Layout;
  // The layout's numbers the hot paths read, kept on this object (recvfrom/accept: fewer objects touched per call).
  readonly #u16Family: boolean;
  readonly #storageSize: number;
  readonly #inet: number;
  readonly #sinSize: number;

  constructor(os: SockAddrOS = THIS_OS) {
    this.#os = os;
    this.#L = os.layout;
    this.#u16Family = os.layout.familyField === "u16";
    this.#storageSize = os.layout.storageSize;
    this.#inet = os.AF_INET;
    this.#sinSize = os.layout.sinSize;
    this.bytes = new Uint8Array(new ArrayBuffer(os.layout.storageSize));
    this.view = new DataView(this.bytes.buffer);
  }

  /** Prepares the storage for an OS call that writes an address (accept, recvfrom, getsockname). */
  prepareOut(): void {
    // The OS writes the address and its length; only the family is cleared (bench D: no 128-byte fill).
    this.bytes[0] = 0;
    this.bytes[1] = 0;
    this.lenBox[0] = this.#storageSize;
  }
  /** Takes the length the OS wrote into `lenBox`. */
  takeLen(): number {
    this.len = Math.min(this.lenBox[0]!, this.#storageSize);
    return this.len;
  }
  /** The `sa_family` field. */
  family(): number {
    const b = this.bytes;
    return this.#u16Family ? b[0]! | (b[1]! << 8) : b[1]!;
  }
  #header(family: number, size: number): void {
    this.bytes.fill(0, 0, size);
    if (this.#u16Family) this.view.setUint16(0, family, true);
    else {
      this.bytes[0] = size;
      this.bytes[1] = family;
    }
  }
  /** Fills a `sockaddr_in`; `addr` is the 4 address bytes in network order. Returns the length. */
  packIn4(addr: ArrayLike<number>, port: number): number {
    // sockaddr_in is 16 bytes everywhere (family, port, address, 8 zero bytes): plain byte stores instead of
    // fill() (a native call) or the DataView (one more object touched per sendto/connect: bench D).
    const b = this.bytes;
    const fam = this.#inet;
    if (this.#u16Family) {
      b[0] = fam; // little-endian u16; every AF_INET value fits in the low byte
      b[1] = 0;
    } else {
      b[0] = this.#sinSize;
      b[1] = fam;
    }
    b[2] = port >>> 8;
    b[3] = port;
    b[4] = addr[0]!;
    b[5] = addr[1]!;
    b[6] = addr[2]!;
    b[7] = addr[3]!;
    b[8] = b[9] = b[10] = b[11] = b[12] = b[13] = b[14] = b[15] = 0;
    return (this.len = this.#sinSize);
  }
  /** Fills a `sockaddr_in6`; `addr` is 16 bytes. Returns the length. */
  packIn6(
    addr: ArrayLike<number>,
    port: number,
    flowinfo: number,
    scopeId: number,
  ): number {
    this.#header(this.#os.AF_INET6, this.#L.sin6Size);
    this.view.setUint16(2, port, false);
    this.view.setUint32(4, flowinfo, false);
    for (let i = 0; i < 16; i++) this.bytes[8 + i] = addr[i]!;
    this.view.setUint32(24, scopeId, true);
    return (this.len = this.#L.sin6Size);
  }
  /**
   * Fills a `sockaddr_un` with `path` (caller checked `path.length < sunPathSize`, or `<=` for
   * an abstract name). A filesystem path gets its NUL terminator counted, as CPython does.
   */
  packUnix(path: Uint8Array): number {
    const size = this.#L.sunPathOffset + this.#L.sunPathSize;
    this.#header(this.#os.AF_UNIX, size);
    this.bytes.set(path, this.#L.sunPathOffset);
    // CPython (Linux): an empty address is abstract too, length = offsetof(sun_path): autobind.
    const abstract = path.length === 0 ? this.#os.abstractUnix : path[0] === 0;
    return (this.len =
      this.#L.sunPathOffset + path.length + (abstract ? 0 : 1));
  }
  /** Copies raw bytes (an address from getaddrinfo or recvmsg). */
  packRaw(raw: Uint8Array): number {
    this.bytes.fill(0);
    this.bytes.set(raw.subarray(0, this.#L.storageSize));
    return (this.len = Math.min(raw.length, this.#L.storageSize));
  }
  /** Port of an AF_INET/AF_INET6 address (host order). */
  port(): number {
    const b = this.bytes;
    return (b[2]! << 8) | b[3]!;
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
    const end = Math.max(this.#L.sunPathOffset, this.len);
    return this.bytes.subarray(this.#L.sunPathOffset, end);
  }
}

/** Largest `sun_path` content: a filesystem path needs room for its NUL, an abstract name does not. */
export const SUN_PATH_SIZE = L.sunPathSize;
/** `sizeof(struct sockaddr_storage)`. */
export const STORAGE_SIZE = L.storageSize;
