// GIVEN the shipped production review record with a planted change: a different KMS key on the database
//       (which makes RDS replace it) and protect on the database's security group (which this version drops)
// WHEN a user runs `npm run review -- --stack production --against <record.json> --fail-on-replace`
// THEN the review prints the diff's counts and the one stateful resource at risk, writes the diff into
//      the record, and exits 1 with one line naming the database.
import { describe, expect, test } from "@jest/globals";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { shippedReview } from "../reviews";

const ROOT = path.resolve(__dirname, "../..");
const DB_URN = "urn:pulumi:production::platform::platform:aws:PostgresDatabase$aws:rds/instance:Instance::database-instance";
const SG_URN = "urn:pulumi:production::platform::platform:aws:PostgresDatabase$aws:ec2/securityGroup:SecurityGroup::database-sg";

describe("review --against a record, --fail-on-replace", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "review-against-"));
  const record = shippedReview("production");
  const database = record.resources.find((r) => r.urn === DB_URN)!;
  database.inputs.kmsKeyId = "arn:aws:kms:eu-west-1:123456789012:key/another-key";
  record.resources.find((r) => r.urn === SG_URN)!.protect = true;
  const file = path.join(dir, "production-before.json");
  fs.writeFileSync(file, JSON.stringify(record));
  const out = path.join(dir, "out");

  const run = promisify(execFile)(
    process.execPath,
    ["-r", "./review/register.js", "review/cli.ts", "--stack", "production", "--out", out, "--against", file, "--fail-on-replace"],
    { cwd: ROOT },
  ).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
  );

  test("prints the counts and the database it would replace, and exits 1 with one line saying which", async () => {
    const result = await run;
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      [
        `  diff against ${file}: 0 added, 0 removed, 2 changed (1 replaced, 1 unprotected), +0.00 USD a month`,
        "  stateful resources at risk: 1",
        "    aws:rds/instance:Instance database-instance is replaced (delete, then create) for kmsKeyId",
      ].join("\n"),
    );
    expect(result.stderr).toBe(
      `production: --fail-on-replace: 1 stateful resource at risk against ${file}: aws:rds/instance:Instance database-instance is replaced (delete, then create) for kmsKeyId\n`,
    );
  });

  test("the written record carries the diff", async () => {
    await run;
    const written = JSON.parse(fs.readFileSync(path.join(out, "production.json"), "utf8")) as Record<string, unknown>;
    expect(written.diff).toEqual({
      against: file,
      added: [],
      removed: [],
      changed: [
        { urn: SG_URN, paths: ["protect"], replaces: [], unprotects: true },
        { urn: DB_URN, paths: ["kmsKeyId"], replaces: ["kmsKeyId"], unprotects: false },
      ],
      monthlyCostDeltaUsd: 0,
    });
  });
});
