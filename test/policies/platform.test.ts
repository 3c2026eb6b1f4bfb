// GIVEN stateful resources with and without `protect`, and credentials given in various ways
// WHEN the platform policies run
// THEN unprotected stateful resources and credentials written into the program are reported.
import { describe, expect, test } from "@jest/globals";
import type { RecordedResource } from "../../review/engine";
import { holdsCredential } from "../../policies/platform";
import { check, linked, resource } from "./harness";

describe("log-retention", () => {
  const group = (name: string, retentionInDays?: number) =>
    resource("aws:cloudwatch/logGroup:LogGroup", name.split("/").pop()!, {
      name,
      ...(retentionInDays !== undefined && { retentionInDays }),
    });
  const bucket = (bucketId: string, retentionDays?: number) =>
    resource("gcp:logging/projectBucketConfig:ProjectBucketConfig", "logs", {
      project: "example-platform",
      location: "global",
      bucketId,
      ...(retentionDays !== undefined && { retentionDays }),
    });
  const production = {
    environment: "production",
    minimumRetentionDays: 30,
    minimumControlPlaneRetentionDays: 90,
    minimumDatabaseAuditRetentionDays: 90,
  };

  test("GIVEN production's minimums WHEN container groups keep 30 days, the control plane 90 and the _Default bucket 30 THEN nothing is reported", async () => {
    const result = await check(
      "log-retention",
      [
        group("/aws/containerinsights/platform-production-cluster/application", 30),
        group("/aws/eks/platform-production-cluster/cluster", 90),
        group("/aws/vpc/flow-logs", 90),
        group("/aws/rds/instance/db/postgresql"),
        bucket("_Default", 30),
      ],
      production,
    );
    expect(result).toMatchObject({ evaluated: 5, messages: [] });
  });

  test("GIVEN production WHEN container logs keep a day, audit logs 30 and the _Default bucket 7 THEN each is reported with its minimum", async () => {
    const result = await check(
      "log-retention",
      [
        group("/aws/containerinsights/platform-production-cluster/application", 1),
        group("/aws/eks/platform-production-cluster/cluster", 30),
        bucket("_Default", 7),
      ],
      production,
    );
    expect(result.messages).toEqual([
      "log group /aws/containerinsights/platform-production-cluster/application keeps logs 1 days: production keeps logs at least 30, set retentionInDays to 30 or more",
      "log group /aws/eks/platform-production-cluster/cluster keeps logs 30 days: production keeps EKS control-plane (audit) logs at least 90, set retentionInDays to 90 or more",
      "the _Default log bucket keeps logs 7 days: production keeps them at least 30, set retentionDays to 30 or more",
    ]);
  });

  test("GIVEN production WHEN the database's audit group and bucket keep 90 days, its upgrade log 30 THEN nothing is reported", async () => {
    const result = await check(
      "log-retention",
      [
        group("/aws/rds/instance/platform-production-database/postgresql", 90),
        group("/aws/rds/instance/platform-production-database-replica-0/postgresql", 90),
        group("/aws/rds/instance/platform-production-database/upgrade", 30),
        bucket("database-audit", 90),
      ],
      production,
    );
    expect(result).toMatchObject({ evaluated: 4, messages: [] });
  });

  test("GIVEN production WHEN the database's audit group and bucket keep a month, or the bucket GCP's default THEN each is reported with 90", async () => {
    const result = await check(
      "log-retention",
      [
        group("/aws/rds/instance/platform-production-database/postgresql", 30),
        group("/aws/rds/instance/platform-production-database/upgrade", 14),
        bucket("database-audit", 30),
        bucket("database-audit"),
      ],
      production,
    );
    expect(result.messages).toEqual([
      "log group /aws/rds/instance/platform-production-database/postgresql keeps logs 30 days: production keeps database (pgaudit) logs at least 90, set retentionInDays to 90 or more",
      "log group /aws/rds/instance/platform-production-database/upgrade keeps logs 14 days: production keeps logs at least 30, set retentionInDays to 30 or more",
      "the database-audit log bucket keeps logs 30 days: production keeps database audit logs at least 90, set retentionDays to 90 or more",
      "the database-audit log bucket keeps logs 30 days: production keeps database audit logs at least 90, set retentionDays to 90 or more",
    ]);
  });

  test("GIVEN dev's minimums THEN a week passes everywhere; the _Required bucket and unset retention are never reported", async () => {
    const dev = { environment: "dev", minimumRetentionDays: 7, minimumControlPlaneRetentionDays: 7, minimumDatabaseAuditRetentionDays: 7 };
    const result = await check(
      "log-retention",
      [
        group("/aws/containerinsights/platform-dev-cluster/application", 7),
        group("/aws/eks/platform-dev-cluster/cluster", 7),
        group("/aws/rds/instance/platform-dev-database/postgresql", 7),
        bucket("_Default", 7),
        bucket("database-audit", 7),
        bucket("_Required", 1),
      ],
      dev,
    );
    expect(result.messages).toEqual([]);
    // An unset _Default retention is GCP's 30 days: enough for 30, not for 60.
    expect((await check("log-retention", [bucket("_Default")], { ...production, minimumRetentionDays: 60 })).messages).toEqual([
      "the _Default log bucket keeps logs 30 days: production keeps them at least 60, set retentionDays to 60 or more",
    ]);
  });
});

describe("stateful-protected", () => {
  test.each([
    "aws:rds/instance:Instance",
    "aws:s3/bucket:Bucket",
    "aws:kms/key:Key",
    "gcp:container/cluster:Cluster",
    "gcp:redis/instance:Instance",
  ])("GIVEN a protected %s THEN it passes", async (type) => {
    expect(await check("stateful-protected", [resource(type, "data", {}, { protect: true })])).toMatchObject({
      evaluated: 1,
      messages: [],
    });
  });

  test("GIVEN an unprotected database and an unprotected subnet THEN only the database is reported", async () => {
    const result = await check("stateful-protected", [
      resource("aws:rds/instance:Instance", "db", {}),
      resource("aws:ec2/subnet:Subnet", "subnet", {}),
    ]);
    expect(result).toMatchObject({
      evaluated: 1,
      messages: ["aws:rds/instance:Instance db is not protected: create it with { protect: true }"],
    });
  });

  test("GIVEN config listing an extra stateful type THEN it is checked too", async () => {
    const result = await check("stateful-protected", [resource("aws:efs/fileSystem:FileSystem", "shared", {})], {
      statefulTypes: ["aws:efs/fileSystem:FileSystem"],
    });
    expect(result.messages).toEqual(["aws:efs/fileSystem:FileSystem shared is not protected: create it with { protect: true }"]);
  });
});

describe("no-plaintext-secrets", () => {
  const password = resource("random:index/randomPassword:RandomPassword", "grafana-admin", { length: 32, special: false });

  test.each<[string, boolean]>([
    ["password", true],
    ["adminPassword", true],
    ["DB_PASSWORD", true],
    ["authToken", true],
    ["client_secret", true],
    ["apiKey", true],
    ["secretString", true],
    ["existingSecret", false],
    ["passwordKey", false],
    ["secretName", false],
    ["tokenExpirySeconds", false],
  ])("GIVEN the key %s THEN holdsCredential is %s", (key, holds) => {
    expect(holdsCredential(key)).toBe(holds);
  });

  test.each<[string, RecordedResource[]]>([
    [
      "a password generated by random.RandomPassword",
      [
        password,
        linked(
          resource(
            "kubernetes:helm.sh/v3:Release",
            "monitoring",
            { namespace: "monitoring", values: { grafana: { adminPassword: "[secret]" } } },
            { secretInputs: ["values.grafana.adminPassword"] },
          ),
          "values",
          password,
        ),
      ],
    ],
    [
      "a secret config value (recorded secret, so a secret output)",
      [
        resource(
          "aws:secretsmanager/secretVersion:SecretVersion",
          "webhook",
          { secretId: "arn", secretString: "[secret]" },
          { secretInputs: ["secretString"] },
        ),
      ],
    ],
    [
      "an existing Secret named by reference",
      [
        resource("kubernetes:helm.sh/v3:Release", "monitoring", {
          namespace: "monitoring",
          values: { grafana: { admin: { existingSecret: "grafana-admin", passwordKey: "password" } } },
        }),
      ],
    ],
    [
      "a secret-store ARN",
      [resource("aws:ecs/taskDefinition:TaskDefinition", "t", { token: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ci" })],
    ],
    ["a boolean switch", [resource("aws:rds/instance:Instance", "db", { manageMasterUserPassword: true })]],
    [
      "env read from a Secret, and credential-like annotations",
      [
        resource("kubernetes:apps/v1:Deployment", "app", {
          metadata: { name: "app", namespace: "app", annotations: { "example.com/auth-secret": "app-auth" } },
          spec: {
            template: {
              spec: {
                containers: [
                  {
                    name: "app",
                    image: "app:1",
                    env: [
                      { name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password" } } },
                      { name: "LOG_LEVEL", value: "info" },
                    ],
                  },
                ],
              },
            },
          },
        }),
      ],
    ],
  ])("GIVEN %s THEN it passes", async (_, resources) => {
    expect((await check("no-plaintext-secrets", resources)).messages).toEqual([]);
  });

  test.each<[string, RecordedResource, string]>([
    [
      "a password written in Helm values",
      resource("kubernetes:helm.sh/v3:Release", "monitoring", { namespace: "monitoring", values: { grafana: { adminPassword: "admin" } } }),
      "kubernetes:helm.sh/v3:Release monitoring sets values.grafana.adminPassword to a value written in the program: generate it or read it from the secret store as a secret Output (or list values in additionalSecretOutputs)",
    ],
    [
      "a literal database password",
      resource("aws:rds/instance:Instance", "db", { password: "hunter22" }),
      "aws:rds/instance:Instance db sets password to a value written in the program: generate it or read it from the secret store as a secret Output (or list password in additionalSecretOutputs)",
    ],
    [
      "a credential in a ConfigMap",
      resource("kubernetes:core/v1:ConfigMap", "app-config", { metadata: { name: "app" }, data: { LOG_LEVEL: "info", API_TOKEN: "abc" } }),
      "ConfigMap app-config holds data.API_TOKEN, which looks like a credential: move it to a Secret",
    ],
    [
      "a literal credential in a pod's env",
      resource("kubernetes:apps/v1:Deployment", "app", {
        metadata: { name: "app" },
        spec: {
          template: { spec: { containers: [{ name: "app", image: "app:1", env: [{ name: "REDIS_AUTH_TOKEN", value: "t0ken" }] }] } },
        },
      }),
      "app: container app env REDIS_AUTH_TOKEN is a literal value in the pod spec: read it with valueFrom.secretKeyRef",
    ],
  ])("GIVEN %s THEN it is reported", async (_, offender, message) => {
    expect((await check("no-plaintext-secrets", [offender])).violations).toEqual([{ urn: offender.urn, message }]);
  });
});
