// Compiles TypeScript on require with swc, so the review CLI and the benchmark run the program's
// sources directly (no build step). Type checking is `npm run typecheck`'s job, not this hook's.
//
// swc's output depends only on the file's path (named in its source map), its source, swc's version and
// the options below, so it is kept in the temp folder under a hash of all four: a later process (the next
// review, the tests' review processes) skips compiling files it has seen, and loads swc only for one it
// has not. A changed file hashes differently, so nothing stale is ever read.
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

process.setSourceMapsEnabled(true);

const OPTIONS = {
  jsc: { parser: { syntax: "typescript" }, target: "es2022" },
  module: { type: "commonjs" },
  sourceMaps: "inline",
  swcrc: false,
};
const CACHE = path.join(os.tmpdir(), "platform-swc-cache");
const KEY = JSON.stringify([require("@swc/core/package.json").version, OPTIONS]);

let swc;
function compile(source, filename) {
  const file = path.join(CACHE, `${crypto.createHash("sha256").update(KEY).update("\0").update(filename).update("\0").update(source).digest("hex")}.js`);
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    // Not compiled yet.
  }
  swc ??= require("@swc/core");
  const { code } = swc.transformSync(source, { filename, ...OPTIONS });
  try {
    fs.mkdirSync(CACHE, { recursive: true });
    // Written aside and renamed, so a process running beside this one never reads half a file.
    const partial = `${file}.${process.pid}`;
    fs.writeFileSync(partial, code);
    fs.renameSync(partial, file);
  } catch {
    // A cache that cannot be written only costs the next process a compile.
  }
  return code;
}

require.extensions[".ts"] = function compileTypeScript(module, filename) {
  module._compile(compile(fs.readFileSync(filename, "utf8"), filename), filename);
};
