// The AWS half of the platform: the resolved config turned into component arguments. The network comes
// first; the database, cache and bucket hang off it (and the node security group it owns), never off the
// cluster, so a first deploy builds the data tier while EKS is still creating.
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { BackupBucket } from "../components/aws/backup-bucket";
import { AwsClusterServices } from "../components/aws/cluster-services";
import { EksCluster } from "../components/aws/eks-cluster";
import { Network, REGULAR_ZONES } from "../components/aws/network";
import { PostgresDatabase } from "../components/aws/postgres";
import { RedisCache } from "../components/aws/redis";
import type { BackupStore, ClusterServices, KubernetesCluster, PostgresEndpoint, RedisEndpoint } from "../components/types";
import { ConfigError, type PlatformConfig, WIDEST_PUBLIC_ENDPOINT_PREFIX } from "./config";

/** What the cloud half hands to the Kubernetes layer: only the cloud-neutral contracts. */
export interface CloudPlatform {
  cluster: KubernetesCluster;
  services: ClusterServices;
  database: PostgresEndpoint;
  cache: RedisEndpoint;
  backups: BackupStore;
  /** Stack outputs of the cloud half. */
  outputs: Record<string, pulumi.Input<unknown>>;
}

/** A value the AWS profile always sets; its absence is a profile bug, not a user error. */
function required<T>(value: T | undefined, key: string): T {
  if (value === undefined) throw new Error(`the AWS profile sets no ${key}`);
  return value;
}

/**
 * Asks the region for its zones before anything is created: a stack that wants more zones than the region
 * offers this account is refused as a config error, instead of failing halfway through the network.
 */
export async function checkZones(config: PlatformConfig, provider: aws.Provider, stackFile: string): Promise<void> {
  const { names } = await aws.getAvailabilityZones(REGULAR_ZONES, { provider });
  if (names.length < config.network.zones) {
    throw new ConfigError(stackFile, [
      `platform:network.zones asks for ${config.network.zones} zones but ${config.region} offers this account ${names.length} (${names.join(", ")}); choose at most ${names.length} or another region`,
    ]);
  }
}

export function awsPlatform(config: PlatformConfig, provider: aws.Provider): CloudPlatform {
  const opts = { providers: [provider] };
  const production = config.environment === "production";
  const { network: n, cluster: c, database: db, cache } = config;

  const network = new Network(
    "network",
    {
      cidr: n.cidr,
      zones: n.zones,
      natGateways: n.natGateways,
      flowLogRetentionDays: required(n.flowLogRetentionDays, "network.flowLogRetentionDays"),
      protect: config.protect,
    },
    opts,
  );

  const cluster = new EksCluster(
    "cluster",
    {
      version: c.version,
      vpcId: network.vpcId,
      subnetIds: network.privateSubnetIds,
      subnetCidrs: network.privateSubnetCidrs,
      nodeSecurityGroupId: network.nodeSecurityGroupId,
      endpointPublicAccessCidrs: c.endpointPublicAccessCidrs,
      // Deploying from inside the VPC means from the private subnets: a runner, a VPN's or an SSM instance's.
      endpointPrivateAccessCidrs: c.deployFromVpc ? network.plan.private : [],
      // Config refuses a world-open allow-list in every environment and, in production, any block wider
      // than its bound; the component enforces the same, so a mistake never reaches AWS.
      endpointPublicAccessWidestPrefix: production ? WIDEST_PUBLIC_ENDPOINT_PREFIX : 0,
      deletionProtection: production,
      logRetentionDays: required(c.logRetentionDays, "cluster.logRetentionDays"),
      adminRoleArns: c.adminRoleArns ?? [],
      nodes: c.nodes,
      protect: config.protect,
    },
    opts,
  );

  const services = new AwsClusterServices(
    "cluster-services",
    { cluster, nodeCidrs: network.privateSubnetCidrs, loadBalancerCidrs: network.plan.public, retainVolumes: config.protect },
    opts,
  );

  const dataNetwork = {
    vpcId: network.vpcId,
    subnetIds: network.isolatedSubnetIds,
    subnetCidrs: network.isolatedSubnetCidrs,
    allowedSecurityGroupIds: [network.nodeSecurityGroupId],
  };
  const database = new PostgresDatabase(
    "database",
    {
      ...dataNetwork,
      engineVersion: db.engineVersion,
      instanceClass: db.instanceClass,
      storageGb: db.storageGb,
      maxStorageGb: db.maxStorageGb,
      multiAz: db.multiAz,
      backupRetentionDays: db.backupRetentionDays,
      backupWindow: db.backupWindow,
      maintenanceWindow: db.maintenanceWindow,
      deletionProtection: db.deletionProtection,
      protect: config.protect,
    },
    opts,
  );
  const redis = new RedisCache(
    "cache",
    {
      ...dataNetwork,
      engine: cache.engine,
      engineVersion: cache.engineVersion,
      nodeType: required(cache.nodeType, "cache.nodeType"),
      nodes: cache.nodes,
      snapshotRetentionDays: required(cache.snapshotRetentionDays, "cache.snapshotRetentionDays"),
      maintenanceWindow: cache.maintenanceWindow,
      protect: config.protect,
    },
    opts,
  );
  const backups = new BackupBucket("backups", { retentionDays: config.backups.retentionDays, protect: config.protect }, opts);

  return {
    cluster,
    services,
    database,
    cache: redis,
    backups,
    outputs: {
      vpcId: network.vpcId,
      clusterName: cluster.clusterName,
      kubeconfig: cluster.kubeconfig,
      databaseHost: database.host,
      databaseCredentialsSecret: database.credentialsSecret,
      cacheHost: redis.host,
      cacheAuthSecret: redis.authSecret,
      backupBucket: backups.bucketName,
    },
  };
}
