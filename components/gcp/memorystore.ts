// Memorystore for Redis on the VPC's private service access range, AUTH and TLS required, encrypted at rest
// with its own Cloud KMS key, with RDB snapshots, and the AUTH string Memorystore generates kept in Secret
// Manager.
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { RedisEndpoint, WorkloadIdentity } from "../types";
import { weeklyWindowProblem, type WindowRule } from "../windows";
import { serviceAgentKey } from "./kms";
import * as rules from "./private-service";
import { grantSecretRead, storeSecret } from "./secret-store";
import { grantName } from "../grants";
import { REDIS_API } from "./apis";

/** The Redis versions the platform deploys on Memorystore, as the API names them. */
export const MEMORYSTORE_REDIS_VERSIONS: readonly string[] = ["REDIS_7_0", "REDIS_7_2"];

/** How often Memorystore writes an RDB snapshot, as the API names it. */
export const SNAPSHOT_PERIODS: readonly string[] = ["ONE_HOUR", "SIX_HOURS", "TWELVE_HOURS", "TWENTY_FOUR_HOURS"];

export interface MemorystoreRedisArgs extends rules.PrivateServiceAccessArgs {
  /** One of MEMORYSTORE_REDIS_VERSIONS. @default "REDIS_7_2" */
  redisVersion?: string;
  /** Memory in GiB, 1-300. */
  memorySizeGb: number;
  /** The STANDARD_HA tier (a replica in another zone with automatic failover); BASIC when false. */
  highAvailability: boolean;
  /** How often an RDB snapshot is written, one of SNAPSHOT_PERIODS. @default "TWENTY_FOUR_HOURS" */
  snapshotPeriod?: string;
  /**
   * Weekly UTC maintenance window, "ddd:hh:mm-ddd:hh:mm", at least 60 minutes, holding a whole hour:
   * Memorystore maintains in one hour, the window's first whole hour (see maintenanceHour).
   */
  maintenanceWindow: string;
  /** The provider's deletion protection: a `pulumi up` or destroy that would delete the instance fails. */
  deletionProtection: boolean;
  /** Pulumi `protect` on the instance and its key (infra passes true in staging and production). */
  protect: boolean;
  /**
   * What the instance is created after. Pass the Cloud SQL instance: both take addresses through the one
   * private service connection, and Google refuses a second service's request while the first is in progress.
   * @default - nothing
   */
  dependsOn?: pulumi.Resource[];
}

/** Memorystore serves TLS on 6378 (6379 is its port without TLS); the API reports it as the instance's `port`. */
export const REDIS_TLS_PORT = 6378;
const DEFAULT_REDIS_VERSION = "REDIS_7_2";

/** A STANDARD_HA instance with CMEK can pass the provider's 20-minute defaults while Memorystore places the replica. */
const REDIS_TIMEOUTS = { create: "60m", update: "60m", delete: "30m" };

/** Memorystore's maintenance window lasts one hour; there is no snapshot window to leave room for. */
const MAINTENANCE_WINDOW: WindowRule = { example: "sun:05:00-sun:06:00", minMinutes: 60 };

const DAYS = ["SUNDAY", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY"];

type Resolved = Required<MemorystoreRedisArgs> & { maintenance: rules.MaintenanceHour };

export function resolveMemorystoreRedisArgs(name: string, args: MemorystoreRedisArgs): Resolved {
  const fail: rules.Fail = rules.failer("MemorystoreRedis", name);
  rules.checkName(name, fail);
  rules.checkPrivateServiceAccess(args, fail);
  const redisVersion = args.redisVersion ?? DEFAULT_REDIS_VERSION;
  if (!MEMORYSTORE_REDIS_VERSIONS.includes(redisVersion))
    fail(`args.redisVersion must be one of ${MEMORYSTORE_REDIS_VERSIONS.join(", ")} (got ${rules.show(redisVersion)})`);
  rules.checkWholeNumber(args.memorySizeGb, 1, 300, "args.memorySizeGb", fail);
  const snapshotPeriod = args.snapshotPeriod ?? "TWENTY_FOUR_HOURS";
  if (!SNAPSHOT_PERIODS.includes(snapshotPeriod))
    fail(`args.snapshotPeriod must be one of ${SNAPSHOT_PERIODS.join(", ")} (got ${rules.show(snapshotPeriod)})`);
  const problem =
    weeklyWindowProblem(args.maintenanceWindow, MAINTENANCE_WINDOW) ??
    (rules.maintenanceHour(args.maintenanceWindow) ? undefined : "must hold a whole UTC hour, as Memorystore maintains in one");
  if (problem) fail(`args.maintenanceWindow ${problem} (got ${rules.show(args.maintenanceWindow)})`);
  const maintenance = rules.maintenanceHour(args.maintenanceWindow)!;
  return { ...args, redisVersion, snapshotPeriod, dependsOn: args.dependsOn ?? [], maintenance };
}

/**
 * The instance's key, usable by the Memorystore service agent. Google makes that agent at some point after the
 * API is first used, so it is requested (`gcloud beta services identity create --service=redis.googleapis.com`)
 * and the grant waits for it (serviceAgentKey); the instance waits for the grant, as Memorystore checks the key.
 */
function createKey(name: string, a: Resolved, parent: pulumi.Resource): { key: gcp.kms.CryptoKey; grant: gcp.kms.CryptoKeyIAMMember } {
  const { key, grants } = serviceAgentKey(
    `${name}-key`,
    { api: REDIS_API, agentName: `${name}-redis-agent`, projectNumber: a.projectNumber, location: a.region, protect: a.protect },
    parent,
  );
  return { key, grant: grants[0]! };
}

/** The instance: AUTH and TLS, private service access, CMEK, RDB snapshots, the weekly maintenance hour. */
function createInstance(
  name: string,
  a: Resolved,
  deps: { key: gcp.kms.CryptoKey; grant: gcp.kms.CryptoKeyIAMMember },
  parent: pulumi.Resource,
): gcp.redis.Instance {
  return new gcp.redis.Instance(
    `${name}-instance`,
    {
      region: a.region,
      tier: a.highAvailability ? "STANDARD_HA" : "BASIC",
      memorySizeGb: a.memorySizeGb,
      redisVersion: a.redisVersion,
      authEnabled: true,
      transitEncryptionMode: "SERVER_AUTHENTICATION",
      connectMode: "PRIVATE_SERVICE_ACCESS",
      authorizedNetwork: a.network,
      // Under private service access this names the allocated range rather than giving a CIDR.
      reservedIpRange: a.reservedRangeName,
      customerManagedKey: deps.key.id,
      persistenceConfig: { persistenceMode: "RDB", rdbSnapshotPeriod: a.snapshotPeriod },
      maintenancePolicy: {
        weeklyMaintenanceWindows: [{ day: DAYS[a.maintenance.dayOfWeek]!, startTime: { hours: a.maintenance.hour, minutes: 0 } }],
      },
      deletionProtection: a.deletionProtection,
    },
    { parent, protect: a.protect, dependsOn: [a.serviceConnection, deps.grant, ...a.dependsOn], customTimeouts: REDIS_TIMEOUTS },
  );
}

export class MemorystoreRedis extends pulumi.ComponentResource implements RedisEndpoint {
  readonly host: pulumi.Output<string>;
  readonly port = REDIS_TLS_PORT;
  readonly tls = true as const;
  readonly privateCidrs: string[];
  /** Secret Manager secret id (the short name) whose value is the AUTH string (plain text). */
  readonly authSecret: pulumi.Output<string>;
  /** PEM certificates of the CA that signs the server's TLS certificate: clients must trust them. */
  readonly serverCaCertificates: pulumi.Output<string[]>;
  readonly keyId: pulumi.Output<string>;
  readonly instance: gcp.redis.Instance;
  private readonly secret: gcp.secretmanager.Secret;
  private readonly componentName: string;

  constructor(name: string, args: MemorystoreRedisArgs, opts?: pulumi.ComponentResourceOptions) {
    const a = resolveMemorystoreRedisArgs(name, args);
    super("platform:gcp:MemorystoreRedis", name, {}, opts);
    this.componentName = name;

    const { key, grant } = createKey(name, a, this);
    this.instance = createInstance(name, a, { key, grant }, this);
    // authString is a secret output of the provider; wrapping keeps it one under runtimes that do not
    // apply additionalSecretOutputs (mocks).
    const { secret } = storeSecret(`${name}-auth`, { region: a.region, value: pulumi.secret(this.instance.authString) }, this);
    this.secret = secret;

    this.host = this.instance.host;
    this.privateCidrs = [a.reservedRangeCidr];
    this.authSecret = secret.secretId;
    this.serverCaCertificates = this.instance.serverCaCerts.apply((certs) => (certs ?? []).map((c) => c.cert));
    this.keyId = key.id;
    this.registerOutputs({
      host: this.host,
      port: this.port,
      tls: this.tls,
      privateCidrs: this.privateCidrs,
      authSecret: this.authSecret,
    });
  }

  /** roles/secretmanager.secretAccessor on the AUTH string's secret alone. */
  grantAuthRead(identity: WorkloadIdentity): void {
    grantSecretRead(grantName(this.componentName, "auth-read", identity), this.secret, identity, this);
  }
}
