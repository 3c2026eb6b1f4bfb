// Property tests over the config space.
// GIVEN any settings built from valid values (for any cloud and environment)
// THEN they resolve, the stack's values win and the profile fills the rest;
// GIVEN such settings with one mistake planted (unknown key, wrong type, out of range, bad format,
//       unsafe production value)
// THEN they are rejected with a line that names the stack file and the planted key.
import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { type Cloud, ConfigError, type Environment, keyName, PRODUCTION_GUARD_RAILS, resolveConfig } from "../infra/config";
import { profileFor } from "../infra/profiles";

type Settings = Record<string, unknown>;
const int = (min: number, max: number) => fc.integer({ min, max });
const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
/** Drops undefined fields so they read as "not set" in the stack file. */
const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

const windows = fc.constantFrom(
  ["03:00-04:00", "sun:04:30-sun:05:30"],
  ["22:00-23:30", "wed:01:00-wed:02:00"],
  ["23:30-00:30", "mon:02:00-mon:03:00"],
);
const appName = fc.stringMatching(/^[a-z][a-z0-9]{0,10}$/);
const image = fc
  .tuple(
    fc.constantFrom("ghcr.io/acme/", "registry.example.com:5000/team/", ""),
    appName,
    fc.stringMatching(/^[0-9]\.[0-9]{1,2}\.[0-9]{1,2}$/),
  )
  .map(([host, name, tag]) => `${host}${name}:${tag}`);

function settingsArb(cloud: Cloud, environment: Environment): fc.Arbitrary<Settings> {
  const prod = environment === "production";
  const aws = cloud === "aws";
  const nodes = fc
    .tuple(int(prod ? 2 : 1, 20), int(0, 5), int(0, 5))
    .map(([min, d1, d2]) => ({ minSize: min, desiredSize: min + d1, maxSize: min + d1 + d2 }));
  const apps = fc.uniqueArray(appName, { maxLength: 3 }).chain((names) =>
    fc.tuple(
      ...names.map((name) =>
        fc
          .record({
            name: fc.constant(name),
            image,
            port: opt(int(1, 65535)),
            replicas: fc.constant(undefined),
            minReplicas: prod ? fc.constant(2) : fc.constant(1),
            maxReplicas: fc.constant(12),
            cpuRequest: opt(fc.constantFrom("50m", "100m", "0.1")),
            memoryRequest: opt(fc.constantFrom("64Mi", "128Mi")),
          })
          .map((a) => defined({ ...a, replicas: 3 })),
      ),
    ),
  );
  return fc
    .record({
      region: aws ? fc.constantFrom("eu-west-1", "us-east-2", "ap-southeast-2") : fc.constantFrom("europe-west1", "us-central1"),
      domain: fc.constantFrom("example.com", "platform.example.org", "a.b.example.net"),
      accountId: fc.stringMatching(/^\d{12}$/),
      project: fc.stringMatching(/^[a-z][a-z0-9-]{4,20}[a-z0-9]$/),
      projectNumber: fc.stringMatching(/^[1-9]\d{5,18}$/),
      tags: opt(
        fc.dictionary(
          fc.stringMatching(/^[a-z][a-z0-9_-]{0,10}$/).filter((k) => !["environment", "stack", "managed-by"].includes(k)),
          fc.stringMatching(/^[a-z0-9_-]{0,10}$/),
          { maxKeys: 3 },
        ),
      ),
      zones: opt(int(prod ? 3 : 2, 6)),
      natGateways: prod ? opt(fc.constant("perZone")) : opt(fc.constantFrom("single", "perZone")),
      cidr: opt(fc.constantFrom("10.0.0.0/16", "172.16.0.0/18", "192.168.0.0/20")),
      version: opt(fc.constantFrom("1.34", "1.35", "1.36")),
      publicCidrs: opt(fc.array(fc.constantFrom("203.0.113.0/24", "198.51.100.7/32", "10.0.0.0/8"), { maxLength: 2 })),
      deployFromVpc: opt(fc.boolean()),
      nodes: opt(nodes),
      zoneLetter: fc.constantFrom("a", "b", "c", "f"),
      capacityType: prod ? opt(fc.constant("ON_DEMAND")) : opt(fc.constantFrom("ON_DEMAND", "SPOT")),
      storage: opt(fc.tuple(int(20, 1000), int(0, 1000)).map(([s, extra]) => ({ storageGb: s, maxStorageGb: s + extra }))),
      multiAz: prod ? opt(fc.constant(true)) : opt(fc.boolean()),
      backupRetentionDays: opt(int(prod ? 30 : 1, 35)),
      windows: opt(windows),
      cacheNodes: opt(int(prod ? 2 : 1, 6)),
      snapshotDays: opt(int(prod ? 7 : 0, 35)),
      rate: opt(int(1, prod ? 1000 : 10_000)),
      schedule: opt(fc.constantFrom("0 3 * * *", "*/15 * * * *", "@daily", ...(prod ? [] : ["30 2 * * 1-5", "@weekly"]))),
      backupDays: opt(int(prod ? 30 : 1, 400)),
      apps,
    })
    .map((v) =>
      defined({
        cloud,
        environment,
        region: v.region,
        domain: v.domain,
        ...(aws ? { aws: { accountId: v.accountId } } : { gcp: { project: v.project, projectNumber: v.projectNumber } }),
        tags: v.tags,
        network: defined({ zones: v.zones, natGateways: v.natGateways, cidr: v.cidr }),
        cluster: defined({
          version: v.version,
          endpointPublicAccessCidrs: v.publicCidrs,
          // Every AWS stack names its deploy path: listed public addresses, or inside the VPC.
          deployFromVpc: aws && !v.publicCidrs?.length ? true : aws ? v.deployFromVpc : undefined,
          // A GCP dev cluster is zonal, in the zone its stack file names.
          zone: !aws && environment === "dev" ? `${v.region}-${v.zoneLetter}` : undefined,
          nodes: v.nodes && defined({ ...v.nodes, capacityType: v.capacityType }),
        }),
        database: defined({
          ...v.storage,
          multiAz: v.multiAz,
          backupRetentionDays: v.backupRetentionDays,
          backupWindow: v.windows?.[0],
          maintenanceWindow: v.windows?.[1],
        }),
        cache: defined({ nodes: v.cacheNodes, ...(aws && { snapshotRetentionDays: v.snapshotDays }) }),
        ingress: defined({ rateLimitPerMinute: v.rate }),
        backups: defined({ schedule: v.schedule, retentionDays: v.backupDays }),
        apps: v.apps.map((a) => ({ ...a, hostname: `${String(a.name)}.${v.domain}` })),
      }),
    );
}

// Built once per cloud and environment: compiling the regex-based arbitraries is the costly part.
const anyValid = fc.oneof(
  ...(["aws", "gcp"] as const).flatMap((cloud) =>
    (["dev", "staging", "production"] as const).map((environment) => settingsArb(cloud, environment)),
  ),
);
const fileOf = (s: Settings) => `Pulumi.${String(s.environment)}.yaml`;

/** Every leaf path under the sections a stack may set. */
function leaves(value: unknown, path: Array<string | number> = []): Array<Array<string | number>> {
  if (Array.isArray(value)) return value.flatMap((v, i) => leaves(v, [...path, i]));
  if (value !== null && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => leaves(v, [...path, k]));
  return path.length > 1 ? [path] : [];
}

function setAt(root: Settings, path: ReadonlyArray<string | number>, value: unknown): Settings {
  const copy = structuredClone(root);
  let node = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) {
    node[key] ??= {};
    node = node[key] as Record<string | number, unknown>;
  }
  node[path[path.length - 1]!] = value;
  return copy;
}

const unknownName = fc.stringMatching(/^zz[a-z]{1,8}$/);

interface Planted {
  settings: Settings;
  /** The key the error must name. */
  key: string;
}

/** One planted mistake of each kind, at a place chosen from the settings themselves. */
function plant(settings: Settings): fc.Arbitrary<Planted> {
  const sections = ["network", "cluster", "database", "cache", "ingress", "monitoring", "backups"];
  const unknownKey = fc.tuple(fc.constantFrom(...sections), unknownName).map(([section, key]) => ({
    settings: setAt(settings, [section, key], 1),
    key: keyName([section, key]),
  }));
  const numericLeaves = leaves(settings).filter(
    (p) => typeof p.reduce<unknown>((n, k) => (n as Record<string | number, unknown>)[k], settings) === "number" && p[0] !== "tags",
  );
  const wrongType = fc.constantFrom(...(numericLeaves.length ? numericLeaves : [["network", "zones"]])).map((path) => ({
    settings: setAt(settings, path, "not-a-number"),
    key: keyName(path),
  }));
  const outOfRange = fc
    .constantFrom<[Array<string | number>, number]>(
      [["network", "zones"], 7],
      [["database", "backupRetentionDays"], 36],
      [["cache", "nodes"], 0],
      [["ingress", "rateLimitPerMinute"], 0],
      [["cluster", "nodes", "diskSizeGb"], 5],
    )
    .map(([path, value]) => ({ settings: setAt(settings, path, value), key: keyName(path) }));
  const badFormat = fc
    .constantFrom<[Array<string | number>, unknown]>(
      [["domain"], "Not A Domain"],
      [["network", "cidr"], "10.0.0.1/16"],
      [["backups", "schedule"], "daily"],
      [["database", "maintenanceWindow"], "sunday 4am"],
      [["cluster", "version"], "latest"],
      [["database", "engineVersion"], "12"],
    )
    .map(([path, value]) => ({ settings: setAt(settings, path, value), key: keyName(path) }));
  const kinds = [unknownKey, wrongType, outOfRange, badFormat];
  if (settings.environment === "production") {
    const unsafe: Record<string, unknown> = {
      "network.zones": 2,
      "network.natGateways": "single",
      "cluster.endpointPublicAccessCidrs": ["0.0.0.0/1", "128.0.0.0/1"],
      "cluster.nodes.capacityType": "SPOT",
      "database.multiAz": false,
      "database.backupRetentionDays": 1,
      "database.deletionProtection": false,
      "cache.nodes": 1,
      "ingress.certificateIssuer": "letsencrypt-staging",
      "backups.retentionDays": 7,
      "backups.schedule": "0 3 * * 1",
      "ingress.rateLimitPerMinute": 5000,
      "monitoring.prometheusRetentionDays": 3,
    };
    kinds.push(
      fc
        .constantFrom(...Object.entries(unsafe))
        .map(([path, value]) => ({ settings: setAt(settings, path.split("."), value), key: keyName(path.split(".")) })),
    );
  }
  return fc.oneof(...kinds);
}

describe("property: the config space", () => {
  test("every valid config resolves, with the stack's values over the profile's", () => {
    fc.assert(
      fc.property(anyValid, (settings) => {
        const config = resolveConfig(settings, fileOf(settings), ["alertWebhookUrl"]);
        const profile = profileFor(config.environment, config.cloud);
        for (const path of leaves(settings)) {
          if (path[0] === "aws" || path[0] === "gcp") continue;
          const wanted = path.reduce<unknown>((n, k) => (n as Record<string | number, unknown>)[k], settings);
          expect(path.reduce<unknown>((n, k) => (n as Record<string | number, unknown>)[k], config)).toEqual(wanted);
        }
        const network = settings.network as Record<string, unknown>;
        if (network.zones === undefined) expect(config.network.zones).toBe(profile.network.zones);
        const database = settings.database as Record<string, unknown>;
        if (database.backupRetentionDays === undefined)
          expect(config.database.backupRetentionDays).toBe(profile.database.backupRetentionDays);
        expect(config.protect).toBe(profile.protect);
      }),
      { numRuns: 300 },
    );
  });

  test("every config with a planted mistake is rejected with a line naming the file and the key", () => {
    fc.assert(
      fc.property(anyValid.chain(plant), ({ settings, key }) => {
        const file = fileOf(settings);
        let error: unknown;
        try {
          resolveConfig(settings, file, ["alertWebhookUrl"]);
        } catch (err) {
          error = err;
        }
        expect(error).toBeInstanceOf(ConfigError);
        const lines = (error as Error).message.split("\n");
        expect(lines.every((line) => line.startsWith(`${file}: platform:`))).toBe(true);
        expect(lines.some((line) => line.startsWith(`${file}: ${key} `))).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  test("the planted production values are all guard rails", () => {
    const railed = PRODUCTION_GUARD_RAILS.map((r) => r.path.join("."));
    for (const key of [
      "network.zones",
      "network.natGateways",
      "cluster.endpointPublicAccessCidrs",
      "cluster.nodes.capacityType",
      "database.multiAz",
      "database.backupRetentionDays",
      "database.deletionProtection",
      "cache.nodes",
      "ingress.certificateIssuer",
      "backups.retentionDays",
      "backups.schedule",
      "ingress.rateLimitPerMinute",
      "monitoring.prometheusRetentionDays",
    ]) {
      expect(railed).toContain(key);
    }
  });
});
