// Echo client on a Unix domain socket (AF_UNIX, SOCK_STREAM): the second example of Python's socket
// docs with a path instead of a host and port.
//
//     with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
//         s.connect(PATH)
//         s.sendall(b"Hello, world")
//         s.shutdown(socket.SHUT_WR)
//         data = b"".join(iter(lambda: s.recv(1024), b""))
//     print("Received", repr(data))
//
// Usage: bun examples/unix-echo-client.ts [path] [message]   (default /tmp/bun-socket-echo.sock "Hello, world")
// A path starting with "@" is a Linux abstract name.
import * as socket from "bun-socket";

const PATH = process.argv[2] ?? "/tmp/bun-socket-echo.sock";
const MESSAGE = process.argv[3] ?? "Hello, world";

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

using s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
s.settimeout(10); // a server that never answers raises socket.timeout instead of hanging
s.connect(PATH.startsWith("@") ? "\0" + PATH.slice(1) : PATH);
s.sendall(MESSAGE);
s.shutdown(socket.SHUT_WR); // "that is all": the server's recv() returns b"" and it closes
const chunks: Buffer[] = [];
for (;;) {
  const chunk = s.recv(1024);
  if (chunk.length === 0) break;
  chunks.push(chunk);
}
console.log("Received", repr(Buffer.concat(chunks)));
