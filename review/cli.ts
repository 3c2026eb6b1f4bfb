// npm run review -- [--stack <name>] [--project <dir>] [--config-file <path>] [--policy-config <path>] [--out <dir>]
//                    [--against <git ref | record.json>] [--fail-on-replace] [--verbose] [--timings]
// Reviews one stack offline: no Pulumi CLI, no cloud credentials. Runs the policy pack with the
// environment's policy config and prints its violations by enforcement level. Exits 1 when the stack
// cannot be reviewed (bad config, unknown stack, a program error), printing one line per problem, and
// when a mandatory policy fails, as `pulumi preview --policy-pack` would. With --against it also says what
// changes against another version of the stack, and with --fail-on-replace exits 1 when that change would
// replace, delete or unprotect a stateful resource.
//
// It loads the review (and with it the Pulumi SDKs) only once the arguments and the stack file have been
// read, so help, usage errors and a missing or unreadable stack file answer at once.
import * as path from "node:path";
import { parseArgs } from "node:util";
import type * as Policies from "../policies/policies";
import type * as Review from "./review";
import type * as Timings from "./timings";
import { type AgainstRequest, loadAgainst } from "./against";
import { mandatoryFindings } from "./chart-report";
import { diffReports, diffSummary, statefulRisks } from "./diff";
import type { ReviewDiff } from "./report-types";
import { mandatoryCount, policyLines } from "./policy-report";
import { listStacks, loadProject, loadStackConfig } from "./stack-file";

const ROOT = path.resolve(__dirname, "..");
const DEFAULT_OUT = path.join(ROOT, "review", "out");
const USAGE =
  "usage: npm run review -- [--stack <name>] [--project <dir>] [--config-file <path>] [--policy-config <path>] [--out <dir>] [--against <ref | record.json>] [--fail-on-replace] [--verbose] [--timings]";

/** The options, each with the line `--help` prints for it. */
const OPTIONS = {
  stack: { type: "string", short: "s", help: "stack to review: reads Pulumi.<stack>.yaml (default: production)" },
  project: {
    type: "string",
    help: "folder of the Pulumi project to review, as `pulumi --cwd` (default: the repository root; bootstrap for the CI identities and state)",
  },
  "config-file": { type: "string", help: "stack file to read instead of Pulumi.<stack>.yaml, as `pulumi --config-file`" },
  "policy-config": { type: "string", help: "policy pack config instead of policies/config/<environment>.json, as `--policy-pack-config`" },
  out: {
    type: "string",
    help: `folder for <stack>.json, <stack>.md and <stack>.html (default: ${path.relative(process.cwd(), DEFAULT_OUT) || "."})`,
  },
  against: {
    type: "string",
    help: "git ref or review record (<stack>.json) to compare with: lists added, removed and changed resources and the stateful ones at risk",
  },
  "fail-on-replace": {
    type: "boolean",
    help: "with --against, exit 1 when a stateful resource would be replaced, deleted or lose protect (for CI)",
  },
  verbose: { type: "boolean", help: "print stack traces with errors" },
  timings: { type: "boolean", help: "print the CPU time of each phase: start-up, program, policies, charts, checks, estimate, reports" },
  help: { type: "boolean", short: "h", help: "print this help" },
} as const;

type Options = { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]["type"] extends "string" ? string : boolean };

function help(): string {
  const flags = Object.entries(OPTIONS).map(([name, o]) => ({
    flag: `${"short" in o ? `-${o.short}, ` : "    "}--${name}${o.type === "string" ? " <value>" : ""}`,
    help: o.help,
  }));
  const width = Math.max(...flags.map(({ flag }) => flag.length));
  const lines = flags.map(({ flag, help }) => `  ${flag.padEnd(width)}  ${help}`);
  return [
    USAGE,
    "",
    "Reviews a stack offline: runs the program under Pulumi's mock runtime, then the policy pack over what it registered.",
    "",
    `stacks here: ${listStacks(ROOT).join(", ") || "none"}`,
    "",
    "options:",
    ...lines,
    "",
    "npm passes flags to the review only after `--`: npm run review -- --stack dev",
  ].join("\n");
}

class UsageError extends Error {}

/**
 * `npm run review --stack=dev` (no `--`) gives the flag to npm, which hands it on as npm_config_stack;
 * `npm run review --stack dev` leaves npm_config_stack=true and "dev" as a stray argument. Take the first,
 * refuse the second, so a review never silently falls back to production.
 */
function fromNpm(given: Options): Options {
  const taken: Options = { ...given };
  for (const [name, option] of Object.entries(OPTIONS)) {
    if (option.type !== "string" || taken[name as keyof Options] !== undefined) continue;
    const value = process.env[`npm_config_${name.replace(/-/g, "_")}`];
    if (value === undefined || value === "") continue;
    if (value === "true") throw new UsageError(`npm took --${name} as its own flag; pass it after --: npm run review -- --${name} <value>`);
    (taken as Record<string, string>)[name] = value;
    console.error(`review: --${name} ${value} read from npm (npm run review -- --${name} ${value} passes it directly)`);
  }
  return taken;
}

function options(): Options {
  try {
    const { values } = parseArgs({ options: OPTIONS, allowPositionals: false });
    const taken = fromNpm(values);
    if (taken["fail-on-replace"] && taken.against === undefined)
      throw new UsageError("--fail-on-replace needs --against <ref | record.json>");
    return taken;
  } catch (err) {
    console.error(`review: ${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}

function againstRequest(against: string, options: { stack: string; project?: string }): AgainstRequest {
  return { against, root: ROOT, stack: options.stack, ...(options.project && { project: options.project }) };
}

/** Says, in one line, which stateful resources the diff puts at risk; returns the exit status that asks for. */
function refuseRisks(stack: string, diff: ReviewDiff): number {
  const risks = statefulRisks(diff);
  if (risks.length === 0) return 0;
  console.error(
    `${stack}: --fail-on-replace: ${risks.length} stateful resource${risks.length === 1 ? "" : "s"} at risk against ${diff.against}: ${risks.map((r) => r.line).join("; ")}`,
  );
  return 1;
}

async function main(): Promise<number> {
  const args = options();
  if (args.help) {
    console.log(help());
    return 0;
  }
  try {
    const options = {
      root: ROOT,
      ...(args.project && { project: path.resolve(args.project) }),
      stack: args.stack ?? "production",
      ...(args["config-file"] && { configFile: args["config-file"] }),
      ...(args["policy-config"] && { policyConfigFile: path.resolve(args["policy-config"]) }),
    };
    const project = loadProject(options.project ?? ROOT);
    const stack = loadStackConfig(project, options.stack, options.configFile);
    /* eslint-disable @typescript-eslint/no-require-imports -- deferred on purpose, see the top of this file */
    const { policyRunInfo, reviewStack, summarize, writeReport } = require("./review") as typeof Review;
    const { policies } = require("../policies/policies") as typeof Policies;
    const { PhaseTimer } = require("./timings") as typeof Timings;
    /* eslint-enable @typescript-eslint/no-require-imports */
    const timer = args.timings ? new PhaseTimer() : undefined;
    // The other side first: a bad ref or record stops the review before it runs.
    const against = args.against === undefined ? undefined : loadAgainst(againstRequest(args.against, options));
    if (against) timer?.mark("against");
    const report: Review.ReviewReport = await reviewStack({ ...options, ...(timer && { timer }) }, project, stack);
    if (against) report.diff = diffReports(against, report, args.against!);
    const info = policyRunInfo(options, report.config, report.project);
    // Another project's reports go in a folder of their own, so its stacks never overwrite the platform's.
    const file = await writeReport(report, args.out ?? (options.project ? path.join(DEFAULT_OUT, project.name) : DEFAULT_OUT), info);
    timer?.mark("reports");
    const shown = (f: string) => path.relative(process.cwd(), f) || f;
    console.log(summarize(report, shown(file)));
    console.log(
      [
        ...policyLines(report.policies, policies, report.resources, info),
        `  summary written to ${shown(file.replace(/\.json$/, ".md"))}`,
        `  page with the resource graph written to ${shown(file.replace(/\.json$/, ".html"))}`,
      ].join("\n"),
    );
    if (report.diff) console.log(diffSummary(report.diff));
    if (timer) console.log(`  ${timer.line()}`);
    // A mandatory chart check's finding blocks as a mandatory policy violation does.
    const [violations, findings] = [mandatoryCount(report.policies), mandatoryFindings(report.checks)];
    const blocking = violations + findings;
    const risky = args["fail-on-replace"] && report.diff ? refuseRisks(report.stack, report.diff) : 0;
    if (blocking === 0) return risky;
    const what = [
      violations > 0 && `${violations} mandatory policy violation${violations === 1 ? "" : "s"}`,
      findings > 0 && `${findings} mandatory chart check finding${findings === 1 ? "" : "s"}`,
    ].filter(Boolean);
    console.error(
      `${report.stack}: ${what.join(" and ")}; fix ${blocking === 1 ? "it" : "them"} before deploying (details above and in ${shown(file.replace(/\.json$/, ".md"))})`,
    );
    return 1;
  } catch (err) {
    // Config and review errors are written for people: their message is the whole story.
    const error = err instanceof Error ? err : new Error(String(err));
    console.error(args.verbose ? (error.stack ?? error.message) : error.message);
    return 1;
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
