// Reads every line with makefile("rb").readline(); prints {"lines", "secs"} (the bun-socket side of bench/makefile).
import * as socket from "../../src/index.ts";
import type { BufferedSocketFile } from "../../src/index.ts";

const s = socket.create_connection(["127.0.0.1", Number(process.argv[2])], 30);
const f = s.makefile("rb") as BufferedSocketFile;
const t0 = performance.now();
let n = 0;
while (f.readline().length > 0) n++;
console.log(
  JSON.stringify({ lines: n, secs: (performance.now() - t0) / 1000 }),
);
