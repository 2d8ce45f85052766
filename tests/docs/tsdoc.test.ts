// Every export of the public modules has a TSDoc comment: the compiler resolves each entry's exports
// (following `export { x } from` and `export *` to the declaring file), and every declaration must carry a
// `/** ... */` comment; so must the public members of exported classes and interfaces.
//
// Uses TypeScript 7's own API (`typescript/unstable/async`: the tsgo compiler in a child process, the same
// program `tsc --noEmit` checks). A fixture with gaps on purpose (tests/docs/fixtures/undocumented.ts) shows
// the checker finds each kind of gap.
//
// Rules, as TypeDoc reads comments:
// - a `const`/`let` declaration takes the comment of its statement (`/** doc */ export const a = 1, b = 2`);
// - an overloaded function is documented when one of its signatures is;
// - constructors are documented by their class, and a member that overrides or implements a documented
//   member of a base class inherits that comment; `#private` and `private` members are not public.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join, relative } from "node:path";
import {
  API,
  SymbolFlags,
  type Checker,
  type Project,
  type Symbol as TsSymbol,
} from "typescript/unstable/async";
import { SyntaxKind, type Node } from "typescript/unstable/ast";

const ROOT = join(import.meta.dir, "../..");

/** The modules of the package's exports map. */
const ENTRIES = [
  "src/index.ts",
  "src/select.ts",
  "src/selectors.ts",
  "src/errno.ts",
  "src/ssl.ts",
];

/** A node as the API returns it, with the fields we read (the AST types list them per kind). */
interface AnyNode extends Node {
  readonly jsDoc?: readonly Node[];
  readonly name?: AnyNode & { readonly text?: string };
  readonly members?: readonly AnyNode[];
  readonly modifiers?: readonly Node[];
  readonly heritageClauses?: readonly (AnyNode & {
    readonly token: SyntaxKind;
    readonly types: readonly (AnyNode & { readonly expression: AnyNode })[];
  })[];
}

let api: API;
let project: Project;
let checker: Checker;

beforeAll(async () => {
  api = new API({ cwd: ROOT });
  const snapshot = await api.updateSnapshot({
    openProject: join(ROOT, "tsconfig.json"),
  });
  const found = snapshot.getProject(join(ROOT, "tsconfig.json"));
  if (found === undefined) throw new Error("tsconfig.json: no project");
  project = found;
  checker = project.checker;
}, 60_000);

afterAll(async () => {
  await api?.close();
});

function hasDoc(n: AnyNode): boolean {
  // `export const a = 1`: VariableDeclaration -> VariableDeclarationList -> VariableStatement (the comment)
  const holder =
    n.kind === SyntaxKind.VariableDeclaration
      ? (n.parent?.parent as AnyNode)
      : n;
  return (holder?.jsDoc?.length ?? 0) > 0;
}

function where(n: Node): string {
  return relative(ROOT, n.getSourceFile().fileName);
}

function memberName(m: AnyNode): string | null {
  if (m.kind === SyntaxKind.Constructor) return "constructor";
  const name = m.name;
  if (name === undefined) return null; // index signatures, call signatures
  if (name.kind === SyntaxKind.PrivateIdentifier) return null;
  return name.text ?? null;
}

function isPrivate(m: AnyNode): boolean {
  return (m.modifiers ?? []).some(
    (x) =>
      x.kind === SyntaxKind.PrivateKeyword ||
      x.kind === SyntaxKind.ProtectedKeyword,
  );
}

async function resolveSymbol(s: TsSymbol): Promise<TsSymbol> {
  return s.flags & SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
}

async function declarations(s: TsSymbol): Promise<AnyNode[]> {
  const out: AnyNode[] = [];
  for (const h of s.declarations) {
    const n = await h.resolve(project);
    if (n !== undefined) out.push(n as AnyNode);
  }
  return out;
}

/** The class declarations this class extends, nearest first. */
async function baseClasses(cls: AnyNode): Promise<AnyNode[]> {
  const out: AnyNode[] = [];
  let cur: AnyNode | undefined = cls;
  for (let depth = 0; cur !== undefined && depth < 16; depth++) {
    const ext = cur.heritageClauses?.find(
      (h) => h.token === SyntaxKind.ExtendsKeyword,
    );
    const expr = ext?.types[0]?.expression;
    if (expr === undefined) break;
    const sym = await checker.getSymbolAtLocation(expr);
    if (sym === undefined) break;
    const decls = await declarations(await resolveSymbol(sym));
    cur = decls.find(
      (d) =>
        d.kind === SyntaxKind.ClassDeclaration ||
        d.kind === SyntaxKind.InterfaceDeclaration,
    );
    if (cur !== undefined) out.push(cur);
  }
  return out;
}

/** Public members of a class or interface without a comment of their own or an inherited one. */
async function undocumentedMembers(
  exportName: string,
  decl: AnyNode,
): Promise<string[]> {
  const byName = new Map<string, AnyNode[]>();
  for (const m of decl.members ?? []) {
    const name = memberName(m);
    if (name === null || name === "constructor" || name === "prototype")
      continue;
    if (isPrivate(m)) continue;
    byName.set(name, [...(byName.get(name) ?? []), m]);
  }
  const out: string[] = [];
  let bases: AnyNode[] | undefined;
  for (const [name, ms] of byName) {
    if (ms.some(hasDoc)) continue; // overloads: one documented signature is enough
    bases ??= await baseClasses(decl);
    const inherited = bases.some((b) =>
      (b.members ?? []).some((m) => memberName(m) === name && hasDoc(m)),
    );
    if (!inherited) out.push(`${exportName}.${name} (${where(decl)})`);
  }
  return out;
}

/** Every export of `file` (and public member of an exported class/interface) without a TSDoc comment. */
async function undocumented(file: string): Promise<string[]> {
  const source = await project.program.getSourceFile(join(ROOT, file));
  if (source === undefined) throw new Error(`${file} is not in the program`);
  const mod = await checker.getSymbolAtLocation(source);
  if (mod === undefined) throw new Error(`${file}: no module symbol`);
  const missing: string[] = [];
  for (const exported of await checker.getExportsOfModule(mod)) {
    const decls = await declarations(await resolveSymbol(exported));
    if (decls.length === 0) {
      missing.push(`${exported.name} (no declaration found)`);
      continue;
    }
    const fns = decls.filter((d) => d.kind === SyntaxKind.FunctionDeclaration);
    const rest = decls.filter((d) => d.kind !== SyntaxKind.FunctionDeclaration);
    for (const d of rest)
      if (!hasDoc(d)) missing.push(`${exported.name} (${where(d)})`);
    if (fns.length > 0 && !fns.some(hasDoc))
      missing.push(`${exported.name} (${where(fns[0]!)})`);
    for (const d of rest)
      if (
        d.kind === SyntaxKind.ClassDeclaration ||
        d.kind === SyntaxKind.InterfaceDeclaration
      )
        missing.push(...(await undocumentedMembers(exported.name, d)));
  }
  return [...new Set(missing)].sort();
}

/** Generated constants modules: values only, documented as a table rather than one example each. */
const GENERATED = new Set([
  "src/api/constants.ts",
  "src/errno.ts",
  "src/api/select-constants.ts",
]);

/** The text of every `/** *\/` comment attached to a declaration. */
function docText(n: AnyNode): string {
  return (n.jsDoc ?? []).map((d) => d.getText()).join("\n");
}

/**
 * Every exported function and class of `file` whose comment lacks an `@example` or an `@see` link
 * (to docs.python.org, or, with no Python counterpart, to another URL), with what is missing.
 */
async function withoutExampleOrLink(file: string): Promise<string[]> {
  const source = await project.program.getSourceFile(join(ROOT, file));
  if (source === undefined) throw new Error(`${file} is not in the program`);
  const mod = await checker.getSymbolAtLocation(source);
  if (mod === undefined) throw new Error(`${file}: no module symbol`);
  const missing: string[] = [];
  for (const exported of await checker.getExportsOfModule(mod)) {
    const decls = (await declarations(await resolveSymbol(exported))).filter(
      (d) =>
        (d.kind === SyntaxKind.FunctionDeclaration ||
          d.kind === SyntaxKind.ClassDeclaration) &&
        !GENERATED.has(where(d)),
    );
    if (decls.length === 0) continue;
    const text = decls.map(docText).join("\n"); // overloads: any signature's comment counts
    const gaps: string[] = [];
    if (!/@example\b/.test(text)) gaps.push("@example");
    if (!/@see\s+\S*https?:\/\//.test(text)) gaps.push("@see <url>");
    if (gaps.length > 0)
      missing.push(
        `${exported.name} (${where(decls[0]!)}): no ${gaps.join(", no ")}`,
      );
  }
  return [...new Set(missing)].sort();
}

describe("the checker itself", () => {
  test("finds every undocumented export and member of the fixture, and nothing else", async () => {
    expect(await undocumented("tests/docs/fixtures/undocumented.ts")).toEqual(
      [
        "BareType (tests/docs/fixtures/undocumented.ts)",
        "PartlyDocumented.bare (tests/docs/fixtures/undocumented.ts)",
        "Shape.b (tests/docs/fixtures/undocumented.ts)",
        "bareConst (tests/docs/fixtures/undocumented.ts)",
        "bareFunction (tests/docs/fixtures/undocumented.ts)",
        "starBare (tests/docs/fixtures/undocumented-star.ts)",
        // Derived.bare is inherited without a comment anywhere: it is the base's gap, reported once
      ].sort(),
    );
  });
});

describe("every export of the public modules has a TSDoc comment", () => {
  for (const entry of ENTRIES) {
    test(entry, async () => {
      const missing = await undocumented(entry);
      if (missing.length > 0)
        throw new Error(
          `${entry}: ${missing.length} export(s) without a /** */ comment:\n  ${missing.join("\n  ")}`,
        );
      expect(missing).toEqual([]);
    });
  }
});

describe("every exported function and class has an @example and an @see link to the Python docs", () => {
  for (const entry of ENTRIES) {
    test(entry, async () => {
      const missing = await withoutExampleOrLink(entry);
      if (missing.length > 0)
        throw new Error(
          `${entry}: ${missing.length} function(s)/class(es) lacking an example or a link:\n  ${missing.join("\n  ")}`,
        );
      expect(missing).toEqual([]);
    });
  }
});
