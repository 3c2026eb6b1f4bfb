// GIVEN hand-made review records, with and without an estimate and a diff, and the shipped production review
// WHEN the Markdown summary is written
// THEN it reads, in this exact order, as a pull-request comment: the summary row, the diff, the violations
//      policy by policy with the remediation once, the estimate, then the policies of the stack's cloud and
//      the inventory folded away; and every cell survives GitHub's renderer.
import { describe, expect, test } from "@jest/globals";
import { policies } from "../policies/policies";
import { code, text } from "../review/markdown";
import { markdownSummary } from "../review/policy-report";
import { AWS_ONLY_POLICIES, GCP_ONLY_POLICIES } from "./cloud-policies";
import { DIFF, ESTIMATE, handMadeReport, INFO, URNS } from "./report-fixture";
import { shippedReview } from "./reviews";

/** The folded policy table and inventory that close the hand-made report's summary, with or without an estimate. */
const DETAILS = [
  "<details><summary>Policies: 4 that apply to aws; 1 policy for another cloud's resources left out</summary>",
  "",
  "| policy | enforcement | evaluated | violations |",
  "| --- | --- | --- | --- |",
  "| `rds-ha` | mandatory | 1 | 1 |",
  "| `rds-backups` | mandatory | 0 | 0 |",
  "| `vpc-flow-logs` | mandatory | 1 | 0 |",
  "| `image-digest` | advisory | 1 | 2 |",
  "",
  "</details>",
  "",
  "<details><summary>Inventory: 5 resources in 3 components</summary>",
  "",
  "| component | resources |",
  "| --- | --- |",
  "| `(stack)` | 1 |",
  "| `platform:aws:PostgresDatabase database` | 2 |",
  "| `platform:kubernetes:AppService app` | 2 |",
  "",
  "| type | resources |",
  "| --- | --- |",
  "| `aws:rds/instance:Instance` | 1 |",
  "| `kubernetes:apps/v1:Deployment` | 1 |",
  "| `platform:aws:PostgresDatabase` | 1 |",
  "| `platform:kubernetes:AppService` | 1 |",
  "| `pulumi:providers:aws` | 1 |",
  "",
  "</details>",
  "",
];

/** The hand-made report's violations, as both summaries print them: mandatory first, each with its remediation. */
const VIOLATIONS = [
  "## Mandatory violations (1)",
  "",
  "### `rds-ha` (1)",
  "",
  "**Remediation**: Set multiAz to true (platform:database.multiAz); the change is applied without replacing the instance.",
  "",
  "| resource | violation |",
  "| --- | --- |",
  "| `aws:rds/instance:Instance database-db` | multiAz is false \\| set it to &#96;true&#96;<br>so a zone outage &lt;fails over&gt; &amp; \\*recovers\\* |",
  "",
  "## Advisory violations (2)",
  "",
  "### `image-digest` (2)",
  "",
  "**Remediation**: Append the digest of the reviewed image: registry/repository:&lt;version&gt;&#64;sha256:&lt;digest&gt; (`crane digest` or `docker buildx imagetools inspect` prints it).",
  "",
  "| resource | violation |",
  "| --- | --- |",
  "| `kubernetes:apps/v1:Deployment app-deployment` | container app image ghcr.io/example/app:1.0 is not pinned by digest: append &#64;sha256:&lt;digest&gt; |",
  "| `kubernetes:apps/v1:Deployment app-deployment` | init container tools image docker.io/rclone/rclone:1.75.0 is not pinned by digest |",
  "",
];

const lines = (markdown: string) => markdown.split("\n");

describe("escaping for GitHub's renderer", () => {
  test.each([
    ["append @sha256:<digest>", "append &#64;sha256:&lt;digest&gt;"],
    ["ping @platform-team", "ping &#64;platform-team"],
    ["a | b", "a \\| b"],
    ["set it to `true`", "set it to &#96;true&#96;"],
    ["one\ntwo\r\nthree", "one<br>two<br>three"],
    ["R&D *bold* _it_ [link] ~x~ back\\slash", "R&amp;D \\*bold\\* \\_it\\_ \\[link\\] \\~x\\~ back\\\\slash"],
  ])("text %j is written %j", (given, written) => {
    expect(text(given)).toBe(written);
  });

  test.each<[string, boolean, string]>([
    ["aws:rds/instance:Instance db", true, "`aws:rds/instance:Instance db`"],
    ["tags|team <x>", true, "`tags\\|team <x>`"],
    ["tags|team", false, "`tags|team`"],
    ["has `tick`", true, "`` has `tick` ``"],
    ["`edge", true, "`` `edge ``"],
    ["two\nlines", true, "`two lines`"],
  ])("code %j (in a table: %s) is written %j", (given, inTable, written) => {
    expect(code(given, inTable)).toBe(written);
  });
});

describe("the Markdown summary", () => {
  test("with an estimate and a diff: every section, in order, exactly", () => {
    const markdown = markdownSummary(handMadeReport({ estimate: ESTIMATE, diff: DIFF }), policies, INFO);
    expect(lines(markdown)).toEqual([
      "| stack | cloud | environment | resources | mandatory | advisory | verdict | monthly cost (estimate) | first deploy (estimate) |",
      "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
      "| `production` | aws | production | 5 | 1 | 2 | **Blocked** | $1,234.50 | 18 min |",
      "",
      "Policy pack platform-policies 0.1.0 with `policies/config/production.json`.",
      "",
      "**Blocked**: 1 mandatory violation must be fixed before this stack is deployed.",
      "",
      "## Changes against `main`",
      "",
      "1 added, 1 removed, 2 changed (1 replaced, 1 unprotected); monthly cost (estimate) +$12.50.",
      "",
      "### Stateful resources replaced or unprotected",
      "",
      "| resource | replaced by a change of | unprotected |",
      "| --- | --- | --- |",
      "| `aws:rds/instance:Instance database-db` | `engineVersion` | **yes** |",
      "",
      "### Resources added, removed or changed",
      "",
      "| resource | change | paths |",
      "| --- | --- | --- |",
      "| `kubernetes:apps/v1:Deployment app-deployment` | added |  |",
      "| `aws:elasticache/replicationGroup:ReplicationGroup cache-redis` | removed |  |",
      "| `aws:rds/instance:Instance database-db` | replaced | `engineVersion`, `protect` |",
      "| `pulumi:providers:aws aws` | updated | `defaultTags.tags\\|team` |",
      "",
      ...VIOLATIONS,
      "## Estimate (price table of 2026-09-01)",
      "",
      "An estimate from dated on-demand prices, not a quote: $1,234.50 a month. A first deploy waits about 18 min for its critical path (30 min if every creation ran one after another).",
      "",
      "| item | quantity | unit a month | a month |",
      "| --- | --- | --- | --- |",
      "| RDS db.m7g.large Multi-AZ | 1 | $1,200.00 | $1,200.00 |",
      "| EKS \\| control plane &lt;hours&gt; | 1 | $34.50 | $34.50 |",
      "| **total** |  |  | **$1,234.50** |",
      "",
      "Critical path of a first deploy (2 resources, first created first):",
      "",
      "1. `aws:rds/instance:Instance database-db`",
      "2. `kubernetes:apps/v1:Deployment app-deployment`",
      "",
      ...DETAILS,
    ]);
  });

  test("without them (the records reviews write today): no diff, no estimate, no estimate columns", () => {
    expect(lines(markdownSummary(handMadeReport(), policies, INFO))).toEqual([
      "| stack | cloud | environment | resources | mandatory | advisory | verdict |",
      "| --- | --- | --- | --- | --- | --- | --- |",
      "| `production` | aws | production | 5 | 1 | 2 | **Blocked** |",
      "",
      "Policy pack platform-policies 0.1.0 with `policies/config/production.json`.",
      "",
      "**Blocked**: 1 mandatory violation must be fixed before this stack is deployed.",
      "",
      ...VIOLATIONS,
      ...DETAILS,
    ]);
  });

  test("a long diff folds its resource list away; a clean stack passes", () => {
    const added = Array.from({ length: 11 }, (_, i) => `urn:pulumi:production::platform::aws:ec2/subnet:Subnet::subnet-${i}`);
    const report = handMadeReport({ diff: { ...DIFF, added, removed: [], changed: [] } });
    report.policies = report.policies.map((p) => ({ ...p, violations: [] }));
    const markdown = lines(markdownSummary(report, policies, INFO));
    expect(markdown.slice(0, 3)).toEqual([
      "| stack | cloud | environment | resources | mandatory | advisory | verdict |",
      "| --- | --- | --- | --- | --- | --- | --- |",
      "| `production` | aws | production | 5 | 0 | 0 | **Passed** |",
    ]);
    const at = markdown.indexOf("## Changes against `main`");
    expect(markdown.slice(at, at + 16)).toEqual([
      "## Changes against `main`",
      "",
      "11 added, 0 removed, 0 changed (0 replaced, 0 unprotected); monthly cost (estimate) +$12.50.",
      "",
      "### Stateful resources replaced or unprotected",
      "",
      "None.",
      "",
      "### Resources added, removed or changed",
      "",
      "<details><summary>11 resources</summary>",
      "",
      "| resource | change | paths |",
      "| --- | --- | --- |",
      "| `aws:ec2/subnet:Subnet subnet-0` | added |  |",
      "| `aws:ec2/subnet:Subnet subnet-1` | added |  |",
    ]);
    expect(markdown).toContain("## Mandatory violations (0)");
    expect(markdown.filter((l) => l === "None.")).toHaveLength(3);
  });

  test("a replaced resource of a type that holds no data is listed among the changes only", () => {
    const diff = { ...DIFF, changed: [{ urn: URNS.deployment, paths: ["spec.selector"], replaces: ["spec.selector"], unprotects: false }] };
    const markdown = lines(markdownSummary(handMadeReport({ diff }), policies, INFO));
    const at = markdown.indexOf("### Stateful resources replaced or unprotected");
    expect(markdown.slice(at, at + 3)).toEqual(["### Stateful resources replaced or unprotected", "", "None."]);
    expect(markdown).toContain("| `kubernetes:apps/v1:Deployment app-deployment` | replaced | `spec.selector` |");
  });

  test.each([
    ["production", "aws", GCP_ONLY_POLICIES],
    ["gcp-production", "gcp", AWS_ONLY_POLICIES],
  ] as const)("the shipped %s review lists every policy but the other cloud's, which evaluated nothing", (stack, cloud, omitted) => {
    const report = shippedReview(stack);
    const markdown = lines(markdownSummary(report, policies, INFO));
    const listed = markdown.filter((l) => /^\| `[a-z0-9-]+` \| (mandatory|advisory|disabled) \|/.test(l)).map((l) => l.split("`")[1]);
    expect(listed).toEqual(policies.map((p) => p.name).filter((name) => !(omitted as readonly string[]).includes(name)));
    expect(markdown).toContain(
      `<details><summary>Policies: ${policies.length - omitted.length} that apply to ${cloud}; ${omitted.length} policies for another cloud's resources left out</summary>`,
    );
    expect(report.policies.filter((p) => omitted.includes(p.name as never)).map((p) => p.evaluated)).toEqual(omitted.map(() => 0));
  });
});
