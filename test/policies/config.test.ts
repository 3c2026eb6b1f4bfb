// GIVEN the pack and its per-environment config files (policies/config/<environment>.json)
// THEN every policy appears in every file at the level the rule catalogue below gives it (docs/POLICY-RULES.md
//      is generated from these files, so it cannot be the check),
//      staging at production's level, the environment-specific settings equal the environment profiles,
//      and every file resolves against the policies' config schemas.
import { describe, expect, test } from "@jest/globals";
import * as fs from "node:fs";
import * as path from "node:path";
import { ENVIRONMENTS, profileFor } from "../../infra/profiles";
import { PACK_NAME, policies } from "../../policies/policies";
import { loadPolicyConfig } from "../../review/policy-config";

const ROOT = path.resolve(__dirname, "..", "..");
const M = "mandatory";
const A = "advisory";
const D = "disabled";

/** The catalogue's prod/dev column, rule by rule, in catalogue order. */
const CATALOGUE: [string, string, string][] = [
  ["vpc-flow-logs", M, A],
  ["default-sg-closed", M, A],
  ["sg-no-world-ingress", M, M],
  ["private-subnet-no-public-ip", M, A],
  ["imdsv2", M, A],
  ["eks-endpoint-private", M, A],
  ["eks-secrets-kms", M, A],
  ["eks-control-plane-logs", M, A],
  ["eks-version", A, A],
  ["rds-not-public", M, M],
  ["rds-encrypted", M, M],
  ["rds-backups", M, A],
  ["rds-ha", M, D],
  ["rds-deletion-protection", M, D],
  ["rds-force-ssl", M, A],
  ["rds-observability", A, D],
  ["redis-encryption", M, A],
  ["redis-auth", M, A],
  ["redis-ha", M, D],
  ["s3-public-access-block", M, M],
  ["s3-encryption", M, A],
  ["s3-versioning", M, D],
  ["s3-lifecycle", A, D],
  ["iam-no-star", M, A],
  ["iam-trust-scoped", M, A],
  ["kms-rotation", M, A],
  ["gke-private", M, A],
  ["gke-workload-identity", M, A],
  ["gke-network-policy", M, A],
  ["gke-node-hardening", M, A],
  ["gke-legacy-auth-off", M, M],
  // Beyond the shared catalogue's table: images admitted by the project's Binary Authorization policy.
  ["gke-binary-authorization", M, D],
  ["sql-private-tls", M, M],
  ["sql-cmek", M, M],
  ["sql-backups-ha", M, D],
  ["memorystore-secure", M, A],
  ["gcs-no-public", M, M],
  ["gcs-backup-posture", M, A],
  ["gcp-no-basic-roles", M, A],
  ["pss-restricted", M, A],
  ["read-only-rootfs", M, A],
  ["resources", M, A],
  ["probes", M, D],
  // The image-pinning row's "digest advisory": its own policy, advisory everywhere.
  ["image-pinning", M, A],
  ["image-digest", A, A],
  ["namespace-pss-labels", M, A],
  ["namespace-default-deny", M, A],
  ["tls-on-routes", M, A],
  // Beyond the shared catalogue's table: no cloud load balancer but the gateway's.
  ["load-balancer-services", M, A],
  ["no-default-namespace", M, A],
  ["availability", A, D],
  ["log-retention", M, A],
  ["stateful-protected", M, D],
  ["no-plaintext-secrets", M, M],
];

const read = (environment: string) =>
  JSON.parse(fs.readFileSync(path.join(ROOT, "policies", "config", `${environment}.json`), "utf8")) as Record<
    string,
    Record<string, unknown>
  >;

test("the pack has exactly the catalogue's policies, in its order, each with a description and remediation", () => {
  expect(policies.map((p) => p.name)).toEqual(CATALOGUE.map(([name]) => name));
  for (const policy of policies) {
    expect(policy.description.length).toBeGreaterThan(20);
    expect(policy.remediationSteps.length).toBeGreaterThan(20);
  }
});

test("each policy's own level is the catalogue's production level (what applies without a config file)", () => {
  expect(policies.map((p) => [p.name, p.enforcementLevel])).toEqual(CATALOGUE.map(([name, production]) => [name, production]));
});

test("the pack's package.json names the pack and pins the SDKs the root project uses", () => {
  const pack = JSON.parse(fs.readFileSync(path.join(ROOT, "policies", "package.json"), "utf8")) as {
    name: string;
    version: string;
    dependencies: Record<string, string>;
  };
  const root = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string> };
  expect(pack.name).toBe(PACK_NAME);
  expect(pack.version).toMatch(/^\d+\.\d+\.\d+$/);
  expect(pack.dependencies).toEqual({
    "@pulumi/policy": root.dependencies["@pulumi/policy"],
    "@pulumi/pulumi": root.dependencies["@pulumi/pulumi"],
  });
});

test("the config folder holds one file per environment", () => {
  expect(fs.readdirSync(path.join(ROOT, "policies", "config")).sort()).toEqual(["dev.json", "production.json", "staging.json"]);
});

describe.each(ENVIRONMENTS)("policies/config/%s.json", (environment) => {
  const config = read(environment);

  test("lists every policy at the catalogue's level for the environment", () => {
    const levels = Object.entries(config).map(([name, entry]) => [name, entry.enforcementLevel]);
    expect(levels).toEqual(CATALOGUE.map(([name, production, dev]) => [name, environment === "dev" ? dev : production]));
  });

  test("resolves against the policies' config schemas", () => {
    expect(() => loadPolicyConfig(policies, path.join(ROOT, "policies", "config", `${environment}.json`), ROOT)).not.toThrow();
  });

  test("names its environment wherever a policy takes one", () => {
    for (const policy of policies.filter((p) => p.configSchema?.properties.environment))
      expect([policy.name, config[policy.name]!.environment]).toEqual([policy.name, environment]);
  });

  test("takes its minimums from the environment profile", () => {
    const aws = profileFor(environment, "aws");
    const gcp = profileFor(environment, "gcp");
    expect({
      rdsBackups: config["rds-backups"]!.minimumRetentionDays,
      sqlBackups: config["sql-backups-ha"]!.minimumRetainedBackups,
      sqlRegional: config["sql-backups-ha"]!.requireRegional,
      s3Lifecycle: config["s3-lifecycle"]!.retentionDays,
      gcsRetention: config["gcs-backup-posture"]!.retentionDays,
      memorystoreHa: config["memorystore-secure"]!.requireHighAvailability,
      customerKey: config["rds-encrypted"]!.requireCustomerManagedKey,
      flowLogDays: config["vpc-flow-logs"]!.minimumRetentionDays,
      applicationLogDays: config["log-retention"]!.minimumRetentionDays,
      controlPlaneLogDays: config["log-retention"]!.minimumControlPlaneRetentionDays,
      databaseAuditLogDays: config["log-retention"]!.minimumDatabaseAuditRetentionDays,
    }).toEqual({
      rdsBackups: aws.database.backupRetentionDays,
      sqlBackups: gcp.database.backupRetentionDays,
      sqlRegional: gcp.database.multiAz,
      s3Lifecycle: aws.backups.retentionDays,
      gcsRetention: gcp.backups.retentionDays,
      memorystoreHa: gcp.cache.nodes >= 2,
      // Customer-managed keys wherever the stateful resources are protected (staging and production).
      customerKey: aws.protect,
      flowLogDays: aws.network.flowLogRetentionDays,
      applicationLogDays: aws.cluster.applicationLogRetentionDays,
      controlPlaneLogDays: aws.cluster.logRetentionDays,
      databaseAuditLogDays: aws.database.auditLogRetentionDays,
    });
    expect(gcp.cluster.applicationLogRetentionDays).toBe(aws.cluster.applicationLogRetentionDays);
    expect(gcp.database.auditLogRetentionDays).toBe(aws.database.auditLogRetentionDays);
  });
});

test.each<[string, string]>([
  ["dev", "baseline"],
  ["staging", "restricted"],
  ["production", "restricted"],
])(
  "namespace-pss-labels in %s refuses namespaces below %s (the level the environment's namespaces enforce) and declares only the log collector's namespace as an exception",
  (environment, level) => {
    expect(read(environment)["namespace-pss-labels"]).toMatchObject({ minimumLevel: level, allowedBelowRestricted: ["amazon-cloudwatch"] });
  },
);

test.each<[string, number]>([
  ["dev", 1],
  ["staging", 7],
  ["production", 7],
])("redis-ha in %s keeps snapshots at least %i days (production's guard rail, staging's profile)", (environment, days) => {
  expect(read(environment)["redis-ha"]!.minimumSnapshotRetentionDays).toBe(days);
  expect(profileFor(environment as "dev", "aws").cache.snapshotRetentionDays).toBeGreaterThanOrEqual(days);
});
