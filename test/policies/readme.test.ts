// GIVEN the README's policy pack section
// THEN its table lists every policy of the pack with its description and its level in each
//      environment's config file, so the documentation cannot drift from the pack.
import { expect, test } from "@jest/globals";
import * as fs from "node:fs";
import * as path from "node:path";
import { policies } from "../../policies/policies";

const ROOT = path.resolve(__dirname, "..", "..");
const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
const level = (environment: string, name: string) =>
  (
    JSON.parse(fs.readFileSync(path.join(ROOT, "policies", "config", `${environment}.json`), "utf8")) as Record<
      string,
      { enforcementLevel: string }
    >
  )[name]!.enforcementLevel;

test("the README's policy table is the pack's, with each environment's level", () => {
  const rows = policies.map(
    (p) => `| \`${p.name}\` | ${p.description} | ${level("production", p.name)} | ${level("staging", p.name)} | ${level("dev", p.name)} |`,
  );
  expect(readme).toContain(["| policy | checks | production | staging | dev |", "|---|---|---|---|---|", ...rows].join("\n"));
});

test("the README shows the CLI equivalent of the review's policy run", () => {
  expect(readme).toContain("pulumi preview --policy-pack policies --policy-pack-config policies/config/production.json");
});
