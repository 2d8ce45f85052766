/**
 * bun-socket side of the selectors benchmark: the same program as `selectors_loop.py`, written the way a
 * Python programmer would port it, against the public modules.
 *
 *   bun bench/select/selectors_loop.ts [idle=1000] [iters=20000] [size=64]
 *
 * Opens IDLE+1 loopback TCP connections, registers the server side of each with
 * `selectors.DefaultSelector` for EVENT_READ (the idle ones never become ready), then runs ITERS
 * rounds of: the active client sends SIZE bytes; `sel.select()` reports the active connection; the
 * server side `recv()`s and `send()`s the bytes back; the client `recv()`s them. Prints one JSON line.
 */
import * as socket from "bun-socket";
import * as selectors from "bun-socket/selectors";

const arg = (i: number, d: number): number =>
  process.argv[2 + i] === undefined ? d : Number(process.argv[2 + i]);
const idle = arg(0, 1000);
const iters = arg(1, 20000);
const size = arg(2, 64);

const lst = socket.socket();
lst.bind(["127.0.0.1", 0]);
lst.listen(1024);
const addr = lst.getsockname() as [string, number];
const clients: socket.socket[] = [];
const conns: socket.socket[] = [];
for (let i = 0; i < idle + 1; i++) {
  const c = socket.socket();
  c.connect(addr);
  const [s] = lst.accept();
  clients.push(c);
  conns.push(s);
}
const activeClient = clients[clients.length - 1]!;
for (const s of [...clients, ...conns])
  s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1);

const sel = new selectors.DefaultSelector<null>();
for (const s of conns) sel.register(s, selectors.EVENT_READ, null);

const payload = Buffer.alloc(size, "x");

function run(n: number): void {
  for (let i = 0; i < n; i++) {
    activeClient.sendall(payload);
    let got = 0;
    for (const [key] of sel.select()) {
      const conn = key.fileobj as socket.socket;
      const data = conn.recv(65536);
      conn.sendall(data);
    }
    while (got < size) got += activeClient.recv(65536).length;
  }
}

run(Math.min(2000, iters)); // warm-up
const t0 = Bun.nanoseconds();
run(iters);
const secs = (Bun.nanoseconds() - t0) / 1e9;
console.log(
  JSON.stringify({
    impl: "bun-socket",
    selector: sel.constructor.name,
    idle,
    iters,
    size,
    seconds: secs,
    us_per_iter: (secs / iters) * 1e6,
  }),
);
