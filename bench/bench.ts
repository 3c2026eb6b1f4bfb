// npm run bench: what the offline review of every shipped stack costs, against two yardsticks: loading the
// Pulumi SDKs it needs (a bare `require`), a floor no review goes below, and that plus registering the
// resources the review recorded through the SDK's own mock runtime (bench/replay.js), what any program
// declaring them pays offline (the review answers registrations itself, for less); then one more review of
// each stack with --timings, for the CPU of each phase; then the wall time of the test suite.
// Each review runs in a fresh Node process, as `npm run review` does; so does each floor. CPU time is
// user + system of the child, all threads, as it reports at exit (bench/probe.js). Figures, not
// assertions: a busy machine makes them slower, it does not make them wrong. Exits 1 when any run fails.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { listStacks, loadProject, loadStackConfig } from "../review/stack-file";

const ROOT = path.resolve(__dirname, "..");
/** `npm run review` as package.json has it, without `node`: the review runs here exactly as a user runs it. */
const REVIEW = reviewCommand();
/** The Node options the review runs with; the floors get them too, so the ratios compare the work alone. */
const NODE_FLAGS = REVIEW.slice(0, REVIEW.indexOf("-r"));
const PROBE = path.join(__dirname, "probe.js");
const RUNS = runs(process.env.BENCH_RUNS);
/** Review CPU over the CPU of a bare require of its SDKs: what is left for compiling, the program and the policies. */
const TARGET_RATIO = 1.5;

/** The SDKs a stack of each cloud needs, as the review loads them (the cheap AWS enums are read on every cloud). */
const SDKS: Record<string, string[]> = {
  aws: ["@pulumi/pulumi", "@pulumi/aws", "@pulumi/kubernetes", "@pulumi/random", "@pulumi/policy"],
  gcp: ["@pulumi/pulumi", "@pulumi/gcp", "@pulumi/aws/types/enums", "@pulumi/kubernetes", "@pulumi/random", "@pulumi/policy"],
};

function reviewCommand(): string[] {
  const { scripts } = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
  const [node, ...args] = (scripts.review ?? "").split(/\s+/);
  if (node !== "node" || !args.includes("-r") || args.some((a) => /["'$`]/.test(a))) {
    console.error(`bench: package.json's review script is not a plain \`node [options] -r <hook> <cli>\` command (got ${scripts.review})`);
    process.exit(2);
  }
  return args;
}

function runs(text: string | undefined): number {
  const n = Number(text ?? 3);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`bench: BENCH_RUNS must be a whole number of runs, at least 1 (got ${text})`);
    process.exit(2);
  }
  return n;
}

interface Run {
  ok: boolean;
  wallMs: number;
  /** User + system CPU of the child; NaN when it did not report. */
  cpuMs: number;
  sdks: string[];
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), "bench-review-"));
let count = 0;

/** Runs `node <args>` from the project root with the probe preloaded; its output goes to a log, shown when it fails. */
function measure(label: string, args: string[], withProbe = true): Run {
  const id = String(++count);
  const probe = path.join(work, `${id}.json`);
  const log = path.join(work, `${id}.log`);
  const fd = fs.openSync(log, "w");
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [...(withProbe ? ["-r", PROBE] : []), ...args], {
    cwd: ROOT,
    stdio: ["ignore", fd, fd],
    // The user's environment as it is (jest's own behaviour depends on CI and friends); only the probe's file added.
    env: withProbe ? { ...process.env, BENCH_PROBE: probe } : process.env,
  });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  fs.closeSync(fd);
  const report = fs.existsSync(probe) ? (JSON.parse(fs.readFileSync(probe, "utf8")) as { cpuMs: number; sdks: string[] }) : undefined;
  const ok = result.status === 0 && (!withProbe || report !== undefined);
  if (!ok) {
    const why = result.error?.message ?? (result.signal ? `killed by ${result.signal}` : `exit status ${result.status}`);
    process.stderr.write(
      `bench: ${label} failed (${why}); its output (${log}):\n${fs.readFileSync(log, "utf8").split("\n").slice(-40).join("\n")}\n`,
    );
  }
  return { ok, wallMs, cpuMs: report?.cpuMs ?? NaN, sdks: report?.sdks ?? [] };
}

/** One more review of the stack with --timings: its `CPU by phase: ...` line, or undefined when it printed none. */
function phasesOf(stack: string, out: string): string | undefined {
  const result = spawnSync(process.execPath, [...REVIEW, "--stack", stack, "--out", out, "--timings"], { cwd: ROOT, encoding: "utf8" });
  return /^ {2}(CPU by phase: .*)$/m.exec(result.stdout ?? "")?.[1];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const seconds = (ms: number) => (Number.isNaN(ms) ? "-" : `${(ms / 1000).toFixed(2)} s`);
const columns = (cells: string[], widths: number[]) =>
  cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");

let failed = false;
const project = loadProject(ROOT);
const WIDTHS = [16, 10, 9, 6, 12, 6, 11, 9];
console.log(
  `offline review (\`npm run review -- --stack <name>\`) vs a bare require of the SDKs it needs (sdks), and vs that plus registering the review's resources through the SDK's mocks (registration, bench/replay.js); each a fresh Node process; median of ${RUNS} run${RUNS === 1 ? "" : "s"}; ${os.cpus().length} cores, Node ${process.version}`,
);
console.log(
  `  ${columns(["stack", "review cpu", "sdks cpu", "ratio", "registration", "ratio", "review wall", "sdks wall"], WIDTHS)}  target: review cpu <= ${TARGET_RATIO}x sdks cpu`,
);
for (const stack of listStacks(ROOT)) {
  const cloud = loadStackConfig(project, stack).config[`${project.name}:cloud`] ?? "";
  const sdks = SDKS[cloud];
  if (!sdks) {
    console.log(
      `  ${stack.padEnd(WIDTHS[0]!)}  FAILED: platform:cloud is ${cloud || "not set"}, not one of ${Object.keys(SDKS).join(", ")}`,
    );
    failed = true;
    continue;
  }
  const reviews: Run[] = [];
  const bare: Run[] = [];
  const floor: Run[] = [];
  const out = path.join(work, "out");
  // Alternate them, so a machine that gets busier part-way slows all alike.
  for (let i = 0; i < RUNS; i++) {
    reviews.push(measure(`review of ${stack}`, [...REVIEW, "--stack", stack, "--out", out]));
    bare.push(measure(`require of ${sdks.join(", ")}`, [...NODE_FLAGS, "-e", `for (const sdk of ${JSON.stringify(sdks)}) require(sdk);`]));
    floor.push(
      measure(`registration of ${stack}'s resources`, [
        ...NODE_FLAGS,
        path.join(__dirname, "replay.js"),
        path.join(out, `${stack}.json`),
        ...sdks,
      ]),
    );
  }
  const runsOk = [...reviews, ...bare, ...floor].every((r) => r.ok);
  failed ||= !runsOk;
  const [reviewCpu, bareCpu, floorCpu] = [reviews, bare, floor].map((runs) => median(runs.map((r) => r.cpuMs))) as [number, number, number];
  const ratio = reviewCpu / bareCpu;
  const ratioToFloor = reviewCpu / floorCpu;
  const times = (r: number) => (Number.isNaN(r) ? "-" : `${r.toFixed(2)}x`);
  const loaded = reviews[0]!.sdks;
  const extra = loaded.filter((s) => !sdks.includes(s));
  // Over the target, say how much of it the SDK's own registration of the same resources takes.
  const verdict = !runsOk
    ? "FAILED"
    : ratio <= TARGET_RATIO
      ? "ok"
      : `over target (registering its resources alone costs ${times(floorCpu / bareCpu)} sdks cpu)`;
  const cells = [
    stack,
    seconds(reviewCpu),
    seconds(bareCpu),
    times(ratio),
    seconds(floorCpu),
    times(ratioToFloor),
    seconds(median(reviews.map((r) => r.wallMs))),
    seconds(median(bare.map((r) => r.wallMs))),
  ];
  console.log(`  ${columns(cells, WIDTHS)}  ${verdict}${extra.length > 0 ? `; the review also loads ${extra.join(", ")}` : ""}`);
  const phases = phasesOf(stack, out);
  failed ||= phases === undefined;
  console.log(`  ${"".padEnd(WIDTHS[0]!)}  one more run, ${phases ?? "FAILED: no CPU by phase printed"}`);
}

console.log("test suite, wall time of `jest` (type check and lint excluded), one run, in this shell's environment");
const suite = measure("jest", [require.resolve("jest/bin/jest"), "--silent"], false);
failed ||= !suite.ok;
console.log(`  ${"jest".padEnd(WIDTHS[0]!)}  ${seconds(suite.wallMs).padStart(WIDTHS[1]!)}  ${suite.ok ? "passed" : "FAILED"}`);

if (failed) {
  console.error(`bench: some runs failed (logs in ${work})`);
  process.exit(1);
}
fs.rmSync(work, { recursive: true, force: true });
