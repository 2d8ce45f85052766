/**
 * Logs messages to the local syslog daemon the way `syslog(3)` and Python's
 * `logging.handlers.SysLogHandler(address="/dev/log")` do: one AF_UNIX datagram per message to `/dev/log`,
 * falling back to a stream connection when the daemon listens with SOCK_STREAM. A small `logger(1)`.
 *
 *   bun examples/syslog.ts [-s SOCKET] [-p FACILITY.LEVEL] [-t TAG] [MESSAGE...]
 *
 *   -s SOCKET          the daemon's socket (default /dev/log)
 *   -p FACILITY.LEVEL  priority, e.g. local0.info, auth.err (default user.notice, as logger)
 *   -t TAG             the tag in front of each message (default bun-socket)
 *
 * With MESSAGE words it sends them as one message; without, every line of stdin is a message. Each datagram
 * is `<PRI>Mmm dd hh:mm:ss TAG[PID]: MESSAGE` (RFC 3164, what glibc's `syslog()` sends), PRI being
 * facility * 8 + level. Over a stream socket each message ends with a NUL byte, as glibc does.
 * Exit status 0, or 1 when the socket cannot be reached (e.g. no syslog daemon: FileNotFoundError).
 *
 * @example
 * ```sh
 * bun examples/syslog.ts -p local0.warning -t backup "disk almost full"
 * journalctl -t backup      # or: tail /var/log/syslog
 * ```
 * @see https://docs.python.org/3/library/logging.handlers.html#sysloghandler
 */
import { readFileSync } from "node:fs";
import * as socket from "bun-socket";

/** `<syslog.h>` facility codes (Python: `SysLogHandler.facility_names`), before the `<< 3`. */
export const FACILITIES: Record<string, number> = {
  kern: 0,
  user: 1,
  mail: 2,
  daemon: 3,
  auth: 4,
  syslog: 5,
  lpr: 6,
  news: 7,
  uucp: 8,
  cron: 9,
  authpriv: 10,
  ftp: 11,
  local0: 16,
  local1: 17,
  local2: 18,
  local3: 19,
  local4: 20,
  local5: 21,
  local6: 22,
  local7: 23,
  security: 4, // deprecated alias of auth
};

/** `<syslog.h>` levels (Python: `SysLogHandler.priority_names`). */
export const LEVELS: Record<string, number> = {
  emerg: 0,
  panic: 0,
  alert: 1,
  crit: 2,
  critical: 2,
  err: 3,
  error: 3,
  warning: 4,
  warn: 4,
  notice: 5,
  info: 6,
  debug: 7,
};

/** PRI of a `facility.level` pair, Python's `SysLogHandler.encodePriority(facility, priority)`. */
export function encodePriority(spec: string): number {
  const [facility, level] = spec.toLowerCase().split(".");
  const f = FACILITIES[facility ?? ""];
  const l = LEVELS[level ?? ""];
  if (f === undefined || l === undefined)
    throw new Error(`unknown priority ${JSON.stringify(spec)}`);
  return (f << 3) | l;
}

const MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(" ");

/** RFC 3164 timestamp in local time: `Nov  7 09:05:01` (the day padded with a space). */
export function timestamp(d: Date): string {
  const two = (n: number) => String(n).padStart(2, "0");
  return `${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2)} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/**
 * Connects to the syslog socket like `SysLogHandler._connect_unixsocket`: SOCK_DGRAM first, then
 * SOCK_STREAM (a datagram socket connecting to a stream listener fails with EPROTOTYPE).
 */
export function connectLog(path: string): socket.socket {
  for (const type of [socket.SOCK_DGRAM, socket.SOCK_STREAM]) {
    const s = socket.socket(socket.AF_UNIX, type);
    try {
      s.settimeout(5); // a stalled daemon must not hang us forever
      s.connect(path);
      return s;
    } catch (e) {
      s.close();
      if (
        type === socket.SOCK_DGRAM &&
        e instanceof socket.error &&
        e.code === "EPROTOTYPE"
      )
        continue;
      throw e;
    }
  }
  throw new Error("unreachable");
}

function main(argv: string[]): number {
  let path = "/dev/log";
  let priority = "user.notice";
  let tag = "bun-socket";
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "-s" || a === "-p" || a === "-t") {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      if (a === "-s") path = v;
      else if (a === "-p") priority = v;
      else tag = v;
    } else words.push(a);
  }
  const pri = encodePriority(priority);
  const messages =
    words.length > 0
      ? [words.join(" ")]
      : readFileSync(0, "utf8")
          .split("\n")
          .filter((line) => line !== "");

  let log: socket.socket;
  try {
    log = connectLog(path);
  } catch (e) {
    if (!(e instanceof socket.error)) throw e;
    process.stderr.write(`syslog: cannot reach ${path}: ${e.message}\n`);
    return 1;
  }
  using s = log;
  const stream = s.type === socket.SOCK_STREAM;
  for (const msg of messages) {
    const line = `<${pri}>${timestamp(new Date())} ${tag}[${process.pid}]: ${msg}`;
    // One datagram per message; over a stream, glibc ends each message with a NUL byte.
    if (stream) s.sendall(line + "\0");
    else s.send(line);
  }
  return 0;
}

if (import.meta.main) {
  try {
    process.exit(main(process.argv.slice(2)));
  } catch (e) {
    const err = e as Error;
    process.stderr.write(`syslog: ${err.name}: ${err.message}\n`);
    process.exit(1);
  }
}
