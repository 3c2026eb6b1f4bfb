// `npm test`: the type check, the lint, the format check and jest, one after another, each announced with what it runs and
// followed by how long it took, stopping at the first that fails. Arguments go to jest
// (`npm test -- test/review.test.ts`).
//
// jest's output is streamed through as it comes. jest exits 0 even when it had to kill a worker that did
// not exit after the run ("A worker process has failed to exit gracefully and has been force exited"),
// which means a test left something running: a server, a child process, a timer. That fails the run here;
// so does the same leak in a run jest makes in its own process (a single file), where jest says it "did
// not exit one second after the test run" and would wait forever. jest's own alternatives cost too much:
// --detectOpenHandles runs every file in one process, and --forceExit hides the leak instead of reporting
// it. jest.config.js gives workers a few seconds to exit, so only something that never stops trips this.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import process from "node:process";

const FORCE_EXITED = "A worker process has failed to exit gracefully and has been force exited";
const DID_NOT_EXIT = "Jest did not exit one second after the test run has completed";

const require = createRequire(import.meta.url);
const npm = process.env.npm_execpath;
const seconds = (since) => `${((performance.now() - since) / 1000).toFixed(1)} s`;
const say = (line) => process.stdout.write(`${line}\n`);

const { scripts } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));

/** An npm script of this package, run by npm (the npm that started us, if one did). */
const script = (name) => ({
  name,
  shows: scripts[name],
  run: npm ? [process.execPath, [npm, "run", "--silent", name]] : ["npm", ["run", "--silent", name]],
});

const steps = [
  script("typecheck"),
  script("lint"),
  script("format:check"),
  {
    name: "jest",
    run: [process.execPath, [require.resolve("jest/bin/jest"), ...(process.stderr.isTTY ? ["--colors"] : []), ...process.argv.slice(2)]],
    shows: ["jest", ...process.argv.slice(2)].join(" "),
    leaks: [FORCE_EXITED, DID_NOT_EXIT],
  },
];

/** Runs one step with its output streamed through; resolves to its exit code (0 if we had to stop it) and whether it reported a leak. */
function run({ run: [command, args], leaks = [] }) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ["inherit", "pipe", "pipe"], shell: process.platform === "win32" && command === "npm" });
    let seen = false;
    let stopped = false;
    let tail = "";
    const pass = (to) => (chunk) => {
      to.write(chunk);
      if (leaks.length === 0 || seen) return;
      // The end of the previous chunk is kept, so a line split between two is still found.
      const text = tail + chunk.toString();
      tail = text.slice(-200);
      seen = leaks.some((line) => text.includes(line));
      // Its tests are done and reported; only the leak keeps it running.
      if (seen && text.includes(DID_NOT_EXIT)) stopped = child.kill();
    };
    child.stdout.on("data", pass(process.stdout));
    child.stderr.on("data", pass(process.stderr));
    child.on("error", (err) => {
      process.stderr.write(`${err.message}\n`);
      resolve({ code: 1, seen });
    });
    child.on("close", (code) => resolve({ code: stopped ? 0 : (code ?? 1), seen }));
  });
}

// Ctrl-C reaches the step too; wait for it to stop and report, rather than leave its output cut off.
process.on("SIGINT", () => undefined);

const started = performance.now();
for (const [i, step] of steps.entries()) {
  const at = performance.now();
  say(`\n[${i + 1}/${steps.length}] ${step.name}: ${step.shows}`);
  const { code, seen } = await run(step);
  if (code !== 0 || seen) {
    const leak =
      "a test left something running that kept jest or one of its workers from exiting; find it with npx jest --detectOpenHandles <file>";
    say(
      `[${i + 1}/${steps.length}] ${step.name} failed after ${seconds(at)}: ${[code !== 0 && `exit ${code}`, seen && leak].filter(Boolean).join("; ")}`,
    );
    process.exit(code || 1);
  }
  say(`[${i + 1}/${steps.length}] ${step.name} passed in ${seconds(at)}`);
}
say(`\nnpm test passed in ${seconds(started)}`);
