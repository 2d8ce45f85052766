// examples/redis-cli.ts against a real, unmodified redis-server on loopback (TCP and its Unix socket): PING,
// SET/GET, INCR, pipelining, binary-safe values, error replies, and the same command file through the real
// redis-cli (`--no-raw`: its terminal format) giving byte-identical output. Each run is a child process with
// a kill timer.
import {
  afterAll,
  afterEach,
  beforeAll,
  describe,
  expect,
  test,
} from "bun:test";
import * as socket from "../../src/index.ts";
import {
  bunCmd,
  killChildren,
  randomBytes,
  requireBinary,
  run,
  startRedis,
  stopAll,
  type Redis,
} from "./servers.ts";

let redis: Redis;

beforeAll(async () => {
  redis = await startRedis();
}, 30_000);
afterEach(killChildren);
afterAll(stopAll);

/** Runs examples/redis-cli.ts against our server over TCP (or `-s` when given in `args`). */
function cli(args: string[], stdin?: string | Uint8Array) {
  const where = args.includes("-s") ? [] : ["-p", String(redis.port)];
  return run(bunCmd("examples/redis-cli.ts", [...where, ...args]), {
    stdin,
    timeoutMs: 20_000,
  });
}

/** A key no other test uses. */
let keys = 0;
const key = (what: string): string =>
  `bun-socket-test:${what}:${++keys}:${process.pid}`;

describe("redis-cli.ts with redis-server", () => {
  test("PING answers PONG (status reply)", async () => {
    const r = await cli(["PING"]);
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    expect(r.stdout.toString()).toBe("PONG\n");
  });

  test("SET then GET (bulk reply), GET of a missing key is (nil)", async () => {
    const k = key("greeting");
    expect((await cli(["SET", k, "hello world"])).stdout.toString()).toBe(
      "OK\n",
    );
    expect((await cli(["GET", k])).stdout.toString()).toBe('"hello world"\n');
    expect((await cli(["GET", key("missing")])).stdout.toString()).toBe(
      "(nil)\n",
    );
  });

  test("INCR counts (integer replies), beyond 2^53 as well", async () => {
    const k = key("counter");
    expect((await cli(["INCR", k])).stdout.toString()).toBe("(integer) 1\n");
    expect(
      (await cli(["INCRBY", k, "9007199254740993"])).stdout.toString(),
    ).toBe("(integer) 9007199254740994\n");
  });

  test("pipelining: 2000 commands from stdin in one write, 2000 replies in order", async () => {
    const k = key("pipelined");
    const n = 2000;
    const input = Array.from({ length: n }, () => `INCR ${k}\n`).join("");
    const r = await cli([], input);
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.toString().trimEnd().split("\n");
    expect(lines).toHaveLength(n);
    expect(lines[0]).toBe("(integer) 1");
    expect(lines[n - 1]).toBe(`(integer) ${n}`);
    expect(lines.every((l, i) => l === `(integer) ${i + 1}`)).toBeTrue();
  });

  test("binary-safe values: -x stores stdin byte for byte (over the Unix socket), --raw GET returns them", async () => {
    const k = key("binary");
    const value = Buffer.concat([
      Buffer.from("\r\n$5\r\n*1\r\n\x00\xff", "latin1"),
      randomBytes(300_000),
    ]);
    const set = await cli(["-s", redis.unixPath, "-x", "SET", k], value);
    expect(set.stdout.toString()).toBe("OK\n");
    const get = await cli(["--raw", "GET", k]);
    expect(get.exitCode).toBe(0);
    expect(get.stdout.equals(Buffer.concat([value, Buffer.from("\n")]))).toBe(
      true,
    );
    const len = await cli(["-s", redis.unixPath, "STRLEN", k]);
    expect(len.stdout.toString()).toBe(`(integer) ${value.length}\n`);
  });

  test("quoted arguments with \\x escapes are binary-safe too", async () => {
    const k = key("escaped");
    const r = await cli(
      [],
      `SET ${k} "a\\x00b\\r\\n\\"q\\" \\xff"\nGET ${k}\n`,
    );
    expect(r.stdout.toString()).toBe(`OK\n"a\\x00b\\r\\n\\"q\\" \\xff"\n`);
  });

  test("error replies print as (error) and set exit status 1; the pipeline goes on", async () => {
    const k = key("list");
    const r = await cli(
      [],
      `RPUSH ${k} a\nNOSUCHCOMMAND x\nGET ${k}\nLRANGE ${k} 0 -1\n`,
    );
    expect(r.exitCode).toBe(1);
    const lines = r.stdout.toString().split("\n");
    expect(lines[0]).toBe("(integer) 1");
    expect(lines[1]).toStartWith("(error) ERR unknown command 'NOSUCHCOMMAND'");
    expect(lines[2]).toBe(
      "(error) WRONGTYPE Operation against a key holding the wrong kind of value",
    );
    expect(lines[3]).toBe('1) "a"');
  });

  test("nothing listening: 'Could not connect to Redis at ...: Connection refused', exit status 1", async () => {
    using closed = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
    closed.bind(["127.0.0.1", 0]);
    const port = (closed.getsockname() as socket.Inet4Address)[1];
    const r = await run(
      bunCmd("examples/redis-cli.ts", ["-p", String(port), "PING"]),
    );
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe(
      `Could not connect to Redis at 127.0.0.1:${port}: Connection refused\n`,
    );
  });
});

describe("redis-cli.ts against the real redis-cli", () => {
  test("the same command file gives byte-identical output (redis-cli --no-raw)", async () => {
    const realCli = requireBinary("redis-cli", "redis-tools");
    const p = `bun-socket-diff:${process.pid}`;
    const commands = [
      "PING",
      `SET ${p}:s "a\\x00b\\r\\n\\"q\\" \\xff\\t\\a\\b"`,
      `GET ${p}:s`,
      `INCR ${p}:n`,
      `INCRBY ${p}:n 10000000000000000`,
      `GET ${p}:missing`,
      `SET 'it''s' x`, // unbalanced quotes: "Invalid argument(s)"
      `RPUSH ${p}:l a b c d e f g h i j k`,
      `LRANGE ${p}:l 0 -1`,
      `LRANGE ${p}:nothing 0 -1`,
      `BOGUS cmd`,
      `HSET ${p}:h f1 v1 f2 v2`,
      `HGETALL ${p}:h`,
      `ZADD ${p}:z 1 one 2 two`,
      `ZRANGE ${p}:z 0 -1 WITHSCORES`,
      "MULTI",
      `INCR ${p}:n`,
      `LRANGE ${p}:l 0 2`,
      "EXEC",
      `HMGET ${p}:h f1 nofield f2`,
      `TYPE ${p}:z`,
      `LPOP ${p}:l 2`,
      `ECHO "caf\\xc3\\xa9"`,
    ].join("\n");
    const args = ["-p", String(redis.port)];
    const reset = ["DEL", ...["s", "n", "l", "h", "z"].map((k) => `${p}:${k}`)];
    await cli(reset);
    const ours = await cli([], commands + "\n");
    await cli(reset);
    const theirs = await run([realCli, ...args, "--no-raw"], {
      stdin: commands + "\n",
    });
    expect(theirs.exitCode).toBe(0);
    expect(ours.stdout.toString()).toBe(theirs.stdout.toString());
    expect(ours.stdout.toString()).toContain("Invalid argument(s)");
  });
});
