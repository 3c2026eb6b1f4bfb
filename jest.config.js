const os = require("node:os");
const path = require("node:path");

// The processes the tests start (the review CLI, the Pulumi loader, the global setup's reviews) load the
// same SDKs every time: let Node keep their compiled code (V8's code cache, checked against each file's
// content) for the workers and every process they start, unless the caller chose a cache already.
process.env.NODE_COMPILE_CACHE ??= path.join(os.tmpdir(), "node-compile-cache");

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": [
      "@swc/jest",
      {
        jsc: { parser: { syntax: "typescript" }, target: "es2022" },
        module: { type: "commonjs" },
        sourceMaps: "inline",
      },
    ],
  },
  // Programs under Pulumi's mock runtime create thousands of promises; see test/setup/fast-promises.ts.
  setupFiles: ["<rootDir>/test/setup/fast-promises.ts"],
  // Reviews each shipped stack once per run, for every file that reads it (test/reviews.ts).
  globalSetup: "<rootDir>/test/setup/shared-reviews.ts",
  maxWorkers: 2,
  // A worker that has run a few dozen files holds hundreds of MB of module copies (each file loads the SDKs
  // in its own registry), and freeing them as it exits took 250-550 ms on a 2-core machine: past jest's
  // default 500 ms, so jest force-exited workers that were already exiting. A worker that a leaked handle
  // keeps alive never exits, and is still force-exited, which fails `npm test` (test/run.mjs).
  workerGracefulExitTimeout: 5_000,
  testTimeout: 60_000,
};
