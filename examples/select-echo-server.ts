/**
 * One thread, many clients: an echo server on `selectors`, the way Python's selectors example does
 * it, with every socket non-blocking.
 *
 *   bun examples/select-echo-server.ts [--host 127.0.0.1] [--port 0] [--count N] [--sndbuf BYTES]
 *
 * Prints `READY <port>` once listening. Each connection echoes what it receives; when the client
 * shuts down its sending side (EOF), the server sends what is still queued and closes. With
 * `--count N` it exits after N connections have ended (normally or by a reset) and prints one JSON
 * line: `{"served": N, "resets": R, "bytes": B, "partial_sends": P, "max_clients": M}`.
 * `--sndbuf` sets SO_SNDBUF on accepted sockets (small values make partial sends common).
 *
 * What a real non-blocking server must handle, and where it is done here:
 * - partial sends: `send()` may take only part of the data; the rest stays queued and the
 *   connection waits for EVENT_WRITE (`flush`);
 * - back-pressure: a client that sends faster than it reads is not read while more than
 *   HIGH_WATER bytes wait for it (its key drops EVENT_READ);
 * - client resets: `recv()`/`send()` raise ConnectionResetError or BrokenPipeError; the connection
 *   is dropped and the loop goes on;
 * - accept storms: the listener is drained until BlockingIOError on each EVENT_READ.
 *
 * @see https://docs.python.org/3/library/selectors.html#examples
 */
import * as socket from "bun-socket";
import * as selectors from "bun-socket/selectors";

const { EVENT_READ, EVENT_WRITE } = selectors;

/** Bytes queued for one client above which we stop reading from it. */
const HIGH_WATER = 1 << 20;

function option(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined
    ? process.argv[i + 1]!
    : dflt;
}

const host = option("host", "127.0.0.1");
const port = Number(option("port", "0"));
const count = Number(option("count", "0")); // 0: serve forever
const sndbuf = Number(option("sndbuf", "0")); // 0: the OS default

/** Per-connection state, attached to its selector key as `data`. */
interface Conn {
  sock: socket.socket;
  /** Bytes received and not yet sent back, oldest first. */
  queue: Buffer[];
  queued: number;
  /** The client sent EOF: close once the queue is empty. */
  eof: boolean;
}

/** The key's data: `null` for the listener, a Conn for a client. */
type Data = Conn | null;

const stats = {
  served: 0,
  resets: 0,
  bytes: 0,
  partial_sends: 0,
  max_clients: 0,
};
let clients = 0;

const sel = new selectors.DefaultSelector<Data>();
const lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
lsock.bind([host, port]);
lsock.listen(128);
lsock.setblocking(false);
sel.register(lsock, EVENT_READ, null);
process.stdout.write(`READY ${(lsock.getsockname() as [string, number])[1]}\n`);

/** Accepts every pending connection (the listener is non-blocking). */
function acceptAll(): void {
  for (;;) {
    let conn: socket.socket;
    try {
      [conn] = lsock.accept();
    } catch (e) {
      if (e instanceof socket.BlockingIOError) return;
      // ECONNABORTED and the like: that client is gone, the listener is fine.
      if (e instanceof socket.OSError) continue;
      throw e;
    }
    conn.setblocking(false);
    if (sndbuf > 0)
      conn.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, sndbuf);
    const c: Conn = { sock: conn, queue: [], queued: 0, eof: false };
    sel.register(conn, EVENT_READ, c);
    clients++;
    stats.max_clients = Math.max(stats.max_clients, clients);
  }
}

/** Unregisters and closes a connection; counts it as served. */
function drop(c: Conn, reset: boolean): void {
  sel.unregister(c.sock);
  c.sock.close();
  clients--;
  stats.served++;
  if (reset) stats.resets++;
}

/** The events a connection should wait for in its current state. */
function wanted(c: Conn): number {
  let ev = 0;
  if (!c.eof && c.queued < HIGH_WATER) ev |= EVENT_READ;
  if (c.queued > 0) ev |= EVENT_WRITE;
  return ev;
}

/** Sends as much of the queue as the socket takes now; false when the client is gone. */
function flush(c: Conn): boolean {
  while (c.queue.length > 0) {
    const head = c.queue[0]!;
    let n: number;
    try {
      n = c.sock.send(head);
    } catch (e) {
      if (e instanceof socket.BlockingIOError) return true; // full: wait for EVENT_WRITE
      if (
        e instanceof socket.ConnectionResetError ||
        e instanceof socket.BrokenPipeError
      )
        return false;
      throw e;
    }
    c.queued -= n;
    stats.bytes += n;
    if (n < head.length) {
      stats.partial_sends++;
      c.queue[0] = head.subarray(n);
      return true;
    }
    c.queue.shift();
  }
  return true;
}

/** Handles one ready connection. */
function service(key: selectors.SelectorKey<Data>, events: number): void {
  const c = key.data!;
  if (events & EVENT_READ) {
    let data: Buffer | null;
    try {
      data = c.sock.recv(65536);
    } catch (e) {
      if (e instanceof socket.ConnectionResetError) return drop(c, true);
      if (!(e instanceof socket.BlockingIOError)) throw e;
      data = null; // a spurious wake-up: nothing to read after all
    }
    if (data !== null && data.length === 0) c.eof = true;
    else if (data !== null) {
      c.queue.push(data);
      c.queued += data.length;
    }
  }
  if (!flush(c)) return drop(c, true);
  if (c.eof && c.queued === 0) return drop(c, false);
  const ev = wanted(c);
  if (ev !== key.events) sel.modify(c.sock, ev, c);
}

while (count === 0 || stats.served < count) {
  for (const [key, events] of sel.select()) {
    if (key.data === null) acceptAll();
    else service(key, events);
  }
}

sel.close();
lsock.close();
console.log(JSON.stringify(stats));
