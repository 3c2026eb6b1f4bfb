// The other side of `npm run review -- --against <git ref | record.json>`: a review record read from a file,
// or the same stack reviewed at a git ref. For a ref, the ref's tree is unpacked (`git archive`) into a
// temporary folder with this checkout's node_modules linked in, its own review CLI runs there in a child
// process, and the folder is removed afterwards: the ref's program and policies, today's installed SDKs.
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { ReviewReport } from "./review";
import { ReviewError } from "./stack-file";

/** Where the record or ref is, and which stack and project it must be of. */
export interface AgainstRequest {
  against: string;
  /** The repository's root, where node_modules is. */
  root: string;
  stack: string;
  /** The Pulumi project's folder when it is not the root (bootstrap/). */
  project?: string;
}

/** The record in `file`, checked to be a review of the requested stack. */
export function readRecord(file: string, request: AgainstRequest): ReviewReport {
  let record: unknown;
  try {
    record = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new ReviewError(
      `--against ${request.against}: cannot read a review record there (${(err as Error).message.replace(/\s+/g, " ").trim()})`,
    );
  }
  const report = record as Partial<ReviewReport> | null;
  if (typeof report?.stack !== "string" || !Array.isArray(report.resources))
    throw new ReviewError(`--against ${request.against}: not a review record (review/out/<stack>.json has "stack" and "resources")`);
  if (report.stack !== request.stack)
    throw new ReviewError(`--against ${request.against}: the record is of stack ${report.stack}, not ${request.stack}`);
  return report as ReviewReport;
}

function git(root: string, args: string[]): string | undefined {
  const result = spawnSync("git", args, { cwd: root, encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/** Reviews the stack as the commit `ref` has it, in a temporary folder removed afterwards. */
export function reviewAtRef(request: AgainstRequest): ReviewReport {
  const { against: ref, root, stack } = request;
  const commit = git(root, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
  if (commit === undefined) throw new ReviewError(`--against ${ref}: neither a review record file nor a git ref of this repository`);
  // The tree is unpacked from the top of the repository; the review runs where this root sits in it.
  const prefix = git(root, ["rev-parse", "--show-prefix"]) ?? "";
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "review-against-"));
  try {
    const tree = path.join(tmp, "tree");
    const out = path.join(tmp, "out");
    fs.mkdirSync(tree);
    execFileSync("git", ["archive", "--format=tar", "-o", path.join(tmp, "tree.tar"), commit], { cwd: root });
    execFileSync("tar", ["-xf", path.join(tmp, "tree.tar"), "-C", tree]);
    const checkout = path.join(tree, prefix);
    fs.symlinkSync(path.join(root, "node_modules"), path.join(checkout, "node_modules"), "dir");
    const project = request.project ? ["--project", path.relative(root, request.project) || "."] : [];
    const run = spawnSync(
      process.execPath,
      ["-r", "./review/register.js", "review/cli.ts", "--stack", stack, ...project, "--out", out],
      // Flags npm passed on as npm_config_* belong to this review, not to the ref's.
      {
        cwd: checkout,
        encoding: "utf8",
        env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("npm_config_"))),
      },
    );
    const file = path.join(out, `${stack}.json`);
    // A review that found mandatory violations exits 1 and still writes its record: that is a fine baseline.
    if (!fs.existsSync(file)) {
      const why = `${run.stderr ?? ""}`.trim().split("\n").pop() || `exit ${run.status}`;
      throw new ReviewError(`--against ${ref}: the review of ${stack} at ${commit.slice(0, 12)} failed: ${why}`);
    }
    return readRecord(file, request);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** The review to compare with: the record file `against` names, or else the stack at the git ref it names. */
export function loadAgainst(request: AgainstRequest): ReviewReport {
  const file = path.resolve(request.against);
  return fs.existsSync(file) && fs.statSync(file).isFile() ? readRecord(file, request) : reviewAtRef(request);
}
