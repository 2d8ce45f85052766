/**
 * A Redis client speaking RESP2 over a blocking socket: a small `redis-cli`. Commands are arrays of bulk
 * strings, so values are binary-safe; replies are read with `makefile("rb")` (`readline()` for the type line,
 * `read(n)` for bulk data). Several commands go out in one `sendall` and their replies are read back in order
 * (pipelining).
 *
 *   bun examples/redis-cli.ts [-h HOST] [-p PORT] [-s SOCKET] [--raw] [-x] [COMMAND ARG...]
 *
 *   -h HOST     server host (default 127.0.0.1)
 *   -p PORT     server port (default 6379)
 *   -s SOCKET   Unix socket path instead of host and port
 *   --raw       print bulk replies as raw bytes (default: redis-cli's quoted form, `"a\x00b"`)
 *   -x          read the last argument of the command from stdin, byte for byte
 *   --timeout S socket timeout in seconds (default 10)
 *
 * With a command on the command line it runs that command. Without one, it reads commands from stdin, one
 * per line, split like redis-cli does (spaces separate arguments; "double quotes" take \n \r \t \xHH escapes;
 * 'single quotes' are literal), pipelines them all and prints every reply. Replies print as redis-cli prints
 * them on a terminal: `OK`, `"value"`, `(integer) 3`, `(nil)`, `(error) ERR ...`, `1) "a"` for arrays.
 * Exit status: 0, or 1 when a reply was an error or the connection failed.
 *
 * @example
 * ```sh
 * bun examples/redis-cli.ts -p 6379 SET greeting "hello"
 * printf 'PING\nINCR n\nINCR n\nGET greeting\n' | bun examples/redis-cli.ts -p 6379
 * ```
 * @see https://redis.io/docs/latest/develop/reference/protocol-spec/
 */
import { readFileSync, writeSync } from "node:fs";
import * as socket from "bun-socket";
import * as select from "bun-socket/select";

/** A RESP2 reply. Errors are values, not exceptions: a pipeline goes on after one. */
export type Reply =
  | { type: "status"; value: string }
  | { type: "error"; value: string }
  | { type: "integer"; value: number | bigint }
  | { type: "bulk"; value: Buffer | null }
  | { type: "array"; value: Reply[] | null };

/** The server broke the protocol, or closed the connection in the middle of a reply. */
export class ProtocolError extends Error {
  override name = "ProtocolError";
}

/** One connection to a Redis server. */
export class Redis {
  readonly #sock: socket.socket;
  readonly #file: socket.BufferedSocketFile;

  /** Connects over TCP (`[host, port]`) or to a Unix socket path. */
  constructor(address: [host: string, port: number] | string, timeout: number) {
    if (typeof address === "string") {
      this.#sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
      try {
        this.#sock.settimeout(timeout);
        this.#sock.connect(address);
      } catch (e) {
        this.#sock.close();
        throw e;
      }
    } else {
      this.#sock = socket.create_connection(address, timeout);
      // Requests are small and each waits for its answer: do not let Nagle hold them back.
      this.#sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1);
    }
    this.#file = this.#sock.makefile("rb") as socket.BufferedSocketFile;
  }

  /** Encodes one command as a RESP array of bulk strings: `*2\r\n$3\r\nGET\r\n$1\r\nk\r\n`. */
  static encode(args: readonly (string | Uint8Array)[]): Buffer {
    const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
    for (const a of args) {
      const b = typeof a === "string" ? Buffer.from(a) : Buffer.from(a);
      parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from("\r\n"));
    }
    return Buffer.concat(parts);
  }

  /** Sends one command and returns its reply. */
  command(...args: (string | Uint8Array)[]): Reply {
    return this.pipeline([args])[0]!;
  }

  /** Sends all commands in one write, then reads their replies in order. */
  pipeline(commands: readonly (readonly (string | Uint8Array)[])[]): Reply[] {
    this.#sock.sendall(Buffer.concat(commands.map((c) => Redis.encode(c))));
    return commands.map(() => this.#read());
  }

  #line(): string {
    const line = this.#file.readline();
    if (line.length === 0 || line[line.length - 1] !== 0x0a)
      throw new ProtocolError("connection closed by the server");
    return line.subarray(0, line.length - 2).toString("latin1"); // drop "\r\n"
  }

  #read(): Reply {
    const line = this.#line();
    const rest = line.slice(1);
    switch (line[0]) {
      case "+":
        return { type: "status", value: rest };
      case "-":
        return { type: "error", value: rest };
      case ":": {
        const n = BigInt(rest);
        const small =
          n >= BigInt(Number.MIN_SAFE_INTEGER) &&
          n <= BigInt(Number.MAX_SAFE_INTEGER);
        return { type: "integer", value: small ? Number(n) : n };
      }
      case "$": {
        const len = Number(rest);
        if (len < 0) return { type: "bulk", value: null };
        const data = this.#file.read(len + 2)!; // the data and its "\r\n"
        if (data.length !== len + 2)
          throw new ProtocolError("connection closed in a bulk reply");
        return { type: "bulk", value: data.subarray(0, len) };
      }
      case "*": {
        const n = Number(rest);
        if (n < 0) return { type: "array", value: null };
        const items: Reply[] = [];
        for (let i = 0; i < n; i++) items.push(this.#read());
        return { type: "array", value: items };
      }
      default:
        throw new ProtocolError(
          `unexpected reply line ${JSON.stringify(line)}`,
        );
    }
  }

  close(): void {
    this.#file.close();
    this.#sock.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * Splits one line into arguments the way redis-cli does (its `sdssplitargs`): `"..."` with backslash escapes
 * (`\n \r \t \b \a \\ \" \xHH`), `'...'` with only `\'`. Returns null for unbalanced quotes.
 */
export function splitArgs(line: string | Uint8Array): Buffer[] | null {
  const args: Buffer[] = [];
  const src = typeof line === "string" ? Buffer.from(line) : line;
  let i = 0;
  const space = (c: number | undefined) =>
    c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
  const hex = (c: number | undefined) =>
    c !== undefined && /[0-9a-fA-F]/.test(String.fromCharCode(c));
  for (;;) {
    while (space(src[i])) i++;
    if (i >= src.length) return args;
    const out: number[] = [];
    let inDouble = false;
    let inSingle = false;
    for (;;) {
      const c = src[i];
      if (inDouble) {
        if (c === undefined) return null;
        if (
          c === 0x5c &&
          src[i + 1] === 0x78 &&
          hex(src[i + 2]) &&
          hex(src[i + 3])
        ) {
          out.push(
            Number.parseInt(String.fromCharCode(src[i + 2]!, src[i + 3]!), 16),
          );
          i += 3;
        } else if (c === 0x5c && src[i + 1] !== undefined) {
          i++;
          const e = String.fromCharCode(src[i]!);
          const map: Record<string, number> = {
            n: 10,
            r: 13,
            t: 9,
            b: 8,
            a: 7,
          };
          out.push(map[e] ?? src[i]!);
        } else if (c === 0x22) {
          if (src[i + 1] !== undefined && !space(src[i + 1])) return null; // closing quote must end the argument
          inDouble = false;
          i++;
          break;
        } else out.push(c);
      } else if (inSingle) {
        if (c === undefined) return null;
        if (c === 0x5c && src[i + 1] === 0x27) {
          i++;
          out.push(0x27);
        } else if (c === 0x27) {
          if (src[i + 1] !== undefined && !space(src[i + 1])) return null;
          inSingle = false;
          i++;
          break;
        } else out.push(c);
      } else {
        if (c === undefined || space(c)) break;
        if (c === 0x22) inDouble = true;
        else if (c === 0x27) inSingle = true;
        else out.push(c);
      }
      i++;
    }
    args.push(Buffer.from(out));
  }
}

/** redis-cli's quoting of a bulk string (its `sdscatrepr`): `"a\x00b\n"`. */
export function quote(b: Uint8Array): string {
  let s = '"';
  for (const c of b) {
    if (c === 0x5c || c === 0x22) s += "\\" + String.fromCharCode(c);
    else if (c === 0x0a) s += "\\n";
    else if (c === 0x0d) s += "\\r";
    else if (c === 0x09) s += "\\t";
    else if (c === 0x07) s += "\\a";
    else if (c === 0x08) s += "\\b";
    else if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += "\\x" + c.toString(16).padStart(2, "0");
  }
  return s + '"';
}

/** A reply as redis-cli prints it on a terminal (without the final newline). */
export function format(r: Reply, indent = 0): Buffer {
  switch (r.type) {
    case "status":
      return Buffer.from(r.value, "latin1");
    case "error":
      return Buffer.from(`(error) ${r.value}`, "latin1");
    case "integer":
      return Buffer.from(`(integer) ${r.value}`);
    case "bulk":
      return Buffer.from(r.value === null ? "(nil)" : quote(r.value), "latin1");
    case "array": {
      if (r.value === null) return Buffer.from("(nil)");
      if (r.value.length === 0) return Buffer.from("(empty array)");
      // "1) ", "2) ", ..., right-aligned to the widest index; nested arrays indent under their index.
      const width = String(r.value.length).length;
      const lines: Buffer[] = [];
      r.value.forEach((item, i) => {
        const prefix = `${String(i + 1).padStart(width)}) `;
        const pad = i === 0 ? "" : " ".repeat(indent);
        lines.push(
          Buffer.concat([
            Buffer.from(pad + prefix),
            format(item, indent + prefix.length),
          ]),
        );
      });
      return Buffer.concat(
        lines.flatMap((l, i) => (i ? [Buffer.from("\n"), l] : [l])),
      );
    }
  }
}

/** A reply as `redis-cli --raw` prints it: bulk data as is, arrays one element per line. */
export function formatRaw(r: Reply): Buffer {
  switch (r.type) {
    case "status":
    case "error":
      return Buffer.from(r.value, "latin1");
    case "integer":
      return Buffer.from(String(r.value));
    case "bulk":
      return r.value ?? Buffer.alloc(0);
    case "array":
      return Buffer.concat(
        (r.value ?? []).flatMap((x, i) =>
          i ? [Buffer.from("\n"), formatRaw(x)] : [formatRaw(x)],
        ),
      );
  }
}

/**
 * Writes all of `data` to stdout (fd 1), synchronously, like `sys.stdout.buffer.write`. When stdout is a
 * non-blocking pipe that is full, waits until it drains (select on fd 1).
 */
function writeOut(data: Uint8Array): void {
  for (let off = 0; off < data.length;) {
    try {
      off += writeSync(1, data, off, data.length - off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EAGAIN") throw e;
      select.select([], [1], []);
    }
  }
}

function main(argv: string[]): number {
  let host = "127.0.0.1";
  let port = 6379;
  let path: string | null = null;
  let raw = false;
  let lastFromStdin = false;
  let timeout = 10;
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (words.length > 0)
      words.push(a); // options only before the command
    else if (a === "-h") host = value();
    else if (a === "-p") port = Number(value());
    else if (a === "-s") path = value();
    else if (a === "--raw") raw = true;
    else if (a === "-x") lastFromStdin = true;
    else if (a === "--timeout") timeout = Number(value());
    else words.push(a);
  }

  // Each entry is a command, or null for a line that does not split (redis-cli prints "Invalid argument(s)").
  let commands: ((string | Uint8Array)[] | null)[];
  if (words.length > 0) {
    const cmd: (string | Uint8Array)[] = [...words];
    if (lastFromStdin) cmd.push(readFileSync(0)); // fd 0, all of it, as bytes
    commands = [cmd];
  } else {
    commands = [];
    const input = readFileSync(0); // bytes: arguments may be any bytes, not only UTF-8
    for (let start = 0; start < input.length;) {
      let end = input.indexOf(0x0a, start);
      if (end < 0) end = input.length;
      const args = splitArgs(input.subarray(start, end));
      if (args === null || args.length > 0) commands.push(args);
      start = end + 1;
    }
  }

  let r: Redis;
  try {
    r = new Redis(path ?? [host, port], timeout);
  } catch (e) {
    if (!(e instanceof socket.error)) throw e;
    const where = path ?? `${host}:${port}`;
    process.stderr.write(
      `Could not connect to Redis at ${where}: ${e.strerror ?? e.message}\n`,
    );
    return 1;
  }
  using redis = r;
  let status = 0;
  const replies = redis.pipeline(commands.filter((c) => c !== null));
  for (const cmd of commands) {
    if (cmd === null) {
      writeOut(Buffer.from("Invalid argument(s)\n"));
      continue;
    }
    const reply = replies.shift()!;
    if (reply.type === "error") status = 1;
    writeOut(
      Buffer.concat([
        raw ? formatRaw(reply) : format(reply),
        Buffer.from("\n"),
      ]),
    );
  }
  return status;
}

if (import.meta.main) {
  try {
    process.exit(main(process.argv.slice(2)));
  } catch (e) {
    const err = e as Error;
    process.stderr.write(`redis-cli: ${err.name}: ${err.message}\n`);
    process.exit(1);
  }
}
