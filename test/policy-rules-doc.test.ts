// GIVEN the policy catalogue, docs/POLICY-RULES.md
// THEN it is exactly what review/policy-rules.ts generates from the pack and policies/config/*.json, each
//      policy has a section headed by its name (so docs/POLICY-RULES.md#<name> links work), and every link
//      to the catalogue anywhere in the repository leads to a heading that exists.
import { expect, test } from "@jest/globals";
import * as fs from "node:fs";
import * as path from "node:path";
import { policies } from "../policies/policies";
import { CATALOGUE_FILE, policyRules } from "../review/policy-rules";

const ROOT = path.resolve(__dirname, "..");
const catalogue = fs.existsSync(CATALOGUE_FILE) ? fs.readFileSync(CATALOGUE_FILE, "utf8") : "";

/** The anchors GitHub gives the document's headings, duplicates suffixed -1, -2, ... as it does. */
function headingAnchors(markdown: string): string[] {
  const seen = new Map<string, number>();
  return [...markdown.matchAll(/^#{1,6} (.+)$/gm)].map((m) => {
    const base = m[1]!
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    return count === 0 ? base : `${base}-${count}`;
  });
}

/** The repository's own text files: everything but dependencies, build and review output. */
function sourceFiles(dir = ROOT): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return [".git", "node_modules", "dist", "coverage", "out"].includes(entry.name) ? [] : sourceFiles(full);
    return /\.(ts|js|mjs|md|json|ya?ml|sh)$/.test(entry.name) && entry.name !== "package-lock.json" ? [full] : [];
  });
}

test("the catalogue is the one generated from the pack and its config files (node -r ./review/register.js review/policy-rules.ts --write)", () => {
  expect(catalogue).toBe(policyRules());
});

test("every policy has a section headed by its name, whose anchor is the name", () => {
  const sections = [...catalogue.matchAll(/^### (.+)$/gm)].map((m) => m[1]);
  expect(sections).toEqual(policies.map((p) => p.name));
  expect(headingAnchors(catalogue)).toEqual(expect.arrayContaining(policies.map((p) => p.name)));
  expect(new Set(headingAnchors(catalogue)).size).toBe(headingAnchors(catalogue).length);
});

test("every link to the catalogue in the repository names a heading of it, and its own links do too", () => {
  const anchors = new Set(headingAnchors(catalogue));
  const citing: string[] = [];
  const broken: string[] = [];
  for (const file of sourceFiles()) {
    const text = fs.readFileSync(file, "utf8");
    const relative = path.relative(ROOT, file);
    if (text.includes("POLICY-RULES.md")) citing.push(relative);
    for (const [, anchor] of text.matchAll(/POLICY-RULES\.md#([\w-]+)/g)) if (!anchors.has(anchor!)) broken.push(`${relative}: #${anchor}`);
  }
  for (const [, anchor] of catalogue.matchAll(/\]\(#([\w-]+)\)/g))
    if (!anchors.has(anchor!)) broken.push(`docs/POLICY-RULES.md: #${anchor}`);
  expect(broken).toEqual([]);
  expect(citing).toEqual(
    expect.arrayContaining(["README.md", path.join("policies", "lib", "policy.ts"), path.join("policies", "policies.ts")]),
  );
});

test("every policy carries a rationale and anchors, each anchor a published check or a named rule set", () => {
  const named = [
    "@pulumi/awsguard",
    "Pulumi compliance-policies",
    "Pod Security Standards (restricted)",
    "Pod Security admission",
    "Kyverno",
    "Polaris",
  ];
  const published = /^(CKV2?_(AWS|GCP|K8S)_(\d+|\*)|AVD-AWS-\d{4})$/;
  for (const policy of policies) {
    expect([policy.name, typeof policy.rationale, Array.isArray(policy.anchors)]).toEqual([policy.name, "string", true]);
    expect(policy.rationale!.length).toBeGreaterThan(40);
    expect(policy.anchors!.filter((a) => !published.test(a) && !named.includes(a)).map((a) => `${policy.name}: ${a}`)).toEqual([]);
  }
  // The rules of this platform alone, with no published check behind them.
  expect(policies.filter((p) => p.anchors!.length === 0).map((p) => p.name)).toEqual([
    "sql-cmek",
    "load-balancer-services",
    "stateful-protected",
    "no-plaintext-secrets",
  ]);
});

test("the summary gives each policy the level of each environment's config file", () => {
  const level = (environment: string, name: string) =>
    (
      JSON.parse(fs.readFileSync(path.join(ROOT, "policies", "config", `${environment}.json`), "utf8")) as Record<
        string,
        { enforcementLevel: string }
      >
    )[name]!.enforcementLevel;
  const rows = [...catalogue.matchAll(/^\| [^|]* \| \[([\w-]+)\]\(#[\w-]+\) \| [^|]* \| (\w+) \| (\w+) \| (\w+) \|$/gm)].map((m) =>
    m.slice(1),
  );
  expect(rows).toEqual(policies.map((p) => [p.name, level("production", p.name), level("staging", p.name), level("dev", p.name)]));
});

test("a policy's section: description, rationale, anchors, how it runs, remediation, then levels and settings per environment", () => {
  const start = catalogue.indexOf("### rds-backups\n");
  const section = catalogue.slice(start, catalogue.indexOf("\n### ", start + 1));
  expect(section).toBe(
    [
      "### rds-backups",
      "",
      "Automated backups (and point-in-time recovery) are kept at least as long as the environment's profile asks; read replicas rely on their source's.",
      "",
      "- **Why:** Point-in-time recovery reaches back only as far as the retention: corruption or a bad migration noticed later than that cannot be undone.",
      "- **Anchors:** CKV_AWS_133, @pulumi/awsguard, Pulumi compliance-policies",
      "- **Runs:** on each resource (resource policy)",
      "- **Remediation:** Raise backupRetentionPeriod (platform:database.backupRetentionDays) to the environment's minimum: 7 days in dev, 14 in staging, 30 in production.",
      "",
      "| | production | staging | dev |",
      "|---|---|---|---|",
      "| enforcement | mandatory | mandatory | advisory |",
      "| `environment` | `production` | `staging` | `dev` |",
      "| `minimumRetentionDays` | `30` | `14` | `7` |",
      "",
      "Settings:",
      "",
      "- `environment` (one of `dev`, `staging`, `production`; default `production`): Environment this config is for; violation messages name it.",
      "- `minimumRetentionDays` (whole number, at least 1 and at most 35; default `30`): Fewest days of automated backups (the environment profile's database.backupRetentionDays).",
      "",
    ].join("\n"),
  );
});
