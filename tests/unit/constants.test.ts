// Differential test: our socket/errno constants against python3's on this machine.
import { describe, expect, test } from "bun:test";
import * as C from "../../src/api/constants.ts";
import * as E from "../../src/errno.ts";

interface PythonDump {
  socket: Record<string, number>;
  errno: Record<string, number>;
  errorcode: Record<string, string>;
}

const dumpScript = `
import errno, json, socket
def ints(m):
    return {n: int(getattr(m, n)) for n in dir(m)
            if n.isupper() and isinstance(getattr(m, n), int) and not isinstance(getattr(m, n), bool)}
print(json.dumps({"socket": ints(socket), "errno": ints(errno),
                  "errorcode": {str(k): v for k, v in errno.errorcode.items()}}))
`;

function pythonDump(): PythonDump | null {
  if (Bun.which("python3") === null) return null;
  const r = Bun.spawnSync(["python3", "-c", dumpScript], { timeout: 20_000 });
  if (r.exitCode !== 0) {
    throw new Error(
      `python3 failed (exit ${r.exitCode}): ${r.stderr.toString()}`,
    );
  }
  return JSON.parse(r.stdout.toString()) as PythonDump;
}

const py = pythonDump();

/** Names whose value differs from Python's or that we lack, as readable lines. */
function compare(
  ours: Record<string, unknown>,
  theirs: Record<string, number>,
): string[] {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(theirs)) {
    if (!(name in ours)) problems.push(`${name}: missing (python ${value})`);
    else if (ours[name] !== value)
      problems.push(`${name}: ours ${String(ours[name])}, python ${value}`);
  }
  return problems;
}

describe.skipIf(py === null)(
  "constants agree with python3 on this machine",
  () => {
    test("every int constant of Python's socket module is exported with the same value", () => {
      const problems = compare(C, py!.socket);
      expect(
        problems,
        `socket constants that differ from Python:\n${problems.join("\n")}`,
      ).toEqual([]);
    });

    test("every errno name of Python's errno module is exported with the same value", () => {
      const problems = compare(E, py!.errno);
      expect(
        problems,
        `errno constants that differ from Python:\n${problems.join("\n")}`,
      ).toEqual([]);
    });

    test("errorcode equals Python's errno.errorcode, alias choices included", () => {
      const ours: Record<string, string> = {};
      for (const [k, v] of Object.entries(E.errorcode)) ours[k] = v;
      const missing = Object.keys(py!.errorcode).filter((k) => !(k in ours));
      const extra = Object.keys(ours).filter((k) => !(k in py!.errorcode));
      expect(missing, `errorcode lacks: ${missing.join(", ")}`).toEqual([]);
      expect(extra, `errorcode has extra: ${extra.join(", ")}`).toEqual([]);
      expect(ours).toEqual(py!.errorcode);
    });

    test("errorcode is frozen", () => {
      expect(Object.isFrozen(E.errorcode)).toBe(true);
    });
  },
);
