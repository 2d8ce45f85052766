/** `socket.makefile()`: Python's SocketIO and the buffered binary/text file objects over it (io module semantics). */
import { plat } from "../ffi/index.ts";
import { pyType } from "./args.ts";
import {
  BlockingIOError,
  OSError,
  TimeoutError,
  ValueError,
} from "./errors.ts";

/** The key of the socket method a closing file calls (CPython's `_decref_socketios`). */
export const IO_DECREF: unique symbol = Symbol("decref_socketios");

/** The socket methods a SocketIO needs (kept structural so this file does not import the socket class). */
export interface IOSocket {
  recv_into(buffer: Uint8Array, nbytes?: number, flags?: number): number;
  send(data: Uint8Array, flags?: number): number;
  fileno(): number;
  /** Called when a file made by makefile() closes. */
  [IO_DECREF](): void;
}

const EAGAIN = plat.errnos.EAGAIN;

/** Python's `io.DEFAULT_BUFFER_SIZE`. */
export const DEFAULT_BUFFER_SIZE = 8192;

function closedFile(): ValueError {
  return new ValueError("I/O operation on closed file.");
}

/**
 * Python's `socket.SocketIO`: the raw file of `makefile(mode, 0)`, one `recv_into`/`send` per call.
 * In non-blocking mode `readinto`/`write` return `null` when the call would block; after a timeout every
 * later read raises `OSError("cannot read from timed out object")` (bpo-7322: buffered data may be lost).
 * @see https://docs.python.org/3/library/socket.html#socket.socket.makefile
 */
export class SocketIO {
  #sock: IOSocket | null;
  #reading: boolean;
  #writing: boolean;
  #timedOut = false;
  /** The mode the file was opened with (`"rb"`, `"wb"`, `"rwb"`). */
  readonly mode: string;

  constructor(sock: IOSocket, mode: string) {
    if (!["r", "w", "rw", "rb", "wb", "rwb"].includes(mode))
      throw new ValueError(`invalid mode: '${mode}'`);
    this.#sock = sock;
    if (!mode.includes("b")) mode += "b";
    this.mode = mode;
    this.#reading = mode.includes("r");
    this.#writing = mode.includes("w");
  }

  #live(): IOSocket {
    if (this.#sock === null) throw closedFile();
    return this.#sock;
  }

  /** Reads up to `b.length` bytes into `b` (`recv_into`): the count, 0 at EOF, or `null` if it would block. */
  readinto(b: Uint8Array): number | null {
    const s = this.#live();
    if (!this.#reading) throw new OSError("File not open for reading");
    if (this.#timedOut) throw new OSError("cannot read from timed out object");
    try {
      return s.recv_into(b);
    } catch (e) {
      if (e instanceof TimeoutError) this.#timedOut = true;
      else if (e instanceof BlockingIOError) return null;
      throw e;
    }
  }

  /** Writes some of `b` (`send`): the count, or `null` if it would block. */
  write(b: Uint8Array): number | null {
    const s = this.#live();
    if (!this.#writing) throw new OSError("File not open for writing");
    try {
      return s.send(b);
    } catch (e) {
      if (e instanceof BlockingIOError) return null;
      throw e;
    }
  }

  /** Whether reads are allowed. @throws ValueError on a closed file */
  readable(): boolean {
    this.#live();
    return this.#reading;
  }
  /** Whether writes are allowed. @throws ValueError on a closed file */
  writable(): boolean {
    this.#live();
    return this.#writing;
  }
  /** Always `false`: sockets cannot seek. @throws ValueError on a closed file */
  seekable(): boolean {
    this.#live();
    return false;
  }
  /** The socket's descriptor. */
  fileno(): number {
    return this.#live().fileno();
  }
  /** Python's `name`: the descriptor, or -1 once closed. */
  get name(): number {
    return this.#sock ? this.#sock.fileno() : -1;
  }
  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#sock === null;
  }
  /** Closes this file; the socket's descriptor closes when the socket and all its files are closed. */
  close(): void {
    const s = this.#sock;
    if (s === null) return;
    this.#sock = null;
    s[IO_DECREF]();
  }
  /** Nothing to flush on a raw file. */
  flush(): void {
    this.#live();
  }
  /** `using f = sock.makefile("rb", 0)` closes it. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/** A byte chunk → the data as a Buffer (copy). */
function out(b: Uint8Array, start: number, end: number): Buffer {
  const r = Buffer.allocUnsafe(end - start);
  r.set(b.subarray(start, end));
  return r;
}

/**
 * Python's `io.BufferedReader`/`BufferedWriter`/`BufferedRWPair` over a SocketIO: the binary file of
 * `makefile("rb" | "wb" | "rwb")`. Reads fill an internal buffer with one `recv_into` at a time (never a
 * call per byte or per line); writes collect until the buffer is full or `flush()`.
 * @see https://docs.python.org/3/library/io.html#io.BufferedReader
 */
export class BufferedSocketFile {
  readonly raw: SocketIO;
  #rbuf: Uint8Array;
  #rpos = 0;
  #rend = 0;
  #wbuf: Uint8Array;
  #wlen = 0;
  #closed = false;

  constructor(raw: SocketIO, bufferSize: number) {
    this.raw = raw;
    this.#rbuf = new Uint8Array(
      new ArrayBuffer(raw.mode.includes("r") ? bufferSize : 0),
    );
    this.#wbuf = new Uint8Array(
      new ArrayBuffer(raw.mode.includes("w") ? bufferSize : 0),
    );
  }

  #check(): void {
    if (this.#closed) throw closedFile();
  }
  #checkRead(): void {
    this.#check();
    if (!this.raw.mode.includes("r"))
      throw new OSError("File not open for reading");
  }
  #checkWrite(): void {
    this.#check();
    if (!this.raw.mode.includes("w"))
      throw new OSError("File not open for writing");
  }

  /** Refills the read buffer with one raw read: bytes read, 0 at EOF, null if it would block. */
  #fill(): number | null {
    if (this.#rpos === this.#rend) this.#rpos = this.#rend = 0;
    else if (this.#rend === this.#rbuf.length) {
      // Make room: move the unread tail to the front, or grow when the buffer is all unread data.
      if (this.#rpos > 0) {
        this.#rbuf.copyWithin(0, this.#rpos, this.#rend);
        this.#rend -= this.#rpos;
        this.#rpos = 0;
      } else {
        const bigger = new Uint8Array(new ArrayBuffer(this.#rbuf.length * 2));
        bigger.set(this.#rbuf);
        this.#rbuf = bigger;
      }
    }
    const n = this.raw.readinto(this.#rbuf.subarray(this.#rend));
    if (n !== null) this.#rend += n;
    return n;
  }

  /**
   * Reads up to `size` bytes, blocking until that many arrived or EOF; without `size` (or negative), until EOF.
   * Returns `null` in non-blocking mode when nothing is available.
   */
  read(size = -1): Buffer | null {
    this.#checkRead();
    const n = size === null || size === undefined ? -1 : size;
    if (typeof n !== "number")
      throw new TypeError(
        `argument should be integer or None, not '${pyType(n)}'`,
      );
    if (n < 0) {
      const chunks: Buffer[] = [];
      if (this.#rend > this.#rpos)
        chunks.push(out(this.#rbuf, this.#rpos, this.#rend));
      this.#rpos = this.#rend = 0;
      for (;;) {
        const r = this.#fill();
        if (r === null) {
          if (chunks.length === 0) return null;
          break;
        }
        if (r === 0) break;
        chunks.push(out(this.#rbuf, 0, r));
        this.#rpos = this.#rend = 0;
      }
      return Buffer.concat(chunks);
    }
    while (this.#rend - this.#rpos < n) {
      const before = this.#rend - this.#rpos;
      const r = this.#fill();
      if (r === null) {
        if (before === 0) return null;
        break;
      }
      if (r === 0) break;
    }
    const take = Math.min(n, this.#rend - this.#rpos);
    const b = out(this.#rbuf, this.#rpos, this.#rpos + take);
    this.#rpos += take;
    return b;
  }

  /** Reads up to `size` bytes with at most one raw read (Python's `read1`). */
  read1(size = -1): Buffer {
    this.#checkRead();
    if (this.#rend === this.#rpos) {
      if (this.#fill() === null) return Buffer.alloc(0);
    }
    const avail = this.#rend - this.#rpos;
    const take = size < 0 ? avail : Math.min(size, avail);
    const b = out(this.#rbuf, this.#rpos, this.#rpos + take);
    this.#rpos += take;
    return b;
  }

  /** Reads one line, up to and including `\n` (at most `limit` bytes when given); empty at EOF. */
  readline(limit = -1): Buffer {
    this.#checkRead();
    const lim = limit === null || limit === undefined ? -1 : limit;
    let scanFrom = this.#rpos;
    for (;;) {
      const nl = this.#rbuf.indexOf(10, scanFrom);
      const end = nl >= 0 && nl < this.#rend ? nl + 1 : -1;
      if (lim >= 0 && (end < 0 ? this.#rend : end) - this.#rpos >= lim) {
        const b = out(this.#rbuf, this.#rpos, this.#rpos + lim);
        this.#rpos += lim;
        return b;
      }
      if (end >= 0) {
        const b = out(this.#rbuf, this.#rpos, end);
        this.#rpos = end;
        return b;
      }
      const held = this.#rend - this.#rpos;
      const r = this.#fill();
      if (r === null || r === 0) {
        const b = out(this.#rbuf, this.#rpos, this.#rend);
        this.#rpos = this.#rend;
        return b;
      }
      scanFrom = this.#rpos + held;
    }
  }

  /** All remaining lines (stopping once `hint` bytes were read, when given). */
  readlines(hint = -1): Buffer[] {
    const lines: Buffer[] = [];
    let total = 0;
    for (;;) {
      const line = this.readline();
      if (line.length === 0) return lines;
      lines.push(line);
      total += line.length;
      if (hint > 0 && total >= hint) return lines;
    }
  }

  /** Reads into `b` (blocking until it is full or EOF): the count. */
  readinto(b: ArrayBufferView): number | null {
    const view = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    const data = this.read(view.length);
    if (data === null) return null;
    view.set(data);
    return data.length;
  }

  /** Returns buffered bytes without consuming them, reading once if none are buffered (Python's `peek`). */
  peek(size = 0): Buffer {
    this.#checkRead();
    if (this.#rend === this.#rpos) this.#fill();
    void size; // Python returns everything buffered, whatever `size` says
    return out(this.#rbuf, this.#rpos, this.#rend);
  }

  /** Buffers `data` and sends when the buffer fills; returns its length. Strings are taken as UTF-8. */
  write(data: ArrayBufferView | ArrayBuffer | string): number {
    this.#checkWrite();
    const b =
      typeof data === "string"
        ? Buffer.from(data, "utf8")
        : data instanceof ArrayBuffer
          ? new Uint8Array(data)
          : ArrayBuffer.isView(data)
            ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
            : (() => {
                throw new TypeError(
                  `a bytes-like object is required, not '${pyType(data)}'`,
                );
              })();
    if (this.#wlen + b.length <= this.#wbuf.length) {
      this.#wbuf.set(b, this.#wlen);
      this.#wlen += b.length;
      return b.length;
    }
    this.#flushBuffer();
    if (b.length >= this.#wbuf.length) this.#writeAll(b);
    else {
      this.#wbuf.set(b, 0);
      this.#wlen = b.length;
    }
    return b.length;
  }

  /** Writes each item of `lines`. */
  writelines(lines: Iterable<ArrayBufferView | ArrayBuffer | string>): void {
    for (const l of lines) this.write(l);
  }

  #writeAll(b: Uint8Array): void {
    let off = 0;
    while (off < b.length) {
      const n = this.raw.write(off === 0 ? b : b.subarray(off));
      if (n === null) {
        const e = new BlockingIOError(
          EAGAIN,
          "write could not complete without blocking",
        );
        e.characters_written = off;
        throw e;
      }
      off += n;
    }
  }

  #flushBuffer(): void {
    if (this.#wlen === 0) return;
    const n = this.#wlen;
    this.#wlen = 0;
    this.#writeAll(this.#wbuf.subarray(0, n));
  }

  /** Sends everything buffered. */
  flush(): void {
    this.#check();
    this.#flushBuffer();
  }

  /** Whether reads are allowed. */
  readable(): boolean {
    this.#check();
    return this.raw.mode.includes("r");
  }
  /** Whether writes are allowed. */
  writable(): boolean {
    this.#check();
    return this.raw.mode.includes("w");
  }
  /** Always `false`. */
  seekable(): boolean {
    this.#check();
    return false;
  }
  /** The socket's descriptor. */
  fileno(): number {
    return this.raw.fileno();
  }
  /** The file's mode (`"rb"`, `"wb"`, `"rwb"`). */
  get mode(): string {
    return this.raw.mode;
  }
  /** Python's `name`: the descriptor. */
  get name(): number {
    return this.raw.name;
  }
  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#closed;
  }
  /** Flushes, then closes the raw file (the descriptor closes when the socket and all its files are closed). */
  close(): void {
    if (this.#closed) return;
    try {
      if (this.#wlen > 0 && !this.raw.closed) this.#flushBuffer();
    } finally {
      this.#closed = true;
      this.raw.close();
    }
  }
  /** `using f = sock.makefile("rb")` closes it. */
  [Symbol.dispose](): void {
    this.close();
  }
  /** `for (const line of f)`: lines until EOF. */
  *[Symbol.iterator](): Generator<Buffer, void, undefined> {
    for (;;) {
      const line = this.readline();
      if (line.length === 0) return;
      yield line;
    }
  }
}

/** Text-file options of `makefile`, as Python's keyword arguments. */
export interface TextOptions {
  /** Text encoding; only UTF-8 family names and `latin-1`/`ascii` are available (TextDecoder's set). Default UTF-8. */
  encoding?: string | null;
  /** `"strict"` (default), `"replace"` or `"ignore"`. */
  errors?: string | null;
  /** Python's newline handling: `null` (universal), `""`, `"\n"`, `"\r"`, `"\r\n"`. */
  newline?: string | null;
}

/**
 * Python's `io.TextIOWrapper` over the binary socket file: the file of `makefile("r" | "w" | "rw")`.
 * Decodes incrementally, so a multi-byte character split across reads comes out whole.
 * @see https://docs.python.org/3/library/io.html#io.TextIOWrapper
 */
export class TextSocketFile {
  readonly buffer: BufferedSocketFile;
  /** The mode string given to `makefile`. */
  readonly mode: string;
  readonly encoding: string;
  readonly errors: string;
  #decoder: TextDecoder;
  #encoder = new TextEncoder();
  #newline: string | null;
  #pending = "";
  #eof = false;
  #pendingCR = false;

  constructor(
    buffer: BufferedSocketFile,
    mode: string,
    opts: TextOptions = {},
  ) {
    this.buffer = buffer;
    this.mode = mode;
    this.encoding = opts.encoding ?? "utf-8";
    this.errors = opts.errors ?? "strict";
    const nl = opts.newline === undefined ? null : opts.newline;
    if (nl !== null && !["", "\n", "\r", "\r\n"].includes(nl))
      throw new ValueError(`illegal newline value: ${nl}`);
    this.#newline = nl;
    if (!["strict", "replace", "ignore"].includes(this.errors))
      throw new ValueError(`unsupported errors handler '${this.errors}'`);
    try {
      this.#decoder = new TextDecoder(
        this.encoding as ConstructorParameters<typeof TextDecoder>[0],
        {
          fatal: this.errors === "strict",
        },
      );
    } catch {
      throw new ValueError(`unknown encoding: ${this.encoding}`);
    }
    if (this.errors === "ignore") this.#ignore = true;
    const norm = this.#decoder.encoding; // the WHATWG name: "utf-8", "windows-1252", ...
    this.#encode =
      norm === "utf-8"
        ? (t) => this.#encoder.encode(t)
        : norm === "windows-1252" || norm === "iso-8859-1"
          ? (t) => {
              for (let i = 0; i < t.length; i++)
                if (t.charCodeAt(i) > 0xff)
                  throw new ValueError(
                    `'latin-1' codec can't encode character in position ${i}: ordinal not in range(256)`,
                  );
              return Buffer.from(t, "latin1");
            }
          : () => {
              throw new ValueError(
                `writing is only supported for utf-8 and latin-1, not ${this.encoding}`,
              );
            };
  }
  #ignore = false;
  #encode: (s: string) => Uint8Array;

  #translate(s: string): string {
    if (this.#newline !== null) return s;
    // Universal newlines: \r\n and \r become \n (a \r at a chunk end waits for the next chunk).
    if (this.#pendingCR) {
      s = "\r" + s;
      this.#pendingCR = false;
    }
    if (s.endsWith("\r") && !this.#eof) {
      this.#pendingCR = true;
      s = s.slice(0, -1);
    }
    return s.replace(/\r\n?/g, "\n");
  }

  #decode(b: Uint8Array, final: boolean): string {
    let s: string;
    try {
      s = this.#decoder.decode(b, { stream: !final });
    } catch {
      throw new ValueError(
        `'${this.encoding}' codec can't decode bytes: invalid data`,
      );
    }
    if (this.#ignore) s = s.replace(/\ufffd/g, "");
    return s;
  }

  /** Pulls one more chunk into the pending text; false at EOF. */
  #more(): boolean {
    if (this.#eof) return false;
    const chunk = this.buffer.read1(DEFAULT_BUFFER_SIZE);
    if (chunk.length === 0) {
      this.#eof = true;
      this.#pending += this.#translate(this.#decode(new Uint8Array(0), true));
      return this.#pending.length > 0;
    }
    this.#pending += this.#translate(this.#decode(chunk, false));
    return true;
  }

  /** Reads up to `size` characters; without `size`, until EOF. */
  read(size = -1): string {
    if (size < 0) {
      while (this.#more());
      const s = this.#pending;
      this.#pending = "";
      return s;
    }
    while (this.#pending.length < size && this.#more());
    const s = this.#pending.slice(0, size);
    this.#pending = this.#pending.slice(s.length);
    return s;
  }

  #lineEnd(): number {
    const p = this.#pending;
    const nl = this.#newline;
    if (nl === null || nl === "\n") {
      const i = p.indexOf("\n");
      return i < 0 ? -1 : i + 1;
    }
    if (nl === "\r" || nl === "\r\n") {
      const i = p.indexOf(nl);
      return i < 0 ? -1 : i + nl.length;
    }
    // newline "": any of \r, \n, \r\n ends a line (a final \r needs the next char to decide).
    const m = /\r\n|\r(?=.)|\n/s.exec(p);
    if (m) return m.index + m[0].length;
    if (p.endsWith("\r") && this.#eof) return p.length;
    return -1;
  }

  /** Reads one line including its newline (at most `limit` characters); empty at EOF. */
  readline(limit = -1): string {
    for (;;) {
      const end = this.#lineEnd();
      if (
        limit >= 0 &&
        (end < 0 ? this.#pending.length : end) >= limit &&
        this.#pending.length >= limit
      ) {
        const s = this.#pending.slice(0, limit);
        this.#pending = this.#pending.slice(limit);
        return s;
      }
      if (end >= 0) {
        const s = this.#pending.slice(0, end);
        this.#pending = this.#pending.slice(end);
        return s;
      }
      if (!this.#more()) {
        const s = this.#pending;
        this.#pending = "";
        return s;
      }
    }
  }

  /** All remaining lines. */
  readlines(hint = -1): string[] {
    const lines: string[] = [];
    let total = 0;
    for (;;) {
      const l = this.readline();
      if (!l) return lines;
      lines.push(l);
      total += l.length;
      if (hint > 0 && total >= hint) return lines;
    }
  }

  /** Encodes and buffers `s` (universal-newline mode writes `\n` as is on POSIX); returns its length. */
  write(s: string): number {
    if (typeof s !== "string")
      throw new TypeError(`write() argument must be str, not ${pyType(s)}`);
    let t = s;
    if (
      this.#newline !== null &&
      this.#newline !== "" &&
      this.#newline !== "\n"
    )
      t = t.replace(/\n/g, this.#newline);
    this.buffer.write(this.#encode(t));
    return s.length;
  }

  /** Writes each string of `lines`. */
  writelines(lines: Iterable<string>): void {
    for (const l of lines) this.write(l);
  }
  /** Sends everything buffered. */
  flush(): void {
    this.buffer.flush();
  }
  /** Flushes and closes. */
  close(): void {
    this.buffer.close();
  }
  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.buffer.closed;
  }
  /** The socket's descriptor. */
  fileno(): number {
    return this.buffer.fileno();
  }
  /** Python's `name`: the descriptor. */
  get name(): number {
    return this.buffer.name;
  }
  /** Whether reads are allowed. */
  readable(): boolean {
    return this.buffer.readable();
  }
  /** Whether writes are allowed. */
  writable(): boolean {
    return this.buffer.writable();
  }
  /** Always `false`. */
  seekable(): boolean {
    return this.buffer.seekable();
  }
  /** `using f = sock.makefile("r")` closes it. */
  [Symbol.dispose](): void {
    this.close();
  }
  /** `for (const line of f)`: lines until EOF. */
  *[Symbol.iterator](): Generator<string, void, undefined> {
    for (;;) {
      const line = this.readline();
      if (!line) return;
      yield line;
    }
  }
}

/** What `makefile` returns for each mode. */
export type SocketFile = SocketIO | BufferedSocketFile | TextSocketFile;

/**
 * CPython's `socket.makefile` logic: validates the mode, builds SocketIO (+ buffering, + text).
 * `incref` is called once the raw file exists (the socket counts its open files).
 */
export function makeFile(
  sock: IOSocket,
  mode: string,
  buffering: number | null,
  opts: TextOptions,
  incref: () => void,
): SocketFile {
  if (typeof mode !== "string")
    throw new TypeError(
      `makefile() argument 'mode' must be str, not ${pyType(mode)}`,
    );
  for (const c of mode)
    if (c !== "r" && c !== "w" && c !== "b")
      throw new ValueError(`invalid mode '${mode}' (only r, w, b allowed)`);
  const writing = mode.includes("w");
  const reading = mode.includes("r") || !writing;
  const binary = mode.includes("b");
  const rawmode = (reading ? "r" : "") + (writing ? "w" : "");
  let size = buffering === null || buffering === undefined ? -1 : buffering;
  if (size === 0 && !binary)
    throw new ValueError("unbuffered streams must be binary");
  const raw = new SocketIO(sock, rawmode);
  incref();
  if (size < 0) size = DEFAULT_BUFFER_SIZE;
  if (size === 0) return raw;
  const buffer = new BufferedSocketFile(raw, size);
  if (binary) return buffer;
  return new TextSocketFile(buffer, mode, opts);
}
