// GIVEN two small hand-made review records of one stack
// WHEN they are diffed (review/diff.ts)
// THEN added, removed and changed resources come out with their changed paths (nested, arrays by index,
//      options), the changes that replace a stateful resource and the protection it loses, and the
//      stateful resources at risk read as one line each.
import { describe, expect, test } from "@jest/globals";
import { changedPaths, diffReports, diffSummary, replacingPaths, statefulRisks, urnParts } from "../../review/diff";
import type { RecordedResource } from "../../review/engine";
import type { ReviewReport } from "../../review/review";
import { recordedResource } from "../recorded";

const STACK = "urn:pulumi:production::platform::pulumi:pulumi:Stack::platform-production";
const DB_URN = "urn:pulumi:production::platform::platform:aws:PostgresDatabase$aws:rds/instance:Instance::database-instance";
const SG_URN = "urn:pulumi:production::platform::platform:aws:PostgresDatabase$aws:ec2/securityGroup:SecurityGroup::database-sg";
const SQL_URN =
  "urn:pulumi:production::platform::platform:gcp:CloudSqlPostgres$gcp:sql/databaseInstance:DatabaseInstance::database-instance";
const BUCKET = (name: string) => `urn:pulumi:production::platform::platform:aws:BackupBucket$aws:s3/bucket:Bucket::${name}`;

function resource(urn: string, inputs: Record<string, unknown>, options: Partial<RecordedResource> = {}): RecordedResource {
  const { type, name } = urnParts(urn);
  return recordedResource({ urn, type, name, parent: STACK, inputs, ...options });
}

/** A record; without `extra.estimate` it is one of a version that kept no estimate, as `--against` may read. */
function report(resources: RecordedResource[], extra: Record<string, unknown> = {}): ReviewReport {
  return {
    stack: "production",
    project: "platform",
    config: {},
    resources,
    outputs: {},
    policies: [],
    ...extra,
  } as unknown as ReviewReport;
}

const DB_INPUTS = { engine: "postgres", kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/a", instanceClass: "db.m7g.large" };

describe("changed paths", () => {
  test("nested objects give dotted paths, arrays their index, added and removed keys their own path", () => {
    const before = { settings: { tier: "db-custom-2", flags: [{ name: "a", value: "1" }] }, tags: { a: "1" }, gone: 1 };
    const after = {
      settings: {
        tier: "db-custom-4",
        flags: [
          { name: "a", value: "2" },
          { name: "b", value: "1" },
        ],
      },
      tags: { a: "1" },
      new: 2,
    };
    expect(changedPaths(before, after)).toEqual(["gone", "new", "settings.flags[0].value", "settings.flags[1]", "settings.tier"]);
  });

  test("keys that are not identifiers are quoted as in secretInputs, and equal values give nothing", () => {
    expect(changedPaths({ labels: { "app.kubernetes.io/name": "a" } }, { labels: { "app.kubernetes.io/name": "b" } })).toEqual([
      'labels["app.kubernetes.io/name"]',
    ]);
    expect(changedPaths({ a: [1, { b: null }] }, { a: [1, { b: null }] })).toEqual([]);
  });

  test("a value that changes shape is reported where it changes", () => {
    expect(changedPaths({ vpcConfig: ["subnet-a"] }, { vpcConfig: { subnetIds: ["subnet-a"] } })).toEqual(["vpcConfig"]);
  });
});

describe("replace-on-change inputs", () => {
  test.each([
    // identifier is renamed in place (ModifyDBInstance's NewDBInstanceIdentifier) since the provider's v5.0.0.
    ["aws:rds/instance:Instance", ["kmsKeyId", "instanceClass", "identifier"], [], ["kmsKeyId"]],
    ["aws:eks/cluster:Cluster", ["vpcConfig.subnetIds[2]", "roleArn", "version"], [], ["roleArn"]],
    // An object holding a replace-on-change input, and a path below one, both count.
    [
      "aws:eks/cluster:Cluster",
      ["kubernetesNetworkConfig", "accessConfig.bootstrapClusterCreatorAdminPermissions"],
      [],
      ["kubernetesNetworkConfig", "accessConfig.bootstrapClusterCreatorAdminPermissions"],
    ],
    [
      "gcp:sql/databaseInstance:DatabaseInstance",
      ["name", "region", "settings.tier", "settings.collation"],
      [],
      ["name", "region", "settings.collation"],
    ],
    [
      "kubernetes:core/v1:PersistentVolumeClaim",
      ["spec.resources.requests.storage", "metadata.labels.app"],
      [],
      ["spec.resources.requests.storage"],
    ],
    // Ignored inputs are not diffed by the engine, so they replace nothing.
    ["aws:eks/nodeGroup:NodeGroup", ["scalingConfig.desiredSize", "subnetIds[0]"], ["subnetIds"], []],
    ["aws:ec2/securityGroup:SecurityGroup", ["name"], [], []],
  ])("%s: of %j, ignoring %j, these replace: %j", (type, paths, ignored, replacing) => {
    expect(replacingPaths(type, paths, ignored)).toEqual(replacing);
  });
});

describe("diffing two records", () => {
  test("an RDS kmsKeyId change replaces the database; a dropped protect is reported on its own", () => {
    const before = report([resource(DB_URN, DB_INPUTS, { protect: true }), resource(SG_URN, { name: "db" }, { protect: true })]);
    const after = report([
      resource(
        DB_URN,
        { ...DB_INPUTS, kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/b", instanceClass: "db.m7g.xlarge" },
        { protect: true },
      ),
      resource(SG_URN, { name: "db" }),
    ]);
    const diff = diffReports(before, after, "main");
    expect(diff).toEqual({
      against: "main",
      added: [],
      removed: [],
      changed: [
        { urn: DB_URN, paths: ["instanceClass", "kmsKeyId"], replaces: ["kmsKeyId"], unprotects: false },
        { urn: SG_URN, paths: ["protect"], replaces: [], unprotects: true },
      ],
      monthlyCostDeltaUsd: 0,
    });
    // The security group is not stateful: only the database is at risk.
    expect(statefulRisks(diff)).toEqual([
      { urn: DB_URN, line: "aws:rds/instance:Instance database-instance is replaced (delete, then create) for kmsKeyId" },
    ]);
  });

  test("a Cloud SQL region change replaces it, and the same change that also drops protect says both", () => {
    const inputs = { name: "platform-db", region: "europe-west1", settings: { tier: "db-custom-2-7680" } };
    const diff = diffReports(
      report([resource(SQL_URN, inputs, { protect: true })]),
      report([resource(SQL_URN, { ...inputs, region: "europe-west4" })]),
      "v1.2.0",
    );
    expect(diff.changed).toEqual([{ urn: SQL_URN, paths: ["region", "protect"], replaces: ["region"], unprotects: true }]);
    expect(diffSummary(diff)).toBe(
      [
        "  diff against v1.2.0: 0 added, 0 removed, 1 changed (1 replaced, 1 unprotected), +0.00 USD a month",
        "  stateful resources at risk: 1",
        "    gcp:sql/databaseInstance:DatabaseInstance database-instance is replaced (delete, then create) for region and loses protect",
      ].join("\n"),
    );
  });

  test("a renamed bucket is removed and added, and flagged: the old bucket is deleted", () => {
    const diff = diffReports(
      report([resource(BUCKET("backups-bucket"), { forceDestroy: false }, { protect: true })]),
      report([resource(BUCKET("backup-bucket"), { forceDestroy: false }, { protect: true })]),
      "main",
    );
    expect(diff).toMatchObject({ added: [BUCKET("backup-bucket")], removed: [BUCKET("backups-bucket")], changed: [] });
    expect(statefulRisks(diff)).toEqual([
      {
        urn: BUCKET("backups-bucket"),
        line: "aws:s3/bucket:Bucket backups-bucket is deleted: its URN changed, the new aws:s3/bucket:Bucket backup-bucket is created empty (rename it back, or give it aliases: [old URN])",
      },
    ]);
  });

  test("a rename that carries the old URN in its aliases is the same bucket, compared, and at no risk", () => {
    const diff = diffReports(
      report([resource(BUCKET("backups-bucket"), { forceDestroy: false })]),
      report([resource(BUCKET("backup-bucket"), { forceDestroy: true }, { aliases: [BUCKET("backups-bucket")] })]),
      "main",
    );
    expect(diff).toMatchObject({
      added: [],
      removed: [],
      changed: [{ urn: BUCKET("backup-bucket"), paths: ["forceDestroy"], replaces: [], unprotects: false }],
    });
    expect(statefulRisks(diff)).toEqual([]);
  });

  test("a stateful resource the program drops is deleted; a new one and an array growing are ordinary changes", () => {
    const diff = diffReports(
      report([resource(DB_URN, DB_INPUTS), resource(SG_URN, { ingress: [{ fromPort: 5432 }] })]),
      report([resource(SG_URN, { ingress: [{ fromPort: 5432 }, { fromPort: 6379 }] }), resource(BUCKET("logs"), {})]),
      "record.json",
    );
    expect(diff).toMatchObject({
      added: [BUCKET("logs")],
      removed: [DB_URN],
      changed: [{ urn: SG_URN, paths: ["ingress[1]"], replaces: [], unprotects: false }],
    });
    expect(statefulRisks(diff).map((r) => r.line)).toEqual([
      "aws:rds/instance:Instance database-instance is deleted: the program no longer declares it",
    ]);
  });

  test("the monthly cost delta is the estimates' difference when both records carry one, else 0", () => {
    const at = (usd: number) => ({ estimate: { monthlyCostUsd: usd } });
    expect(diffReports(report([], at(1200.5)), report([], at(1450.25)), "main").monthlyCostDeltaUsd).toBe(249.75);
    expect(diffReports(report([]), report([], at(1450.25)), "main").monthlyCostDeltaUsd).toBe(0);
    expect(diffSummary(diffReports(report([], at(100)), report([], at(90)), "main")).split("\n")[0]).toBe(
      "  diff against main: 0 added, 0 removed, 0 changed (0 replaced, 0 unprotected), -10.00 USD a month",
    );
  });

  test("a record of another stack is refused with one line", () => {
    const dev = { ...report([]), stack: "dev" };
    expect(() => diffReports(dev, report([]), "dev.json")).toThrow(
      "dev.json: the record is of stack platform/dev, not platform/production; compare a stack with its own record",
    );
  });
});
