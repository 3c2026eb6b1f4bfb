// npm run review -- [--stack <name>] [--config-file <path>] [--out <dir>] [--verbose]
// Reviews one stack offline: no Pulumi CLI, no cloud credentials. Exits 1 when the stack cannot be
// reviewed (bad config, unknown stack, a program error), printing one line per problem.
import * as path from "node:path";
import { parseArgs } from "node:util";
import { reviewStack, summarize, writeReport } from "./review";

const ROOT = path.resolve(__dirname, "..");
const USAGE = "usage: npm run review -- [--stack <name>] [--config-file <path>] [--out <dir>] [--verbose]";

function options() {
  try {
    return parseArgs({
      options: {
        stack: { type: "string", default: "production" },
        "config-file": { type: "string" },
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
    const report = await reviewStack({ root: ROOT, stack: args.stack, ...(args["config-file"] && { configFile: args["config-file"] }) });
    const file = writeReport(report, args.out);
    console.log(summarize(report, path.relative(process.cwd(), file) || file));
    return 0;
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
