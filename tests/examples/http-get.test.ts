// examples/http-get.ts against a real, unmodified nginx serving files from a temporary directory on loopback:
// bodies compared byte for byte with the files, keep-alive checked in nginx's own access log
// ($connection, $connection_requests), chunked bodies (SSI), 404, HEAD, headers, and HTTPS through
// bun-socket/ssl with a test CA. The example runs as a child process with a kill timer.
import {
  afterAll,
  afterEach,
  beforeAll,
  describe,
  expect,
  test,
} from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as socket from "../../src/index.ts";
import {
  bunCmd,
  killChildren,
  randomBytes,
  run,
  startNginx,
  stopAll,
  tempDir,
  testCerts,
  type Nginx,
} from "./servers.ts";

const files: Record<string, Buffer> = {};
let root: string;
let nginx: Nginx;

beforeAll(async () => {
  root = tempDir("bs-www-");
  mkdirSync(join(root, "chunked"));
  mkdirSync(join(root, "dir"));
  const add = (name: string, data: Buffer): void => {
    files[name] = data;
    writeFileSync(join(root, name), data);
  };
  add("index.html", Buffer.from("<!doctype html><title>hi</title>\n"));
  add("empty.txt", Buffer.alloc(0));
  add("big.bin", randomBytes(2_500_000)); // bigger than any socket buffer: many recv() calls
  add(
    "crlf.bin",
    Buffer.from("\r\n\r\nHTTP/1.1 200 OK\r\n\r\n\x00\xff", "latin1"),
  );
  add("dir/with space.txt", Buffer.from("a file name that needs %20\n"));
  // Served by SSI (see startNginx): no Content-Length, chunked transfer coding. Text only: SSI parses it.
  add(
    "chunked/lines.txt",
    Buffer.from(
      Array.from({ length: 30_000 }, (_, i) => `line ${i}\n`).join(""),
    ),
  );
  add("chunked/small.txt", Buffer.from("tiny\n"));
  nginx = await startNginx({ root, tls: true, keepaliveRequests: 4 });
}, 60_000);

afterEach(killChildren);
afterAll(stopAll);

const url = (path: string, tls = false): string =>
  tls
    ? `https://localhost:${nginx.tlsPort}/${path}`
    : `http://127.0.0.1:${nginx.port}/${path}`;

/** Runs the example; `-v` so that stderr has one line per response. */
function httpGet(args: string[]) {
  return run(bunCmd("examples/http-get.ts", ["-v", ...args]), {
    timeoutMs: 30_000,
  });
}

/** The `-v` lines: `GET <url>: <status> <reason>, <n> bytes (<framing>), connection <c> request <r>`. */
function responses(stderr: string) {
  return [
    ...stderr.matchAll(
      /^(GET|HEAD) (\S+): (\d{3}) ([^,]*), (\d+) bytes \(([^)]+)\), connection (\d+) request (\d+)$/gm,
    ),
  ].map((m) => ({
    url: m[2]!,
    status: Number(m[3]),
    size: Number(m[5]),
    framing: m[6]!,
    connection: Number(m[7]),
    request: Number(m[8]),
  }));
}

describe("http-get.ts with nginx", () => {
  test("several files over one keep-alive connection: bodies byte-identical, one nginx connection", async () => {
    const names = ["index.html", "big.bin", "empty.txt", "crlf.bin"];
    const before = nginx.accessLog().length;
    const r = await httpGet(names.map((n) => url(n)));
    expect(r.stderr).not.toContain("http-get:");
    expect(r.exitCode).toBe(0);
    expect(
      r.stdout.equals(Buffer.concat(names.map((n) => files[n]!))),
    ).toBeTrue();
    const seen = responses(r.stderr);
    expect(seen.map((x) => [x.status, x.size, x.framing])).toEqual(
      names.map((n) => [200, files[n]!.length, "content-length"]),
    );
    expect(seen.map((x) => [x.connection, x.request])).toEqual([
      [1, 1],
      [1, 2],
      [1, 3],
      [1, 4],
    ]);
    // nginx's side: one connection carried the four requests, in order
    const log = nginx.accessLog().slice(before);
    expect(log.map((l) => l.request)).toEqual(
      names.map((n) => `GET /${n} HTTP/1.1`),
    );
    expect(new Set(log.map((l) => l.connection)).size).toBe(1);
    expect(log.map((l) => l.requests)).toEqual([1, 2, 3, 4]);
  });

  test("nginx closes after keepalive_requests (Connection: close): the client opens a new connection", async () => {
    const names = [
      "index.html",
      "crlf.bin",
      "index.html",
      "empty.txt",
      "crlf.bin",
      "index.html",
    ];
    const before = nginx.accessLog().length;
    const r = await httpGet(names.map((n) => url(n)));
    expect(r.exitCode).toBe(0);
    expect(
      r.stdout.equals(Buffer.concat(names.map((n) => files[n]!))),
    ).toBeTrue();
    expect(responses(r.stderr).map((x) => [x.connection, x.request])).toEqual([
      [1, 1],
      [1, 2],
      [1, 3],
      [1, 4],
      [2, 1],
      [2, 2],
    ]);
    const log = nginx.accessLog().slice(before);
    expect(log.map((l) => l.requests)).toEqual([1, 2, 3, 4, 1, 2]);
    expect(new Set(log.map((l) => l.connection)).size).toBe(2);
  });

  test("chunked transfer coding (SSI): bodies byte-identical, framing 'chunked'", async () => {
    const names = ["chunked/lines.txt", "chunked/small.txt", "index.html"];
    const r = await httpGet(names.map((n) => url(n)));
    expect(r.exitCode).toBe(0);
    expect(
      r.stdout.equals(Buffer.concat(names.map((n) => files[n]!))),
    ).toBeTrue();
    expect(responses(r.stderr).map((x) => x.framing)).toEqual([
      "chunked",
      "chunked",
      "content-length",
    ]);
    expect(new Set(responses(r.stderr).map((x) => x.connection)).size).toBe(1);
  });

  test("a percent-encoded path reaches the file", async () => {
    const r = await httpGet([url("dir/with%20space.txt")]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.toString()).toBe(files["dir/with space.txt"]!.toString());
  });

  test("404: nginx's error page on stdout, exit status 1, the connection stays usable", async () => {
    const r = await httpGet([url("missing.html"), url("index.html")]);
    expect(r.exitCode).toBe(1);
    const seen = responses(r.stderr);
    expect(seen.map((x) => [x.status, x.connection])).toEqual([
      [404, 1],
      [200, 1],
    ]);
    const text = r.stdout.toString();
    expect(text).toContain("404 Not Found");
    expect(text.endsWith(files["index.html"]!.toString())).toBeTrue();
  });

  test("-I (HEAD): no body read, Content-Length reported; -i writes the head to stdout", async () => {
    const head = await httpGet(["-I", url("big.bin"), url("index.html")]);
    expect(head.exitCode).toBe(0);
    expect(head.stdout.length).toBe(0);
    expect(
      responses(head.stderr).map((x) => [x.framing, x.connection]),
    ).toEqual([
      ["no body", 1],
      ["no body", 1],
    ]);
    const inc = await httpGet(["-i", url("index.html")]);
    const text = inc.stdout.toString("latin1");
    const split = text.indexOf("\r\n\r\n");
    expect(text.slice(0, split)).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(text.slice(0, split)).toMatch(
      new RegExp(
        `\r\nContent-Length: ${files["index.html"]!.length}(\r\n|$)`,
        "i",
      ),
    );
    expect(text.slice(split + 4)).toBe(files["index.html"]!.toString());
  });

  test("nothing listening: exit status 2 with ConnectionRefusedError", async () => {
    // A bound socket that does not listen: connecting is refused, and the port stays ours meanwhile.
    using closed = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
    closed.bind(["127.0.0.1", 0]);
    const port = (closed.getsockname() as socket.Inet4Address)[1];
    const r = await httpGet([`http://127.0.0.1:${port}/`]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(
      "ConnectionRefusedError: [Errno 111] Connection refused",
    );
  });
});

describe("http-get.ts with nginx over TLS (bun-socket/ssl)", () => {
  test("https with the test CA: byte-identical bodies, plain and chunked, on one connection", async () => {
    const names = ["big.bin", "chunked/lines.txt", "index.html"];
    const r = await httpGet([
      "--cafile",
      testCerts().ca,
      ...names.map((n) => url(n, true)),
    ]);
    expect(r.stderr).not.toContain("http-get:");
    expect(r.exitCode).toBe(0);
    expect(
      r.stdout.equals(Buffer.concat(names.map((n) => files[n]!))),
    ).toBeTrue();
    const seen = responses(r.stderr);
    expect(seen.map((x) => [x.framing, x.connection])).toEqual([
      ["content-length", 1],
      ["chunked", 1],
      ["content-length", 1],
    ]);
  });

  test("https without the test CA: certificate verification fails, exit status 2", async () => {
    const r = await httpGet([url("index.html", true)]);
    expect(r.exitCode).toBe(2);
    expect(r.stdout.length).toBe(0);
    expect(r.stderr).toContain("SSLCertVerificationError");
    expect(r.stderr).toContain("CERTIFICATE_VERIFY_FAILED");
  });

  test("--insecure skips verification", async () => {
    const r = await httpGet(["--insecure", url("index.html", true)]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.toString()).toBe(files["index.html"]!.toString());
  });

  test("plain HTTP to the TLS port: nginx's 400 answer, read as HTTP", async () => {
    const r = await httpGet([`http://127.0.0.1:${nginx.tlsPort}/index.html`]);
    expect(r.exitCode).toBe(1);
    expect(responses(r.stderr)[0]?.status).toBe(400);
    expect(r.stdout.toString()).toContain(
      "The plain HTTP request was sent to HTTPS port",
    );
  });
});
