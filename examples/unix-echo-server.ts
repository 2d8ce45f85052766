// Echo server on a Unix domain socket (AF_UNIX, SOCK_STREAM): the first example of Python's socket
// docs with a file system path instead of a host and port.
//
//     if os.path.exists(PATH): os.unlink(PATH)
//     with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
//         s.bind(PATH)
//         s.listen(1)
//         conn, addr = s.accept()
//         with conn:
//             while data := conn.recv(1024):
//                 conn.sendall(data)
//
// Usage: bun examples/unix-echo-server.ts [path]     (default /tmp/bun-socket-echo.sock)
// Serves one client, removes the socket file and exits. A path starting with "@" is a Linux
// abstract name: no file is created.
import { existsSync, unlinkSync } from "node:fs";
import * as socket from "bun-socket";

const PATH = process.argv[2] ?? "/tmp/bun-socket-echo.sock";
const abstract = PATH.startsWith("@");
const address = abstract ? "\0" + PATH.slice(1) : PATH; // Python: b"\0name"

// bind() fails with EADDRINUSE while a socket file of an earlier run is still there.
if (!abstract && existsSync(PATH)) unlinkSync(PATH);
using s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
s.bind(address);
s.listen(1);
try {
  console.log("Listening on", PATH);
  const [conn, addr] = s.accept();
  // An unbound client has no name: addr is "" (Python: '' as well).
  console.log("Connected by", JSON.stringify(addr));
  using _conn = conn;
  while (true) {
    const data = conn.recv(1024);
    if (data.length === 0) break;
    conn.sendall(data);
  }
} finally {
  if (!abstract) unlinkSync(PATH); // the kernel does not remove socket files
}
