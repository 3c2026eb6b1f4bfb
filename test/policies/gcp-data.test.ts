// GIVEN Cloud SQL, Memorystore and GCS resources as the engine receives them
// WHEN their policies run with each environment's settings
// THEN public or clear-text databases and caches, short-lived or zonal databases, and public or
//      loosely kept backup buckets are reported.
import { describe, expect, test } from "@jest/globals";
import { check, resource } from "./harness";

const sqlProduction = {
  databaseVersion: "POSTGRES_17",
  region: "europe-west1",
  deletionProtection: true,
  encryptionKeyName: "projects/p/locations/europe-west1/keyRings/platform-database/cryptoKeys/database",
  settings: {
    tier: "db-custom-2-7680",
    availabilityType: "REGIONAL",
    deletionProtectionEnabled: true,
    ipConfiguration: { ipv4Enabled: false, privateNetwork: "projects/p/global/networks/platform", sslMode: "ENCRYPTED_ONLY" },
    backupConfiguration: {
      enabled: true,
      startTime: "03:00",
      pointInTimeRecoveryEnabled: true,
      backupRetentionSettings: { retainedBackups: 30 },
    },
  },
};
const sql = (settings: Record<string, unknown> = {}, top: Record<string, unknown> = {}) =>
  resource("gcp:sql/databaseInstance:DatabaseInstance", "platform-db", {
    ...sqlProduction,
    ...top,
    settings: { ...sqlProduction.settings, ...settings },
  });

describe("sql-private-tls", () => {
  test("GIVEN a private instance requiring TLS THEN it passes", async () => {
    expect(await check("sql-private-tls", [sql()])).toMatchObject({ evaluated: 1, messages: [] });
  });

  test("GIVEN a public IP open to the world without TLS THEN each is reported", async () => {
    const open = sql({
      ipConfiguration: {
        authorizedNetworks: [
          { name: "office", value: "198.51.100.0/24" },
          { name: "all", value: "0.0.0.0/0" },
        ],
      },
    });
    expect((await check("sql-private-tls", [open])).messages).toEqual([
      "settings.ipConfiguration.ipv4Enabled is not false: set it to false and connect through the private network",
      "settings.ipConfiguration.authorizedNetworks opens the instance to 0.0.0.0/0: remove that entry",
      'settings.ipConfiguration.sslMode is unset (unencrypted connections allowed): set it to "ENCRYPTED_ONLY"',
    ]);
  });
});

describe("sql-cmek", () => {
  test("GIVEN the platform's primary and replica with the customer-managed key THEN they pass", async () => {
    const replica = sql({}, { masterInstanceName: "platform-db" });
    expect(await check("sql-cmek", [sql(), replica])).toMatchObject({ evaluated: 2, messages: [] });
  });

  test("GIVEN a replica and a primary on Google's default key in production THEN each is reported", async () => {
    expect((await check("sql-cmek", [sql({}, { encryptionKeyName: undefined, masterInstanceName: "platform-db" })])).messages).toEqual([
      "encryptionKeyName is not set on this read replica: production encrypts the database with a customer-managed key",
    ]);
    expect((await check("sql-cmek", [sql({}, { encryptionKeyName: undefined })])).messages).toEqual([
      "encryptionKeyName is not set: production encrypts the database with a customer-managed key",
    ]);
  });

  test("GIVEN a config that does not require the key THEN Google's default key passes", async () => {
    const settings = { environment: "dev", requireCustomerManagedKey: false };
    expect((await check("sql-cmek", [sql({}, { encryptionKeyName: undefined })], settings)).messages).toEqual([]);
  });
});

describe("sql-backups-ha", () => {
  test("GIVEN the production instance THEN it passes", async () => {
    expect((await check("sql-backups-ha", [sql()])).messages).toEqual([]);
  });

  test("GIVEN a zonal dev instance keeping 7 backups THEN it passes with dev's settings", async () => {
    const dev = sql({ availabilityType: "ZONAL", backupConfiguration: { enabled: true, pointInTimeRecoveryEnabled: true } });
    expect(
      (await check("sql-backups-ha", [dev], { environment: "dev", minimumRetainedBackups: 7, requireRegional: false })).messages,
    ).toEqual([]);
  });

  test.each<[string, Record<string, unknown>, Record<string, unknown>, Record<string, unknown>, string[]]>([
    [
      "no PITR, 7 backups and zonal in staging",
      { availabilityType: "ZONAL", backupConfiguration: { enabled: true } },
      {},
      { environment: "staging", minimumRetainedBackups: 14 },
      [
        "settings.backupConfiguration pointInTimeRecoveryEnabled is not true: set it to true",
        "settings.backupConfiguration.backupRetentionSettings.retainedBackups is 7: staging keeps at least 14 backups",
        'settings.availabilityType is ZONAL: staging runs "REGIONAL" so a zone outage fails over',
      ],
    ],
    [
      "deletion allowed",
      { deletionProtectionEnabled: false },
      { deletionProtection: false },
      {},
      [
        "deletionProtection is false: remove it or set it to true",
        "settings.deletionProtectionEnabled is not true: set it to true so the instance cannot be deleted from any tool",
      ],
    ],
  ])("GIVEN %s THEN it is reported", async (_, settings, top, config, messages) => {
    expect((await check("sql-backups-ha", [sql(settings, top)], config)).messages).toEqual(messages);
  });
});

// GIVEN a Cloud SQL read replica as CloudSqlPostgres registers it: ZONAL, without backups, naming its primary
// THEN sql-backups-ha asks it only for deletion protection, and sql-private-tls for what it asks of any instance.
describe("Cloud SQL read replicas", () => {
  const replica = (settings: Record<string, unknown> = {}, top: Record<string, unknown> = {}) =>
    sql({ availabilityType: "ZONAL", backupConfiguration: undefined, ...settings }, { masterInstanceName: "platform-db", ...top });

  test("GIVEN the platform's replica THEN sql-backups-ha and sql-private-tls pass it", async () => {
    expect((await check("sql-backups-ha", [replica()])).messages).toEqual([]);
    expect((await check("sql-private-tls", [replica()])).messages).toEqual([]);
  });

  test("GIVEN a deletable replica THEN it is reported", async () => {
    expect(
      (await check("sql-backups-ha", [replica({ deletionProtectionEnabled: false }, { deletionProtection: false })])).messages,
    ).toEqual([
      "deletionProtection is false: remove it or set it to true",
      "settings.deletionProtectionEnabled is not true: set it to true so the instance cannot be deleted from any tool",
    ]);
  });

  test("GIVEN a replica taking unencrypted connections on a public IP THEN it is reported", async () => {
    const open = replica({ ipConfiguration: { ipv4Enabled: true, sslMode: "ALLOW_UNENCRYPTED_AND_ENCRYPTED" } });
    expect((await check("sql-private-tls", [open])).messages).toEqual([
      "settings.ipConfiguration.ipv4Enabled is not false: set it to false and connect through the private network",
      'settings.ipConfiguration.sslMode is ALLOW_UNENCRYPTED_AND_ENCRYPTED: set it to "ENCRYPTED_ONLY"',
    ]);
  });

  test("GIVEN an instance that names no primary with the replica's settings THEN backups and REGIONAL are reported", async () => {
    expect((await check("sql-backups-ha", [replica({}, { masterInstanceName: undefined })])).messages).toEqual([
      "settings.backupConfiguration enabled and pointInTimeRecoveryEnabled are not true: set both to true",
      "settings.backupConfiguration.backupRetentionSettings.retainedBackups is 7: production keeps at least 30 backups",
      'settings.availabilityType is ZONAL: production runs "REGIONAL" so a zone outage fails over',
    ]);
  });
});

describe("memorystore-secure", () => {
  const redis = (change: Record<string, unknown> = {}) =>
    resource("gcp:redis/instance:Instance", "platform-cache", {
      memorySizeGb: 5,
      authEnabled: true,
      transitEncryptionMode: "SERVER_AUTHENTICATION",
      tier: "STANDARD_HA",
      ...change,
    });

  test.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    ["production on STANDARD_HA", {}, {}],
    ["dev on BASIC", { tier: "BASIC" }, { environment: "dev", requireHighAvailability: false }],
  ])("GIVEN %s THEN it passes", async (_, change, config) => {
    expect((await check("memorystore-secure", [redis(change)], config)).messages).toEqual([]);
  });

  test("GIVEN a BASIC cache without AUTH or TLS in production THEN each is reported", async () => {
    expect(
      (await check("memorystore-secure", [redis({ authEnabled: undefined, transitEncryptionMode: undefined, tier: undefined })])).messages,
    ).toEqual([
      "authEnabled is not true: set it to true so clients must present the AUTH string",
      'transitEncryptionMode is unset (DISABLED): set it to "SERVER_AUTHENTICATION"',
      'tier is unset (BASIC): production runs "STANDARD_HA" so a zone outage fails over to the replica',
    ]);
  });
});

describe("gcs-no-public", () => {
  test("GIVEN an enforced bucket and a grant to a service account THEN it passes", async () => {
    const bucket = resource("gcp:storage/bucket:Bucket", "backups-bucket", { location: "EU", publicAccessPrevention: "enforced" });
    const grant = resource("gcp:storage/bucketIAMMember:BucketIAMMember", "backup-writer", {
      bucket: "b",
      role: "roles/storage.objectCreator",
      member: "serviceAccount:backup@p.iam.gserviceaccount.com",
    });
    expect((await check("gcs-no-public", [bucket, grant])).messages).toEqual([]);
  });

  test.each<[string, string, Record<string, unknown>, string[]]>([
    [
      "a bucket inheriting public access prevention",
      "gcp:storage/bucket:Bucket",
      { location: "EU" },
      ['publicAccessPrevention is unset (inherited): set it to "enforced"'],
    ],
    [
      "an IAM binding to allUsers",
      "gcp:storage/bucketIAMBinding:BucketIAMBinding",
      { bucket: "b", role: "roles/storage.objectViewer", members: ["allUsers", "group:ops@example.com"] },
      ["grants access to allUsers: grant a named service account or group instead"],
    ],
    [
      "an IAM policy with allAuthenticatedUsers",
      "gcp:storage/bucketIAMPolicy:BucketIAMPolicy",
      {
        bucket: "b",
        policyData: JSON.stringify({ bindings: [{ role: "roles/storage.objectViewer", members: ["allAuthenticatedUsers"] }] }),
      },
      ["grants access to allAuthenticatedUsers: grant a named service account or group instead"],
    ],
    [
      "a public-read ACL",
      "gcp:storage/bucketACL:BucketACL",
      { bucket: "b", predefinedAcl: "publicRead" },
      ['predefinedAcl is publicRead: use "private" or IAM grants to named principals'],
    ],
    [
      "an object ACL for allUsers",
      "gcp:storage/defaultObjectAccessControl:DefaultObjectAccessControl",
      { bucket: "b", entity: "allUsers", role: "READER" },
      ["grants access to allUsers: grant a named service account or group instead"],
    ],
  ])("GIVEN %s THEN it is reported", async (_, type, inputs, messages) => {
    expect((await check("gcs-no-public", [resource(type, "public", inputs)])).messages).toEqual(messages);
  });
});

describe("gcs-backup-posture", () => {
  const rules = (age: number) => [
    { action: { type: "Delete" }, condition: { age } },
    { action: { type: "Delete" }, condition: { daysSinceNoncurrentTime: 7 } },
  ];
  const bucket = (change: Record<string, unknown> = {}) =>
    resource("gcp:storage/bucket:Bucket", "backups-bucket", {
      location: "EU",
      uniformBucketLevelAccess: true,
      versioning: { enabled: true },
      lifecycleRules: rules(30),
      ...change,
    });

  test.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    ["production keeping 30 days", {}, {}],
    ["dev keeping 7 days", { lifecycleRules: rules(7) }, { environment: "dev", retentionDays: 7 }],
  ])("GIVEN a backup bucket for %s THEN it passes", async (_, change, config) => {
    expect((await check("gcs-backup-posture", [bucket(change)], config)).messages).toEqual([]);
  });

  test("GIVEN a bucket that holds no backups THEN it is not checked", async () => {
    expect(await check("gcs-backup-posture", [resource("gcp:storage/bucket:Bucket", "assets", {})])).toMatchObject({
      evaluated: 1,
      messages: [],
    });
  });

  test.each<[string, Record<string, unknown>, Record<string, unknown>, string[]]>([
    [
      "fine-grained ACLs, no versioning and no expiry",
      { uniformBucketLevelAccess: false, versioning: undefined, lifecycleRules: undefined },
      {},
      [
        "uniformBucketLevelAccess is not true: set it to true so access is governed by IAM alone",
        "versioning.enabled is not true: set it to true so an overwritten or deleted dump can be recovered",
        "no lifecycle rule deletes objects: add a Delete rule with condition.age 30 (production retention)",
      ],
    ],
    [
      "staging deleting after 30 days, keeping old versions",
      { lifecycleRules: [{ action: { type: "Delete" }, condition: { age: 30 } }] },
      { environment: "staging", retentionDays: 14 },
      [
        "objects are deleted after 30 days: staging keeps backups 14 days, set condition.age to 14",
        "noncurrent versions are kept forever: add a Delete rule with condition.daysSinceNoncurrentTime",
      ],
    ],
  ])("GIVEN a backup bucket with %s THEN it is reported", async (_, change, config, messages) => {
    expect((await check("gcs-backup-posture", [bucket(change)], config)).messages).toEqual(messages);
  });
});

describe("gcp-no-basic-roles", () => {
  test("GIVEN predefined roles for dedicated accounts THEN it passes", async () => {
    const member = resource("gcp:projects/iAMMember:IAMMember", "nodes-logging", {
      project: "p",
      role: "roles/logging.logWriter",
      member: "serviceAccount:gke-nodes@p.iam.gserviceaccount.com",
    });
    const binding = resource("gcp:serviceaccount/iAMBinding:IAMBinding", "wi", {
      serviceAccountId: "sa",
      role: "roles/iam.workloadIdentityUser",
      members: ["serviceAccount:p.svc.id.goog[backups/pg-dump]"],
    });
    expect((await check("gcp-no-basic-roles", [member, binding])).messages).toEqual([]);
  });

  test.each<[string, string, Record<string, unknown>, string[]]>([
    [
      "editor on the project",
      "gcp:projects/iAMMember:IAMMember",
      { project: "p", role: "roles/editor", member: "group:dev@example.com" },
      ["grants the basic role roles/editor: grant a predefined or custom role with only the permissions needed"],
    ],
    [
      "owner on a folder",
      "gcp:folder/iAMBinding:IAMBinding",
      { folder: "folders/1", role: "roles/owner", members: ["user:a@example.com"] },
      ["grants the basic role roles/owner: grant a predefined or custom role with only the permissions needed"],
    ],
    [
      "a role to the default compute account",
      "gcp:projects/iAMMember:IAMMember",
      { project: "p", role: "roles/storage.admin", member: "serviceAccount:123456789012-compute@developer.gserviceaccount.com" },
      [
        "grants roles/storage.admin to the default service account serviceAccount:123456789012-compute@developer.gserviceaccount.com: grant it to a dedicated service account",
      ],
    ],
    [
      "viewer in a project policy",
      "gcp:projects/iAMPolicy:IAMPolicy",
      { project: "p", policyData: JSON.stringify({ bindings: [{ role: "roles/viewer", members: ["group:all@example.com"] }] }) },
      ["grants the basic role roles/viewer: grant a predefined or custom role with only the permissions needed"],
    ],
    [
      "an instance running as the default account",
      "gcp:compute/instance:Instance",
      {
        machineType: "e2-small",
        serviceAccount: { email: "123456789012-compute@developer.gserviceaccount.com", scopes: ["cloud-platform"] },
      },
      ["serviceAccount.email is 123456789012-compute@developer.gserviceaccount.com: run the instance as a dedicated service account"],
    ],
  ])("GIVEN %s THEN it is reported", async (_, type, inputs, messages) => {
    expect((await check("gcp-no-basic-roles", [resource(type, "grant", inputs)])).messages).toEqual(messages);
  });
});
