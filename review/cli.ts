// npm run review -- [--stack <name>] [--config-file <path>] [--policy-config <path>] [--out <dir>] [--verbose]
// Reviews one stack offline: no Pulumi CLI, no cloud credentials. Runs the policy pack with the
// environment's policy config and prints its violations by enforcement level. Exits 1 when the stack
// cannot be reviewed (bad config, unknown stack, a program error), printing one line per problem, and
// when a mandatory policy fails, as `pulumi preview --policy-pack` would.
import * as path from "node:path";
import { parseArgs } from "node:util";
import { policies } from "../policies/policies";
import { mandatoryCount, policyLines } from "./policy-report";
import { policyRunInfo, reviewStack, summarize, writeReport } from "./review";

const ROOT = path.resolve(__dirname, "..");
const USAGE = "usage: npm run review -- [--stack <name>] [--config-file <path>] [--policy-config <path>] [--out <dir>] [--verbose]";

function options() {
  try {
    return parseArgs({
      options: {
        stack: { type: "string", default: "production" },
        "config-file": { type: "string" },
        "policy-config": { type: "string" },
        out: { type: "string", default: path.join(ROOT, "review", "out") },
        verbose: { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
      allowPositionals: false,
    }).values;
  } catch (err) {
    console.error(`review: ${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}

async function main(): Promise<number> {
  const args = options();
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  try {
    const options = {
      root: ROOT,
      stack: args.stack,
      ...(args["config-file"] && { configFile: args["config-file"] }),
      ...(args["policy-config"] && { policyConfigFile: path.resolve(args["policy-config"]) }),
    };
    const report = await reviewStack(options);
    const info = policyRunInfo(options, report.config, report.project);
    const file = writeReport(report, args.out, info);
    const shown = (f: string) => path.relative(process.cwd(), f) || f;
    console.log(summarize(report, shown(file)));
    console.log([...policyLines(report.policies, policies, report.resources, info), `  summary written to ${shown(file.replace(/\.json$/, ".md"))}`].join("\n"));
    const blocking = mandatoryCount(report.policies);
    if (blocking === 0) return 0;
    console.error(`${report.stack}: ${blocking} mandatory policy violation${blocking === 1 ? "" : "s"}; fix ${blocking === 1 ? "it" : "them"} before deploying (details above and in ${shown(file.replace(/\.json$/, ".md"))})`);
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
