// Which input changes make a provider replace (delete, then create) a resource, for the stateful types the
// platform registers. The installed Pulumi SDKs do not ship their provider schema (no schema.json and no
// replaceOnChanges metadata under node_modules/@pulumi/aws, gcp or kubernetes), so this is a dated table
// written from the providers' sources. The bridged aws and gcp providers take replacement from the
// Terraform schema's `ForceNew` (and from CustomizeDiff functions that force it); the Kubernetes provider
// from its own list.
//
// @pulumi/aws 7.48.0 (published 2026-09-22) bridges hashicorp/terraform-provider-aws v6: pulumi-aws 7.x is
// built on v6 (pulumi/pulumi-aws#5665, v6.3.0) and had reached v6.46.0 by May 2026 (pulumi/pulumi-aws#6392).
// Each AWS type below names the file of that provider it was read from and the version read, and each input
// the schema attribute that makes it replace (AWS_REPLACE_SOURCES); replaceSourceProblems refuses an AWS
// entry without them. Paths are the Pulumi input names (camelCase; a block of at most one item is an object, as
// the SDKs take it). A change at a listed path, below it, or of an object holding it replaces the resource.

/** Where an AWS type's replace-on-change inputs come from. */
export interface ReplaceSource {
  /** The provider file read, as `hashicorp/terraform-provider-aws internal/service/<service>/<file>.go`. */
  file: string;
  /** Which version of it: a tag, or the commit read and what it is newer than. */
  read: string;
  /** Each input path, with the schema attribute that makes it replace (ForceNew, or how the diff forces it). */
  inputs: Readonly<Record<string, string>>;
}

const TPA = "hashicorp/terraform-provider-aws";

/** AWS stateful type -> where its replace-on-change inputs were read, input by input. */
export const AWS_REPLACE_SOURCES: Readonly<Record<string, ReplaceSource>> = {
  "aws:rds/instance:Instance": {
    file: `${TPA} internal/service/rds/instance.go`,
    // identifier and identifier_prefix lost ForceNew in v5.0.0, when the resource id became the DbiResourceId and
    // a changed identifier became ModifyDBInstance's NewDBInstanceIdentifier (hashicorp/terraform-provider-aws#31232;
    // the docs followed in #32687, citing the schema at 10937b0e). Renaming is in place.
    read: "schema at v5 and later (read in a v5 sdkv2 revision with backup_target; nothing re-added ForceNew since)",
    inputs: {
      engine: "engine: ForceNew",
      kmsKeyId: "kms_key_id: ForceNew",
      storageEncrypted: "storage_encrypted: ForceNew",
      username: "username: ForceNew",
      dbName: "db_name: ForceNew",
      availabilityZone: "availability_zone: ForceNew",
      backupTarget: "backup_target: ForceNew",
      characterSetName: "character_set_name: ForceNew",
      ncharCharacterSetName: "nchar_character_set_name: ForceNew",
      timezone: "timezone: ForceNew",
      snapshotIdentifier: "snapshot_identifier: ForceNew",
      customIamInstanceProfile: "custom_iam_instance_profile: ForceNew",
      restoreToPointInTime: "restore_to_point_in_time: ForceNew",
      s3Import: "s3_import: every field ForceNew",
    },
  },
  "aws:elasticache/replicationGroup:ReplicationGroup": {
    file: `${TPA} internal/service/elasticache/replication_group.go`,
    // preferred_cache_cluster_azs carries no ForceNew. Left out, as they replace only on some changes: engine and
    // engine_version (CustomizeDiff forces new on a downgrade only) and node_group_configuration (on a meaningful change).
    read: "001b6364 (2026, v6 state upgraders)",
    inputs: {
      replicationGroupId: "replication_group_id: ForceNew",
      atRestEncryptionEnabled: "at_rest_encryption_enabled: ForceNew",
      kmsKeyId: "kms_key_id: ForceNew",
      subnetGroupName: "subnet_group_name: ForceNew",
      port: "port: ForceNew",
      networkType: "network_type: ForceNew",
      securityGroupNames: "security_group_names: ForceNew",
      snapshotArns: "snapshot_arns: ForceNew",
      snapshotName: "snapshot_name: ForceNew",
      dataTieringEnabled: "data_tiering_enabled: ForceNew",
      globalReplicationGroupId: "global_replication_group_id: ForceNew",
    },
  },
  "aws:s3/bucket:Bucket": {
    file: `${TPA} internal/service/s3/bucket.go`,
    read: "a v5 revision with the deprecated inline blocks (the ForceNew attributes are unchanged in v6)",
    inputs: {
      bucket: "bucket: ForceNew",
      bucketPrefix: "bucket_prefix: ForceNew",
      objectLockEnabled: "object_lock_enabled: ForceNew",
      "objectLockConfiguration.objectLockEnabled": "object_lock_configuration.object_lock_enabled: ForceNew",
    },
  },
  "aws:s3/bucketV2:BucketV2": {
    file: `${TPA} internal/service/s3/bucket.go (the same resource, under its former name)`,
    read: "as aws:s3/bucket:Bucket",
    inputs: {
      bucket: "bucket: ForceNew",
      bucketPrefix: "bucket_prefix: ForceNew",
      objectLockEnabled: "object_lock_enabled: ForceNew",
      "objectLockConfiguration.objectLockEnabled": "object_lock_configuration.object_lock_enabled: ForceNew",
    },
  },
  "aws:kms/key:Key": {
    file: `${TPA} internal/service/kms/key.go`,
    read: "an sdkv2 revision with rotation_period_in_days (v5.45 and later)",
    inputs: {
      customerMasterKeySpec: "customer_master_key_spec: ForceNew",
      keyUsage: "key_usage: ForceNew",
      customKeyStoreId: "custom_key_store_id: ForceNew",
      multiRegion: "multi_region: ForceNew",
      xksKeyId: "xks_key_id: ForceNew",
    },
  },
  "aws:eks/cluster:Cluster": {
    file: `${TPA} internal/service/eks/cluster.go`,
    // vpc_config.subnet_ids and security_group_ids update in place since v5.25 (hashicorp/terraform-provider-aws#34209).
    read: "00555dc5 (with compute_config, remote_network_config and zonal_shift_config: v5.79 and later)",
    inputs: {
      name: "name: ForceNew",
      roleArn: "role_arn: ForceNew",
      "kubernetesNetworkConfig.serviceIpv4Cidr": "kubernetes_network_config.service_ipv4_cidr: ForceNew",
      "kubernetesNetworkConfig.ipFamily": "kubernetes_network_config.ip_family: ForceNew",
      outpostConfig: "outpost_config.control_plane_instance_type and control_plane_placement.group_name: ForceNew",
      remoteNetworkConfig: "remote_network_config: ForceNew",
      bootstrapSelfManagedAddons: "bootstrap_self_managed_addons: ForceNew",
      "accessConfig.bootstrapClusterCreatorAdminPermissions": "access_config.bootstrap_cluster_creator_admin_permissions: ForceNew",
      encryptionConfig: "encryption_config: CustomizeDiff ForceNewIfChange when it is removed (envelope encryption cannot be turned off)",
      "computeConfig.nodeRoleArn": "compute_config.node_role_arn: CustomizeDiff forces new when a role already set changes",
    },
  },
  "aws:eks/nodeGroup:NodeGroup": {
    file: `${TPA} internal/service/eks/node_group.go`,
    read: "012e0a32 (with node_repair_config: v5.79 and later)",
    inputs: {
      clusterName: "cluster_name: ForceNew",
      nodeGroupName: "node_group_name: ForceNew",
      nodeGroupNamePrefix: "node_group_name_prefix: ForceNew",
      nodeRoleArn: "node_role_arn: ForceNew",
      subnetIds: "subnet_ids: ForceNew",
      amiType: "ami_type: ForceNew",
      capacityType: "capacity_type: ForceNew",
      diskSize: "disk_size: ForceNew",
      instanceTypes: "instance_types: ForceNew",
      "launchTemplate.id": "launch_template.id: ForceNew (a replaced launch template replaces the group; its version does not)",
      "launchTemplate.name": "launch_template.name: ForceNew",
      remoteAccess: "remote_access: ForceNew",
    },
  },
  "aws:ebs/volume:Volume": {
    file: `${TPA} internal/service/ec2/ebs_volume.go`,
    read: "a 2026 revision (identity since v6.41.0)",
    inputs: {
      availabilityZone: "availability_zone: ForceNew",
      encrypted: "encrypted: ForceNew",
      kmsKeyId: "kms_key_id: ForceNew",
      multiAttachEnabled: "multi_attach_enabled: ForceNew",
      snapshotId: "snapshot_id: ForceNew",
      outpostArn: "outpost_arn: ForceNew",
    },
  },
};

/**
 * The ForceNew fields of a GKE node config: google/services/container/node_config.go schemaNodeConfig, which the
 * cluster (its default pool) and node pools share.
 */
const NODE_CONFIG_REPLACE_INPUTS = [
  "nodeConfig.serviceAccount",
  "nodeConfig.oauthScopes",
  "nodeConfig.bootDiskKmsKey",
  "nodeConfig.metadata",
  "nodeConfig.minCpuPlatform",
  "nodeConfig.preemptible",
  "nodeConfig.spot",
  "nodeConfig.localSsdCount",
  "nodeConfig.shieldedInstanceConfig",
  "nodeConfig.guestAccelerators",
];

/**
 * The other clouds' stateful types, from their providers' sources:
 * - gcp types: hashicorp/terraform-provider-google google/services/{sql,redis,storage,kms,container},
 *   ForceNew attributes read at e03b762 (2026-08-21).
 * - kubernetes types: pulumi/pulumi-kubernetes provider/pkg/provider/diff.go (forceNewProperties: every
 *   kind's metadata.name and metadata.namespace, plus the kind's own list), read at 00302be.
 */
const OTHER_REPLACE_INPUTS: Readonly<Record<string, readonly string[]>> = {
  "gcp:sql/databaseInstance:DatabaseInstance": [
    "name",
    "project",
    "region",
    "encryptionKeyName",
    "settings.collation",
    "replicaConfiguration",
  ],
  "gcp:redis/instance:Instance": [
    "name",
    "project",
    "region",
    "locationId",
    "alternativeLocationId",
    "authorizedNetwork",
    "connectMode",
    "customerManagedKey",
    "reservedIpRange",
    "tier",
    "transitEncryptionMode",
  ],
  "gcp:storage/bucket:Bucket": [
    "name",
    "project",
    "location",
    "customPlacementConfig.dataLocations",
    "enableObjectRetention",
    "hierarchicalNamespace",
  ],
  "gcp:kms/keyRing:KeyRing": ["name", "project", "location"],
  "gcp:kms/cryptoKey:CryptoKey": [
    "name",
    "keyRing",
    "purpose",
    "importOnly",
    "destroyScheduledDuration",
    "cryptoKeyBackend",
    "versionTemplate.protectionLevel",
  ],
  "gcp:container/cluster:Cluster": [
    "name",
    "project",
    "location",
    "network",
    "subnetwork",
    "networkingMode",
    "datapathProvider",
    "description",
    "enableAutopilot",
    "enableKubernetesAlpha",
    "enableTpu",
    "initialNodeCount",
    "defaultMaxPodsPerNode",
    "nodePools",
    "ipAllocationPolicy",
    "confidentialNodes",
    "privateClusterConfig.enablePrivateNodes",
    "privateClusterConfig.privateEndpointSubnetwork",
    "masterAuth.clientCertificateConfig",
    "clusterAutoscaling.autoProvisioningDefaults.bootDiskKmsKey",
    // The default pool's node config, as for node pools.
    ...NODE_CONFIG_REPLACE_INPUTS,
  ],
  "gcp:container/nodePool:NodePool": [
    "name",
    "namePrefix",
    "project",
    "location",
    "cluster",
    "initialNodeCount",
    "maxPodsPerNode",
    "placementPolicy",
    "queuedProvisioning",
    "networkConfig.createPodRange",
    "networkConfig.podRange",
    "networkConfig.subnetwork",
    ...NODE_CONFIG_REPLACE_INPUTS,
  ],
  "kubernetes:core/v1:PersistentVolumeClaim": ["metadata.name", "metadata.namespace", "spec"],
  "kubernetes:storage.k8s.io/v1:StorageClass": ["metadata.name", "metadata.namespace", "parameters", "provisioner"],
};

/** Stateful type -> input paths whose change replaces the resource. */
export const REPLACE_INPUTS: Readonly<Record<string, readonly string[]>> = {
  ...Object.fromEntries(Object.entries(AWS_REPLACE_SOURCES).map(([type, source]) => [type, Object.keys(source.inputs)])),
  ...OTHER_REPLACE_INPUTS,
};

/**
 * One line per AWS entry the table cannot account for: a type without the provider file and version it was
 * read from, an input without the attribute that makes it replace, or an `aws:` type listed outside
 * AWS_REPLACE_SOURCES.
 */
export function replaceSourceProblems(
  sources: Readonly<Record<string, ReplaceSource>>,
  others: Readonly<Record<string, readonly string[]>> = OTHER_REPLACE_INPUTS,
): string[] {
  const problems: string[] = [];
  for (const [type, source] of Object.entries(sources)) {
    if (!source.file.startsWith(`${TPA} internal/service/`))
      problems.push(`${type}: names no ${TPA} internal/service/ file it was read from (got ${JSON.stringify(source.file)})`);
    if (source.read.trim() === "") problems.push(`${type}: says not which version of ${source.file} was read`);
    if (Object.keys(source.inputs).length === 0) problems.push(`${type}: lists no input`);
    for (const [path, why] of Object.entries(source.inputs))
      if (why.trim() === "") problems.push(`${type} ${path}: says not which schema attribute makes it replace`);
  }
  for (const type of Object.keys(others).filter((t) => t.startsWith("aws:")))
    problems.push(
      `${type}: is listed without its source; list it in AWS_REPLACE_SOURCES with the file, version and attribute of each input`,
    );
  return problems;
}

/**
 * Types whose replacement or deletion loses data or the platform: databases, caches, buckets, keys,
 * clusters, node groups and volumes. A StorageClass is replaced cheaply and holds nothing.
 */
export const STATEFUL_TYPES: ReadonlySet<string> = new Set(
  Object.keys(REPLACE_INPUTS).filter((type) => type !== "kubernetes:storage.k8s.io/v1:StorageClass"),
);
