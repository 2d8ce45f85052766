/** Selects the OS binding once: the only file that reads `process.platform`; exports the frozen `plat`. */
import { linuxFeatures, linuxLayoutFor, linuxSys } from "./linux.ts";
import {
  errnoConstants,
  selectConstants,
  socketConstants,
} from "./constants/linux.ts";
import type { Features, Layout, Sys } from "./types.ts";

export type { Features, Layout, Ptr, Sys } from "./types.ts";

/** Socket-module numbers of the running OS (AF_*, SOCK_*, SO_*, MSG_*, ...), keyed by C name. */
export type SocketConstants = typeof socketConstants;
/** errno numbers of the running OS, keyed by C name. */
export type ErrnoConstants = typeof errnoConstants;
/** select-module numbers of the running OS (POLL*, EPOLL*, PIPE_BUF, EPOLL_CTL_*), keyed by C name. */
export type SelectConstants = typeof selectConstants;

/** Everything OS-specific, as data and one call table. */
export interface Plat {
  /** The OS call table. Mutable on purpose: tests swap members to inject faults. */
  readonly sys: Sys;
  readonly layout: Layout;
  readonly features: Features;
  readonly consts: SocketConstants;
  readonly errnos: ErrnoConstants;
  /** select-module numbers: POLL*, EPOLL*, PIPE_BUF (and EPOLL_CTL_* for the platform layer). */
  readonly selectConsts: SelectConstants;
  /** `true` on little-endian hosts (all supported targets). */
  readonly littleEndian: boolean;
}

function select(): Plat {
  const os = process.platform;
  if (os === "linux") {
    return {
      sys: linuxSys(),
      layout: linuxLayoutFor(process.arch),
      features: linuxFeatures,
      consts: socketConstants,
      errnos: errnoConstants,
      selectConsts: selectConstants,
      littleEndian: new Uint8Array(new Uint16Array([1]).buffer)[0] === 1,
    };
  }
  throw new Error(
    `bun-socket: ${os}/${process.arch} is not supported yet (Linux x86-64 and arm64 are); see the README's platform table`,
  );
}

/** The platform of this process, chosen once at load. */
export const plat: Plat = Object.freeze(select());
