// UDP echo server: every datagram goes back to the address it came from. The Python original is the
// usual recvfrom/sendto loop:
//
//     s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
//     s.bind(("", 50007))
//     while True:
//         data, addr = s.recvfrom(65535)
//         s.sendto(data, addr)
//
// Usage: bun examples/udp-echo-server.ts [port] [count]
//   port   0 lets the kernel pick one (default 50007); the port is printed as "Listening on <port>"
//   count  exit after echoing this many datagrams (default: serve until killed)
import * as socket from "bun-socket";

const HOST = ""; // all interfaces
const PORT = Number(process.argv[2] ?? 50007);
const COUNT = Number(process.argv[3] ?? 0); // 0: forever

using s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
s.bind([HOST, PORT]);
console.log("Listening on", (s.getsockname() as socket.Inet4Address)[1]);
// No timeout: like the Python loop, recvfrom() waits for the next datagram (Ctrl-C stops it).
for (let n = 0; COUNT === 0 || n < COUNT; n++) {
  // 65535 is more than any UDP payload: a datagram never comes back truncated.
  const [data, addr] = s.recvfrom(65535);
  s.sendto(data, addr!); // null only for unnamed AF_UNIX senders, never for UDP
  console.log(`Echoed ${data.length} bytes to`, addr);
}
