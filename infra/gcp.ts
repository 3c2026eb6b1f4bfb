// The GCP half of the platform: the resolved config turned into component arguments, in the order a first
// deploy builds it. The project's APIs come first, and every GCP resource waits for them. The network comes
// next and makes the private service connection; the cluster, the database and the cache hang off the network,
// never off one another, except the cache, which waits for the database: both take their addresses through
// that one connection, and Google refuses a second service's request while the first is in progress. The
// cluster services (load balancer class, StorageClass, secret store) go on the cluster; the Kubernetes layer
// (infra/kubernetes.ts) builds on them as it does on EKS.
import type * as gcp from "@pulumi/gcp";
import type * as pulumi from "@pulumi/pulumi";
import { BINARY_AUTHORIZATION_API, CONTAINER_API, REDIS_API, SQL_ADMIN_API, STORAGE_API } from "../components/gcp/apis";
import { BackupBucket } from "../components/gcp/backup-bucket";
import { CloudSqlPostgres } from "../components/gcp/cloudsql";
import { GcpClusterServices } from "../components/gcp/cluster-services";
import { DEFAULT_AUTHORIZED_NETWORKS_WIDEST_PREFIX, GkeCluster, type GkeClusterArgs } from "../components/gcp/gke-cluster";
import { MemorystoreRedis } from "../components/gcp/memorystore";
import { Network } from "../components/gcp/network";
import { ProjectApis } from "../components/gcp/project-apis";
import { alwaysSet, type PlatformConfig, zonalCluster } from "./config";
import type { CloudPlatform } from "./kubernetes";

/** Zones a regional GKE cluster, a REGIONAL Cloud SQL instance and a STANDARD_HA Memorystore spread over. */
const REGIONAL_ZONES = 3;
/** The node pool surges one node at a time (components/gcp/gke-nodes.ts): the network plans room for it. */
const UPGRADE_SURGE = 1;

/**
 * Where the cluster runs. Staging and production: regional, the control plane and the nodes over the
 * region's zones. Dev: zonal, in the stack file's `cluster.zone` (config requires it there), so its nodes are
 * `desiredSize` in one zone rather than one in each of three. Never looked up: the location forces the
 * cluster's replacement, so it must not move when the region's zones do.
 */
export function clusterLocation(config: PlatformConfig): string {
  return zonalCluster(config) ? alwaysSet(config.cluster.zone, "gcp", "cluster.zone") : config.region;
}

/**
 * The APIs the platform calls (components/gcp/apis.ts maps each resource type to its own), enabled by the stack.
 * Monitoring takes the cluster's system metrics; Binary Authorization is needed only where the cluster
 * enforces it.
 */
export function platformApis(config: PlatformConfig): string[] {
  return [
    "compute.googleapis.com",
    "servicenetworking.googleapis.com",
    CONTAINER_API,
    "cloudkms.googleapis.com",
    SQL_ADMIN_API,
    REDIS_API,
    "secretmanager.googleapis.com",
    STORAGE_API,
    "iam.googleapis.com",
    "logging.googleapis.com",
    "monitoring.googleapis.com",
    ...(enforcesBinaryAuthorization(config) ? [BINARY_AUTHORIZATION_API] : []),
  ];
}

/** Staging and production admit only images the project's Binary Authorization policy allows. */
const enforcesBinaryAuthorization = (config: PlatformConfig): boolean => config.environment !== "dev";

/** The GCP half of the platform, in the order a first deploy builds it. */
export function gcpPlatform(config: PlatformConfig, provider: gcp.Provider): CloudPlatform {
  const apis = new ProjectApis("apis", { apis: platformApis(config) }, { providers: [provider] });
  // Every GCP resource of every component, and of their children, waits for the APIs.
  const opts = { providers: [provider], transformations: [apis.waitForApis] };
  const project = alwaysSet(config.gcp, "gcp", "gcp");
  const network = new Network(
    "network",
    { cidr: config.network.cidr, region: config.region, maxNodes: config.cluster.nodes.maxSize + UPGRADE_SURGE, protect: config.protect },
    opts,
  );
  const cluster = new GkeCluster("cluster", clusterArgs(config, network), opts);
  const { database, cache } = createDataTier(config, network, project.projectNumber, opts);
  const backups = new BackupBucket(
    "backups",
    {
      location: config.region,
      storageServiceAgent: apis.storageServiceAgent(),
      retentionDays: config.backups.retentionDays,
      protect: config.protect,
    },
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
export function clusterArgs(config: PlatformConfig, network: Network): GkeClusterArgs {
  const production = config.environment === "production";
  const location = clusterLocation(config);
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
    binaryAuthorization: enforcesBinaryAuthorization(config),
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
