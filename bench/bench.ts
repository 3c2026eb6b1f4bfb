// npm run bench: wall-clock figures for the offline review of every shipped stack and for the test
// suite. Figures, not assertions: a busy machine makes them slower, it does not make them wrong.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { listStacks } from "../review/stack-file";

const ROOT = path.resolve(__dirname, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const REVIEW_TARGET_MS = 5000;

function timed(command: string, args: string[]): { ms: number; ok: boolean } {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd: ROOT, encoding: "utf8", env: { ...process.env, CI: "true" } });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) process.stderr.write(result.stderr);
  return { ms, ok: result.status === 0 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

const out = fs.mkdtempSync(path.join(os.tmpdir(), "bench-review-"));
console.log(`offline review, wall time of \`npm run review -- --stack <name>\` (a fresh Node process), ${RUNS} runs each; ${os.cpus().length} cores, Node ${process.version}`);
console.log(`  ${"stack".padEnd(16)} ${"median".padStart(9)} ${"max".padStart(9)}  target < ${seconds(REVIEW_TARGET_MS)}`);
for (const stack of listStacks(ROOT)) {
  const runs = Array.from({ length: RUNS }, () => timed(process.execPath, ["-r", "./review/register.js", "review/cli.ts", "--stack", stack, "--out", out]));
  const times = runs.map((r) => r.ms);
  const verdict = runs.some((r) => !r.ok) ? "FAILED" : Math.max(...times) < REVIEW_TARGET_MS ? "ok" : "over target";
  console.log(`  ${stack.padEnd(16)} ${seconds(median(times)).padStart(9)} ${seconds(Math.max(...times)).padStart(9)}  ${verdict}`);
}

console.log("test suite, wall time of `jest` (type check and lint excluded), one run");
const suite = timed(process.execPath, [require.resolve("jest/bin/jest"), "--silent"]);
console.log(`  ${"jest".padEnd(16)} ${seconds(suite.ms).padStart(9)}  ${suite.ok ? "passed" : "FAILED"}`);
