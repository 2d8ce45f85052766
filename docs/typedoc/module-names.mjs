// TypeDoc plugin: names each documented module after its import path in package.json's exports map
// ("bun-socket", "bun-socket/select", ...) instead of its file name ("index", "select", ...). TypeDoc names a
// module after its entry file's path below the common directory of all entries (here src/), without ".ts".
import { readFileSync } from "node:fs";
import { Converter, ReflectionKind } from "typedoc";

const pkg = JSON.parse(
  readFileSync(new URL("../../package.json", import.meta.url), "utf8"),
);

/** @param {import("typedoc").Application} app */
export function load(app) {
  // "./src/select.ts" (export "./select") -> TypeDoc's "select" -> "bun-socket/select"
  const rename = new Map();
  for (const [sub, target] of Object.entries(pkg.exports)) {
    const file = typeof target === "string" ? target : target.types;
    const typedocName = file.replace(/^\.\/src\//, "").replace(/\.ts$/, "");
    rename.set(
      typedocName,
      sub === "." ? pkg.name : `${pkg.name}/${sub.slice(2)}`,
    );
  }
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const mod of context.project.getReflectionsByKind(
      ReflectionKind.Module,
    )) {
      const name = rename.get(mod.name);
      if (name !== undefined) mod.name = name;
    }
  });
}
