// Echo client program (IPv4 and IPv6): a line-by-line port of the fourth example of Python's socket docs.
//
// Usage: bun examples/echo-client-dual.ts [host] [port]     (defaults: localhost 50007)
// Tries every address the host name resolves to, and talks to the first that accepts.
import * as socket from "../src/index.ts";

/** Python's `repr()` of bytes, e.g. `b'Hello, world'`: what the original prints. */
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

const HOST = process.argv[2] ?? "localhost"; // The remote host (the original: 'daring.cwi.nl')
const PORT = Number(process.argv[3] ?? 50007); // The same port as used by the server
let s: socket.socket | null = null;
for (const res of socket.getaddrinfo(
  HOST,
  PORT,
  socket.AF_UNSPEC,
  socket.SOCK_STREAM,
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
    s.connect(sa as socket.Address);
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
s.sendall("Hello, world"); // the original's send() may send only part; Python 3's docs use sendall()
const data = s.recv(1024);
s.close();
console.log("Received", repr(data));
