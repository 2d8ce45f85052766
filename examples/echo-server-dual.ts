// Echo server program (IPv4 and IPv6): a line-by-line port of the third example of Python's socket docs.
//
// Usage: bun examples/echo-server-dual.ts [port]     (port 0: the kernel picks one)
// Listens on the first address getaddrinfo() offers that it can bind (the original notes it
// should listen on all of them instead), serves one client, then exits.
import * as socket from "../src/index.ts";

const HOST = null; // Symbolic name meaning all available interfaces
const PORT = Number(process.argv[2] ?? 50007); // Arbitrary non-privileged port
let s: socket.socket | null = null;
for (const res of socket.getaddrinfo(
  HOST,
  PORT,
  socket.AF_UNSPEC,
  socket.SOCK_STREAM,
  0,
  socket.AI_PASSIVE,
)) {
  const [af, socktype, proto, canonname, sa] = res;
  try {
    s = socket.socket(af, socktype, proto);
  } catch (e) {
    if (e instanceof socket.error) {
      s = null;
      continue;
    }
    throw e;
  }
  try {
    s.bind(sa as socket.Address);
    s.listen(1);
  } catch (e) {
    if (e instanceof socket.error) {
      s.close();
      s = null;
      continue;
    }
    throw e;
  }
  break;
}
if (s === null) {
  console.log("could not open socket");
  process.exit(1);
}
// Not in the original: tells a caller which port was bound (needed with port 0).
console.log(
  "Listening on",
  (s.getsockname() as socket.Inet4Address | socket.Inet6Address)[1],
);
// No settimeout() here: like the original, the server waits in accept() until a client comes
// (Ctrl-C stops it). The tests run it as a child with a kill timer.
const [conn, addr] = s.accept();
console.log("Connected by", addr);
while (true) {
  const data = conn.recv(1024);
  if (data.length === 0) break;
  conn.sendall(data); // the original's send() may send only part; Python 3's docs use sendall()
}
conn.close();
