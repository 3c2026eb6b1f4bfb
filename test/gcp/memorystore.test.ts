// GIVEN a MemorystoreRedis for a dev-like stack (BASIC, 1 GiB, no deletion protection, unprotected) and for a
//       production-like one (STANDARD_HA, 5 GiB, hourly snapshots, deletion protection, protected, after the
//       Cloud SQL instance)
// WHEN the component is recorded under the offline engine
// THEN the engine receives exactly the instance (AUTH, TLS, private service access in the reserved range,
//      CMEK, RDB snapshots, maintenance hour), its key and the Memorystore agent's grant it waits for, and the
//      Secret Manager secret holding the AUTH string; a workload identity can be granted read access to exactly
//      that secret; the pack's policies find nothing to report; and bad arguments are refused, naming the
//      argument, before anything is registered.
import { describe, expect, test } from "@jest/globals";
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "node:fs";
import * as path from "node:path";
import { MemorystoreRedis, type MemorystoreRedisArgs } from "../../components/gcp/memorystore";
import type { WorkloadIdentity } from "../../components/types";
import { gcpProvider, idOf, once, type Recorded, recordProgram, stateOf, valueOf } from "../harness";
import { check } from "../policies/harness";

const T = {
  component: "platform:gcp:MemorystoreRedis",
  instance: "gcp:redis/instance:Instance",
  ring: "gcp:kms/keyRing:KeyRing",
  ringSuffix: "random:index/randomId:RandomId",
  key: "gcp:kms/cryptoKey:CryptoKey",
  keyGrant: "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember",
  agent: "gcp:projects/serviceIdentity:ServiceIdentity",
  secret: "gcp:secretmanager/secret:Secret",
  version: "gcp:secretmanager/secretVersion:SecretVersion",
  secretGrant: "gcp:secretmanager/secretIamMember:SecretIamMember",
  connection: "gcp:servicenetworking/connection:Connection",
  sql: "gcp:sql/databaseInstance:DatabaseInstance",
};

const NETWORK = "projects/example-platform/global/networks/platform";

/** What the network and the database hand over, created outside the cache. */
type Outside = Pick<MemorystoreRedisArgs, "network" | "reservedRangeName" | "reservedRangeCidr" | "serviceConnection" | "dependsOn">;
function outside(provider: gcp.Provider, withDatabase: boolean): Outside {
  const database = new gcp.sql.DatabaseInstance(
    "database-instance",
    { databaseVersion: "POSTGRES_17", settings: { tier: "db-custom-1-3840" } },
    { provider },
  );
  return {
    network: NETWORK,
    reservedRangeName: "platform-services",
    reservedRangeCidr: "10.20.240.0/20",
    serviceConnection: new gcp.servicenetworking.Connection(
      "services",
      { network: NETWORK, service: "servicenetworking.googleapis.com", reservedPeeringRanges: ["platform-services"] },
      { provider },
    ),
    ...(withDatabase && { dependsOn: [database] }),
  };
}

type Own = Omit<MemorystoreRedisArgs, keyof Outside>;

const DEV: Own = {
  region: "europe-west1",
  projectNumber: "123456789012",
  memorySizeGb: 1,
  highAvailability: false,
  maintenanceWindow: "sun:05:00-sun:06:00",
  deletionProtection: false,
  protect: false,
};

// redisVersion and snapshotPeriod are set here and left out in dev to show defaults and overrides.
const PROD: Own = {
  region: "europe-west1",
  projectNumber: "123456789012",
  redisVersion: "REDIS_7_0",
  memorySizeGb: 5,
  highAvailability: true,
  snapshotPeriod: "ONE_HOUR",
  maintenanceWindow: "tue:02:30-tue:04:00",
  deletionProtection: true,
  protect: true,
};

interface Expected {
  tier: string;
  redisVersion: string;
  snapshotPeriod: string;
  maintenance: { day: string; hours: number };
  afterDatabase: boolean;
}

const CASES: Array<[string, Own, Expected, string]> = [
  [
    "dev-like",
    DEV,
    {
      tier: "BASIC",
      redisVersion: "REDIS_7_2",
      snapshotPeriod: "TWENTY_FOUR_HOURS",
      maintenance: { day: "SUNDAY", hours: 5 },
      afterDatabase: false,
    },
    "dev",
  ],
  [
    "production-like",
    PROD,
    {
      tier: "STANDARD_HA",
      redisVersion: "REDIS_7_0",
      snapshotPeriod: "ONE_HOUR",
      maintenance: { day: "TUESDAY", hours: 3 },
      afterDatabase: true,
    },
    "production",
  ],
];

const PRINCIPAL = "apps-api@example-platform.iam.gserviceaccount.com";
const identity: WorkloadIdentity = {
  serviceAccount: { namespace: "apps", name: "api" },
  serviceAccountAnnotations: pulumi.output<Record<string, string>>({ "iam.gke.io/gcp-service-account": PRINCIPAL }),
  principal: pulumi.output(PRINCIPAL),
  principalId: pulumi.output(`projects/example-platform/serviceAccounts/${PRINCIPAL}`),
};

interface Run {
  r: Recorded;
  outputs: Record<string, unknown>;
}

const run = once(async (args: Own): Promise<Run> => {
  let outputs: Record<string, unknown> = {};
  const r = await recordProgram(async () => {
    const provider = gcpProvider();
    const cache = new MemorystoreRedis("cache", { ...outside(provider, args === PROD), ...args }, { providers: [provider] });
    cache.grantAuthRead(identity);
    outputs = {
      port: cache.port,
      tls: cache.tls,
      privateCidrs: cache.privateCidrs,
      authSecret: await valueOf(cache.authSecret),
      keyId: await valueOf(cache.keyId),
    };
  });
  return { r, outputs };
});

const policySettings = (environment: string): Record<string, Record<string, unknown>> =>
  JSON.parse(fs.readFileSync(path.join(__dirname, "../../policies/config", `${environment}.json`), "utf8")) as Record<
    string,
    Record<string, unknown>
  >;

describe.each(CASES)("MemorystoreRedis, %s", (_label, args, x, environment) => {
  test("registers exactly these resources, under the component and the gcp provider, with secrets only where secret", async () => {
    const { r } = await run(args);
    const component = r.one(T.component);
    const provider = r.one("pulumi:providers:gcp");
    const children = r.resources.filter((c) => c.parent === component.urn);
    expect(children.map((c) => `${c.type} ${c.name}`).sort()).toEqual(
      [
        `${T.ring} cache-key-ring`,
        `${T.ringSuffix} cache-key-ring-suffix`,
        `${T.key} cache-key`,
        `${T.keyGrant} cache-key-user-0`,
        `${T.agent} cache-redis-agent`,
        `${T.instance} cache-instance`,
        `${T.secret} cache-auth`,
        `${T.version} cache-auth-version`,
        `${T.secretGrant} cache-auth-read-apps-api`,
      ].sort(),
    );
    for (const child of children.filter((c) => c.type !== T.ringSuffix))
      expect({ name: child.name, provider: child.provider }).toEqual({ name: child.name, provider: provider.urn });
    expect(children.filter((c) => c.secretInputs.length > 0).map((c) => [c.name, c.secretInputs])).toEqual([
      ["cache-auth-version", ["secretData"]],
    ]);
  });

  test("the instance: tier, version, AUTH, TLS, private service access, CMEK, snapshots and maintenance exactly", async () => {
    const { r } = await run(args);
    expect(r.one(T.instance).inputs).toEqual({
      region: "europe-west1",
      tier: x.tier,
      memorySizeGb: args.memorySizeGb,
      redisVersion: x.redisVersion,
      authEnabled: true,
      transitEncryptionMode: "SERVER_AUTHENTICATION",
      connectMode: "PRIVATE_SERVICE_ACCESS",
      authorizedNetwork: NETWORK,
      reservedIpRange: "platform-services",
      customerManagedKey: idOf(r.one(T.key)),
      persistenceConfig: { persistenceMode: "RDB", rdbSnapshotPeriod: x.snapshotPeriod },
      maintenancePolicy: { weeklyMaintenanceWindows: [{ day: x.maintenance.day, startTime: { hours: x.maintenance.hours, minutes: 0 } }] },
      deletionProtection: args.deletionProtection,
    });
  });

  test("the instance: protect, timeouts, and the peering, key grant and (when given) Cloud SQL instance it waits for", async () => {
    const { r } = await run(args);
    const instance = r.one(T.instance);
    expect(instance.protect).toBe(args.protect);
    expect(instance.customTimeouts).toEqual({ create: "60m", update: "60m", delete: "30m" });
    expect(instance.propertyDependencies).toEqual({ customerManagedKey: [r.one(T.key).urn] });
    const waits = [r.one(T.connection).urn, r.one(T.key).urn, r.one(T.keyGrant).urn, ...(x.afterDatabase ? [r.one(T.sql).urn] : [])];
    expect([...instance.dependencies].sort()).toEqual(waits.sort());
  });

  test("its own rotating key in the region, protected like the instance, usable by the Memorystore service agent it requests", async () => {
    const { r } = await run(args);
    expect(r.one(T.ring).inputs).toEqual({
      name: `platform-test-cache-key-${String(stateOf(r.one(T.ringSuffix)).hex)}`,
      location: "europe-west1",
    });
    expect([r.one(T.ring).protect, r.one(T.key).protect]).toEqual([args.protect, args.protect]);
    expect(r.one(T.keyGrant).inputs).toEqual({
      cryptoKeyId: idOf(r.one(T.key)),
      role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
      member: "serviceAccount:service-123456789012@cloud-redis.iam.gserviceaccount.com",
    });
    // Google makes the agent some time after the API is first used: it is requested before it is granted the key.
    expect(r.one(T.agent).inputs).toEqual({ service: "redis.googleapis.com" });
    expect([...r.one(T.keyGrant).dependencies].sort()).toEqual([r.one(T.key).urn, r.one(T.agent).urn].sort());
  });

  test("AUTH string: kept in a secret replicated in the region only, written from the instance as a secret", async () => {
    const { r } = await run(args);
    const secret = r.one(T.secret);
    expect(secret.inputs).toEqual({
      secretId: "platform-test-cache-auth",
      replication: { userManaged: { replicas: [{ location: "europe-west1" }] } },
    });
    const version = r.one(T.version);
    // The offline engine computes no authString, so only the secret marking and the dependency show here.
    expect(version.inputs).toEqual({ secret: idOf(secret), secretData: "[secret]" });
    expect(version.propertyDependencies).toEqual({ secret: [secret.urn], secretData: [r.one(T.instance).urn] });
  });

  test("outputs: the TLS port, tls, the reserved range and the secret's id", async () => {
    const { r, outputs } = await run(args);
    expect(outputs).toEqual({
      port: 6378,
      tls: true,
      privateCidrs: ["10.20.240.0/20"],
      authSecret: "platform-test-cache-auth",
      keyId: idOf(r.one(T.key)),
    });
  });

  test("grantAuthRead: secretAccessor on the AUTH secret alone, for the identity's service account", async () => {
    const { r } = await run(args);
    const grant = r.one(T.secretGrant);
    expect(grant.inputs).toEqual({
      secretId: idOf(r.one(T.secret)),
      role: "roles/secretmanager.secretAccessor",
      member: `serviceAccount:${PRINCIPAL}`,
    });
    expect(grant.propertyDependencies).toEqual({ secretId: [r.one(T.secret).urn] });
  });

  test(`the pack's policies for Memorystore, IAM and the platform report nothing on the cache with ${environment}'s settings`, async () => {
    const { r } = await run(args);
    const cache = r.one(T.component).urn;
    const own = r.resources.filter((c) => c.parent === cache);
    const settings = policySettings(environment);
    const names = ["memorystore-secure", "gcp-no-basic-roles", "stateful-protected", "no-plaintext-secrets"];
    const enabled = names.filter((name) => settings[name]!.enforcementLevel !== "disabled");
    expect(enabled.length).toBeGreaterThanOrEqual(environment === "production" ? 4 : 3);
    for (const name of enabled) {
      const result = await check(name, own, settings[name]);
      expect({ name, messages: result.messages }).toEqual({ name, messages: [] });
    }
  });
});

test("the policy check above reads the instance: production's settings refuse the dev-like cache", async () => {
  const { r } = await run(DEV);
  const settings = policySettings("production");
  expect((await check("memorystore-secure", r.resources, settings["memorystore-secure"])).messages).toEqual([
    'tier is BASIC: production runs "STANDARD_HA" so a zone outage fails over to the replica',
  ]);
});

describe("MemorystoreRedis arguments", () => {
  const bad: Array<[string, string, Partial<MemorystoreRedisArgs>, string]> = [
    [
      "a name GCP cannot take",
      "Cache",
      {},
      'name must be 1-24 lower-case letters, digits and single hyphens, starting with a letter and not ending with a hyphen, because it becomes part of GCP resource names (got "Cache")',
    ],
    [
      "a public reserved range",
      "cache",
      { reservedRangeCidr: "203.0.113.0/24" },
      'args.reservedRangeCidr must be a private (RFC 1918) IPv4 CIDR block of /24 or wider, as private service access reserves, such as 10.0.240.0/20 (got "203.0.113.0/24")',
    ],
    [
      "a project id for the number",
      "cache",
      { projectNumber: "example-platform" },
      'args.projectNumber must be the project\'s number, digits only, such as 123456789012 (got "example-platform")',
    ],
    ["Redis 6", "cache", { redisVersion: "REDIS_6_X" }, 'args.redisVersion must be one of REDIS_7_0, REDIS_7_2 (got "REDIS_6_X")'],
    [
      "a version written as AWS does",
      "cache",
      { redisVersion: "7.2" },
      'args.redisVersion must be one of REDIS_7_0, REDIS_7_2 (got "7.2")',
    ],
    ["no memory", "cache", { memorySizeGb: 0 }, "args.memorySizeGb must be a whole number from 1 to 300 (got 0)"],
    ["fractional memory", "cache", { memorySizeGb: 1.5 }, "args.memorySizeGb must be a whole number from 1 to 300 (got 1.5)"],
    [
      "an unknown snapshot period",
      "cache",
      { snapshotPeriod: "DAILY" },
      'args.snapshotPeriod must be one of ONE_HOUR, SIX_HOURS, TWELVE_HOURS, TWENTY_FOUR_HOURS (got "DAILY")',
    ],
    [
      "a malformed maintenance window",
      "cache",
      { maintenanceWindow: "Sunday 05:00" },
      'args.maintenanceWindow must be a weekly UTC window such as "sun:05:00-sun:06:00" (got "Sunday 05:00")',
    ],
    [
      "a maintenance window under an hour",
      "cache",
      { maintenanceWindow: "sun:05:00-sun:05:30" },
      'args.maintenanceWindow must last at least 60 minutes (got "sun:05:00-sun:05:30")',
    ],
    [
      "a maintenance window holding no whole hour",
      "cache",
      { maintenanceWindow: "sun:05:30-sun:06:30" },
      'args.maintenanceWindow must hold a whole UTC hour, as Memorystore maintains in one (got "sun:05:30-sun:06:30")',
    ],
  ];

  test.each(bad)("refuses %s, naming the argument", async (_label, name, override, message) => {
    const attempt = recordProgram(() => {
      const provider = gcpProvider();
      new MemorystoreRedis(name, { ...outside(provider, false), ...DEV, ...override }, { providers: [provider] });
    });
    await expect(attempt).rejects.toThrow(new Error(`MemorystoreRedis ${name}: ${message}`));
  });

  test("nothing is registered when an argument is refused", async () => {
    let error: unknown;
    const r = await recordProgram(() => {
      const provider = gcpProvider();
      try {
        new MemorystoreRedis("cache", { ...outside(provider, false), ...DEV, memorySizeGb: 0 }, { providers: [provider] });
      } catch (err) {
        error = err;
      }
    });
    expect(String(error)).toContain("MemorystoreRedis cache: args.memorySizeGb");
    expect(r.resources.filter((x) => x.parent?.includes(T.component) || x.type === T.component)).toEqual([]);
  });
});
