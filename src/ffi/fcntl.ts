/** The descriptor-flag members of `Sys` that every POSIX binding builds the same way from its own `fcntl`. */
import type { Sys } from "./types.ts";

/** The `<fcntl.h>` numbers these helpers need (they differ per OS). */
export interface FcntlNumbers {
  readonly F_DUPFD_CLOEXEC: number;
  readonly F_GETFD: number;
  readonly F_SETFD: number;
  readonly F_GETFL: number;
  readonly F_SETFL: number;
  readonly FD_CLOEXEC: number;
  readonly O_NONBLOCK: number;
}

/**
 * `dupSocket`, `setNonBlocking`, `getNonBlocking`, `getCloexec` and `setCloexec` over `fcntl(fd, cmd, arg)`,
 * which each OS binding supplies called correctly for its ABI (darwin-arm64 pads the variadic argument).
 */
export function fcntlFlagOps(
  fcntl: (fd: number, cmd: number, arg: number) => number,
  K: FcntlNumbers,
): Pick<
  Sys,
  | "dupSocket"
  | "setNonBlocking"
  | "getNonBlocking"
  | "getCloexec"
  | "setCloexec"
> {
  return {
    dupSocket: (fd) => fcntl(fd, K.F_DUPFD_CLOEXEC, 0),
    setNonBlocking(fd, on) {
      const fl = fcntl(fd, K.F_GETFL, 0);
      if (fl < 0) return -1;
      const want = on ? fl | K.O_NONBLOCK : fl & ~K.O_NONBLOCK;
      return want === fl ? 0 : fcntl(fd, K.F_SETFL, want);
    },
    getNonBlocking(fd) {
      const fl = fcntl(fd, K.F_GETFL, 0);
      return fl < 0 ? -1 : fl & K.O_NONBLOCK ? 1 : 0;
    },
    getCloexec(fd) {
      const fl = fcntl(fd, K.F_GETFD, 0);
      return fl < 0 ? -1 : fl & K.FD_CLOEXEC ? 1 : 0;
    },
    setCloexec(fd, on) {
      const fl = fcntl(fd, K.F_GETFD, 0);
      if (fl < 0) return -1;
      return fcntl(fd, K.F_SETFD, on ? fl | K.FD_CLOEXEC : fl & ~K.FD_CLOEXEC);
    },
  };
}
