// Echo server program (IPv4): a line-by-line port of the first example of Python's socket docs.
//
// Usage: bun examples/echo-server.ts [port]     (port 0: the kernel picks one)
// Serves one client: echoes everything it sends back until it closes, then exits.
import * as socket from "../src/index.ts";

const HOST = ""; // Symbolic name meaning all available interfaces
const PORT = Number(process.argv[2] ?? 50007); // Arbitrary non-privileged port
const s = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
s.bind([HOST, PORT]);
s.listen(1);
// Not in the original: tells a caller which port was bound (needed with port 0).
console.log("Listening on", (s.getsockname() as socket.Inet4Address)[1]);
// No settimeout() here: like the original, the server waits in accept() until a client comes
// (Ctrl-C stops it). The tests and examples/demo.ts run it as a child with a kill timer.
const [conn, addr] = s.accept();
console.log("Connected by", addr);
while (true) {
  const data = conn.recv(1024);
  if (data.length === 0) break;
  conn.sendall(data); // the original's send() may send only part; Python 3's docs use sendall()
}
conn.close();
