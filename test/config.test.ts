// GIVEN stack settings as a stack file would hold them
// WHEN they are resolved over the environment's profile
// THEN valid settings resolve with the stack's values on top, and each mistake is one line naming the
//      stack file and the key.
import { describe, expect, test } from "@jest/globals";
import { ConfigError, ENVIRONMENTS, CLOUDS, PRODUCTION_GUARD_RAILS, resolveConfig } from "../infra/config";
import { profileFor } from "../infra/profiles";

const base = {
  // Every AWS stack says how `pulumi up` reaches the cluster; these run inside the VPC.
  aws: { cloud: "aws", region: "eu-west-1", domain: "example.com", cluster: { deployFromVpc: true } },
  gcp: { cloud: "gcp", region: "europe-west1", domain: "example.com", gcp: { project: "example-platform", projectNumber: "123456789012" } },
};
const production = { ...base.aws, environment: "production", aws: { accountId: "123456789012" } };

function problemsOf(settings: unknown, file = "Pulumi.test.yaml", secrets: Array<"alertWebhookUrl"> = ["alertWebhookUrl"]): string[] {
  try {
    resolveConfig(settings, file, secrets);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message.split("\n");
  }
  throw new Error("expected the settings to be rejected");
}

describe("profiles", () => {
  test.each(CLOUDS.flatMap((cloud) => ENVIRONMENTS.map((environment) => [cloud, environment] as const)))(
    "the %s %s profile resolves with nothing but a deploy path (it passes every guard rail)",
    (cloud, environment) => {
      const settings = {
        ...base[cloud],
        environment,
        ...(cloud === "aws" && environment === "production" && { aws: { accountId: "123456789012" } }),
      };
      const config = resolveConfig(settings, "Pulumi.test.yaml", ["alertWebhookUrl"]);
      const { protect, ...profile } = profileFor(environment, cloud);
      expect(config).toMatchObject({ ...profile, cluster: { ...profile.cluster, ...(cloud === "aws" && { deployFromVpc: true }) } });
      expect(config.protect).toBe(protect);
      expect(config.apps).toEqual([]);
    },
  );

  test("the figures the architecture asks for, per environment", () => {
    const [dev, staging, prod] = ENVIRONMENTS.map((e) => profileFor(e, "aws"));
    expect([dev!.network.zones, staging!.network.zones, prod!.network.zones]).toEqual([2, 3, 3]);
    expect([dev!.network.natGateways, staging!.network.natGateways, prod!.network.natGateways]).toEqual(["single", "perZone", "perZone"]);
    expect(prod!.cluster.nodes).toMatchObject({
      instanceType: "m7i.xlarge",
      minSize: 2,
      desiredSize: 3,
      maxSize: 10,
      capacityType: "ON_DEMAND",
    });
    expect(dev!.cluster.nodes).toMatchObject({ minSize: 1, maxSize: 3, capacityType: "SPOT" });
    expect(staging!.cluster.nodes).toMatchObject({ minSize: 2, maxSize: 6 });
    expect([dev!.database.backupRetentionDays, staging!.database.backupRetentionDays, prod!.database.backupRetentionDays]).toEqual([
      7, 14, 30,
    ]);
    expect([dev!.database.multiAz, staging!.database.multiAz, prod!.database.multiAz]).toEqual([false, true, true]);
    expect([dev!.database.readReplicas, staging!.database.readReplicas, prod!.database.readReplicas]).toEqual([0, 0, 1]);
    expect(prod!.database.storageGb).toBe(100);
    expect([dev!.cache.nodes, staging!.cache.nodes, prod!.cache.nodes]).toEqual([1, 2, 3]);
    expect([dev!.protect, staging!.protect, prod!.protect]).toEqual([false, true, true]);
    expect([dev!.backups.retentionDays, staging!.backups.retentionDays, prod!.backups.retentionDays]).toEqual([7, 14, 30]);
    expect([
      dev!.cluster.applicationLogRetentionDays,
      staging!.cluster.applicationLogRetentionDays,
      prod!.cluster.applicationLogRetentionDays,
    ]).toEqual([7, 30, 30]);
    expect([dev!.cluster.logRetentionDays, staging!.cluster.logRetentionDays, prod!.cluster.logRetentionDays]).toEqual([7, 30, 90]);
    expect([dev!.database.auditLogRetentionDays, staging!.database.auditLogRetentionDays, prod!.database.auditLogRetentionDays]).toEqual([
      7, 90, 90,
    ]);
    // Each within its Prometheus retention less the rotation alert's two days (3, 7, 15).
    expect([dev!.database.credentialRotationDays, staging!.database.credentialRotationDays, prod!.database.credentialRotationDays]).toEqual(
      [1, 5, 7],
    );
    expect(ENVIRONMENTS.map((e) => profileFor(e, "gcp").database)).toEqual(
      ENVIRONMENTS.map((e) => expect.not.objectContaining({ credentialRotationDays: expect.anything() })),
    );
    expect(ENVIRONMENTS.map((e) => profileFor(e, "gcp").database.auditLogRetentionDays)).toEqual([7, 90, 90]);
    expect(prod!.ingress).toMatchObject({ rateLimitPerMinute: 100, certificateIssuer: "letsencrypt-production" });
    expect(dev!.ingress.certificateIssuer).toBe("letsencrypt-staging");
  });

  test("cloud-specific keys appear only in their cloud's profile", () => {
    expect(profileFor("production", "aws").cache).toMatchObject({
      engine: "valkey",
      engineVersion: "8.0",
      nodeType: "cache.m7g.large",
      snapshotRetentionDays: 14,
    });
    expect(profileFor("production", "aws").cache.memorySizeGb).toBeUndefined();
    expect(profileFor("production", "gcp").cache).toMatchObject({ engine: "redis", engineVersion: "7.2", memorySizeGb: 5 });
    expect(profileFor("production", "gcp").cache.nodeType).toBeUndefined();
    expect(profileFor("production", "gcp").network.flowLogRetentionDays).toBeUndefined();
  });
});

describe("resolution", () => {
  test("the stack's values win over the profile, key by key; apps get their defaults and hostname", () => {
    const config = resolveConfig(
      {
        ...base.aws,
        environment: "dev",
        network: { zones: 3 },
        cluster: { deployFromVpc: true, nodes: { maxSize: 5 } },
        apps: [{ name: "web", image: "ghcr.io/acme/web:1.2.3", port: 9898 }],
      },
      "Pulumi.dev.yaml",
    );
    expect(config.network).toEqual({ cidr: "10.20.0.0/16", zones: 3, natGateways: "single", flowLogRetentionDays: 7 });
    expect(config.cluster.nodes).toEqual({
      instanceType: "t3.large",
      minSize: 1,
      desiredSize: 1,
      maxSize: 5,
      capacityType: "SPOT",
      diskSizeGb: 50,
    });
    expect(config.apps).toEqual([
      {
        name: "web",
        image: "ghcr.io/acme/web:1.2.3",
        hostname: "web.example.com",
        port: 9898,
        replicas: 1,
        minReplicas: 1,
        maxReplicas: 3,
        cpuRequest: "100m",
        cpuLimit: "500m",
        memoryRequest: "128Mi",
        memoryLimit: "256Mi",
        healthPath: "/healthz",
        readyPath: "/readyz",
        metricsPath: "/metrics",
        database: false,
        cache: false,
      },
    ]);
    expect(config.secrets).toEqual([]);
  });

  test("read replicas without Multi-AZ are allowed: they add read capacity, they are not the failover", () => {
    const config = resolveConfig({ ...base.aws, environment: "dev", database: { readReplicas: 2 } }, "Pulumi.dev.yaml");
    expect(config.database).toMatchObject({ multiAz: false, readReplicas: 2 });
  });
});

describe("each mistake is one line naming the file and the key", () => {
  const dev = { ...base.aws, environment: "dev" };
  test.each<[string, unknown, string[]]>([
    [
      "a misspelt key",
      { ...dev, database: { backupRetentionDay: 7 } },
      ["Pulumi.test.yaml: platform:database.backupRetentionDay is not a known key (did you mean backupRetentionDays?)"],
    ],
    ["a misspelt section", { ...dev, netwrok: {} }, ["Pulumi.test.yaml: platform:netwrok is not a known key (did you mean network?)"]],
    [
      "a misspelt nested key",
      { ...dev, cluster: { deployFromVpc: true, nodes: { minSzie: 2 } } },
      ["Pulumi.test.yaml: platform:cluster.nodes.minSzie is not a known key (did you mean minSize?)"],
    ],
    [
      "a wrong type",
      { ...dev, network: { zones: "three" } },
      ['Pulumi.test.yaml: platform:network.zones must be a whole number from 2 to 6 (got "three")'],
    ],
    [
      "a string for a flag",
      { ...dev, database: { multiAz: "yes" } },
      ['Pulumi.test.yaml: platform:database.multiAz must be true or false (got "yes")'],
    ],
    [
      "too many read replicas",
      { ...dev, database: { readReplicas: 6 } },
      ["Pulumi.test.yaml: platform:database.readReplicas must be a whole number from 0 to 5 (got 6)"],
    ],
    [
      "a negative replica count",
      { ...dev, database: { readReplicas: -1 } },
      ["Pulumi.test.yaml: platform:database.readReplicas must be a whole number from 0 to 5 (got -1)"],
    ],
    [
      "a fractional replica count",
      { ...dev, database: { readReplicas: 1.5 } },
      ["Pulumi.test.yaml: platform:database.readReplicas must be a whole number from 0 to 5 (got 1.5)"],
    ],
    [
      "a replica count as text",
      { ...dev, database: { readReplicas: "one" } },
      ['Pulumi.test.yaml: platform:database.readReplicas must be a whole number from 0 to 5 (got "one")'],
    ],
    ["a scalar for a section", { ...dev, cache: 3 }, ["Pulumi.test.yaml: platform:cache must be a mapping of cache settings (got 3)"]],
    [
      "a missing identity key",
      { cloud: "aws", environment: "dev", region: "eu-west-1" },
      ["Pulumi.test.yaml: platform:domain is required: it must be a lower-case DNS name such as example.com"],
    ],
    [
      "an unknown environment",
      { ...base.aws, environment: "prod" },
      ['Pulumi.test.yaml: platform:environment must be one of dev, staging, production (got "prod")'],
    ],
    [
      "a region of the other cloud",
      { ...dev, region: "europe-west1" },
      ['Pulumi.test.yaml: platform:region must be an AWS region the provider knows, such as eu-west-1 (got "europe-west1")'],
    ],
    [
      "a region AWS does not have",
      { ...dev, region: "eu-west-9" },
      ['Pulumi.test.yaml: platform:region must be an AWS region the provider knows, did you mean eu-west-1? (got "eu-west-9")'],
    ],
    [
      "the single admin role of earlier releases",
      { ...dev, cluster: { deployFromVpc: true, adminRoleArn: "arn:aws:iam::123456789012:role/admin" } },
      [
        "Pulumi.test.yaml: platform:cluster.adminRoleArn was replaced by platform:cluster.adminRoleArns, a list: write adminRoleArns: [<role ARN>] (pulumi config set --path 'cluster.adminRoleArns[0]' <role ARN>) and remove adminRoleArn",
      ],
    ],
    [
      "an admin that is a user, not a role",
      { ...dev, cluster: { deployFromVpc: true, adminRoleArns: ["arn:aws:iam::123456789012:user/alice"] } },
      [
        'Pulumi.test.yaml: platform:cluster.adminRoleArns[0] must be an IAM role ARN such as arn:aws:iam::123456789012:role/platform-admin (got "arn:aws:iam::123456789012:user/alice")',
      ],
    ],
    [
      "GKE admins on an AWS stack",
      { ...dev, cluster: { deployFromVpc: true, adminMembers: ["group:platform-admins@example.com"] } },
      ["Pulumi.test.yaml: platform:cluster.adminMembers applies to gcp stacks only; this stack's cloud is aws"],
    ],
    [
      "a GKE admin that is not an IAM member",
      { ...base.gcp, environment: "dev", cluster: { adminMembers: ["alice@example.com"] } },
      [
        'Pulumi.test.yaml: platform:cluster.adminMembers[0] must be a Google IAM member such as group:platform-admins@example.com (got "alice@example.com")',
      ],
    ],
    [
      "a deploy-path key on GCP",
      { ...base.gcp, environment: "dev", cluster: { deployFromVpc: true } },
      ["Pulumi.test.yaml: platform:cluster.deployFromVpc applies to aws stacks only; this stack's cloud is gcp"],
    ],
    [
      "an unpinned image",
      { ...dev, apps: [{ name: "web", image: "nginx:latest" }] },
      [
        'Pulumi.test.yaml: platform:apps[0].image must pin a tag other than latest, or a digest, so every deploy runs the same image (got "nginx:latest")',
      ],
    ],
    [
      "an untagged image",
      { ...dev, apps: [{ name: "web", image: "nginx" }] },
      [
        'Pulumi.test.yaml: platform:apps[0].image must pin a tag other than latest, or a digest, so every deploy runs the same image (got "nginx")',
      ],
    ],
    [
      "an app without an image",
      { ...dev, apps: [{ name: "web" }] },
      ["Pulumi.test.yaml: platform:apps[0].image is required: it must be an image reference such as ghcr.io/org/app:1.2.3"],
    ],
    [
      "a VPC block that is public",
      { ...dev, network: { cidr: "8.8.0.0/16" } },
      [
        'Pulumi.test.yaml: platform:network.cidr must be a private (RFC 1918) IPv4 block from /16 to /20, e.g. 10.0.0.0/16 (got "8.8.0.0/16")',
      ],
    ],
    [
      "host bits in a CIDR",
      { ...dev, cluster: { deployFromVpc: true, endpointPublicAccessCidrs: ["203.0.113.7/24"] } },
      [
        'Pulumi.test.yaml: platform:cluster.endpointPublicAccessCidrs[0] must be an IPv4 CIDR block with no host bits set, e.g. 10.0.0.0/16 (got "203.0.113.7/24")',
      ],
    ],
    [
      "a retention CloudWatch refuses",
      { ...dev, network: { flowLogRetentionDays: 10 } },
      [
        "Pulumi.test.yaml: platform:network.flowLogRetentionDays must be a CloudWatch retention period: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (got 10)",
      ],
    ],
    [
      "a container log retention CloudWatch refuses, on aws",
      { ...dev, cluster: { deployFromVpc: true, applicationLogRetentionDays: 10 } },
      [
        "Pulumi.test.yaml: platform:cluster.applicationLogRetentionDays must be a CloudWatch retention period: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 on aws (got 10)",
      ],
    ],
    [
      "a database audit log retention CloudWatch refuses, on aws",
      { ...dev, database: { auditLogRetentionDays: 100 } },
      [
        "Pulumi.test.yaml: platform:database.auditLogRetentionDays must be a CloudWatch retention period: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 on aws (got 100)",
      ],
    ],
    [
      "a database audit log retention longer than Cloud Logging keeps",
      { ...dev, database: { auditLogRetentionDays: 3651 } },
      ["Pulumi.test.yaml: platform:database.auditLogRetentionDays must be a whole number from 1 to 3650 (got 3651)"],
    ],
    [
      "no credential rotation",
      { ...dev, database: { credentialRotationDays: 0 } },
      ["Pulumi.test.yaml: platform:database.credentialRotationDays must be a whole number from 1 to 365 (got 0)"],
    ],
    [
      "a rotation the rotation alert cannot see within dev's 3 days of metrics",
      { ...dev, database: { credentialRotationDays: 2 } },
      [
        "Pulumi.test.yaml: platform:database.credentialRotationDays must be at most 1: the DatabaseCredentialsNotRotated alert looks back the rotation period plus a day, and a day more must stay within platform:monitoring.prometheusRetentionDays (3) (got 2)",
      ],
    ],
    [
      "a container log retention longer than Cloud Logging keeps",
      { ...dev, cluster: { deployFromVpc: true, applicationLogRetentionDays: 3651 } },
      ["Pulumi.test.yaml: platform:cluster.applicationLogRetentionDays must be a whole number from 1 to 3650 (got 3651)"],
    ],
    [
      "a bad cron",
      { ...dev, backups: { schedule: "every day" } },
      ['Pulumi.test.yaml: platform:backups.schedule must be a five-field cron schedule such as "0 3 * * *" (got "every day")'],
    ],
    [
      "node sizes out of order",
      { ...dev, cluster: { deployFromVpc: true, nodes: { minSize: 3, desiredSize: 2 } } },
      ["Pulumi.test.yaml: platform:cluster.nodes must satisfy minSize <= desiredSize <= maxSize (got 3 <= 2 <= 3)"],
    ],
    [
      "storage that cannot grow",
      { ...dev, database: { storageGb: 200, maxStorageGb: 100 } },
      ["Pulumi.test.yaml: platform:database.maxStorageGb must be at least storageGb (200) so storage can grow (got 100)"],
    ],
    [
      "overlapping database windows",
      { ...dev, database: { backupWindow: "04:00-05:00" } },
      [
        'Pulumi.test.yaml: platform:database.backupWindow must not overlap database.maintenanceWindow "sun:04:30-sun:05:30" (got "04:00-05:00")',
      ],
    ],
    [
      "a too-short backup window",
      { ...dev, database: { backupWindow: "01:00-01:20" } },
      ['Pulumi.test.yaml: platform:database.backupWindow must last at least 30 minutes (got "01:00-01:20")'],
    ],
    [
      "an old Kubernetes",
      { ...dev, cluster: { deployFromVpc: true, version: "1.31" } },
      ['Pulumi.test.yaml: platform:cluster.version must be 1.34 or newer, the oldest release still in standard support (got "1.31")'],
    ],
    [
      "an unsupported cache version",
      { ...dev, cache: { engine: "redis", engineVersion: "6.2" } },
      ['Pulumi.test.yaml: platform:cache.engineVersion must be one of 7.0, 7.1 for redis on aws (got "6.2")'],
    ],
    [
      "an AWS-only key on GCP",
      { ...base.gcp, environment: "dev", cache: { nodeType: "cache.t4g.micro" } },
      ["Pulumi.test.yaml: platform:cache.nodeType applies to aws stacks only; this stack's cloud is gcp"],
    ],
    [
      "a GCP section on AWS",
      { ...dev, gcp: { project: "example-platform", projectNumber: "123456789012" } },
      ["Pulumi.test.yaml: platform:gcp applies to gcp stacks only; this stack's cloud is aws"],
    ],
    [
      "a GCP stack without a project",
      { ...base.gcp, gcp: undefined, environment: "dev" },
      ["Pulumi.test.yaml: platform:gcp.project is required on gcp: the GCP project to deploy into"],
    ],
    [
      "a tag the platform owns",
      { ...dev, tags: { environment: "x" } },
      [
        "Pulumi.test.yaml: platform:tags.environment is set by the platform on every resource (environment, stack, managed-by); choose another name",
      ],
    ],
    [
      "a label GCP refuses",
      { ...base.gcp, environment: "dev", tags: { Owner: "Team A" } },
      [
        "Pulumi.test.yaml: platform:tags.Owner must be a GCP label: lower-case letters, digits, _ and -, key starting with a letter, up to 63 characters",
      ],
    ],
    [
      "two apps with one name",
      {
        ...dev,
        apps: [
          { name: "web", image: "a/web:1" },
          { name: "web", image: "a/web:2", hostname: "www.example.com" },
        ],
      },
      ['Pulumi.test.yaml: platform:apps[1].name must be unique; another app is already called "web"'],
    ],
    [
      "a hostname outside the domain",
      { ...dev, apps: [{ name: "web", image: "a/web:1", hostname: "web.example.org" }] },
      [
        'Pulumi.test.yaml: platform:apps[0].hostname must be example.com or a name under it, where the gateway holds certificates (got "web.example.org")',
      ],
    ],
    [
      "a request over its limit",
      { ...dev, apps: [{ name: "web", image: "a/web:1", memoryRequest: "1Gi", memoryLimit: "512Mi" }] },
      ['Pulumi.test.yaml: platform:apps[0].memoryRequest must not exceed memoryLimit "512Mi" (got "1Gi")'],
    ],
  ])("%s", (_, settings, expected) => {
    expect(problemsOf(settings)).toEqual(expected);
  });

  test("every problem is reported at once, in key order within each stage", () => {
    expect(problemsOf({ ...dev, network: { zones: 1, natGateway: "single" }, cache: { nodes: 0 } })).toEqual([
      "Pulumi.test.yaml: platform:network.zones must be a whole number from 2 to 6 (got 1)",
      "Pulumi.test.yaml: platform:network.natGateway is not a known key (did you mean natGateways?)",
      "Pulumi.test.yaml: platform:cache.nodes must be a whole number from 1 to 6 (got 0)",
    ]);
  });
});

describe("production guard rails", () => {
  const unsafe: Record<string, [Record<string, unknown>, string]> = {
    "network.zones": [{ network: { zones: 2 } }, "must be >= 3 in production (got 2)"],
    "network.natGateways": [{ network: { natGateways: "single" } }, 'must be perZone in production (got "single")'],
    "network.flowLogRetentionDays": [{ network: { flowLogRetentionDays: 1 } }, "must be >= 90 in production (got 1)"],
    "cluster.logRetentionDays": [{ cluster: { deployFromVpc: true, logRetentionDays: 60 } }, "must be >= 90 in production (got 60)"],
    "cluster.applicationLogRetentionDays": [
      { cluster: { deployFromVpc: true, applicationLogRetentionDays: 14 } },
      "must be >= 30 in production (got 14)",
    ],
    "cluster.endpointPublicAccessCidrs": [
      { cluster: { endpointPublicAccessCidrs: ["203.0.113.0/24", "10.0.0.0/7"] } },
      'must not hold blocks wider than /8 (10.0.0.0/7) in production (got ["203.0.113.0/24","10.0.0.0/7"])',
    ],
    "cluster.nodes.capacityType": [
      { cluster: { deployFromVpc: true, nodes: { capacityType: "SPOT" } } },
      'must be ON_DEMAND in production (got "SPOT")',
    ],
    "cluster.nodes.minSize": [
      { cluster: { deployFromVpc: true, nodes: { minSize: 1, desiredSize: 1 } } },
      "must be >= 2 in production (got 1)",
    ],
    "database.multiAz": [{ database: { multiAz: false } }, "must be true in production (got false)"],
    "database.backupRetentionDays": [{ database: { backupRetentionDays: 7 } }, "must be >= 30 in production (got 7)"],
    "database.deletionProtection": [{ database: { deletionProtection: false } }, "must be true in production (got false)"],
    "database.auditLogRetentionDays": [{ database: { auditLogRetentionDays: 30 } }, "must be >= 90 in production (got 30)"],
    // With metrics kept long enough for the rotation alert, so only the production rail speaks.
    "database.credentialRotationDays": [
      { database: { credentialRotationDays: 31 }, monitoring: { prometheusRetentionDays: 60 } },
      "must be <= 30 (a master password older than a month outlives an access review) in production (got 31)",
    ],
    "cache.nodes": [{ cache: { nodes: 1 } }, "must be >= 2 in production (got 1)"],
    "cache.snapshotRetentionDays": [{ cache: { snapshotRetentionDays: 1 } }, "must be >= 7 in production (got 1)"],
    "ingress.certificateIssuer": [
      { ingress: { certificateIssuer: "letsencrypt-staging" } },
      'must be letsencrypt-production in production (got "letsencrypt-staging")',
    ],
    "ingress.rateLimitPerMinute": [
      { ingress: { rateLimitPerMinute: 100_000 } },
      "must be <= 1000 (a per-client limit above that stops no abuse) in production (got 100000)",
    ],
    // With a rotation short enough for 6 days of metrics, so only the production rail speaks.
    "monitoring.prometheusRetentionDays": [
      { monitoring: { prometheusRetentionDays: 6 }, database: { credentialRotationDays: 4 } },
      "must be >= 7 in production (got 6)",
    ],
    "backups.schedule": [
      { backups: { schedule: "0 3 */2 * *" } },
      'must run at least once a day: its longest gap between runs is 48 hours, more than 24 in production (got "0 3 */2 * *")',
    ],
    "backups.restoreVerificationSchedule": [
      { backups: { restoreVerificationSchedule: "0 5 1 * *" } },
      'must run at least once a week: its longest gap between runs is 744 hours, more than 168 in production (got "0 5 1 * *")',
    ],
    "backups.retentionDays": [{ backups: { retentionDays: 7 } }, "must be >= 30 in production (got 7)"],
    "apps.*.minReplicas": [{ apps: [{ name: "web", image: "a/web:1", minReplicas: 1 }] }, "must be >= 2 in production (got 1)"],
  };

  test("the table covers every guard rail", () => {
    expect(Object.keys(unsafe).sort()).toEqual(PRODUCTION_GUARD_RAILS.map((r) => r.path.join(".")).sort());
  });

  test.each(Object.entries(unsafe))("%s", (key, [settings, message]) => {
    const expectedKey = key.replace(".*", "[0]");
    expect(problemsOf({ ...production, ...settings }, "Pulumi.production.yaml")).toEqual([
      `Pulumi.production.yaml: platform:${expectedKey} ${message}`,
    ]);
    // The same values are allowed outside production.
    expect(() =>
      resolveConfig({ ...production, aws: undefined, environment: "staging", ...settings }, "Pulumi.staging.yaml"),
    ).not.toThrow();
  });

  test("gcp production keeps database audit logs at least 90 days too, and has no rotation key", () => {
    const gcpProduction = { ...base.gcp, environment: "production" };
    expect(problemsOf({ ...gcpProduction, database: { auditLogRetentionDays: 89 } }, "Pulumi.gcp-production.yaml")).toEqual([
      "Pulumi.gcp-production.yaml: platform:database.auditLogRetentionDays must be >= 90 in production (got 89)",
    ]);
    expect(problemsOf({ ...gcpProduction, database: { credentialRotationDays: 7 } }, "Pulumi.gcp-production.yaml")).toEqual([
      "Pulumi.gcp-production.yaml: platform:database.credentialRotationDays applies to aws stacks only; this stack's cloud is gcp",
    ]);
    // Any day count Cloud Logging takes, not only CloudWatch's periods.
    expect(
      resolveConfig({ ...base.gcp, environment: "dev", database: { auditLogRetentionDays: 100 } }, "Pulumi.gcp-dev.yaml").database,
    ).toMatchObject({ auditLogRetentionDays: 100 });
  });

  test("gcp production keeps container logs at least 30 days too; gcp dev may keep them a day", () => {
    const gcpProduction = { ...base.gcp, environment: "production" };
    expect(problemsOf({ ...gcpProduction, cluster: { applicationLogRetentionDays: 29 } }, "Pulumi.gcp-production.yaml")).toEqual([
      "Pulumi.gcp-production.yaml: platform:cluster.applicationLogRetentionDays must be >= 30 in production (got 29)",
    ]);
    const dev = resolveConfig({ ...base.gcp, environment: "dev", cluster: { applicationLogRetentionDays: 1 } }, "Pulumi.gcp-dev.yaml");
    expect(dev.cluster.applicationLogRetentionDays).toBe(1);
  });

  test.each<[string, unknown]>([
    ["the world", ["0.0.0.0/0"]],
    ["the world in halves", ["0.0.0.0/1", "128.0.0.0/1"]],
    ["a /7 beside an office", ["198.51.100.0/24", "10.0.0.0/7"]],
  ])("a production API allow-list of %s is refused; a /8 and narrower blocks pass", (_, cidrs) => {
    expect(problemsOf({ ...production, cluster: { endpointPublicAccessCidrs: cidrs } }, "Pulumi.production.yaml")).toHaveLength(1);
    expect(() =>
      resolveConfig({ ...production, cluster: { endpointPublicAccessCidrs: ["10.0.0.0/8", "203.0.113.0/24"] } }, "Pulumi.production.yaml", [
        "alertWebhookUrl",
      ]),
    ).not.toThrow();
  });

  test.each([
    ["at noon and at three", "0 3,12 * * *"],
    ["hourly", "@hourly"],
    ["every six hours", "0 */6 * * *"],
  ])("a backup schedule that runs %s is daily enough", (_, schedule) => {
    expect(() => resolveConfig({ ...production, backups: { schedule } }, "Pulumi.production.yaml", ["alertWebhookUrl"])).not.toThrow();
  });

  test.each([
    ["on weekdays only", "0 3 * * 1-5", 72],
    ["weekly", "@weekly", 168],
    ["on the 1st and on Mondays (either matches)", "0 3 1 * 1", 168],
  ])("a backup schedule that runs %s leaves a gap over a day", (_, schedule, hours) => {
    expect(problemsOf({ ...production, backups: { schedule } }, "Pulumi.production.yaml")).toEqual([
      `Pulumi.production.yaml: platform:backups.schedule must run at least once a day: its longest gap between runs is ${hours} hours, more than 24 in production (got ${JSON.stringify(schedule)})`,
    ]);
  });

  test("production pins the AWS account and needs an alert receiver", () => {
    expect(problemsOf({ ...production, aws: undefined }, "Pulumi.production.yaml", [])).toEqual([
      "Pulumi.production.yaml: platform:aws.accountId is required in production: it pins the AWS account so a mis-selected credential cannot deploy elsewhere",
      "Pulumi.production.yaml: platform:alertWebhookUrl is required in production: set it with `pulumi config set --secret alertWebhookUrl <url>`",
    ]);
  });
});

describe("the deploy path: how `pulumi up` reaches the cluster API", () => {
  const neither = { cloud: "aws", region: "eu-west-1", domain: "example.com" };
  const line =
    "platform:cluster must say how `pulumi up` reaches the private cluster API: list the operators' and CI's egress addresses in platform:cluster.endpointPublicAccessCidrs, " +
    'or set platform:cluster.deployFromVpc: true when it runs inside the VPC (README "Deploying for real: how pulumi up reaches the cluster")';

  test.each(ENVIRONMENTS)(
    "a %s stack that declares neither is refused with one line naming both keys and the README section",
    (environment) => {
      const settings = { ...neither, environment, aws: { accountId: "123456789012" } };
      expect(problemsOf(settings, `Pulumi.${environment}.yaml`)).toEqual([`Pulumi.${environment}.yaml: ${line}`]);
      expect(problemsOf({ ...settings, cluster: { deployFromVpc: false } }, `Pulumi.${environment}.yaml`)).toEqual([
        `Pulumi.${environment}.yaml: ${line}`,
      ]);
    },
  );

  test("an allow-listed public endpoint is one way: it reaches the cluster's endpoint settings", () => {
    const config = resolveConfig(
      { ...production, cluster: { endpointPublicAccessCidrs: ["198.51.100.0/24", "203.0.113.10/32"] } },
      "Pulumi.production.yaml",
      ["alertWebhookUrl"],
    );
    expect(config.cluster).toMatchObject({ endpointPublicAccessCidrs: ["198.51.100.0/24", "203.0.113.10/32"], deployFromVpc: false });
  });

  test("deploying from inside the VPC is the other: the endpoint stays private", () => {
    const config = resolveConfig({ ...production }, "Pulumi.production.yaml", ["alertWebhookUrl"]);
    expect(config.cluster).toMatchObject({ endpointPublicAccessCidrs: [], deployFromVpc: true });
  });

  test("outside production too, the whole internet in pieces is refused", () => {
    expect(
      problemsOf({ ...neither, environment: "dev", cluster: { endpointPublicAccessCidrs: ["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/1"] } }),
    ).toEqual([
      'Pulumi.test.yaml: platform:cluster.endpointPublicAccessCidrs must not cover the whole internet, whole or in pieces (got ["0.0.0.0/2","64.0.0.0/2","128.0.0.0/1"])',
    ]);
  });

  test("GCP stacks are not asked (their control-plane access comes with the GKE cluster)", () => {
    expect(() => resolveConfig({ ...base.gcp, environment: "dev" }, "Pulumi.gcp-dev.yaml")).not.toThrow();
  });
});

describe("values as `pulumi config set --path` and YAML write them", () => {
  const dev = { ...base.aws, environment: "dev" };

  test("a whole account ID and whole engine and Kubernetes versions written as numbers are read as the text they stand for", () => {
    const config = resolveConfig(
      { ...production, aws: { accountId: 123456789012 }, database: { engineVersion: 18 }, cluster: { deployFromVpc: true, version: 1.35 } },
      "Pulumi.production.yaml",
      ["alertWebhookUrl"],
    );
    expect([config.aws?.accountId, config.database.engineVersion, config.cluster.version]).toEqual(["123456789012", "18", "1.35"]);
  });

  test.each<[string, unknown, string]>([
    [
      "an account ID that lost its leading zero",
      { aws: { accountId: 12345678901 } },
      "platform:aws.accountId must be a string: quote it (got the number 12345678901; it must be a 12-digit AWS account ID)",
    ],
    [
      "a minor engine version that may have lost a zero",
      { database: { engineVersion: 17.1 } },
      'platform:database.engineVersion must be a string: quote it (got the number 17.1; it must be PostgreSQL 17 or 18, e.g. "17")',
    ],
    [
      "a cache version YAML read as 8",
      { cache: { engineVersion: 8.0 } },
      'platform:cache.engineVersion must be a string: quote it (got the number 8; it must be a major.minor engine version such as "8.0")',
    ],
    [
      "a Kubernetes version YAML read as 1.3",
      { cluster: { deployFromVpc: true, version: 1.3 } },
      'platform:cluster.version must be a string: quote it (got the number 1.3; it must be a Kubernetes minor version such as "1.35")',
    ],
    [
      "a boolean where text belongs",
      { backups: { schedule: true } },
      'platform:backups.schedule must be a string: quote it (got the boolean true; it must be a five-field cron schedule such as "0 3 * * *")',
    ],
  ])("%s is refused with how to write it", (_, patch, message) => {
    expect(problemsOf({ ...dev, ...(patch as object) })).toEqual([`Pulumi.test.yaml: ${message}`]);
  });
});
