// Which input changes make a provider replace (delete, then create) a resource, for the stateful types the
// platform registers. The installed Pulumi SDKs do not ship their provider schema (no schema.json and no
// replaceOnChanges metadata under node_modules/@pulumi/aws, gcp or kubernetes), so this is a dated table
// written from the providers' sources. The bridged aws and gcp providers take replacement from the
// Terraform schema's `ForceNew`; the Kubernetes provider from its own list.
//
// Table date: 2026-12-02. Sources:
// - aws:rds/instance:Instance: hashicorp/terraform-provider-aws internal/service/rds/instance.go, schema
//   read at 00e4b23 (ForceNew: identifier, identifier_prefix, engine, kms_key_id, storage_encrypted,
//   username, db_name, availability_zone, character_set_name, nchar_character_set_name, timezone,
//   snapshot_identifier, custom_iam_instance_profile, restore_to_point_in_time, s3_import).
//   db_subnet_group_name carries no ForceNew there: RDS moves an instance between subnet groups in place.
// - aws:eks/cluster:Cluster: hashicorp/terraform-provider-aws pull request 34209 (provider 5.25, 2023-11)
//   made vpc_config.subnet_ids and vpc_config.security_group_ids updatable in place; name, role_arn,
//   kubernetes_network_config and outpost_config stay ForceNew.
// - The other aws types: the Terraform AWS provider documentation and schema of
//   internal/service/{elasticache,s3,kms,eks,ec2}, as the "Forces new resource" notes list them.
// - gcp types: hashicorp/terraform-provider-google google/services/{sql,redis,storage,kms,container},
//   ForceNew attributes read at e03b762 (2026-08-21).
// - kubernetes types: pulumi/pulumi-kubernetes provider/pkg/provider/diff.go (forceNewProperties: every
//   kind's metadata.name and metadata.namespace, plus the kind's own list), read at 00302be.
// Paths are the Pulumi input names (camelCase; a block of at most one item is an object, as the SDKs
// take it). A change at a listed path, below it, or of an object holding it replaces the resource.

/** Stateful type -> input paths whose change replaces the resource. */
export const REPLACE_INPUTS: Readonly<Record<string, readonly string[]>> = {
  "aws:rds/instance:Instance": [
    "identifier",
    "identifierPrefix",
    "engine",
    "kmsKeyId",
    "storageEncrypted",
    "username",
    "dbName",
    "availabilityZone",
    "characterSetName",
    "ncharCharacterSetName",
    "timezone",
    "snapshotIdentifier",
    "customIamInstanceProfile",
    "restoreToPointInTime",
    "s3Import",
  ],
  "aws:elasticache/replicationGroup:ReplicationGroup": [
    "replicationGroupId",
    "atRestEncryptionEnabled",
    "kmsKeyId",
    "subnetGroupName",
    "port",
    "preferredCacheClusterAzs",
    "snapshotArns",
    "snapshotName",
    "dataTieringEnabled",
    "globalReplicationGroupId",
  ],
  "aws:s3/bucket:Bucket": ["bucket", "bucketPrefix", "objectLockEnabled"],
  "aws:s3/bucketV2:BucketV2": ["bucket", "bucketPrefix", "objectLockEnabled"],
  "aws:kms/key:Key": ["customerMasterKeySpec", "keyUsage", "customKeyStoreId", "multiRegion", "xksKeyId"],
  "aws:eks/cluster:Cluster": [
    "name",
    "roleArn",
    "kubernetesNetworkConfig.serviceIpv4Cidr",
    "kubernetesNetworkConfig.ipFamily",
    "outpostConfig",
    "bootstrapSelfManagedAddons",
    "accessConfig.bootstrapClusterCreatorAdminPermissions",
  ],
  "aws:eks/nodeGroup:NodeGroup": [
    "clusterName",
    "nodeGroupName",
    "nodeGroupNamePrefix",
    "nodeRoleArn",
    "subnetIds",
    "amiType",
    "capacityType",
    "diskSize",
    "instanceTypes",
    "remoteAccess",
  ],
  "aws:ebs/volume:Volume": ["availabilityZone", "encrypted", "kmsKeyId", "snapshotId", "outpostArn"],
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
    // The default pool's node config: google/services/container/node_config.go schemaNodeConfig, which the
    // cluster and node pools share (ForceNew fields of the node config, as for node pools below).
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
  ],
  "kubernetes:core/v1:PersistentVolumeClaim": ["metadata.name", "metadata.namespace", "spec"],
  "kubernetes:storage.k8s.io/v1:StorageClass": ["metadata.name", "metadata.namespace", "parameters", "provisioner"],
};

/**
 * Types whose replacement or deletion loses data or the platform: databases, caches, buckets, keys,
 * clusters, node groups and volumes. A StorageClass is replaced cheaply and holds nothing.
 */
export const STATEFUL_TYPES: ReadonlySet<string> = new Set(
  Object.keys(REPLACE_INPUTS).filter((type) => type !== "kubernetes:storage.k8s.io/v1:StorageClass"),
);
