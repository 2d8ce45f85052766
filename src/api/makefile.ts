/** `socket.makefile()`: Python's SocketIO and the buffered binary/text file objects over it (io module semantics). */
import { plat } from "../ffi/index.ts";
import { pyType, writableBytes } from "./args.ts";
import {
  BlockingIOError,
  OSError,
  TimeoutError,
  ValueError,
} from "./errors.ts";

import { IO_DECREF } from "./files.ts";

/** The socket methods a SocketIO needs (kept structural so this file does not import the socket class). */
export interface IOSocket {
  recv_into(
    buffer: ArrayBufferView | ArrayBuffer,
    nbytes?: number,
    flags?: number,
  ): number;
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

// DIFFERS FROM CPYTHON: Python raises io.UnsupportedOperation (an OSError and a ValueError) for the wrong
// direction; a JS class can have one base only, so these are OSError with CPython's SocketIO message (the
// buffered and text files use it too, where CPython's say just "read"/"not readable").
function notReadable(): OSError {
  return new OSError("File or stream is not readable.");
}
function notWritable(): OSError {
  return new OSError("File or stream is not writable.");
}

/**
 * Python's `socket.SocketIO`: the raw file of `makefile(mode, 0)`, one `recv_into`/`send` per call.
 * In non-blocking mode `readinto`/`write` return `null` when the call would block; after a timeout every
 * later read raises `OSError("cannot read from timed out object")` (bpo-7322: buffered data may be lost).
 * @example
 * ```ts
 * using f = s.makefile("rwb", 0); // a SocketIO
 * f.write(Buffer.from("ping\n"));
 * console.log(f.read(1024));
 * ```
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

  /** CPython's SocketIO.readable/writable/seekable word their closed-file error differently. */
  #liveSocket(): void {
    if (this.#sock === null)
      throw new ValueError("I/O operation on closed socket.");
  }

  /**
   * Reads up to `b.byteLength` bytes into `b` (one `recv_into`): the count, 0 at EOF, or `null` if it would block.
   * @throws TimeoutError once; afterwards OSError "cannot read from timed out object" (bpo-7322)
   */
  readinto(b: ArrayBufferView | ArrayBuffer): number | null {
    const s = this.#live();
    if (!this.#reading) throw notReadable();
    if (this.#timedOut) throw new OSError("cannot read from timed out object");
    try {
      return s.recv_into(b);
    } catch (e) {
      if (e instanceof TimeoutError) this.#timedOut = true;
      else if (e instanceof BlockingIOError) return null;
      throw e;
    }
  }

  /**
   * Python's `RawIOBase.read(size)`: at most `size` bytes with one `recv_into` (`null` if it would block);
   * without `size` (or negative), everything until EOF (`readall`).
   */
  read(size: number | null = -1): Buffer | null {
    const n = size === null || size === undefined ? -1 : size;
    if (n < 0) return this.readall();
    const b = Buffer.allocUnsafe(n);
    const got = this.readinto(b);
    if (got === null) return null;
    return got === n ? b : b.subarray(0, got);
  }

  /** Python's `RawIOBase.readall()`: reads until EOF; `null` if nothing could be read without blocking. */
  readall(): Buffer | null {
    const chunks: Buffer[] = [];
    for (;;) {
      const b = this.read(DEFAULT_BUFFER_SIZE);
      if (b === null) {
        if (chunks.length === 0) return null;
        break;
      }
      if (b.length === 0) break;
      chunks.push(b);
    }
    return Buffer.concat(chunks);
  }

  /**
   * Python's `IOBase.readline(size)` on a raw file: one byte per `recv` so that nothing past the newline is
   * consumed (another file made later from the same socket sees the rest, as http.client relies on).
   */
  readline(size: number | null = -1): Buffer {
    const limit = size === null || size === undefined ? -1 : size;
    const out: number[] = [];
    const one = Buffer.allocUnsafe(1);
    while (limit < 0 || out.length < limit) {
      const n = this.readinto(one);
      if (!n) break;
      out.push(one[0]!);
      if (one[0] === 10) break;
    }
    return Buffer.from(out);
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

  /** Writes some of `b` (one `send`): the count, or `null` if it would block. */
  write(b: ArrayBufferView | ArrayBuffer | string): number | null {
    const s = this.#live();
    if (!this.#writing) throw notWritable();
    const bytes = toBytes(b);
    try {
      return s.send(bytes);
    } catch (e) {
      if (e instanceof BlockingIOError) return null;
      throw e;
    }
  }

  /** Python's `IOBase.writelines`: `write` of each item (a raw write may be partial, as in Python). */
  writelines(lines: Iterable<ArrayBufferView | ArrayBuffer | string>): void {
    this.#live();
    for (const l of lines) this.write(l);
  }

  /** Whether reads are allowed. @throws ValueError on a closed file */
  readable(): boolean {
    this.#liveSocket();
    return this.#reading;
  }
  /** Whether writes are allowed. @throws ValueError on a closed file */
  writable(): boolean {
    this.#liveSocket();
    return this.#writing;
  }
  /** Always `false`: sockets cannot seek. @throws ValueError on a closed file */
  seekable(): boolean {
    this.#liveSocket();
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
  /** `for (const line of f)`: lines until EOF. */
  *[Symbol.iterator](): Generator<Buffer, void, undefined> {
    for (;;) {
      const line = this.readline();
      if (line.length === 0) return;
      yield line;
    }
  }
}

/**
 * Bytes-like input as a Uint8Array view.
 * DIFFERS FROM CPYTHON: a string is written as UTF-8, like the socket methods (Python: TypeError).
 */
function toBytes(data: ArrayBufferView | ArrayBuffer | string): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (typeof data === "string") return Buffer.from(data, "utf8");
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data))
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  throw new TypeError(`a bytes-like object is required, not '${pyType(data)}'`);
}

/** A byte chunk → the data as a Buffer (copy). */
function out(b: Buffer, start: number, end: number): Buffer {
  const r = Buffer.allocUnsafe(end - start);
  b.copy(r, 0, start, end); // native copy, no intermediate view (readline's hot path)
  return r;
}

/**
 * Python's `io.BufferedReader`/`BufferedWriter`/`BufferedRWPair` over a SocketIO: the binary file of
 * `makefile("rb" | "wb" | "rwb")`. Reads fill an internal buffer with one `recv_into` at a time (never a
 * call per byte or per line); writes collect until the buffer is full or `flush()`.
 *
 * DIFFERS FROM CPYTHON: one class for the three; the `"rwb"` file therefore has `mode`, `name` and `peek`, which
 * CPython's BufferedRWPair lacks.
 * @example
 * ```ts
 * using f = s.makefile("rb"); // a BufferedSocketFile
 * const statusLine = f.readline();
 * ```
 * @see https://docs.python.org/3/library/io.html#io.BufferedReader
 */
export class BufferedSocketFile {
  /** The unbuffered file underneath (Python's `BufferedReader.raw`): the `SocketIO` that calls `recv_into`/`send`. */
  readonly raw: SocketIO;
  #rbuf: Buffer;
  #rpos = 0;
  #rend = 0;
  #wbuf: Uint8Array;
  #wlen = 0;
  #closed = false;

  constructor(raw: SocketIO, bufferSize: number) {
    this.raw = raw;
    this.#rbuf = Buffer.from(
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
    if (!this.raw.mode.includes("r")) throw notReadable();
  }
  #checkWrite(): void {
    this.#check();
    if (!this.raw.mode.includes("w")) throw notWritable();
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
        const bigger = Buffer.from(new ArrayBuffer(this.#rbuf.length * 2));
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

  /**
   * Reads up to `size` bytes with at most one raw read (Python's `read1`).
   * DIFFERS FROM CPYTHON: with an empty buffer the raw read fills the buffer (up to its size) and the rest stays
   * buffered; CPython asks the socket for `size` bytes only.
   */
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
  readinto(b: ArrayBufferView | ArrayBuffer): number | null {
    const view = writableBytes(b);
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
    const b = toBytes(data);
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
  /**
   * Text encoding (default UTF-8). UTF-8, latin-1 and ASCII (with Python's aliases) behave as Python's codecs;
   * any other name is decoded by `TextDecoder` (WHATWG) and cannot be written.
   */
  encoding?: string | null;
  /** `"strict"` (default), `"replace"` or `"ignore"`. */
  errors?: string | null;
  /** Python's newline handling: `null` (universal), `""`, `"\n"`, `"\r"`, `"\r\n"`. */
  newline?: string | null;
}

/** An incremental codec with Python's `errors` handling. */
interface Codec {
  /** Python's codec name, as its messages show it (`'utf-8'`, `'latin-1'`, `'ascii'`). */
  readonly name: string;
  decode(b: Uint8Array, final: boolean): string;
  encode(s: string): Uint8Array;
}

/** Python's spelling of a character in a UnicodeError message: `'\u20ac'`. */
function escapeChar(cp: number): string {
  if (cp < 0x100) return `'\\x${cp.toString(16).padStart(2, "0")}'`;
  if (cp < 0x10000) return `'\\u${cp.toString(16).padStart(4, "0")}'`;
  return `'\\U${cp.toString(16).padStart(8, "0")}'`;
}

/**
 * Encodes `s` one code point at a time with `put` (false: not encodable); unencodable runs follow `errors`
 * (strict: ValueError with CPython's UnicodeEncodeError text; replace: `?`; ignore: dropped).
 */
function encodeWith(
  name: string,
  errors: string,
  reason: string,
  s: string,
  put: (cp: number, out: number[]) => boolean,
): Uint8Array {
  const out: number[] = [];
  let pos = 0; // position in code points, as Python counts them
  const cps = [...s];
  for (let i = 0; i < cps.length; i++, pos++) {
    const cp = cps[i]!.codePointAt(0)!;
    if (put(cp, out)) continue;
    if (errors === "strict") {
      let j = i + 1;
      while (j < cps.length && !put(cps[j]!.codePointAt(0)!, [])) j++;
      const what =
        j - i === 1
          ? `character ${escapeChar(cp)} in position ${pos}`
          : `characters in position ${pos}-${pos + j - i - 1}`;
      // DIFFERS FROM CPYTHON: a ValueError with UnicodeEncodeError's text (Python's class derives from ValueError).
      throw new ValueError(`'${name}' codec can't encode ${what}: ${reason}`);
    }
    if (errors === "replace") out.push(0x3f);
  }
  return Uint8Array.from(out);
}

const utf8Encoder = new TextEncoder();

function utf8Codec(errors: string): Codec {
  const decoder = new TextDecoder("utf-8", { fatal: errors === "strict" });
  return {
    name: "utf-8",
    decode(b, final) {
      let text: string;
      try {
        text = decoder.decode(b, { stream: !final });
      } catch {
        // DIFFERS FROM CPYTHON: TextDecoder does not say where; Python names the byte and position.
        throw new ValueError("'utf-8' codec can't decode bytes: invalid data");
      }
      // DIFFERS FROM CPYTHON: "ignore" also drops U+FFFD characters that were validly encoded in the input.
      return errors === "ignore" ? text.replace(/\ufffd/g, "") : text;
    },
    encode(t) {
      if (t.isWellFormed()) return utf8Encoder.encode(t);
      return encodeWith(
        "utf-8",
        errors,
        "surrogates not allowed",
        t,
        (cp, out) => {
          if (cp >= 0xd800 && cp <= 0xdfff) return false;
          for (const byte of utf8Encoder.encode(String.fromCodePoint(cp)))
            out.push(byte);
          return true;
        },
      );
    },
  };
}

function byteCodec(name: string, max: number, errors: string): Codec {
  const reason = `ordinal not in range(${max + 1})`;
  return {
    name,
    decode(b) {
      if (max === 0xff)
        return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString(
          "latin1",
        );
      let text = "";
      for (let i = 0; i < b.length; i++) {
        const c = b[i]!;
        if (c <= max) text += String.fromCharCode(c);
        else if (errors === "strict")
          throw new ValueError(
            `'${name}' codec can't decode byte 0x${c.toString(16)} in position ${i}: ${reason}`,
          );
        else if (errors === "replace") text += "\ufffd";
      }
      return text;
    },
    encode(t) {
      return encodeWith(name, errors, reason, t, (cp, out) => {
        if (cp > max) return false;
        out.push(cp);
        return true;
      });
    },
  };
}

// Python's codec aliases, compared after lower-casing and dropping "-", "_" and spaces.
const UTF8_NAMES = new Set(["utf8", "u8", "utf", "cp65001"]);
const LATIN1_NAMES = new Set([
  "latin1",
  "latin",
  "l1",
  "iso88591",
  "8859",
  "cp819",
  "isoir100",
  "csisolatin1",
]);
const ASCII_NAMES = new Set([
  "ascii",
  "usascii",
  "646",
  "us",
  "ansix3.41968",
  "ansix3.41986",
  "ansix3.4",
  "cp367",
  "csascii",
  "ibm367",
  "iso646us",
  "isoir6",
]);

function codecFor(encoding: string, errors: string): Codec {
  const key = encoding.toLowerCase().replace(/[-_\s]/g, "");
  if (UTF8_NAMES.has(key)) return utf8Codec(errors);
  if (LATIN1_NAMES.has(key)) return byteCodec("latin-1", 0xff, errors);
  if (ASCII_NAMES.has(key)) return byteCodec("ascii", 0x7f, errors);
  // DIFFERS FROM CPYTHON: other encodings go through TextDecoder (WHATWG labels and tables, which differ from
  // Python's codecs in places) and are read-only.
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(
      encoding as ConstructorParameters<typeof TextDecoder>[0],
      { fatal: errors === "strict" },
    );
  } catch {
    throw new ValueError(`unknown encoding: ${encoding}`);
  }
  return {
    name: encoding,
    decode(b, final) {
      try {
        return decoder.decode(b, { stream: !final });
      } catch {
        throw new ValueError(
          `'${encoding}' codec can't decode bytes: invalid data`,
        );
      }
    },
    encode() {
      throw new ValueError(
        `writing is only supported for utf-8, latin-1 and ascii, not ${encoding}`,
      );
    },
  };
}

/** Index in `s` just past `n` code points counted from `from`, or -1 when `s` holds fewer. */
function advance(s: string, from: number, n: number): number {
  let i = from;
  for (let k = 0; k < n; k++) {
    if (i >= s.length) return -1;
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < s.length ? 2 : 1;
  }
  return i;
}

/** Number of code points in `s` (Python's `len(str)`). */
function codePoints(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/**
 * Python's `io.TextIOWrapper` over the binary socket file: the file of `makefile("r" | "w" | "rw")`.
 * Decodes incrementally, so a multi-byte character split across reads comes out whole; sizes and limits count
 * characters (code points), as Python's `str` does.
 * @example
 * ```ts
 * using f = s.makefile("r", null, { encoding: "utf-8" }); // a TextSocketFile
 * for (const line of f) console.log(line.trimEnd());
 * ```
 * @see https://docs.python.org/3/library/io.html#io.TextIOWrapper
 */
export class TextSocketFile {
  /** The binary file underneath (Python's `TextIOWrapper.buffer`). */
  readonly buffer: BufferedSocketFile;
  /** The mode string given to `makefile`. */
  readonly mode: string;
  /** The text encoding, e.g. `"utf-8"` (Python's `TextIOWrapper.encoding`). */
  readonly encoding: string;
  /** How encoding and decoding errors are handled, e.g. `"strict"` (Python's `TextIOWrapper.errors`). */
  readonly errors: string;
  #codec: Codec;
  #newline: string | null;
  // Decoded text not yet returned: #pending from index #pos.
  #pending = "";
  #pos = 0;
  // The last read1 saw EOF (reset when data arrives again).
  #eof = false;
  // Universal newlines: a "\r" ending a chunk waits to see whether "\n" follows.
  #pendingCR = false;

  constructor(
    buffer: BufferedSocketFile,
    mode: string,
    opts: TextOptions = {},
  ) {
    this.buffer = buffer;
    this.mode = mode;
    // DIFFERS FROM CPYTHON: the default is UTF-8, not the locale's encoding (io.text_encoding(None)).
    this.encoding = opts.encoding ?? "utf-8";
    this.errors = opts.errors ?? "strict";
    if (typeof this.encoding !== "string")
      throw new TypeError(
        `TextIOWrapper() argument 'encoding' must be str or None, not ${pyType(this.encoding)}`,
      );
    const nl = opts.newline === undefined ? null : opts.newline;
    if (nl !== null && !["", "\n", "\r", "\r\n"].includes(nl))
      throw new ValueError(`illegal newline value: ${nl}`);
    this.#newline = nl;
    // DIFFERS FROM CPYTHON: only these three handlers exist here (Python also has surrogateescape, ...).
    if (!["strict", "replace", "ignore"].includes(this.errors))
      throw new ValueError(`unsupported errors handler '${this.errors}'`);
    this.#codec = codecFor(this.encoding, this.errors);
  }

  #check(): void {
    if (this.buffer.closed) throw closedFile();
  }

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

  /** Pulls one more chunk (one `read1`) into the pending text, dropping what was consumed; false at EOF. */
  #more(): boolean {
    const chunk = this.buffer.read1(DEFAULT_BUFFER_SIZE);
    const rest = this.#pending.slice(this.#pos);
    this.#pos = 0;
    if (chunk.length === 0) {
      this.#eof = true;
      const tail = this.#translate(this.#codec.decode(new Uint8Array(0), true));
      this.#pending = rest + tail;
      return tail.length > 0;
    }
    this.#eof = false;
    this.#pending = rest + this.#translate(this.#codec.decode(chunk, false));
    return true;
  }

  /** Returns pending text up to index `end` and consumes it. */
  #take(end: number): string {
    const s = this.#pending.slice(this.#pos, end);
    if (end >= this.#pending.length) {
      this.#pending = "";
      this.#pos = 0;
    } else this.#pos = end;
    return s;
  }

  /** Reads up to `size` characters; without `size` (or negative), until EOF. */
  read(size: number | null = -1): string {
    this.#check();
    if (!this.buffer.readable()) throw notReadable();
    const n = size === null || size === undefined ? -1 : size;
    if (typeof n !== "number")
      throw new TypeError(
        `argument should be integer or None, not '${pyType(n)}'`,
      );
    if (n < 0) {
      while (this.#more());
      return this.#take(this.#pending.length);
    }
    // Count code points once: `i` walks the pending text, surviving the compaction that #more does.
    let i = this.#pos;
    let count = 0;
    for (;;) {
      const p = this.#pending;
      while (count < n && i < p.length) {
        const c = p.charCodeAt(i);
        i += c >= 0xd800 && c <= 0xdbff && i + 1 < p.length ? 2 : 1;
        count++;
      }
      if (count >= n) return this.#take(i);
      const base = this.#pos;
      if (!this.#more()) return this.#take(this.#pending.length);
      i -= base;
    }
  }

  /** Index just past the first line ending at or after `from`, or -1 if none is complete yet. */
  #lineEnd(from: number): number {
    const p = this.#pending;
    const nl = this.#newline;
    if (nl === null || nl === "\n" || nl === "\r" || nl === "\r\n") {
      const sep = nl ?? "\n";
      const i = p.indexOf(sep, from);
      return i < 0 ? -1 : i + sep.length;
    }
    // newline "": any of \r, \n, \r\n ends a line (a final \r needs the next char to decide).
    for (let i = from; i < p.length; i++) {
      const c = p.charCodeAt(i);
      if (c === 10) return i + 1;
      if (c === 13) {
        if (i + 1 < p.length) return p.charCodeAt(i + 1) === 10 ? i + 2 : i + 1;
        return this.#eof ? i + 1 : -1;
      }
    }
    return -1;
  }

  /** Reads one line including its ending (at most `limit` characters); empty at EOF. */
  readline(limit: number | null = -1): string {
    this.#check();
    if (!this.buffer.readable()) throw notReadable();
    const lim = limit === null || limit === undefined ? -1 : limit;
    let scan = this.#pos;
    for (;;) {
      const end = this.#lineEnd(scan);
      if (lim >= 0) {
        const cut = advance(this.#pending, this.#pos, lim);
        if (cut >= 0 && (end < 0 || cut < end)) return this.#take(cut);
      }
      if (end >= 0) return this.#take(end);
      const seen = this.#pending.length - this.#pos;
      if (!this.#more()) return this.#take(this.#pending.length);
      // Look again from the last old character: a "\r\n" may straddle the chunks.
      scan = Math.max(0, seen - 1);
    }
  }

  /** All remaining lines (stopping once `hint` characters were read, when given). */
  readlines(hint = -1): string[] {
    const lines: string[] = [];
    let total = 0;
    for (;;) {
      const l = this.readline();
      if (!l) return lines;
      lines.push(l);
      total += codePoints(l);
      if (hint > 0 && total >= hint) return lines;
    }
  }

  /** Encodes and buffers `s` (`"\n"` becomes `newline` when that is `"\r"` or `"\r\n"`); returns its length in characters. */
  write(s: string): number {
    this.#check();
    if (typeof s !== "string")
      throw new TypeError(`write() argument must be str, not ${pyType(s)}`);
    if (!this.buffer.writable()) throw notWritable();
    let t = s;
    if (this.#newline === "\r" || this.#newline === "\r\n")
      t = t.replace(/\n/g, this.#newline);
    this.buffer.write(this.#codec.encode(t));
    return codePoints(s);
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
