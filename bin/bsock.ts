#!/usr/bin/env bun
/**
 * bsock: a small netcat on bun-socket. Connects to (or listens for) one TCP, UDP or Unix-socket peer and
 * copies stdin to the socket and the socket to stdout, both ways at once, until the connection is over.
 *
 *   bsock [options] connect HOST PORT       bsock [options] listen [HOST] PORT
 *   bsock [options] -U connect PATH         bsock [options] -U listen PATH
 *
 *   -u              UDP (with -U: a Unix datagram socket)
 *   -U              Unix domain socket: the address is a path ("@name": Linux abstract name)
 *   -w SECS         connect timeout, and quit after SECS seconds with no traffic either way
 *   -v              say on stderr where it listens, and who connected
 *   -l              the same as the `listen` command
 *   --tls           TLS over the stream (bun-socket/ssl; certificates verified unless --insecure)
 *   --cafile FILE   CA certificates (PEM) to verify the server with, instead of the system's
 *   --insecure      do not verify the server's certificate or name
 *   --servername N  the name to send (SNI) and check in the certificate (default: HOST)
 *   --cert FILE     certificate chain (PEM) to present; required to listen with --tls
 *   --key FILE      its private key (default: in --cert)
 *   --no-shutdown   do not half-close the connection (shutdown SHUT_WR) when stdin ends
 *   -h, --help      this text
 *
 * Stream sockets: when stdin ends, the sending side is shut down (the peer reads EOF) and the output goes on
 * until the peer closes; bsock exits when both directions are done (when the peer closes first, the rest
 * of stdin is still sent, unless stdin is a terminal). With --tls the connection stays as it is when stdin ends
 * (TLS has no half-close in Python's ssl API), so the peer must close, or -w end it (`openssl s_client
 * -ign_eof` behaves the same). Datagram sockets: every read from stdin is one datagram,
 * every datagram received is written out; there is no end, so use -w. `listen` serves one peer: the first
 * to connect (stream) or to send a datagram (UDP; its address becomes the only peer).
 * Exit status: 0 when the peer closed (or -w expired with the connection idle), 1 on a socket or TLS error
 * (printed as Python prints it: `bsock: ConnectionRefusedError: [Errno 111] Connection refused`), 2 on bad usage.
 *
 * How it waits: `select.select([sock, stdin])` (bun-socket/select, `poll(2)`), then at most one
 * `read(2)` of stdin and one `recv` of the socket, so neither direction can block the other; socket
 * writes are non-blocking and keep what did not fit for the next round.
 *
 * @example
 * ```sh
 * bsock -v listen 127.0.0.1 9000 > received.bin        # terminal 1
 * bsock -w 5 connect 127.0.0.1 9000 < file.bin         # terminal 2
 * printf 'GET / HTTP/1.0\r\nHost: example.org\r\n\r\n' | bsock --tls connect example.org 443
 * ```
 * @module
 */
import { readSync, unlinkSync, writeSync } from "node:fs";
import { isatty } from "node:tty";
import * as socket from "../src/index.ts";
import * as select from "../src/select.ts";
import type * as sslTypes from "../src/ssl.ts";

const USAGE = `usage: bsock [options] connect HOST PORT | listen [HOST] PORT
       bsock [options] -U connect PATH | -U listen PATH
options: -u (UDP) -U (Unix) -w SECS -v -l --tls --cafile FILE --insecure
         --servername NAME --cert FILE --key FILE --no-shutdown -h
`;

/** Bad usage: printed with the usage text, exit status 2. */
class UsageError extends Error {}

interface Options {
  mode: "connect" | "listen";
  udp: boolean;
  unix: boolean;
  wait: number | null;
  verbose: boolean;
  tls: boolean;
  cafile: string | null;
  insecure: boolean;
  servername: string | null;
  cert: string | null;
  key: string | null;
  shutdown: boolean;
  host: string;
  port: number;
  path: string;
}

function parseArgs(argv: string[]): Options | null {
  const o: Options = {
    mode: "connect",
    udp: false,
    unix: false,
    wait: null,
    verbose: false,
    tls: false,
    cafile: null,
    insecure: false,
    servername: null,
    cert: null,
    key: null,
    shutdown: true,
    host: "",
    port: 0,
    path: "",
  };
  let listenFlag = false;
  const pos: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      return v;
    };
    switch (a) {
      case "-h":
      case "--help":
        return null;
      case "-u":
        o.udp = true;
        break;
      case "-U":
        o.unix = true;
        break;
      case "-v":
        o.verbose = true;
        break;
      case "-l":
        listenFlag = true;
        break;
      case "-w": {
        const w = Number(value());
        if (!(w > 0))
          throw new UsageError("-w needs a positive number of seconds");
        o.wait = w;
        break;
      }
      case "--tls":
        o.tls = true;
        break;
      case "--cafile":
        o.cafile = value();
        break;
      case "--insecure":
        o.insecure = true;
        break;
      case "--servername":
        o.servername = value();
        break;
      case "--cert":
        o.cert = value();
        break;
      case "--key":
        o.key = value();
        break;
      case "--no-shutdown":
        o.shutdown = false;
        break;
      default:
        if (a.startsWith("-") && a !== "-" && !/^-\d/.test(a))
          throw new UsageError(`unknown option ${a}`);
        pos.push(a);
    }
  }
  if (pos[0] === "connect" || pos[0] === "listen")
    o.mode = pos.shift() as Options["mode"];
  if (listenFlag) o.mode = "listen";
  if (o.tls && o.udp)
    throw new UsageError("--tls works over streams only (no DTLS): drop -u");
  if (o.tls && o.mode === "listen" && o.cert === null)
    throw new UsageError("listen --tls needs --cert (and --key)");
  const port = (s: string | undefined): number => {
    const n = Number(s);
    if (s === undefined || !Number.isInteger(n) || n < 0 || n > 65535)
      throw new UsageError(`bad port ${JSON.stringify(s)}`);
    return n;
  };
  if (o.unix) {
    if (pos.length !== 1) throw new UsageError("-U needs exactly one PATH");
    o.path = pos[0]!;
  } else if (o.mode === "connect") {
    if (pos.length !== 2) throw new UsageError("connect needs HOST and PORT");
    o.host = pos[0]!;
    o.port = port(pos[1]);
  } else {
    if (pos.length !== 1 && pos.length !== 2)
      throw new UsageError("listen needs [HOST] PORT");
    if (pos.length === 2) o.host = pos.shift()!;
    o.port = port(pos[0]);
  }
  return o;
}

function log(o: Options, message: string): void {
  if (o.verbose) process.stderr.write(`bsock: ${message}\n`);
}

/** An AF_UNIX address from the command line: "@name" is the abstract name "\0name". */
function unixAddress(path: string): string {
  return path.startsWith("@") ? "\0" + path.slice(1) : path;
}

/** Python-style text of an address for messages: `127.0.0.1 9000`, `::1 9000`, a path, or "(unnamed)". */
function showAddress(a: socket.AddressOut): string {
  if (Array.isArray(a) && typeof a[0] === "string") return `${a[0]} ${a[1]}`;
  if (typeof a === "string")
    return a === "" ? "(unnamed)" : a.replace(/^\0/, "@");
  return String(a);
}

let ssl: typeof sslTypes | null = null;

/** Loads bun-socket/ssl (and with it OpenSSL) only for --tls. */
async function loadSsl(): Promise<typeof sslTypes> {
  ssl ??= await import("../src/ssl.ts");
  return ssl;
}

/** The TLS context for our side, as Python would build it. */
function tlsContext(o: Options): sslTypes.SSLContext {
  const m = ssl!;
  if (o.mode === "listen") {
    const ctx = m.create_default_context(m.Purpose.CLIENT_AUTH);
    ctx.load_cert_chain(o.cert!, o.key);
    return ctx;
  }
  const ctx = m.create_default_context(m.Purpose.SERVER_AUTH, {
    cafile: o.cafile,
  });
  if (o.insecure) {
    ctx.check_hostname = false;
    ctx.verify_mode = m.CERT_NONE;
  }
  if (o.cert !== null) ctx.load_cert_chain(o.cert, o.key);
  return ctx;
}

/** `connect`: the connected socket (TLS-wrapped with --tls). */
function connect(o: Options): socket.socket {
  const type = o.udp ? socket.SOCK_DGRAM : socket.SOCK_STREAM;
  let sock: socket.socket;
  if (o.unix) {
    sock = socket.socket(socket.AF_UNIX, type);
    try {
      sock.settimeout(o.wait);
      // A Unix datagram socket needs a name of its own for answers to reach it: bind("") autobinds
      // to a unique abstract name (Linux), as `nc -Uu` binds a temporary path.
      if (o.udp) sock.bind("");
      sock.connect(unixAddress(o.path));
    } catch (e) {
      sock.close();
      throw e;
    }
    log(o, `connected to ${o.path}`);
  } else if (o.udp) {
    const [af, , , , sa] = socket.getaddrinfo(
      o.host,
      o.port,
      0,
      socket.SOCK_DGRAM,
    )[0]!;
    sock = socket.socket(af, socket.SOCK_DGRAM);
    sock.connect(sa); // UDP: only sets the default destination and filters what we receive
    log(o, `sending to ${showAddress(sock.getpeername())}`);
  } else {
    // Python: socket.create_connection((host, port), timeout): every address in turn.
    sock = socket.create_connection([o.host, o.port], o.wait);
    log(o, `connected to ${showAddress(sock.getpeername())}`);
  }
  if (o.tls) {
    try {
      const hostname = o.servername ?? (o.unix ? null : o.host);
      sock = tlsContext(o).wrap_socket(sock, { server_hostname: hostname });
    } catch (e) {
      sock.close();
      throw e;
    }
    const tls = sock as sslTypes.SSLSocket;
    log(o, `TLS ${tls.version()} ${tls.cipher()?.[0]}`);
  }
  return sock;
}

/** The socket file `listen -U` created, removed at exit (the kernel leaves it behind). */
let unlinkAtExit: string | null = null;

/** `listen`: the socket of the one peer, and for datagrams the first datagram (already received). */
function listen(o: Options): { sock: socket.socket; first: Buffer | null } {
  const type = o.udp ? socket.SOCK_DGRAM : socket.SOCK_STREAM;
  let server: socket.socket;
  if (o.unix) {
    server = socket.socket(socket.AF_UNIX, type);
    try {
      server.bind(unixAddress(o.path));
    } catch (e) {
      server.close();
      throw e;
    }
    if (!o.path.startsWith("@")) unlinkAtExit = o.path;
  } else {
    const family = o.host.includes(":") ? socket.AF_INET6 : socket.AF_INET;
    if (o.udp) {
      server = socket.socket(family, socket.SOCK_DGRAM);
      try {
        server.bind([o.host, o.port]);
      } catch (e) {
        server.close();
        throw e;
      }
    } else {
      // Python: socket.create_server((host, port), family=...): SO_REUSEADDR, bind, listen.
      server = socket.create_server([o.host, o.port], { family, backlog: 1 });
    }
  }
  log(o, `listening on ${showAddress(server.getsockname())}`);
  server.settimeout(o.wait); // with -w, give up when nobody comes
  if (!o.udp) {
    if (o.unix) server.listen(1);
    using _server = server; // one peer only: stop listening once it came
    const [conn, addr] = server.accept();
    log(o, `connection from ${showAddress(addr)}`);
    if (!o.tls) return { sock: conn, first: null };
    try {
      const tls = tlsContext(o).wrap_socket(conn, { server_side: true });
      log(o, `TLS ${tls.version()} ${tls.cipher()?.[0]}`);
      return { sock: tls, first: null };
    } catch (e) {
      conn.close();
      throw e;
    }
  }
  // Datagrams: the first sender becomes the peer (connect() filters out everyone else).
  const [data, addr] = server.recvfrom(65536);
  log(o, `datagram from ${showAddress(addr)}`);
  if (addr !== null && addr !== "") server.connect(addr as socket.Address);
  return { sock: server, first: data };
}

/** Writes all of `data` to a descriptor, waiting with select() if it is non-blocking and full. */
function writeAll(fd: number, data: Uint8Array): void {
  let off = 0;
  while (off < data.length) {
    try {
      off += writeSync(fd, data, off, data.length - off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EAGAIN") throw e;
      select.select([], [fd], []);
    }
  }
}

/**
 * Ends TLS politely before closing: sends our close_notify (`unwrap()`, `SSL_shutdown`), answering the
 * peer's or announcing the end. Best effort: the peer may be gone already.
 */
function closeNotify(sock: socket.socket): void {
  try {
    (sock as sslTypes.SSLSocket).unwrap();
  } catch {
    // non-blocking: SSLWantReadError once ours is sent; or the peer closed without close_notify
  }
}

/**
 * Copies stdin to the socket and the socket to stdout until both directions are done (stream), or until
 * nothing moves for `-w` seconds. Returns the exit status.
 *
 * The socket is non-blocking: select() says when to call, a send takes what fits (TLS: one record or
 * nothing) and the rest waits for writability. A TLS socket can be readable with no application data
 * (a session ticket, an alert): its recv() then raises SSLWantReadError and we wait again instead of
 * blocking in SSL_read.
 */
function pump(sock: socket.socket, o: Options, first: Buffer | null): number {
  const stream = sock.type === socket.SOCK_STREAM;
  const tls = o.tls;
  sock.setblocking(false);
  // Datagram: one read of stdin is one datagram, so keep them below the UDP maximum (65507).
  // TLS: one read is one record (at most 16 KiB of data).
  const inBuf = Buffer.allocUnsafe(stream && !tls ? 65536 : 16384);
  let pending: Buffer | null = null; // stdin bytes the socket did not take yet
  let stdinOpen = true;
  if (first !== null) writeAll(1, first);

  /** Whether `e` only says "not now" (non-blocking socket, or TLS needing the other direction first). */
  const notNow = (e: unknown): boolean =>
    e instanceof socket.BlockingIOError ||
    (tls &&
      (e instanceof ssl!.SSLWantReadError ||
        e instanceof ssl!.SSLWantWriteError));

  const sendSome = (): void => {
    const data = pending!;
    let n = 0;
    try {
      // Stream: what fits in the send buffer now. Datagram: all of it. TLS: the whole record, or
      // SSLWantWriteError (then the same bytes are offered again, as OpenSSL requires).
      n = sock.send(data);
    } catch (e) {
      if (!notNow(e)) throw e;
    }
    pending = n === data.length ? null : data.subarray(n);
  };

  let netOpen = true; // the peer may still send
  const finish = (): number => {
    if (tls) closeNotify(sock);
    return 0;
  };

  for (;;) {
    if (!netOpen && !stdinOpen && pending === null) return finish();
    // OpenSSL may hold decrypted bytes already read from the descriptor: select() cannot see those.
    const buffered =
      tls && netOpen ? (sock as sslTypes.SSLSocket).pending() : 0;
    const rlist: (socket.socket | number)[] = netOpen ? [sock] : [];
    if (stdinOpen && pending === null) rlist.push(0);
    const wlist = pending !== null ? [sock] : [];
    const [r, w]: [unknown[], unknown[], unknown[]] =
      buffered > 0
        ? [[sock], [], []]
        : select.select<unknown, unknown>(rlist, wlist, [], o.wait);
    if (r.length === 0 && w.length === 0) {
      log(o, `no traffic for ${o.wait} s: closing`);
      return finish();
    }
    if (r.includes(sock)) {
      let data: Buffer;
      try {
        data = sock.recv(65536);
      } catch (e) {
        // A close_notify can also surface as SSLZeroReturnError (CPython returns b"" only while our own
        // close_notify is unsent): the connection is over either way.
        if (tls && e instanceof ssl!.SSLZeroReturnError) data = Buffer.alloc(0);
        else if (notNow(e))
          continue; // readable, but no data for us yet: wait again
        else throw e;
      }
      if (data.length === 0 && stream) {
        log(o, "peer closed the connection");
        netOpen = false;
        // Nothing more will come; what stdin still holds is sent all the same (the peer may only have
        // shut down its sending side and still be reading), unless stdin is a terminal: nobody is going
        // to type more for a peer that has gone.
        if (isatty(0)) return finish();
        continue;
      }
      writeAll(1, data);
    }
    if (w.includes(sock) && pending !== null) sendSome();
    if (r.includes(0)) {
      let n: number;
      try {
        n = readSync(0, inBuf, 0, inBuf.length, null);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "EAGAIN") continue;
        throw e;
      }
      if (n === 0) {
        stdinOpen = false;
        // Half-close: the peer reads EOF, and its answer still comes in. Not over TLS, which has no
        // half-close in Python's ssl API: SSLSocket.shutdown() drops the TLS layer, a bare TCP FIN makes
        // the peer's OpenSSL fail with "unexpected eof", and unwrap() goes on to read the peer's
        // close_notify at once, where OpenSSL rejects any answer that is already on its way
        // (APPLICATION_DATA_AFTER_CLOSE_NOTIFY). So with --tls we keep reading until the peer closes.
        if (stream && o.shutdown && !tls) sock.shutdown(socket.SHUT_WR);
      } else {
        pending = Buffer.from(inBuf.subarray(0, n)); // a copy: inBuf is reused
        sendSome(); // usually all of it goes at once
      }
    }
  }
}

async function main(argv: string[]): Promise<number> {
  let o: Options | null;
  try {
    o = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`bsock: ${e.message}\n${USAGE}`);
    return 2;
  }
  if (o === null) {
    process.stdout.write(USAGE);
    return 0;
  }
  try {
    if (o.tls) await loadSsl();
    if (o.mode === "connect") {
      using sock = connect(o);
      return pump(sock, o, null);
    }
    const { sock, first } = listen(o);
    using _sock = sock;
    return pump(sock, o, first);
  } catch (e) {
    if (
      (e as NodeJS.ErrnoException).code === "EPIPE" &&
      !(e instanceof socket.error)
    )
      return 0; // stdout went away (e.g. `bsock ... | head`): nothing left to do
    const err = e as Error;
    process.stderr.write(`bsock: ${err.name}: ${err.message}\n`);
    return 1;
  } finally {
    if (unlinkAtExit !== null) {
      try {
        unlinkSync(unlinkAtExit);
      } catch {
        // already gone
      }
    }
  }
}

process.exit(await main(process.argv.slice(2)));
