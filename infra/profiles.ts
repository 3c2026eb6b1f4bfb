// Environment profiles: the defaults a stack starts from before its own overrides are applied.
// Figures follow the environment table in docs (README "Configuration reference"); the production
// profile must pass every production guard rail in config.ts (a test checks it). Components are imported
// as types only: a GCP stack must not load the AWS components or @pulumi/aws.
import type { BackupBucketArgs } from "../components/aws/backup-bucket";
import type { EksClusterArgs } from "../components/aws/eks-args";
import type { NetworkArgs } from "../components/aws/network";
import type { PostgresDatabaseArgs } from "../components/aws/postgres";
import type { RedisCacheArgs } from "../components/aws/redis";
import type { GkeClusterArgs } from "../components/gcp/gke-args";
import type { AppServiceArgs } from "../components/kubernetes/app-service";
import { APP_SERVICE_DEFAULTS } from "../components/kubernetes/app-defaults";
import type { PostgresBackupsArgs } from "../components/kubernetes/backups";
import type { IngressGatewayArgs } from "../components/kubernetes/gateway";
import type { MonitoringArgs } from "../components/kubernetes/monitoring";

export const CLOUDS = ["aws", "gcp"] as const;
export const ENVIRONMENTS = ["dev", "staging", "production"] as const;

export type Cloud = (typeof CLOUDS)[number];
export type Environment = (typeof ENVIRONMENTS)[number];

/**
 * A profile is the resolved config minus the keys every stack must set itself. A field a component takes
 * has the type of that component's argument (on the cloud side the AWS components, the only ones so far),
 * so the config cannot drift from what the components accept. Arguments a component leaves optional with
 * a default of its own are required here: the profile chooses the value.
 */
export interface Profile {
  network: Pick<NetworkArgs, "cidr" | "zones" | "natGateways"> & {
    /** AWS only: CloudWatch retention of VPC flow logs. */
    flowLogRetentionDays?: NetworkArgs["flowLogRetentionDays"];
  };
  cluster: Required<Pick<EksClusterArgs, "version" | "endpointPublicAccessCidrs" | "applicationLogRetentionDays">> &
    Pick<EksClusterArgs, "nodes"> & {
      /** AWS only: `pulumi up` runs inside the VPC, where the private API endpoint answers. */
      deployFromVpc?: boolean;
      /** AWS only: IAM roles given cluster admin; `pulumi up` runs as one of them. */
      adminRoleArns?: EksClusterArgs["adminRoleArns"];
      /** AWS only: IAM roles that may read the cluster (CI's preview role). */
      viewerRoleArns?: EksClusterArgs["viewerRoleArns"];
      /** AWS only: CloudWatch retention of control-plane logs. */
      logRetentionDays?: EksClusterArgs["logRetentionDays"];
      /** GCP only: Google IAM members given roles/container.admin besides those the project already grants. */
      adminMembers?: GkeClusterArgs["adminMembers"];
      /** GCP dev only: the zone of the zonal cluster; no profile sets it, the stack file must. */
      zone?: string;
    };
  database: Required<
    Pick<
      PostgresDatabaseArgs,
      | "engineVersion"
      | "instanceClass"
      | "storageGb"
      | "maxStorageGb"
      | "multiAz"
      | "readReplicas"
      | "backupRetentionDays"
      | "backupWindow"
      | "maintenanceWindow"
      | "deletionProtection"
      | "auditLogRetentionDays"
    >
  > & {
    /** AWS only: days between rotations of the RDS-managed master password. */
    credentialRotationDays?: PostgresDatabaseArgs["credentialRotationDays"];
  };
  cache: Required<Pick<RedisCacheArgs, "engine" | "engineVersion" | "nodes" | "maintenanceWindow">> & {
    /** AWS only: ElastiCache node type. */
    nodeType?: RedisCacheArgs["nodeType"];
    /** AWS only: days of automatic snapshots kept. */
    snapshotRetentionDays?: RedisCacheArgs["snapshotRetentionDays"];
    /** GCP only: Memorystore capacity. */
    memorySizeGb?: number;
  };
  ingress: Pick<IngressGatewayArgs, "rateLimitPerMinute"> &
    Required<Pick<AppServiceArgs, "hstsMaxAgeSeconds">> & {
      /** The issuer of the gateway's certificates. */
      certificateIssuer: IngressGatewayArgs["issuer"];
    };
  monitoring: Pick<MonitoringArgs, "prometheusRetentionDays" | "prometheusStorageGb" | "grafanaStorageGb">;
  backups: Pick<PostgresBackupsArgs, "schedule" | "restoreVerificationSchedule"> & Pick<BackupBucketArgs, "retentionDays">;
  /** Passed as the `protect` argument of each cloud component. */
  protect: boolean;
}

/** Per-app defaults; `name` and `image` have none and must be set by the stack. */
export interface AppDefaults extends Required<
  Pick<
    AppServiceArgs,
    | "port"
    | "replicas"
    | "minReplicas"
    | "maxReplicas"
    | "cpuRequest"
    | "cpuLimit"
    | "memoryRequest"
    | "memoryLimit"
    | "healthPath"
    | "readyPath"
    | "metricsPath"
  >
> {
  /** The app connects to the platform's PostgreSQL database. */
  database: boolean;
  /** The app connects to the platform's cache. */
  cache: boolean;
}

const sizes = {
  aws: {
    dev: { node: "t3.large", db: "db.t4g.small", cacheNode: "cache.t4g.micro" },
    staging: { node: "m7i.large", db: "db.m7g.large", cacheNode: "cache.m7g.large" },
    // 4 vCPU / 16 GiB class, as the production figures ask.
    production: { node: "m7i.xlarge", db: "db.m7g.large", cacheNode: "cache.m7g.large" },
  },
  gcp: {
    dev: { node: "e2-standard-2", db: "db-custom-1-3840", cacheGb: 1 },
    staging: { node: "e2-standard-4", db: "db-custom-2-7680", cacheGb: 2 },
    production: { node: "n2-standard-4", db: "db-custom-2-7680", cacheGb: 5 },
  },
} as const;

const byEnvironment = {
  dev: {
    cidr: "10.20.0.0/16",
    zones: 2,
    natGateways: "single",
    nodes: { minSize: 1, desiredSize: 1, maxSize: 3, capacityType: "SPOT", diskSizeGb: 50 },
    storageGb: 20,
    maxStorageGb: 100,
    multiAz: false,
    readReplicas: 0,
    databaseBackupDays: 7,
    databaseAuditLogDays: 7,
    // Daily, so the path from a rotated password to restarted pods runs every day, and the rotation alert's
    // window (rotation + 1 day) fits dev's 3 days of metrics.
    credentialRotationDays: 1,
    cacheNodes: 1,
    cacheSnapshotDays: 1,
    logDays: 7,
    applicationLogDays: 7,
    issuer: "letsencrypt-staging",
    // Short HSTS outside production: staging certificates are untrusted and a year-long pin would lock
    // browsers out of the dev hostnames.
    hsts: 300,
    prometheus: { days: 3, gb: 10 },
    grafanaGb: 2,
    backupDays: 7,
    protect: false,
  },
  staging: {
    cidr: "10.10.0.0/16",
    zones: 3,
    natGateways: "perZone",
    nodes: { minSize: 2, desiredSize: 2, maxSize: 6, capacityType: "ON_DEMAND", diskSizeGb: 50 },
    storageGb: 50,
    maxStorageGb: 200,
    multiAz: true,
    readReplicas: 0,
    databaseBackupDays: 14,
    databaseAuditLogDays: 90,
    // Within staging's 7 days of metrics, with the alert's window.
    credentialRotationDays: 5,
    cacheNodes: 2,
    cacheSnapshotDays: 7,
    logDays: 30,
    applicationLogDays: 30,
    issuer: "letsencrypt-staging",
    hsts: 3600,
    prometheus: { days: 7, gb: 50 },
    grafanaGb: 5,
    backupDays: 14,
    protect: true,
  },
  production: {
    cidr: "10.0.0.0/16",
    zones: 3,
    natGateways: "perZone",
    nodes: { minSize: 2, desiredSize: 3, maxSize: 10, capacityType: "ON_DEMAND", diskSizeGb: 100 },
    storageGb: 100,
    maxStorageGb: 500,
    multiAz: true,
    // Read traffic (reports, exports) off the primary; the standby of Multi-AZ serves no reads.
    readReplicas: 1,
    databaseBackupDays: 30,
    databaseAuditLogDays: 90,
    // RDS's default, stated.
    credentialRotationDays: 7,
    cacheNodes: 3,
    cacheSnapshotDays: 14,
    logDays: 90,
    applicationLogDays: 30,
    issuer: "letsencrypt-production",
    hsts: 31_536_000,
    prometheus: { days: 15, gb: 100 },
    grafanaGb: 10,
    backupDays: 30,
    protect: true,
  },
} as const;

/** The defaults for one environment on one cloud. Returns a fresh object the caller may mutate. */
export function profileFor(environment: Environment, cloud: Cloud): Profile {
  const e = byEnvironment[environment];
  const aws = cloud === "aws" ? sizes.aws[environment] : undefined;
  const gcp = cloud === "gcp" ? sizes.gcp[environment] : undefined;
  const instanceType = (aws ?? gcp)!.node;
  const instanceClass = (aws ?? gcp)!.db;
  const cacheEngine = aws ? "valkey" : "redis";
  return {
    network: {
      cidr: e.cidr,
      zones: e.zones,
      natGateways: e.natGateways,
      ...(aws && { flowLogRetentionDays: e.logDays }),
    },
    cluster: {
      version: "1.35",
      endpointPublicAccessCidrs: [],
      applicationLogRetentionDays: e.applicationLogDays,
      ...(aws && { deployFromVpc: false, adminRoleArns: [], viewerRoleArns: [], logRetentionDays: e.logDays }),
      nodes: { instanceType, ...e.nodes },
    },
    database: {
      engineVersion: "17",
      instanceClass,
      storageGb: e.storageGb,
      maxStorageGb: e.maxStorageGb,
      multiAz: e.multiAz,
      readReplicas: e.readReplicas,
      backupRetentionDays: e.databaseBackupDays,
      backupWindow: "03:00-04:00",
      // Cloud SQL maintains in one whole hour, so the GCP window starts on the hour.
      maintenanceWindow: aws ? "sun:04:30-sun:05:30" : "sun:04:00-sun:05:00",
      deletionProtection: environment !== "dev",
      auditLogRetentionDays: e.databaseAuditLogDays,
      ...(aws && { credentialRotationDays: e.credentialRotationDays }),
    },
    cache: {
      engine: cacheEngine,
      engineVersion: cacheEngine === "valkey" ? "8.0" : "7.2",
      nodes: e.cacheNodes,
      // Memorystore maintains in one whole hour too.
      maintenanceWindow: aws ? "sun:05:30-sun:06:30" : "sun:06:00-sun:07:00",
      ...(aws && { nodeType: aws.cacheNode, snapshotRetentionDays: e.cacheSnapshotDays }),
      ...(gcp && { memorySizeGb: gcp.cacheGb }),
    },
    ingress: { rateLimitPerMinute: 100, certificateIssuer: e.issuer, hstsMaxAgeSeconds: e.hsts },
    monitoring: {
      prometheusRetentionDays: e.prometheus.days,
      prometheusStorageGb: e.prometheus.gb,
      grafanaStorageGb: e.grafanaGb,
    },
    backups: { schedule: "0 3 * * *", restoreVerificationSchedule: "0 5 * * 0", retentionDays: e.backupDays },
    protect: e.protect,
  };
}

export function appDefaultsFor(environment: Environment): AppDefaults {
  // Production runs AppService's own defaults; smaller environments run fewer replicas of the same pods.
  const d = APP_SERVICE_DEFAULTS;
  const replicas = { dev: [1, 1, 3], staging: [2, 2, 6], production: [d.replicas, d.minReplicas, d.maxReplicas] }[environment];
  return {
    port: d.port,
    replicas: replicas[0]!,
    minReplicas: replicas[1]!,
    maxReplicas: replicas[2]!,
    cpuRequest: d.cpuRequest,
    cpuLimit: d.cpuLimit,
    memoryRequest: d.memoryRequest,
    memoryLimit: d.memoryLimit,
    healthPath: d.healthPath,
    readyPath: d.readyPath,
    metricsPath: d.metricsPath,
    database: false,
    cache: false,
  };
}
