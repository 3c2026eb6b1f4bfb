// Preload (`node -r ./bench/probe.js ...`) that writes, as the process exits, the CPU time it used
// (user + system, all threads) and the Pulumi SDKs it loaded to the JSON file named by $BENCH_PROBE.
// An SDK is named by its package (`@pulumi/aws`) when its main module was loaded, else by the folder
// holding every module of it that was (`@pulumi/aws/types/enums`), so a cheap corner of an SDK is told
// apart from the SDK itself. npm run bench and test/lazy-sdk.test.ts read it.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

/** @param {string[]} files paths inside a package @returns {string[]} the folders all of them are under */
function commonFolder(files) {
  const dirs = files.map((f) => f.split("/").slice(0, -1));
  const first = dirs[0] ?? [];
  let depth = 0;
  while (depth < first.length && dirs.every((d) => d[depth] === first[depth])) depth++;
  return first.slice(0, depth);
}

/** @returns {string[]} the loaded SDKs, sorted */
function loadedSdks() {
  /** @type {Map<string, { name: string, files: string[] }>} package folder -> its loaded modules */
  const packages = new Map();
  for (const file of Object.keys(require.cache)) {
    const match = /^(.*[\\/]node_modules[\\/]@pulumi[\\/]([^\\/]+))[\\/](.+)$/.exec(file);
    if (!match) continue;
    const [, folder, name, rest] = match;
    const entry = packages.get(folder) ?? { name: `@pulumi/${name}`, files: [] };
    entry.files.push(rest.split(/[\\/]/).join("/"));
    packages.set(folder, entry);
  }
  const names = new Set();
  for (const [folder, { name, files }] of packages) {
    let main;
    try {
      main = require.resolve(folder);
    } catch {
      main = undefined;
    }
    if (main !== undefined && require.cache[main]) {
      names.add(name);
      continue;
    }
    names.add([name, ...commonFolder(files)].join("/"));
  }
  return [...names].sort();
}

const target = process.env.BENCH_PROBE;
if (target) {
  process.on("exit", () => {
    const { user, system } = process.cpuUsage();
    fs.writeFileSync(
      path.resolve(target),
      JSON.stringify({ cpuMs: (user + system) / 1000, userMs: user / 1000, systemMs: system / 1000, sdks: loadedSdks() }),
    );
  });
}
