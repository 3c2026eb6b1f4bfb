// GIVEN the README
// THEN its configuration reference is the one generated from the schema and profiles, and it shows
//      the two set-up commands a new user runs.
import { expect, test } from "@jest/globals";
import * as fs from "node:fs";
import * as path from "node:path";
import { alertRuleGroups } from "../components/kubernetes/alert-rules";
import { configReference, schemaKeys, withReference } from "../review/config-reference";
import { counted } from "../review/inventory";
import { bootstrapReview, shippedReview } from "./reviews";

const readme = fs.readFileSync(path.resolve(__dirname, "..", "README.md"), "utf8");

test("the README's config reference matches the schema and profiles", () => {
  expect(readme).toBe(withReference(readme));
});

test("the reference has a row for every key the schema accepts, and the secret key", () => {
  const rows = configReference()
    .split("\n")
    .slice(2)
    .map((row) => /^\| `platform:([^`]+)`/.exec(row)![1]);
  expect(rows).toEqual([...schemaKeys(), "alertWebhookUrl"]);
  expect(rows).toEqual(expect.arrayContaining(["database.backupRetentionDays", "cluster.nodes.minSize", "apps[].image"]));
});

test("the resource counts the README states are the ones the reviews record", () => {
  const stated = (pattern: RegExp) => Number(pattern.exec(readme)?.[1]);
  expect({
    gcpProduction: stated(/`npm run review -- --stack gcp-production` records (\d+) resources/),
    bootstrapAws: stated(/--project bootstrap --stack aws +# offline, from the repository root: (\d+) resources/),
    bootstrapGcp: stated(/--project bootstrap --stack aws +# offline, from the repository root: \d+ resources \(GCP: (\d+)\)/),
  }).toEqual({
    gcpProduction: counted(shippedReview("gcp-production").resources).length,
    bootstrapAws: counted(bootstrapReview("aws").resources).length,
    bootstrapGcp: counted(bootstrapReview("gcp").resources).length,
  });
});

test("the quick start is exactly the two set-up commands", () => {
  expect(readme).toContain("```sh\nnpm ci && npm run review\nnpm test\n```");
});

test("every alert rule links to a section of the runbook that exists", () => {
  const runbook = fs.readFileSync(path.resolve(__dirname, "..", "docs", "runbook.md"), "utf8");
  const sections = [...runbook.matchAll(/^## (\S+)$/gm)].map((m) => m[1]);
  const rules = alertRuleGroups({
    backupNamespace: "backups",
    backupCronJob: "b",
    restoreCronJob: "r",
    maxBackupAgeHours: 26,
    maxVerificationAgeHours: 192,
    databaseMaxStorageGb: 100,
    databaseReadReplicas: 1,
    externalSecretsJob: "external-secrets/external-secrets",
    rotatedDatabaseCredentials: { namespace: "backups", secret: "postgres-credentials", rotationDays: 7 },
  }).flatMap((g) => g.rules);
  expect(rules.map((r) => r.annotations.runbook)).toEqual(rules.map((r) => `docs/runbook.md#${r.alert.toLowerCase()}`));
  expect(sections).toEqual(rules.map((r) => r.alert.toLowerCase()));
});
