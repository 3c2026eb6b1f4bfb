// The GCP half of the platform: the resolved config turned into component arguments, in the order a first
// deploy builds it. The network comes first and makes the private service connection; the cluster, the
// database and the cache hang off the network, never off one another, except the cache, which waits for the
// database: both take their addresses through that one connection, and Google refuses a second service's
// request while the first is in progress. The cluster services (load balancer class, StorageClass, secret
// store) go on the cluster; the Kubernetes layer (infra/kubernetes.ts) builds on them as it does on EKS.
import * as gcp from "@pulumi/gcp";
import type * as pulumi from "@pulumi/pulumi";
import { BackupBucket } from "../components/gcp/backup-bucket";
import { CloudSqlPostgres } from "../components/gcp/cloudsql";
import { GcpClusterServices } from "../components/gcp/cluster-services";
import { DEFAULT_AUTHORIZED_NETWORKS_WIDEST_PREFIX, GkeCluster, type GkeClusterArgs } from "../components/gcp/gke-cluster";
import { MemorystoreRedis } from "../components/gcp/memorystore";
import { Network } from "../components/gcp/network";
import { alwaysSet, type PlatformConfig } from "./config";
import type { CloudPlatform } from "./kubernetes";

/** Zones a regional GKE cluster, a REGIONAL Cloud SQL instance and a STANDARD_HA Memorystore spread over. */
const REGIONAL_ZONES = 3;
/** The node pool surges one node at a time (components/gcp/gke-nodes.ts): the network plans room for it. */
const UPGRADE_SURGE = 1;

/**
 * Where the cluster runs. Staging and production: regional, the control plane and the nodes over the
 * region's zones. Dev: zonal, in the region's first zone that is up (in name order, so it stays put), so
 * its nodes are `desiredSize` in one zone rather than one in each of three.
 */
export async function clusterLocation(config: PlatformConfig, provider: gcp.Provider): Promise<string> {
  if (config.environment !== "dev") return config.region;
  const { names } = await gcp.compute.getZones({ region: config.region, status: "UP" }, { provider });
  const [first] = [...names].sort();
  if (first === undefined) throw new Error(`GCP reports no zone that is up in ${config.region}`);
  return first;
}

/** The GCP half of the platform, in the order a first deploy builds it. */
export function gcpPlatform(config: PlatformConfig, provider: gcp.Provider, location: string): CloudPlatform {
  const opts = { providers: [provider] };
  const project = alwaysSet(config.gcp, "gcp", "gcp");
  const network = new Network(
    "network",
    { cidr: config.network.cidr, region: config.region, maxNodes: config.cluster.nodes.maxSize + UPGRADE_SURGE, protect: config.protect },
    opts,
  );
  const cluster = new GkeCluster("cluster", clusterArgs(config, network, location), opts);
  const { database, cache } = createDataTier(config, network, project.projectNumber, opts);
  const backups = new BackupBucket(
    "backups",
    { location: config.region, projectNumber: project.projectNumber, retentionDays: config.backups.retentionDays, protect: config.protect },
    opts,
  );
  // On the cluster's Kubernetes provider: created once the node pool exists.
  const services = new GcpClusterServices(
    "cluster-services",
    { cluster, nodeCidrs: [network.nodesCidr], retainVolumes: config.protect },
    opts,
  );
  return {
    cluster,
    services,
    database,
    cache,
    backups,
    outputs: {
      networkId: network.networkId,
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

/**
 * The cluster for the environment. The deploy path is config's: the listed operators' and CI's addresses
 * reach the public IP endpoint, and with none listed the IP endpoint is private and deploys go through the
 * DNS-based endpoint, admitted by IAM. Production keeps the cluster from deletion at GKE and its allow-list
 * to blocks no wider than config's bound; elsewhere the allow-list may hold any width short of the world.
 */
export function clusterArgs(config: PlatformConfig, network: Network, location: string): GkeClusterArgs {
  const production = config.environment === "production";
  const n = config.cluster.nodes;
  // A regional pool's node counts are per zone; a zonal one's are the pool's.
  const zones = location === config.region ? REGIONAL_ZONES : 1;
  return {
    location,
    network: network.networkId,
    subnetwork: network.subnetId,
    nodesCidr: network.nodesCidr,
    podsRangeName: network.podsRangeName,
    servicesRangeName: network.servicesRangeName,
    authorizedNetworks: config.cluster.endpointPublicAccessCidrs,
    authorizedNetworksWidestPrefix: production ? DEFAULT_AUTHORIZED_NETWORKS_WIDEST_PREFIX : 0,
    deletionProtection: production,
    protect: config.protect,
    adminMembers: config.cluster.adminMembers ?? [],
    applicationLogRetentionDays: config.cluster.applicationLogRetentionDays,
    nodes: {
      machineType: n.instanceType,
      diskSizeGb: n.diskSizeGb,
      initialNodesPerZone: Math.max(1, Math.ceil(n.desiredSize / zones)),
      minNodes: n.minSize,
      maxNodes: n.maxSize,
    },
  };
}

/**
 * The database and the cache on private service access, after the network's service networking
 * connection; the cache after the database too. Deletion protection: the database's is config's, the
 * cache's production's alone.
 */
function createDataTier(
  config: PlatformConfig,
  network: Network,
  projectNumber: string,
  opts: pulumi.ComponentResourceOptions,
): { database: CloudSqlPostgres; cache: MemorystoreRedis } {
  const { database: db, cache } = config;
  const privateAccess = {
    network: network.networkId,
    reservedRangeName: network.privateServiceRangeName,
    reservedRangeCidr: network.privateServicesCidr,
    serviceConnection: network.privateServiceConnection,
    region: config.region,
    projectNumber,
  };
  const database = new CloudSqlPostgres(
    "database",
    {
      ...privateAccess,
      // Cloud SQL takes the major version; it applies minor versions itself in maintenance.
      engineVersion: db.engineVersion.split(".")[0]!,
      tier: db.instanceClass,
      diskGb: db.storageGb,
      maxDiskGb: db.maxStorageGb,
      highAvailability: db.multiAz,
      readReplicas: db.readReplicas,
      retainedBackups: db.backupRetentionDays,
      backupWindow: db.backupWindow,
      maintenanceWindow: db.maintenanceWindow,
      deletionProtection: db.deletionProtection,
      auditLogRetentionDays: db.auditLogRetentionDays,
      protect: config.protect,
    },
    opts,
  );
  const redis = new MemorystoreRedis(
    "cache",
    {
      ...privateAccess,
      redisVersion: `REDIS_${cache.engineVersion.replace(".", "_")}`,
      memorySizeGb: alwaysSet(cache.memorySizeGb, "gcp", "cache.memorySizeGb"),
      highAvailability: cache.nodes > 1,
      maintenanceWindow: cache.maintenanceWindow,
      deletionProtection: config.environment === "production",
      protect: config.protect,
      dependsOn: [database.instance],
    },
    opts,
  );
  return { database, cache: redis };
}
