/** Selects the OS binding once: the only file that reads `process.platform`; exports the frozen `plat`. */
// Only the running OS's binding is loaded (one synchronous `require`, its constant tables re-exported by it): the
// others cost start-up time.
import type * as darwinTables from "./constants/darwin.ts";
import type * as linuxTables from "./constants/linux.ts";
import type * as win32Tables from "./constants/win32.ts";
import type * as darwinBinding from "./darwin.ts";
import type * as linuxBinding from "./linux.ts";
import type { Features, Layout, Sys } from "./types.ts";
import type * as win32Binding from "./win32.ts";

export type { Features, Layout, Ptr, Sys } from "./types.ts";

/**
 * A constant table of the running OS, typed for every OS at once: a name that Linux, macOS and Windows all
 * define is a `number`; a name only some of them define is `number | undefined` (Python: an AttributeError
 * on the others), so code that uses it must handle its absence.
 */
export type ConstantTable<L, D, W> = Readonly<
  Record<keyof L & keyof D & keyof W, number>
> &
  Readonly<Partial<Record<keyof L | keyof D | keyof W, number>>>;

/** Socket-module numbers of the running OS (AF_*, SOCK_*, SO_*, MSG_*, ...), keyed by C name. */
export type SocketConstants = ConstantTable<
  typeof linuxTables.socketConstants,
  typeof darwinTables.socketConstants,
  typeof win32Tables.socketConstants
>;
/** errno numbers of the running OS, keyed by C name (on Windows: WSA codes where CPython uses them). */
export type ErrnoConstants = ConstantTable<
  typeof linuxTables.errnoConstants,
  typeof darwinTables.errnoConstants,
  typeof win32Tables.errnoConstants
>;
/** select-module numbers of the running OS (POLL*, EPOLL*, KQ_*, PIPE_BUF, EPOLL_CTL_*), keyed by C name. */
export type SelectConstants = ConstantTable<
  typeof linuxTables.selectConstants,
  typeof darwinTables.selectConstants,
  typeof win32Tables.selectConstants
>;

/** Everything OS-specific, as data and one call table. */
export interface Plat {
  /** The OS call table. Mutable on purpose: tests swap members to inject faults. */
  readonly sys: Sys;
  readonly layout: Layout;
  readonly features: Features;
  readonly consts: SocketConstants;
  readonly errnos: ErrnoConstants;
  /** select-module numbers: POLL*, EPOLL*, KQ_*, PIPE_BUF (and EPOLL_CTL_* for the platform layer). */
  readonly selectConsts: SelectConstants;
  /** `true` on little-endian hosts (all supported targets). */
  readonly littleEndian: boolean;
  /** `process.arch` (`"x64"`, `"arm64"`), for messages; branch on `layout`/`features`, never on this. */
  readonly arch: string;
}

function select(): Plat {
  const os = process.platform;
  const arch = process.arch;
  const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  if (os === "linux") {
    const B = require("./linux.ts") as typeof linuxBinding;
    return {
      sys: B.linuxSys(),
      layout: B.linuxLayoutFor(arch),
      features: B.linuxFeatures,
      consts: B.socketConstants,
      errnos: B.errnoConstants,
      selectConsts: B.selectConstants,
      littleEndian,
      arch,
    };
  }
  if (os === "darwin") {
    const B = require("./darwin.ts") as typeof darwinBinding;
    return {
      sys: B.darwinSys(arch),
      layout: B.darwinLayout,
      features: B.darwinFeatures,
      consts: B.socketConstants,
      errnos: B.errnoConstants,
      selectConsts: B.selectConstants,
      littleEndian,
      arch,
    };
  }
  if (os === "win32") {
    const B = require("./win32.ts") as typeof win32Binding;
    return {
      sys: B.win32Sys(),
      layout: B.win32Layout,
      features: B.win32Features,
      consts: B.socketConstants,
      errnos: B.errnoConstants,
      selectConsts: B.selectConstants,
      littleEndian,
      arch,
    };
  }
  throw new Error(
    `bun-socket: ${os}/${arch} is not supported (Linux, macOS and Windows are); see the README's platform table`,
  );
}

/** The platform of this process, chosen once at load. */
export const plat: Plat = Object.freeze(select());
