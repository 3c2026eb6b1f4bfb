// Compiles TypeScript on require with swc, so the review CLI and the benchmark run the program's
// sources directly (no build step). Type checking is `npm run typecheck`'s job, not this hook's.
//
// Compiled output is cached by content (the source, its path, swc's version and options) in a folder of
// the system's temp directory that only this user can write, so a review compiles only what changed
// since the last one and loads swc only then.
//
// Stack traces name TypeScript lines when a command asks for them (`--verbose`) or Node runs with
// --enable-source-maps. Not always: with source maps on, every stack the Pulumi SDK captures (one per
// promise, for its leak report) is mapped, which costs a review of an AWS stack ~0.7 s of CPU.
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

if (process.argv.includes("--verbose")) process.setSourceMapsEnabled(true);

const SWC_OPTIONS = {
  jsc: { parser: { syntax: "typescript" }, target: "es2022" },
  module: { type: "commonjs" },
  sourceMaps: "inline",
  swcrc: false,
};
const SWC_VERSION = require("@swc/core/package.json").version;

/** The cache folder, or undefined when there is none this user alone can write. */
function cacheDir() {
  const dir = path.join(os.tmpdir(), `platform-swc-${process.getuid?.() ?? "user"}`);
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stat = fs.lstatSync(dir);
    const owned = process.getuid === undefined || stat.uid === process.getuid();
    return stat.isDirectory() && owned && (stat.mode & 0o022) === 0 ? dir : undefined;
  } catch {
    return undefined;
  }
}
const CACHE = cacheDir();

function compile(source, filename) {
  return require("@swc/core").transformSync(source, { ...SWC_OPTIONS, filename }).code;
}

function cached(source, filename) {
  if (CACHE === undefined) return compile(source, filename);
  const key = crypto
    .createHash("sha256")
    .update(JSON.stringify([SWC_VERSION, SWC_OPTIONS, filename, source]))
    .digest("hex");
  const file = path.join(CACHE, `${key}.js`);
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    const code = compile(source, filename);
    // Written aside and renamed, so a concurrent review never reads half a file. A cache that cannot be
    // written only costs the next run a compile.
    const partial = `${file}.${process.pid}.tmp`;
    try {
      fs.writeFileSync(partial, code, { mode: 0o600 });
      fs.renameSync(partial, file);
    } catch {
      fs.rmSync(partial, { force: true });
    }
    return code;
  }
}

require.extensions[".ts"] = function compileTypeScript(module, filename) {
  module._compile(cached(fs.readFileSync(filename, "utf8"), filename), filename);
};
