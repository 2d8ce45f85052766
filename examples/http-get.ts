/**
 * An HTTP/1.1 client on `create_connection` + `makefile("rb")`, the way Python's `http.client` is built:
 * status line and headers read with `readline()`, bodies by Content-Length, chunked transfer coding or
 * until the server closes, and one keep-alive connection per host for several requests. `https://` URLs
 * go through `bun-socket/ssl` with certificate and host name verification on, as in Python.
 *
 *   bun examples/http-get.ts [options] URL [URL...]
 *
 *   -I, --head        send HEAD instead of GET
 *   -i, --include     write the status line and headers to stdout before each body
 *   -v, --verbose     one line per response on stderr: status, body framing, connection and request number
 *   --cafile FILE     trust the CA certificates in FILE (PEM) for https, instead of the system's
 *   --insecure        https without certificate verification (ssl.CERT_NONE, no host name check)
 *   --timeout S       socket timeout in seconds (default 30)
 *
 * Bodies are written to stdout byte for byte, one after the other. Requests to the same scheme, host and
 * port reuse one connection (HTTP/1.1 keep-alive) until the server says `Connection: close`; a kept-alive
 * connection the server has meanwhile closed is reopened once. Exit status: 0 when every response is below
 * 400, 1 when one is 400 or above, 2 on a network, TLS or protocol error (printed on stderr).
 *
 * @example
 * ```sh
 * bun examples/http-get.ts -v http://127.0.0.1:8080/index.html http://127.0.0.1:8080/big.bin > out
 * ```
 * @see https://docs.python.org/3/library/http.client.html
 */
import { writeSync } from "node:fs";
import * as socket from "bun-socket";
import * as select from "bun-socket/select";
import type * as sslTypes from "bun-socket/ssl";

/** Longest status or header line accepted (http.client's `_MAXLINE`). */
const MAXLINE = 65536;
/** Most header lines accepted (http.client's `_MAXHEADERS`). */
const MAXHEADERS = 100;
/** Bytes read per call while copying a body to stdout. */
const CHUNK = 65536;

class ProtocolError extends Error {
  override name = "ProtocolError";
}

interface Options {
  head: boolean;
  include: boolean;
  verbose: boolean;
  cafile: string | null;
  insecure: boolean;
  timeout: number;
  urls: URL[];
}

function usage(message: string): never {
  process.stderr.write(
    `http-get: ${message}\nusage: bun examples/http-get.ts [-I] [-i] [-v] [--cafile FILE] [--insecure] [--timeout S] URL...\n`,
  );
  process.exit(2);
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    head: false,
    include: false,
    verbose: false,
    cafile: null,
    insecure: false,
    timeout: 30,
    urls: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) usage(`${a} needs a value`);
      return v;
    };
    if (a === "-I" || a === "--head") o.head = true;
    else if (a === "-i" || a === "--include") o.include = true;
    else if (a === "-v" || a === "--verbose") o.verbose = true;
    else if (a === "--cafile") o.cafile = value();
    else if (a === "--insecure") o.insecure = true;
    else if (a === "--timeout") o.timeout = Number(value());
    else if (a.startsWith("-")) usage(`unknown option ${a}`);
    else {
      let url: URL;
      try {
        url = new URL(a);
      } catch {
        usage(`not a URL: ${a}`);
      }
      if (url.protocol !== "http:" && url.protocol !== "https:")
        usage(`only http:// and https:// URLs: ${a}`);
      o.urls.push(url);
    }
  }
  if (o.urls.length === 0) usage("no URL given");
  return o;
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

/** One connection to one origin: the socket, its buffered reader, and how many requests it carried. */
class Connection {
  readonly file: socket.BufferedSocketFile;
  requests = 0;
  constructor(
    readonly sock: socket.socket,
    readonly id: number,
  ) {
    // Python: self.sock.makefile("rb"). Reading lines and exact lengths needs the buffered reader.
    this.file = sock.makefile("rb") as socket.BufferedSocketFile;
  }
  close(): void {
    this.file.close();
    this.sock.close(); // the descriptor closes once both are closed, as in Python
  }
}

/** A parsed response head. `headers` keeps names lower-cased, in arrival order. */
interface Head {
  version: string;
  status: number;
  reason: string;
  headers: [name: string, value: string][];
  raw: Buffer;
}

const opts = parseArgs(process.argv.slice(2));

// bun-socket/ssl loads OpenSSL when imported: import it only when an https:// URL needs it.
let sslContext: sslTypes.SSLContext | null = null;
if (opts.urls.some((u) => u.protocol === "https:")) {
  const ssl = await import("bun-socket/ssl");
  // Python: ssl.create_default_context(cafile=...): CERT_REQUIRED and check_hostname on.
  sslContext = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, {
    cafile: opts.cafile,
  });
  if (opts.insecure) {
    sslContext.check_hostname = false;
    sslContext.verify_mode = ssl.CERT_NONE;
  }
}

const pool = new Map<string, Connection>();
let connections = 0;

function hostOf(url: URL): string {
  // URL keeps the brackets of an IPv6 literal ("[::1]"); getaddrinfo wants the bare address.
  return url.hostname.replace(/^\[(.*)\]$/, "$1");
}

function portOf(url: URL): number {
  return url.port !== ""
    ? Number(url.port)
    : url.protocol === "https:"
      ? 443
      : 80;
}

function open(url: URL): Connection {
  const host = hostOf(url);
  // Python: socket.create_connection((host, port), timeout): every address getaddrinfo offers, in turn.
  let sock = socket.create_connection([host, portOf(url)], opts.timeout);
  if (url.protocol === "https:") {
    try {
      // Python: context.wrap_socket(sock, server_hostname=host): the handshake runs here.
      sock = sslContext!.wrap_socket(sock, { server_hostname: host });
    } catch (e) {
      sock.close();
      throw e;
    }
  }
  return new Connection(sock, ++connections);
}

/** One line, CRLF or LF terminated, without its terminator; `null` at EOF before any byte. */
function readLine(conn: Connection, what: string): string | null {
  const line = conn.file.readline(MAXLINE + 1);
  if (line.length === 0) return null;
  if (line.length > MAXLINE) throw new ProtocolError(`${what} line too long`);
  if (line[line.length - 1] !== 0x0a)
    throw new ProtocolError(
      `connection closed in the middle of the ${what} line`,
    );
  // Header bytes are ISO-8859-1 (http.client decodes them the same way).
  return line.toString("latin1").replace(/\r?\n$/, "");
}

/** Reads the status line and headers; `null` when the server closed the connection before answering. */
function readHead(conn: Connection): Head | null {
  const rawLines: string[] = [];
  for (;;) {
    const statusLine = readLine(conn, "status");
    if (statusLine === null) return null;
    rawLines.push(statusLine);
    const m = /^(HTTP\/\d\.\d) (\d{3})(?: (.*))?$/.exec(statusLine);
    if (m === null)
      throw new ProtocolError(`bad status line: ${JSON.stringify(statusLine)}`);
    const headers: [string, string][] = [];
    for (;;) {
      const line = readLine(conn, "header");
      if (line === null)
        throw new ProtocolError("connection closed in the headers");
      rawLines.push(line);
      if (line === "") break;
      if (headers.length >= MAXHEADERS)
        throw new ProtocolError(`got more than ${MAXHEADERS} headers`);
      if (/^[ \t]/.test(line) && headers.length > 0) {
        // obsolete line folding: continues the previous header's value
        headers[headers.length - 1]![1] += " " + line.trim();
        continue;
      }
      const colon = line.indexOf(":");
      if (colon <= 0)
        throw new ProtocolError(`bad header line: ${JSON.stringify(line)}`);
      headers.push([
        line.slice(0, colon).trim().toLowerCase(),
        line.slice(colon + 1).trim(),
      ]);
    }
    const status = Number(m[2]);
    // 1xx answers (100 Continue, 103 Early Hints) come before the real one: skip them, as http.client does.
    if (status >= 100 && status < 200 && status !== 101) continue;
    return {
      version: m[1]!,
      status,
      reason: m[3] ?? "",
      headers,
      raw: Buffer.from(rawLines.join("\r\n") + "\r\n", "latin1"),
    };
  }
}

function header(head: Head, name: string): string | undefined {
  return head.headers.find(([n]) => n === name)?.[1];
}

/** Copies exactly `n` body bytes to stdout; fails when the connection ends first. */
function copyExactly(conn: Connection, n: number): void {
  let left = n;
  while (left > 0) {
    const data = conn.file.read(Math.min(left, CHUNK))!;
    if (data.length === 0)
      throw new ProtocolError(
        `IncompleteRead(${n - left} bytes read, ${left} more expected)`,
      );
    writeOut(data);
    left -= data.length;
  }
}

/** Copies a chunked body (RFC 9112 §7.1) to stdout and skips its trailer section; returns the body size. */
function copyChunked(conn: Connection): number {
  let total = 0;
  for (;;) {
    const line = readLine(conn, "chunk size");
    if (line === null)
      throw new ProtocolError("connection closed in a chunked body");
    const size = Number.parseInt(line.split(";")[0]!.trim(), 16); // ";..." are chunk extensions
    if (!Number.isSafeInteger(size) || size < 0)
      throw new ProtocolError(`bad chunk size line: ${JSON.stringify(line)}`);
    if (size === 0) break;
    copyExactly(conn, size);
    total += size;
    if (readLine(conn, "chunk end") !== "")
      throw new ProtocolError("chunk data not followed by CRLF");
  }
  for (;;) {
    const trailer = readLine(conn, "trailer");
    if (trailer === null || trailer === "") return total;
  }
}

/** Copies everything until the server closes the connection; returns the body size. */
function copyUntilClose(conn: Connection): number {
  let total = 0;
  for (;;) {
    const data = conn.file.read1(CHUNK);
    if (data.length === 0) return total;
    writeOut(data);
    total += data.length;
  }
}

/** Sends one request on `conn` and reads its response; `null` if the server closed the connection first. */
function exchange(
  conn: Connection,
  url: URL,
): { head: Head; framing: string; size: number } | null {
  const method = opts.head ? "HEAD" : "GET";
  const defaultPort = url.protocol === "https:" ? "443" : "80";
  const host =
    url.port !== "" && url.port !== defaultPort ? url.host : url.hostname;
  conn.sock.sendall(
    `${method} ${url.pathname}${url.search} HTTP/1.1\r\n` +
      `Host: ${host}\r\n` +
      `User-Agent: bun-socket-http-get/1.0\r\n` +
      `Accept: */*\r\n` +
      `\r\n`,
  );
  conn.requests++;
  const head = readHead(conn);
  if (head === null) return null;
  if (opts.include) writeOut(head.raw);
  // RFC 9112 §6.3: which of the three ways this body is delimited.
  const te = header(head, "transfer-encoding");
  const cl = header(head, "content-length");
  let framing: string;
  let size = 0;
  if (
    opts.head ||
    head.status === 204 ||
    head.status === 304 ||
    head.status < 200
  ) {
    framing = "no body";
  } else if (te !== undefined && /(^|,)\s*chunked\s*$/i.test(te)) {
    framing = "chunked";
    size = copyChunked(conn);
  } else if (cl !== undefined) {
    if (!/^\d+$/.test(cl)) throw new ProtocolError(`bad Content-Length: ${cl}`);
    framing = "content-length";
    size = Number(cl);
    copyExactly(conn, size);
  } else {
    framing = "until close";
    size = copyUntilClose(conn);
  }
  return { head, framing, size };
}

/** Whether the connection can carry another request after this response. */
function keepAlive(head: Head, framing: string): boolean {
  if (framing === "until close") return false;
  const connection = (header(head, "connection") ?? "").toLowerCase();
  if (connection.split(",").some((t) => t.trim() === "close")) return false;
  if (head.version === "HTTP/1.0")
    return connection.split(",").some((t) => t.trim() === "keep-alive");
  return true;
}

let failed = false;
try {
  for (const url of opts.urls) {
    const origin = `${url.protocol}//${url.host}`;
    let conn = pool.get(origin);
    let reused = conn !== undefined;
    conn ??= open(url);
    pool.set(origin, conn);
    let result: ReturnType<typeof exchange>;
    try {
      result = exchange(conn, url);
    } catch (e) {
      // A kept-alive connection the server already closed may fail on send as well as on the first read.
      if (!reused || !(e instanceof socket.error)) throw e;
      result = null;
    }
    if (result === null) {
      pool.delete(origin);
      conn.close();
      if (!reused)
        throw new ProtocolError(
          "RemoteDisconnected: Remote end closed connection without response",
        );
      // The server closed the idle connection between two requests: reopen once, as browsers do for GET.
      conn = open(url);
      reused = false;
      pool.set(origin, conn);
      result = exchange(conn, url);
      if (result === null)
        throw new ProtocolError(
          "RemoteDisconnected: Remote end closed connection without response",
        );
    }
    const { head, framing, size } = result;
    if (opts.verbose)
      process.stderr.write(
        `${opts.head ? "HEAD" : "GET"} ${url.href}: ${head.status} ${head.reason}, ${size} bytes (${framing}), connection ${conn.id} request ${conn.requests}\n`,
      );
    if (head.status >= 400) failed = true;
    if (!keepAlive(head, framing)) {
      pool.delete(origin);
      conn.close();
    }
  }
} catch (e) {
  const name = e instanceof Error ? e.name : "Error";
  const message = e instanceof Error ? e.message : String(e);
  process.stderr.write(`http-get: ${name}: ${message}\n`);
  process.exit(2);
} finally {
  for (const conn of pool.values()) conn.close();
}
process.exit(failed ? 1 : 0);
