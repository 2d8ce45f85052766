// UDP echo client: sends one datagram and waits for the answer, retrying because UDP may lose either
// datagram. The Python original:
//
//     with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
//         s.settimeout(1.0)
//         for attempt in range(3):
//             s.sendto(b"Hello, world", (HOST, PORT))
//             try:
//                 data, addr = s.recvfrom(65535)
//                 break
//             except socket.timeout:
//                 continue
//
// Usage: bun examples/udp-echo-client.ts [host] [port] [message]   (defaults: localhost 50007 "Hello, world")
// Prints "Received b'...' from [host, port]"; exits 1 when no answer came after 3 attempts.
import * as socket from "bun-socket";

const HOST = process.argv[2] ?? "localhost";
const PORT = Number(process.argv[3] ?? 50007);
const MESSAGE = process.argv[4] ?? "Hello, world";
const ATTEMPTS = 3;

/** Python's `repr()` of bytes, e.g. `b'Hello, world'`. */
function repr(data: Buffer): string {
  const q = data.includes(0x27) && !data.includes(0x22) ? 0x22 : 0x27;
  let out = "";
  for (const c of data) {
    if (c === q || c === 0x5c) out += "\\" + String.fromCharCode(c);
    else if (c === 0x09) out += "\\t";
    else if (c === 0x0a) out += "\\n";
    else if (c === 0x0d) out += "\\r";
    else if (c < 0x20 || c >= 0x7f)
      out += "\\x" + c.toString(16).padStart(2, "0");
    else out += String.fromCharCode(c);
  }
  const quote = String.fromCharCode(q);
  return "b" + quote + out + quote;
}

// Resolve once, as sendto() would on every call: the answer must come from this address.
const [family, , , , server] = socket.getaddrinfo(
  HOST,
  PORT,
  socket.AF_INET, // IPv4, like the server
  socket.SOCK_DGRAM,
)[0]!;
using s = socket.socket(family, socket.SOCK_DGRAM);
s.settimeout(1.0); // seconds to wait for each answer
for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
  s.sendto(MESSAGE, server);
  try {
    const [data, addr] = s.recvfrom(65535);
    console.log("Received", repr(data), "from", addr);
    process.exit(0);
  } catch (e) {
    if (e instanceof socket.timeout) continue; // lost on the way there or back: send again
    throw e; // e.g. ConnectionRefusedError: an ICMP "port unreachable" came back
  }
}
console.log(`No answer after ${ATTEMPTS} attempts`);
process.exit(1);
