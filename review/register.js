// Compiles TypeScript on require with swc, so the review CLI and the benchmark run the program's
// sources directly (no build step). Type checking is `npm run typecheck`'s job, not this hook's.
"use strict";
const fs = require("node:fs");
const { transformSync } = require("@swc/core");

process.setSourceMapsEnabled(true);

require.extensions[".ts"] = function compileTypeScript(module, filename) {
  const source = fs.readFileSync(filename, "utf8");
  const { code } = transformSync(source, {
    filename,
    jsc: { parser: { syntax: "typescript" }, target: "es2022" },
    module: { type: "commonjs" },
    sourceMaps: "inline",
    swcrc: false,
  });
  module._compile(code, filename);
};
