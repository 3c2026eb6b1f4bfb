// The stack config: one zod schema for every `platform:*` key, the environment profiles merged under
// the stack's own values, and the rules no stack may break. Every problem becomes one line that names
// the stack file and the key, e.g.
//   Pulumi.production.yaml: platform:database.backupRetentionDays must be >= 30 in production (got 7)
import { Region as AwsRegion } from "@pulumi/aws/types/enums";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { coversEveryAddress, isPrivate, parseCidr } from "../components/cidr";
import { ELASTICACHE_ENGINE_VERSIONS } from "../components/aws/data-args";
import { accessListConflicts } from "../components/aws/eks-access";
import { DEFAULT_ENDPOINT_WIDEST_PREFIX } from "../components/aws/eks-args";
import * as f from "../components/formats";
import type { AppServiceArgs } from "../components/kubernetes/app-service";
import type { CertManagerArgs } from "../components/kubernetes/cert-manager";
import * as w from "../components/windows";
import { type AppDefaults, appDefaultsFor, CLOUDS, type Cloud, ENVIRONMENTS, type Environment, type Profile, profileFor } from "./profiles";

export { CLOUDS, ENVIRONMENTS, type Cloud, type Environment };

/** Keys read as Pulumi secrets. They never enter the schema below, so validation cannot leak them. */
export const SECRET_KEYS = ["alertWebhookUrl"] as const;
export type SecretKey = (typeof SECRET_KEYS)[number];

/** Tags the platform sets on every resource itself (see infra/providers.ts). */
const RESERVED_TAGS = ["environment", "stack", "managed-by"];
/** The oldest Kubernetes minor release in EKS and GKE standard support in November 2026. */
const MIN_KUBERNETES_MINOR = 34;
/** A GCP zone: its region and a letter. */
const GCP_ZONE = /^[a-z]+-[a-z]+\d+-[a-z]$/;
/** Regions the AWS provider SDK knows; anything else fails at the provider, so it is refused here first. */
const AWS_REGIONS: readonly string[] = Object.values(AwsRegion);
const CACHE_VERSIONS: Record<Cloud, Record<string, readonly string[]>> = {
  aws: ELASTICACHE_ENGINE_VERSIONS,
  gcp: { redis: ["7.0", "7.2"] },
};

// ---------------------------------------------------------------------------------------------------
// Leaf schemas. Each carries the "must ..." sentence its error shows.

const says = (error: string) => ({ error });
/**
 * `pulumi config set --path` stores digits as a number, and YAML reads `accountId: 123456789012` as one.
 * Where the number can only mean one text (a whole account ID, a whole major version), take that text;
 * anything else stays a number and is refused with "must be a string: quote it".
 */
const fromNumber = (accept: (text: string) => boolean) => (value: unknown) =>
  typeof value === "number" && Number.isSafeInteger(value) && accept(String(value)) ? String(value) : value;
const whole = (min: number, max: number) => {
  const rule = says(`must be a whole number from ${min} to ${max}`);
  return z.int(rule).min(min, rule).max(max, rule);
};
const flag = z.boolean(says("must be true or false"));
const oneOf = <const T extends readonly [string, ...string[]]>(values: T) => z.enum(values, says(`must be one of ${values.join(", ")}`));
const matching = (pattern: RegExp, what: string) => z.string(says(`must be ${what}`)).regex(pattern, says(`must be ${what}`));
const satisfying = (check: (value: string) => boolean, what: string) =>
  z.string(says(`must be ${what}`)).refine(check, says(`must be ${what}`));
/** A schema refined by one of the rules the components share (components/formats.ts, windows.ts): its "must ..." sentence is the error. */
const refusing = <T>(schema: z.ZodType<T>, problem: (value: T) => string | undefined) =>
  schema.superRefine((value, ctx) => {
    const message = problem(value);
    if (message) ctx.addIssue({ code: "custom", message });
  });

const cidr = satisfying((v) => parseCidr(v) !== undefined, "an IPv4 CIDR block with no host bits set, e.g. 10.0.0.0/16");
const vpcCidr = satisfying((v) => {
  const block = parseCidr(v);
  return block !== undefined && block.prefix >= 16 && block.prefix <= 20 && isPrivate(block);
}, "a private (RFC 1918) IPv4 block from /16 to /20, e.g. 10.0.0.0/16");
const logRetention = refusing(z.int(says(f.LOG_RETENTION_RULE)), f.logRetentionProblem);
const dnsName = matching(f.DNS_NAME, "a lower-case DNS name such as example.com");
const cron = satisfying(f.isCronSchedule, 'a five-field cron schedule such as "0 3 * * *"');
const cpu = satisfying((v) => f.parseCpu(v) !== undefined, 'a CPU quantity such as "250m" or "1"');
const memory = satisfying((v) => f.parseMemory(v) !== undefined, 'a memory quantity such as "256Mi" or "1Gi"');
const urlPath = matching(f.URL_PATH, 'an absolute URL path such as "/healthz"');
const image = refusing(z.string(says(f.IMAGE_RULE)), f.imageProblem);
const dailyWindow = (rule: w.WindowRule) =>
  refusing(z.string(says(`must be a daily UTC window such as "${rule.example}"`)), (v) => w.dailyWindowProblem(v, rule));
const weeklyWindow = (rule: w.WindowRule) =>
  refusing(z.string(says(`must be a weekly UTC window such as "${rule.example}"`)), (v) => w.weeklyWindowProblem(v, rule));

// ---------------------------------------------------------------------------------------------------
// Sections. The stack may leave any field out; the profile fills it.

const section = <T extends z.ZodRawShape>(what: string, shape: T) => z.strictObject(shape, says(`must be a mapping of ${what} settings`));

const network = section("network", {
  cidr: vpcCidr,
  zones: whole(2, 6),
  natGateways: oneOf(["single", "perZone"]),
  flowLogRetentionDays: logRetention,
});
const nodes = section("node group", {
  instanceType: matching(/^[a-z][a-z0-9-]*[.-][a-z0-9-]+$/, "an instance or machine type such as m7i.xlarge or n2-standard-4"),
  minSize: whole(1, 100),
  desiredSize: whole(1, 100),
  maxSize: whole(1, 100),
  capacityType: oneOf(["ON_DEMAND", "SPOT"]),
  diskSizeGb: whole(20, 2000),
});
const cluster = section("cluster", {
  // 1.35 written as a number is still 1.35; 1.3 could have been 1.30 and is refused by the pattern.
  version: z.preprocess(
    (v) => (typeof v === "number" && /^1\.\d{2}$/.test(String(v)) ? String(v) : v),
    matching(/^1\.\d{2}$/, 'a Kubernetes minor version such as "1.35"'),
  ),
  endpointPublicAccessCidrs: z.array(cidr, says("must be a list of CIDR blocks")),
  deployFromVpc: flag,
  logRetentionDays: logRetention,
  // Any day count GCP's log buckets take; on AWS it must also be a CloudWatch retention period (clusterChecks).
  applicationLogRetentionDays: whole(1, 3650),
  adminRoleArns: z.array(
    matching(f.IAM_ROLE_ARN, "an IAM role ARN such as arn:aws:iam::123456789012:role/platform-admin"),
    says("must be a list of IAM role ARNs"),
  ),
  viewerRoleArns: z.array(
    matching(f.IAM_ROLE_ARN, "an IAM role ARN such as arn:aws:iam::123456789012:role/platform-github-preview"),
    says("must be a list of IAM role ARNs"),
  ),
  adminMembers: z.array(
    matching(f.GCP_IAM_MEMBER, "a Google IAM member such as group:platform-admins@example.com"),
    says("must be a list of Google IAM members"),
  ),
  zone: matching(GCP_ZONE, "a GCP zone such as europe-west1-b"),
  nodes: nodes.partial(),
});
const database = section("database", {
  engineVersion: z.preprocess(
    fromNumber((v) => /^(17|18)$/.test(v)),
    matching(/^(17|18)(\.\d+)?$/, 'PostgreSQL 17 or 18, e.g. "17"'),
  ),
  instanceClass: matching(
    /^(db\.[a-z0-9]+\.[a-z0-9]+|db-[a-z0-9-]+)$/,
    "an RDS instance class (db.m7g.large) or Cloud SQL tier (db-custom-2-7680)",
  ),
  storageGb: whole(20, 65536),
  maxStorageGb: whole(20, 65536),
  multiAz: flag,
  readReplicas: whole(0, 5),
  backupRetentionDays: whole(1, 35),
  backupWindow: dailyWindow(w.DATABASE_BACKUP_WINDOW),
  maintenanceWindow: weeklyWindow(w.DATABASE_MAINTENANCE_WINDOW),
  deletionProtection: flag,
  // Any day count GCP's log buckets take; on AWS it must also be a CloudWatch retention period (databaseChecks).
  auditLogRetentionDays: whole(1, 3650),
  credentialRotationDays: whole(1, 365),
});
const cache = section("cache", {
  engine: oneOf(["valkey", "redis"]),
  // Which versions depends on the cloud and the engine: checked with both, below (CACHE_VERSIONS).
  engineVersion: z.string(says('must be a major.minor engine version such as "8.0"')),
  nodes: whole(1, 6),
  maintenanceWindow: weeklyWindow(w.CACHE_MAINTENANCE_WINDOW),
  nodeType: matching(/^cache\.[a-z0-9]+\.[a-z0-9]+$/, "an ElastiCache node type such as cache.m7g.large"),
  snapshotRetentionDays: whole(0, 35),
  memorySizeGb: whole(1, 300),
});
const ingress = section("ingress", {
  rateLimitPerMinute: whole(1, 100_000),
  certificateIssuer: oneOf(["letsencrypt-staging", "letsencrypt-production"]),
  hstsMaxAgeSeconds: whole(0, 63_072_000),
  acmeEmail: z.email(says("must be an e-mail address")),
});
const monitoring = section("monitoring", {
  prometheusRetentionDays: whole(1, 365),
  prometheusStorageGb: whole(5, 10_000),
  grafanaStorageGb: whole(1, 1000),
});
const backups = section("backups", {
  schedule: cron,
  restoreVerificationSchedule: cron,
  retentionDays: whole(1, 3650),
});
const app = section("app", {
  name: z.string(says(f.APP_NAME_RULE)).regex(f.APP_NAME, says(f.APP_NAME_RULE)),
  image,
  port: whole(1, 65535),
  hostname: dnsName,
  replicas: whole(1, 100),
  minReplicas: whole(1, 100),
  maxReplicas: whole(1, 100),
  cpuRequest: cpu,
  cpuLimit: cpu,
  memoryRequest: memory,
  memoryLimit: memory,
  healthPath: urlPath,
  readyPath: urlPath,
  metricsPath: urlPath,
  database: flag,
  cache: flag,
});

/** What a stack file may say. Everything but the four identity keys is optional. */
export const stackSchema = z.strictObject(
  {
    cloud: oneOf(CLOUDS),
    environment: oneOf(ENVIRONMENTS),
    region: z.string(says("must be a region name such as eu-west-1 (AWS) or europe-west1 (GCP)")).min(1, says("must not be empty")),
    domain: dnsName,
    aws: section("AWS account", {
      accountId: z.preprocess(
        fromNumber((v) => f.AWS_ACCOUNT_ID.test(v)),
        matching(f.AWS_ACCOUNT_ID, "a 12-digit AWS account ID"),
      ),
    }).optional(),
    gcp: section("GCP project", {
      project: matching(f.GCP_PROJECT_ID, "a GCP project ID such as acme-platform-prod"),
      // The Google service agents that use the platform's keys are named after the number, not the id.
      projectNumber: z.preprocess(
        fromNumber((v) => f.GCP_PROJECT_NUMBER.test(v)),
        matching(
          f.GCP_PROJECT_NUMBER,
          "the GCP project's number (digits, not its id), such as 123456789012: `gcloud projects describe <project> --format='value(projectNumber)'`",
        ),
      ),
    }).optional(),
    tags: z.record(z.string(), z.string(says("must be text")), says("must be a mapping of tag names to values")).optional(),
    network: network.partial().optional(),
    cluster: cluster.partial().optional(),
    database: database.partial().optional(),
    cache: cache.partial().optional(),
    ingress: ingress.partial().optional(),
    monitoring: monitoring.partial().optional(),
    backups: backups.partial().optional(),
    apps: z.array(app.partial().extend({ name: app.shape.name, image: app.shape.image }), says("must be a list of apps")).optional(),
  },
  says("must be a mapping of platform settings"),
);

type StackSettings = z.infer<typeof stackSchema>;

interface AppConfig extends AppDefaults, Pick<AppServiceArgs, "name" | "image"> {
  /** @default `<name>.<domain>` */
  hostname: AppServiceArgs["hostname"];
}

/** The resolved config every later stage reads: profile defaults with the stack's values on top. */
export interface PlatformConfig extends Omit<Profile, "ingress"> {
  cloud: Cloud;
  environment: Environment;
  region: string;
  domain: string;
  aws?: { accountId?: string };
  gcp?: { project: string; projectNumber: string };
  tags: Record<string, string>;
  ingress: Profile["ingress"] & Pick<CertManagerArgs, "acmeEmail">;
  apps: AppConfig[];
  /** Names of the secret keys the stack sets (their values stay in Pulumi secrets). */
  secrets: SecretKey[];
}

// ---------------------------------------------------------------------------------------------------
// Errors

/** Invalid stack config. A RunError, so `pulumi up` prints the lines without a stack trace. */
export class ConfigError extends pulumi.RunError {
  constructor(
    readonly stackFile: string,
    readonly problems: string[],
  ) {
    super(problems.map((p) => `${stackFile}: ${p}`).join("\n"));
    this.name = "ConfigError";
  }
}

type Path = ReadonlyArray<PropertyKey>;

/** `platform:database.backupRetentionDays`, `platform:apps[0].image`: the form `pulumi config set --path` takes. */
export function keyName(path: Path): string {
  if (path.length === 0) return "the platform config";
  const [head, ...rest] = path;
  return `platform:${String(head)}` + rest.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
}

function valueAt(root: unknown, path: Path): unknown {
  return path.reduce<unknown>(
    (node, key) => (node !== null && typeof node === "object" ? (node as Record<PropertyKey, unknown>)[key] : undefined),
    root,
  );
}

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** The keys a strict object at `path` of the schema accepts, for "did you mean" hints. */
function knownKeys(path: Path): string[] {
  let node: z.ZodType | undefined = stackSchema;
  for (const key of path) {
    node = unwrap(node);
    if (node instanceof z.ZodObject) node = (node.shape as Record<string, z.ZodType>)[String(key)];
    else if (node instanceof z.ZodArray) node = node.element as z.ZodType;
    else return [];
  }
  node = unwrap(node);
  return node instanceof z.ZodObject ? Object.keys(node.shape) : [];
}

function unwrap(node: z.ZodType | undefined): z.ZodType | undefined {
  return node instanceof z.ZodOptional ? (node.unwrap() as z.ZodType) : node;
}

/** The candidate a misspelling most likely meant, if one is close. */
function closest(key: string, candidates: readonly string[]): string | undefined {
  const ranked = candidates
    .map((c) => ({ c, d: f.editDistance(key.toLowerCase(), c.toLowerCase()) }))
    .filter(({ c, d }) => d <= Math.max(2, Math.floor(c.length / 4)))
    .sort((a, b) => a.d - b.d);
  return ranked[0]?.c;
}

function suggestion(key: string, candidates: string[]): string {
  const match = closest(key, candidates);
  return match ? ` (did you mean ${match}?)` : ` (known keys: ${candidates.join(", ")})`;
}

/** Keys that were replaced, and what to write instead. */
const REPLACED_KEYS: Record<string, string> = {
  "platform:cluster.adminRoleArn":
    "was replaced by platform:cluster.adminRoleArns, a list: write adminRoleArns: [<role ARN>] (pulumi config set --path 'cluster.adminRoleArns[0]' <role ARN>) and remove adminRoleArn",
};

function describeIssue(issue: z.core.$ZodIssue, input: unknown): string[] {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => {
      const name = keyName([...issue.path, key]);
      return `${name} ${REPLACED_KEYS[name] ?? `is not a known key${suggestion(key, knownKeys(issue.path))}`}`;
    });
  }
  const value = valueAt(input, issue.path);
  if (value === undefined) return [`${keyName(issue.path)} is required: it ${issue.message}`];
  // A number or a boolean where text belongs: YAML and `pulumi config set --path` write digits as numbers.
  if (issue.code === "invalid_type" && issue.expected === "string" && (typeof value === "number" || typeof value === "boolean")) {
    return [`${keyName(issue.path)} must be a string: quote it (got the ${typeof value} ${shown(value)}; it ${issue.message})`];
  }
  return [`${keyName(issue.path)} ${issue.message} (got ${shown(value)})`];
}

// ---------------------------------------------------------------------------------------------------
// Rules across keys, and the production guard rails

interface Problem {
  path: Path;
  message: string;
}

/** Adds a problem at `path` to `problems`. */
const failInto = (problems: Problem[]) => (path: Path, message: string) => void problems.push({ path, message });

/** Rules across keys: the cloud and its keys, tags, the deploy path (AWS), then section by section. */
function crossChecks(c: PlatformConfig, set: StackSettings): Problem[] {
  return [
    ...cloudChecks(c, set),
    ...tagChecks(c),
    ...(c.cloud === "aws" ? deployPathChecks(c) : []),
    ...(c.cloud === "gcp" ? clusterZoneChecks(c) : []),
    ...clusterChecks(c),
    ...databaseChecks(c),
    ...cacheChecks(c),
    ...appChecks(c),
  ];
}

/** Keys that exist on one cloud only. */
const CLOUD_ONLY_KEYS: ReadonlyArray<[Cloud, Path]> = [
  ["aws", ["network", "flowLogRetentionDays"]],
  ["aws", ["cluster", "logRetentionDays"]],
  ["aws", ["cluster", "deployFromVpc"]],
  ["aws", ["cluster", "adminRoleArns"]],
  ["aws", ["cluster", "viewerRoleArns"]],
  ["gcp", ["cluster", "adminMembers"]],
  ["gcp", ["cluster", "zone"]],
  ["aws", ["database", "credentialRotationDays"]],
  ["aws", ["cache", "nodeType"]],
  ["aws", ["cache", "snapshotRetentionDays"]],
  ["gcp", ["cache", "memorySizeGb"]],
];

/** The region must exist on the stack's cloud, and the stack sets nothing that belongs to the other cloud. */
function cloudChecks(c: PlatformConfig, set: StackSettings): Problem[] {
  const problems: Problem[] = [];
  const fail = failInto(problems);
  const { cloud } = c;
  const other: Cloud = cloud === "aws" ? "gcp" : "aws";

  if (cloud === "aws" && !AWS_REGIONS.includes(c.region)) {
    const match = closest(c.region, AWS_REGIONS);
    fail(
      ["region"],
      `must be an AWS region the provider knows, ${match ? `did you mean ${match}?` : "such as eu-west-1"} (got ${shown(c.region)})`,
    );
  }
  if (cloud === "gcp" && !f.GCP_REGION.test(c.region))
    fail(["region"], `must be a GCP region such as europe-west1 (got ${shown(c.region)})`);
  if (set[other] !== undefined) fail([other], `applies to ${other} stacks only; this stack's cloud is ${cloud}`);
  if (cloud === "gcp" && set.gcp === undefined) fail(["gcp", "project"], "is required on gcp: the GCP project to deploy into");

  for (const [only, path] of CLOUD_ONLY_KEYS) {
    if (only !== cloud && valueAt(set, path) !== undefined) fail(path, `applies to ${only} stacks only; this stack's cloud is ${cloud}`);
  }
  return problems;
}

/** Whether the stack's GKE cluster is zonal (one zone, dev) rather than regional (the region's zones). */
export const zonalCluster = (c: Pick<PlatformConfig, "cloud" | "environment">): boolean => c.cloud === "gcp" && c.environment === "dev";

/**
 * A zonal cluster's zone is the stack file's, never looked up: the cluster's location forces its replacement
 * in the provider, so it must stay the zone the cluster was made in. A regional cluster takes none.
 */
function clusterZoneChecks(c: PlatformConfig): Problem[] {
  const problems: Problem[] = [];
  const fail = failInto(problems);
  const zone = c.cluster.zone;
  const example = `${c.region}-b`;
  if (!zonalCluster(c)) {
    if (zone !== undefined)
      fail(
        ["cluster", "zone"],
        `must not be set in ${c.environment}: the cluster is regional, over the zones of ${c.region} (got ${shown(zone)})`,
      );
  } else if (zone === undefined) {
    fail(
      ["cluster", "zone"],
      `is required on gcp in ${c.environment}: the cluster is zonal, and a change of its zone replaces it; name a zone of ${c.region} such as ${example} (for a cluster already deployed, the zone it runs in)`,
    );
  } else if (!zone.startsWith(`${c.region}-`)) {
    fail(["cluster", "zone"], `must be a zone of platform:region ${c.region}, such as ${example} (got ${shown(zone)})`);
  }
  return problems;
}

/** Stack tags may not override the platform's own, and must be tags (AWS) or labels (GCP) the cloud accepts. */
function tagChecks(c: PlatformConfig): Problem[] {
  const problems: Problem[] = [];
  const fail = failInto(problems);
  for (const [key, value] of Object.entries(c.tags)) {
    if (RESERVED_TAGS.includes(key)) {
      fail(["tags", key], `is set by the platform on every resource (${RESERVED_TAGS.join(", ")}); choose another name`);
      continue;
    }
    const ok =
      c.cloud === "aws"
        ? key.length >= 1 && key.length <= 128 && !key.startsWith("aws:") && value.length <= 256
        : /^[a-z][a-z0-9_-]{0,62}$/.test(key) && /^[a-z0-9_-]{0,63}$/.test(value);
    if (!ok) {
      fail(
        ["tags", key],
        c.cloud === "aws"
          ? "must be a tag of up to 128 characters not starting with aws:, with a value of up to 256"
          : "must be a GCP label: lower-case letters, digits, _ and -, key starting with a letter, up to 63 characters",
      );
    }
  }
  return problems;
}

/** A Kubernetes release still in standard support, and node group sizes in order. */
function clusterChecks(c: PlatformConfig): Problem[] {
  const problems: Problem[] = [];
  const fail = failInto(problems);
  const minor = Number(c.cluster.version.split(".")[1]);
  if (minor < MIN_KUBERNETES_MINOR)
    fail(
      ["cluster", "version"],
      `must be 1.${MIN_KUBERNETES_MINOR} or newer, the oldest release still in standard support (got ${shown(c.cluster.version)})`,
    );
  const applicationLogs = c.cluster.applicationLogRetentionDays;
  const notCloudWatch = c.cloud === "aws" ? f.logRetentionProblem(applicationLogs) : undefined;
  if (notCloudWatch) fail(["cluster", "applicationLogRetentionDays"], `${notCloudWatch} on aws (got ${shown(applicationLogs)})`);
  problems.push(...accessRoleChecks(c.cluster.adminRoleArns ?? [], c.cluster.viewerRoleArns ?? []));
  const n = c.cluster.nodes;
  if (n.minSize > n.desiredSize || n.desiredSize > n.maxSize) {
    fail(["cluster", "nodes"], `must satisfy minSize <= desiredSize <= maxSize (got ${n.minSize} <= ${n.desiredSize} <= ${n.maxSize})`);
  }
  return problems;
}

/** Each role once across the access lists (components/aws/eks-access.ts accessListConflicts), named by key. */
function accessRoleChecks(admins: readonly string[], viewers: readonly string[]): Problem[] {
  const problems: Problem[] = [];
  const fail = failInto(problems);
  for (const { list, index, kind } of accessListConflicts(admins, viewers)) {
    const arn = (list === "adminRoleArns" ? admins : viewers)[index];
    if (kind === "repeated") fail(["cluster", list, index], `must not repeat a role (got ${shown(arn)})`);
    else
      fail(
        ["cluster", list, index],
        `is already in platform:cluster.adminRoleArns: EKS allows one access entry per role, and an admin can read already (got ${shown(arn)})`,
      );
  }
  return problems;
}

/**
 * Days Prometheus must keep beyond the rotation period: the rotation alert looks back the period plus a day
 * (components/kubernetes/alert-rules.ts), and one more keeps that window clear of the oldest, compacting block.
 */
const ROTATION_ALERT_MARGIN_DAYS = 2;

/**
 * Storage that can grow, a backup window clear of the maintenance window, audit logs kept for a period the
 * cloud takes, and a rotation the rotation alert can see within Prometheus's retention.
 */
function databaseChecks(c: PlatformConfig): Problem[] {
  const problems: Problem[] = [];
  const fail = failInto(problems);
  const db = c.database;
  if (db.maxStorageGb < db.storageGb)
    fail(["database", "maxStorageGb"], `must be at least storageGb (${db.storageGb}) so storage can grow (got ${db.maxStorageGb})`);
  const overlap = w.backupOverlapProblem(db.backupWindow, db.maintenanceWindow, "database.maintenanceWindow");
  if (overlap) fail(["database", "backupWindow"], `${overlap} (got ${shown(db.backupWindow)})`);
  const auditLogs = db.auditLogRetentionDays;
  const notCloudWatch = c.cloud === "aws" ? f.logRetentionProblem(auditLogs) : undefined;
  if (notCloudWatch) fail(["database", "auditLogRetentionDays"], `${notCloudWatch} on aws (got ${shown(auditLogs)})`);
  const rotation = db.credentialRotationDays;
  const retention = c.monitoring.prometheusRetentionDays;
  if (rotation !== undefined && rotation + ROTATION_ALERT_MARGIN_DAYS > retention) {
    fail(
      ["database", "credentialRotationDays"],
      `must be at most ${retention - ROTATION_ALERT_MARGIN_DAYS}: the DatabaseCredentialsNotRotated alert looks back the rotation period plus a day, and a day more must stay within platform:monitoring.prometheusRetentionDays (${retention}) (got ${rotation})`,
    );
  }
  return problems;
}

/** An engine the cloud's managed cache offers, in a version it runs (CACHE_VERSIONS). */
function cacheChecks(c: PlatformConfig): Problem[] {
  const problems: Problem[] = [];
  const fail = failInto(problems);
  const versions = CACHE_VERSIONS[c.cloud][c.cache.engine];
  if (!versions)
    fail(["cache", "engine"], `must be redis on gcp: Memorystore for Redis is the managed cache there (got ${shown(c.cache.engine)})`);
  else if (!versions.includes(c.cache.engineVersion))
    fail(
      ["cache", "engineVersion"],
      `must be one of ${versions.join(", ")} for ${c.cache.engine} on ${c.cloud} (got ${shown(c.cache.engineVersion)})`,
    );
  return problems;
}

/** Unique app names and hostnames under the domain, replicas within their bounds, requests within limits. */
function appChecks(c: PlatformConfig): Problem[] {
  const problems: Problem[] = [];
  const fail = failInto(problems);
  const names = new Set<string>();
  const hosts = new Set<string>();
  c.apps.forEach((a, i) => {
    if (names.has(a.name)) fail(["apps", i, "name"], `must be unique; another app is already called ${shown(a.name)}`);
    names.add(a.name);
    if (hosts.has(a.hostname)) fail(["apps", i, "hostname"], `must be unique; another app already serves ${shown(a.hostname)}`);
    hosts.add(a.hostname);
    if (a.hostname !== c.domain && !a.hostname.endsWith(`.${c.domain}`))
      fail(
        ["apps", i, "hostname"],
        `must be ${c.domain} or a name under it, where the gateway holds certificates (got ${shown(a.hostname)})`,
      );
    if (!(a.minReplicas <= a.replicas && a.replicas <= a.maxReplicas)) {
      fail(
        ["apps", i, "replicas"],
        `must satisfy minReplicas <= replicas <= maxReplicas (got ${a.minReplicas} <= ${a.replicas} <= ${a.maxReplicas})`,
      );
    }
    if (f.parseCpu(a.cpuRequest)! > f.parseCpu(a.cpuLimit)!)
      fail(["apps", i, "cpuRequest"], `must not exceed cpuLimit ${shown(a.cpuLimit)} (got ${shown(a.cpuRequest)})`);
    if (f.parseMemory(a.memoryRequest)! > f.parseMemory(a.memoryLimit)!)
      fail(["apps", i, "memoryRequest"], `must not exceed memoryLimit ${shown(a.memoryLimit)} (got ${shown(a.memoryRequest)})`);
  });
  return problems;
}

/** The README section that explains the deploy path. */
const DEPLOY_PATH_SECTION = 'README "Deploying for real: how pulumi up reaches the cluster"';

/**
 * The Kubernetes half of `pulumi up` talks to the EKS API. The endpoint is private unless public CIDRs are
 * listed, so the stack must say how the deploy gets there: from listed public addresses, or from inside
 * the VPC. Saying neither would leave every Kubernetes resource unable to connect.
 */
function deployPathChecks(c: PlatformConfig): Problem[] {
  const problems: Problem[] = [];
  const cidrs = c.cluster.endpointPublicAccessCidrs;
  if (cidrs.length === 0 && c.cluster.deployFromVpc !== true) {
    problems.push({
      path: ["cluster"],
      message:
        "must say how `pulumi up` reaches the private cluster API: list the operators' and CI's egress addresses in platform:cluster.endpointPublicAccessCidrs, " +
        `or set platform:cluster.deployFromVpc: true when it runs inside the VPC (${DEPLOY_PATH_SECTION})`,
    });
  }
  // Production's guard rail says the same, with more.
  const everything = coversEverything(cidrs);
  if (everything && c.environment !== "production")
    problems.push({ path: ["cluster", "endpointPublicAccessCidrs"], message: `${everything} (got ${shown(cidrs)})` });
  return problems;
}

function coversEverything(cidrs: readonly string[]): string | undefined {
  return coversEveryAddress(cidrs) ? "must not cover the whole internet, whole or in pieces" : undefined;
}

/** One production guard rail: the key, and what makes its value unsafe. */
interface GuardRail {
  path: Path;
  /** Returns the "must ..." sentence when the value is unsafe. */
  unsafe: (value: unknown) => string | undefined;
}

const atLeast = (min: number) => (v: unknown) => (typeof v === "number" && v < min ? `must be >= ${min}` : undefined);
const atMost = (max: number, why: string) => (v: unknown) => (typeof v === "number" && v > max ? `must be <= ${max} (${why})` : undefined);
const runsEvery = (hours: number, what: string) => (v: unknown) => {
  const gap = typeof v === "string" ? f.longestCronGapMinutes(v) / 60 : 0;
  if (gap <= hours) return undefined;
  return `must run ${what}: its longest gap between runs is ${Number.isFinite(gap) ? `${gap} hours` : "years"}, more than ${hours}`;
};
/** A production API allow-list: never the world, and no block a continent could hide behind. */
const narrowAllowList = (v: unknown) => {
  const world = excludes(["0.0.0.0/0", "::/0"])(v) ?? coversEverything(Array.isArray(v) ? v.map(String) : []);
  if (world) return world;
  const wide = (Array.isArray(v) ? v : []).filter((c) => (parseCidr(String(c))?.prefix ?? 32) < DEFAULT_ENDPOINT_WIDEST_PREFIX);
  return wide.length > 0 ? `must not hold blocks wider than /${DEFAULT_ENDPOINT_WIDEST_PREFIX} (${wide.join(", ")})` : undefined;
};
/** Requests per minute per client address that production may allow at most: ten times the 100 the services ask for. */
const MAX_PRODUCTION_RATE_LIMIT = 1000;
const exactly = (wanted: unknown) => (v: unknown) => (v !== undefined && v !== wanted ? `must be ${String(wanted)}` : undefined);
const excludes = (banned: string[]) => (v: unknown) =>
  Array.isArray(v) && v.some((x) => banned.includes(x as string)) ? `must not include ${banned.join(" or ")}` : undefined;

export const PRODUCTION_GUARD_RAILS: readonly GuardRail[] = [
  { path: ["network", "zones"], unsafe: atLeast(3) },
  { path: ["network", "natGateways"], unsafe: exactly("perZone") },
  // Flow logs are evidence after an incident; 90 days covers the usual time to detect one.
  { path: ["network", "flowLogRetentionDays"], unsafe: atLeast(90) },
  // Audit logs answer "who did what" after an incident: kept as long as the flow logs.
  { path: ["cluster", "logRetentionDays"], unsafe: atLeast(90) },
  // Container logs: a month, to look back past a release cycle.
  { path: ["cluster", "applicationLogRetentionDays"], unsafe: atLeast(30) },
  { path: ["cluster", "endpointPublicAccessCidrs"], unsafe: narrowAllowList },
  { path: ["cluster", "nodes", "capacityType"], unsafe: exactly("ON_DEMAND") },
  { path: ["cluster", "nodes", "minSize"], unsafe: atLeast(2) },
  { path: ["database", "multiAz"], unsafe: exactly(true) },
  { path: ["database", "backupRetentionDays"], unsafe: atLeast(30) },
  { path: ["database", "deletionProtection"], unsafe: exactly(true) },
  // pgaudit's record of schema and role changes: kept as long as the cluster's audit log.
  { path: ["database", "auditLogRetentionDays"], unsafe: atLeast(90) },
  // A master password older than a month outlives the usual access review.
  { path: ["database", "credentialRotationDays"], unsafe: atMost(30, "a master password older than a month outlives an access review") },
  { path: ["cache", "nodes"], unsafe: atLeast(2) },
  { path: ["cache", "snapshotRetentionDays"], unsafe: atLeast(7) },
  { path: ["ingress", "certificateIssuer"], unsafe: exactly("letsencrypt-production") },
  { path: ["ingress", "rateLimitPerMinute"], unsafe: atMost(MAX_PRODUCTION_RATE_LIMIT, "a per-client limit above that stops no abuse") },
  // A week of metrics: enough to compare this week's incident with last week's normal.
  { path: ["monitoring", "prometheusRetentionDays"], unsafe: atLeast(7) },
  // RPO 1 h comes from point-in-time recovery; the daily dump is the copy outside the database service.
  { path: ["backups", "schedule"], unsafe: runsEvery(24, "at least once a day") },
  { path: ["backups", "restoreVerificationSchedule"], unsafe: runsEvery(7 * 24, "at least once a week") },
  { path: ["backups", "retentionDays"], unsafe: atLeast(30) },
  { path: ["apps", "*", "minReplicas"], unsafe: atLeast(2) },
];

/** Expands `*` in a guard path over the array found there. */
function expand(root: unknown, path: Path): Path[] {
  const star = path.indexOf("*");
  if (star < 0) return [path];
  const list = valueAt(root, path.slice(0, star));
  if (!Array.isArray(list)) return [];
  return list.flatMap((_, i) => expand(root, [...path.slice(0, star), i, ...path.slice(star + 1)]));
}

function productionChecks(c: PlatformConfig): Problem[] {
  const problems: Problem[] = [];
  for (const rail of PRODUCTION_GUARD_RAILS) {
    for (const path of expand(c, rail.path)) {
      const value = valueAt(c, path);
      const rule = rail.unsafe(value);
      if (rule) problems.push({ path, message: `${rule} in production (got ${shown(value)})` });
    }
  }
  if (c.cloud === "aws" && c.aws?.accountId === undefined) {
    problems.push({
      path: ["aws", "accountId"],
      message: "is required in production: it pins the AWS account so a mis-selected credential cannot deploy elsewhere",
    });
  }
  if (!c.secrets.includes("alertWebhookUrl")) {
    problems.push({
      path: ["alertWebhookUrl"],
      message: "is required in production: set it with `pulumi config set --secret alertWebhookUrl <url>`",
    });
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------

/**
 * A value of the resolved config that the cloud's profile or the schema always sets for that cloud (`key`
 * as in the stack file, without `platform:`). Its absence is a bug in the profile, not a user error.
 */
export function alwaysSet<T>(value: T | undefined, cloud: Cloud, key: string): T {
  if (value === undefined)
    throw new Error(`the ${cloud} profile and the config schema left platform:${key} unset: a bug, not a config error`);
  return value;
}

/**
 * Validates a stack's `platform:*` values and resolves them over the environment's profile.
 * @param settings the non-secret keys, parsed (objects as objects)
 * @param secrets the names of the secret keys the stack sets
 * @throws ConfigError listing every problem, each naming `stackFile` and the key
 */
export function resolveConfig(settings: unknown, stackFile: string, secrets: readonly SecretKey[] = []): PlatformConfig {
  const parsed = stackSchema.safeParse(settings);
  if (!parsed.success) {
    throw new ConfigError(
      stackFile,
      parsed.error.issues.flatMap((issue) => describeIssue(issue, settings)),
    );
  }
  const set = parsed.data;
  const p = profileFor(set.environment, set.cloud);
  const appDefaults = appDefaultsFor(set.environment);
  const config: PlatformConfig = {
    cloud: set.cloud,
    environment: set.environment,
    region: set.region,
    domain: set.domain,
    ...(set.aws && { aws: set.aws }),
    ...(set.gcp && { gcp: set.gcp }),
    tags: set.tags ?? {},
    network: { ...p.network, ...set.network },
    cluster: { ...p.cluster, ...set.cluster, nodes: { ...p.cluster.nodes, ...set.cluster?.nodes } },
    database: { ...p.database, ...set.database },
    cache: { ...p.cache, ...set.cache },
    ingress: { ...p.ingress, ...set.ingress },
    monitoring: { ...p.monitoring, ...set.monitoring },
    backups: { ...p.backups, ...set.backups },
    apps: (set.apps ?? []).map((a) => ({ ...appDefaults, hostname: `${a.name}.${set.domain}`, ...a })),
    protect: p.protect,
    secrets: [...secrets],
  };
  const problems = [...crossChecks(config, set), ...(config.environment === "production" ? productionChecks(config) : [])];
  if (problems.length > 0)
    throw new ConfigError(
      stackFile,
      problems.map((p) => `${keyName(p.path)} ${p.message}`),
    );
  return config;
}
