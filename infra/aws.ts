// The AWS half of the platform: the resolved config turned into component arguments. The network comes
// first; the database, cache and bucket hang off it (and the node security group it owns), never off the
// cluster, so a first deploy builds the data tier while EKS is still creating.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { BackupBucket } from "../components/aws/backup-bucket";
import { AwsClusterServices } from "../components/aws/cluster-services";
import { callerAccessProblem } from "../components/aws/eks-access";
import { DEFAULT_ENDPOINT_WIDEST_PREFIX, EksCluster, type EksClusterArgs } from "../components/aws/eks-cluster";
import { Network, REGULAR_ZONES } from "../components/aws/network";
import { PostgresDatabase } from "../components/aws/postgres";
import { RedisCache } from "../components/aws/redis";
import { alwaysSet, ConfigError, type PlatformConfig } from "./config";
import type { CloudPlatform } from "./kubernetes";

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

/**
 * Asks AWS who is running the program before anything is created: the cluster admits only the roles the
 * config lists (its creator gets no access of its own), so a deploy as any other identity would build a
 * cluster it cannot reach and fail at the Kubernetes half. Only whether to go on depends on the caller; what
 * the program registers never does. A preview (also what a drift check runs) may run as a viewer.
 */
export async function checkCaller(config: PlatformConfig, provider: aws.Provider, stackFile: string): Promise<void> {
  const { arn } = await aws.getCallerIdentity({}, { provider });
  const access = { admins: config.cluster.adminRoleArns ?? [], viewers: config.cluster.viewerRoleArns ?? [] };
  const problem = callerAccessProblem(arn, access, pulumi.runtime.isDryRun());
  if (problem) throw new ConfigError(stackFile, [problem]);
}

/** The AWS half of the platform, in the order a first deploy builds it. */
export function awsPlatform(config: PlatformConfig, provider: aws.Provider): CloudPlatform {
  const opts = { providers: [provider] };
  const network = createNetwork(config, opts);
  const cluster = createCluster(config, network, opts);
  const services = new AwsClusterServices(
    "cluster-services",
    { cluster, nodeCidrs: network.privateSubnetCidrs, loadBalancerCidrs: network.plan.public, retainVolumes: config.protect },
    opts,
  );
  const { database, cache } = createDataTier(config, network, opts);
  const backups = new BackupBucket("backups", { retentionDays: config.backups.retentionDays, protect: config.protect }, opts);

  return {
    cluster,
    services,
    database,
    cache,
    backups,
    outputs: {
      vpcId: network.vpcId,
      clusterName: cluster.clusterName,
      kubeconfig: cluster.kubeconfig,
      databaseHost: database.host,
      databaseReaderHost: database.readerHost,
      databaseCredentialsSecret: database.credentialsSecret,
      cacheHost: cache.host,
      cacheAuthSecret: cache.authSecret,
      backupBucket: backups.bucketName,
    },
  };
}

function createNetwork(config: PlatformConfig, opts: pulumi.ComponentResourceOptions): Network {
  const n = config.network;
  return new Network(
    "network",
    {
      cidr: n.cidr,
      zones: n.zones,
      natGateways: n.natGateways,
      flowLogRetentionDays: alwaysSet(n.flowLogRetentionDays, "aws", "network.flowLogRetentionDays"),
      protect: config.protect,
    },
    opts,
  );
}

/**
 * The cluster's guard rails for the environment. Production keeps the cluster from deletion at AWS and its
 * public allow-list to blocks no wider than config's bound; elsewhere the allow-list may hold any width.
 * A world-open allow-list stays refused everywhere (the component's default), as config refuses it too.
 */
function clusterGuardRails(
  environment: PlatformConfig["environment"],
): Pick<EksClusterArgs, "deletionProtection" | "endpointPublicAccessWidestPrefix"> {
  const production = environment === "production";
  return { deletionProtection: production, endpointPublicAccessWidestPrefix: production ? DEFAULT_ENDPOINT_WIDEST_PREFIX : 0 };
}

function createCluster(config: PlatformConfig, network: Network, opts: pulumi.ComponentResourceOptions): EksCluster {
  const c = config.cluster;
  return new EksCluster(
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
      ...clusterGuardRails(config.environment),
      logRetentionDays: alwaysSet(c.logRetentionDays, "aws", "cluster.logRetentionDays"),
      applicationLogRetentionDays: c.applicationLogRetentionDays,
      adminRoleArns: c.adminRoleArns ?? [],
      viewerRoleArns: c.viewerRoleArns ?? [],
      nodes: c.nodes,
      protect: config.protect,
    },
    opts,
  );
}

/** The database and the cache in the isolated subnets, admitting only the nodes' security group. */
function createDataTier(
  config: PlatformConfig,
  network: Network,
  opts: pulumi.ComponentResourceOptions,
): { database: PostgresDatabase; cache: RedisCache } {
  const { database: db, cache } = config;
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
      readReplicas: db.readReplicas,
      backupRetentionDays: db.backupRetentionDays,
      backupWindow: db.backupWindow,
      maintenanceWindow: db.maintenanceWindow,
      deletionProtection: db.deletionProtection,
      auditLogRetentionDays: db.auditLogRetentionDays,
      credentialRotationDays: alwaysSet(db.credentialRotationDays, "aws", "database.credentialRotationDays"),
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
      nodeType: alwaysSet(cache.nodeType, "aws", "cache.nodeType"),
      nodes: cache.nodes,
      snapshotRetentionDays: alwaysSet(cache.snapshotRetentionDays, "aws", "cache.snapshotRetentionDays"),
      maintenanceWindow: cache.maintenanceWindow,
      protect: config.protect,
    },
    opts,
  );
  return { database, cache: redis };
}
