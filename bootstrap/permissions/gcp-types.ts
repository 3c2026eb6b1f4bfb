// What each GCP resource type, data source and provider the platform registers asks of the identity running
// Pulumi, one line per type. The calls are those of the resource's file in hashicorp/terraform-provider-google
// (google/services/<service>/resource_*.go on main of 2026-08-21, just after v7.45.0; @pulumi/gcp 9.37
// bridges the same code from terraform-provider-google-beta 7.x); the permission each call needs is the API
// reference's ("Authorization requires the following IAM permission"), cross-checked against the method ->
// permission map of iann0036/iam-dataset gcp/map.json (2026-08-22).
//
// A type missing here fails test/bootstrap/coverage.test.ts with the line to add.
import { always, NOTHING, type Needs } from "./needs";

type Extra = Partial<Record<keyof Needs, readonly string[]>>;

/**
 * The usual Google REST collection `<service>.<resources>`: insert -> create, get -> get, patch -> update,
 * delete -> delete. The provider reads the resource back after creating or updating it.
 */
function crud(collection: string, extra: Extra = {}): Needs {
  const read = [`${collection}.get`, ...(extra.read ?? [])];
  return {
    create: [`${collection}.create`, ...read, ...(extra.create ?? [])],
    read,
    update: [`${collection}.update`, ...read, ...(extra.update ?? [])],
    delete: [`${collection}.delete`, ...(extra.delete ?? [])],
  };
}

/** A `*IAMMember` / audit config: read-modify-write of the parent's IAM policy. */
function iamPolicy(collection: string): Needs {
  const rw = [`${collection}.getIamPolicy`, `${collection}.setIamPolicy`];
  return { create: rw, read: [`${collection}.getIamPolicy`], update: rw, delete: rw };
}

/** Compute writes return an operation the provider polls: global or regional. */
const GLOBAL_OP = {
  create: ["compute.globalOperations.get"],
  update: ["compute.globalOperations.get"],
  delete: ["compute.globalOperations.get"],
};
const REGION_OP = {
  create: ["compute.regionOperations.get"],
  update: ["compute.regionOperations.get"],
  delete: ["compute.regionOperations.get"],
};
const ops = (permission: string) => ({ create: [permission], update: [permission], delete: [permission] });

export const GCP_TYPE_NEEDS: Readonly<Record<string, Needs>> = {
  // firewalls.insert/patch/delete also need compute.networks.updatePolicy on the network.
  "gcp:compute/firewall:Firewall": crud("compute.firewalls", {
    create: ["compute.networks.updatePolicy", ...GLOBAL_OP.create],
    update: ["compute.networks.updatePolicy", ...GLOBAL_OP.update],
    delete: ["compute.networks.updatePolicy", ...GLOBAL_OP.delete],
  }),
  // An INTERNAL (private services access) range: insert/delete check the *Internal permissions too; labels are setLabels.
  "gcp:compute/globalAddress:GlobalAddress": {
    create: [
      "compute.globalAddresses.create",
      "compute.globalAddresses.createInternal",
      "compute.globalAddresses.get",
      ...GLOBAL_OP.create,
    ],
    read: ["compute.globalAddresses.get"],
    update: ["compute.globalAddresses.setLabels", "compute.globalAddresses.get", ...GLOBAL_OP.update],
    delete: ["compute.globalAddresses.delete", "compute.globalAddresses.deleteInternal", ...GLOBAL_OP.delete],
  },
  "gcp:compute/network:Network": crud("compute.networks", GLOBAL_OP),
  "gcp:compute/router:Router": crud("compute.routers", REGION_OP),
  // A NAT is a field of its router: every write is a router patch (resource_compute_router_nat.go).
  "gcp:compute/routerNat:RouterNat": {
    create: ["compute.routers.get", "compute.routers.update", ...REGION_OP.create],
    read: ["compute.routers.get"],
    update: ["compute.routers.get", "compute.routers.update", ...REGION_OP.update],
    delete: ["compute.routers.get", "compute.routers.update", ...REGION_OP.delete],
  },
  "gcp:compute/subnetwork:Subnetwork": crud("compute.subnetworks", {
    ...REGION_OP,
    update: ["compute.subnetworks.setPrivateIpGoogleAccess", ...REGION_OP.update],
  }),
  // clusters.create also needs iam.serviceAccounts.actAs on the nodes' service account
  // (cloud.google.com/kubernetes-engine/docs/reference/api-permissions).
  "gcp:container/cluster:Cluster": crud("container.clusters", {
    create: ["iam.serviceAccounts.actAs", "container.operations.get"],
    update: ["container.operations.get"],
    delete: ["container.operations.get"],
  }),
  // Node pools are authorised on their cluster: create, update and delete need container.clusters.update.
  "gcp:container/nodePool:NodePool": {
    create: ["container.clusters.update", "container.clusters.get", "iam.serviceAccounts.actAs", "container.operations.get"],
    read: ["container.clusters.get"],
    update: ["container.clusters.update", "container.clusters.get", "container.operations.get"],
    delete: ["container.clusters.update", "container.operations.get"],
  },
  // A key cannot be deleted: the provider destroys its versions and turns rotation off (clearCryptoKeyVersions).
  "gcp:kms/cryptoKey:CryptoKey": {
    ...crud("cloudkms.cryptoKeys"),
    delete: ["cloudkms.cryptoKeyVersions.list", "cloudkms.cryptoKeyVersions.destroy", "cloudkms.cryptoKeys.update"],
  },
  "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember": iamPolicy("cloudkms.cryptoKeys"),
  // Key rings cannot be deleted or changed: delete only forgets it.
  "gcp:kms/keyRing:KeyRing": {
    create: ["cloudkms.keyRings.create", "cloudkms.keyRings.get"],
    read: ["cloudkms.keyRings.get"],
    update: [],
    delete: [],
  },
  // Acquire-or-create: the provider GETs the bucket, PATCHes it when it exists (_Default), else creates it;
  // deleting _Default or _Required only forgets it.
  "gcp:logging/projectBucketConfig:ProjectBucketConfig": {
    create: ["logging.buckets.get", "logging.buckets.create", "logging.buckets.update"],
    read: ["logging.buckets.get"],
    update: ["logging.buckets.update", "logging.buckets.get"],
    delete: ["logging.buckets.delete"],
  },
  "gcp:logging/projectSink:ProjectSink": crud("logging.sinks"),
  // Audit configs live in the project's IAM policy.
  "gcp:projects/iAMAuditConfig:IAMAuditConfig": iamPolicy("resourcemanager.projects"),
  "gcp:projects/iAMMember:IAMMember": iamPolicy("resourcemanager.projects"),
  // Enabling reads the enabled list and batch-enables (resource_google_project_service.go); delete disables
  // only with disableOnDestroy, and is listed so that choice stays the program's.
  "gcp:projects/service:Service": {
    create: ["resourcemanager.projects.get", "serviceusage.services.list", "serviceusage.services.enable", "serviceusage.operations.get"],
    read: ["resourcemanager.projects.get", "serviceusage.services.list"],
    update: [],
    delete: ["serviceusage.services.disable", "serviceusage.operations.get"],
  },
  // services.generateServiceIdentity (v1beta1) names no permission in its reference; it is modelled as
  // serviceusage.services.use plus the operation poll. There is no read or delete call.
  "gcp:projects/serviceIdentity:ServiceIdentity": {
    create: ["serviceusage.services.use", "serviceusage.operations.get"],
    read: [],
    update: [],
    delete: [],
  },
  // With AUTH on, Read GETs .../authString and fails when refused (resourceRedisInstanceDecoder).
  "gcp:redis/instance:Instance": crud("redis.instances", { read: ["redis.instances.getAuthString"], ...ops("redis.operations.get") }),
  "gcp:secretmanager/secret:Secret": crud("secretmanager.secrets"),
  "gcp:secretmanager/secretIamMember:SecretIamMember": iamPolicy("secretmanager.secrets"),
  // Read also GETs the version's payload (:access), but since v7.3.0 a refused access only logs and keeps the
  // payload in state (hashicorp/terraform-provider-google#24326), and a version's payload never changes.
  "gcp:secretmanager/secretVersion:SecretVersion": {
    create: ["secretmanager.versions.add", "secretmanager.versions.get"],
    read: ["secretmanager.versions.get"],
    update: ["secretmanager.versions.enable", "secretmanager.versions.disable", "secretmanager.versions.get"],
    delete: ["secretmanager.versions.destroy"],
  },
  "gcp:serviceaccount/account:Account": crud("iam.serviceAccounts", {
    update: ["iam.serviceAccounts.enable", "iam.serviceAccounts.disable"],
  }),
  "gcp:serviceaccount/iAMMember:IAMMember": iamPolicy("iam.serviceAccounts"),
  // connections.create/patch need addPeering, list (the provider's Read) services.get, deleteConnection its own.
  "gcp:servicenetworking/connection:Connection": {
    create: ["servicenetworking.services.addPeering", "servicenetworking.services.get", "servicenetworking.operations.get"],
    read: ["servicenetworking.services.get"],
    update: ["servicenetworking.services.addPeering", "servicenetworking.services.get", "servicenetworking.operations.get"],
    delete: ["servicenetworking.services.deleteConnection", "servicenetworking.operations.get"],
  },
  // Cloud SQL operations are read with cloudsql.instances.get.
  "gcp:sql/database:Database": crud("cloudsql.databases", ops("cloudsql.instances.get")),
  // A primary's create lists its users (to drop a wildcard root user).
  "gcp:sql/databaseInstance:DatabaseInstance": crud("cloudsql.instances", { create: ["cloudsql.users.list"] }),
  // There is no users.get: Read lists the instance's users.
  "gcp:sql/user:User": {
    create: ["cloudsql.users.create", "cloudsql.instances.get", "cloudsql.users.list"],
    read: ["cloudsql.instances.get", "cloudsql.users.list"],
    update: ["cloudsql.users.update", "cloudsql.instances.get", "cloudsql.users.list"],
    delete: ["cloudsql.users.delete", "cloudsql.instances.get"],
  },
  // Delete lists (and with forceDestroy deletes) the objects first.
  "gcp:storage/bucket:Bucket": crud("storage.buckets", { delete: ["storage.objects.list"] }),
  "gcp:storage/bucketIAMMember:BucketIAMMember": iamPolicy("storage.buckets"),
  "random:index/randomId:RandomId": NOTHING,
  "random:index/randomPassword:RandomPassword": NOTHING,
  "pulumi:providers:gcp": NOTHING,
  "pulumi:providers:random": NOTHING,
  // The kubeconfig's exec plugin only mints a token; the API server (its DNS endpoint) admits a Google identity
  // holding container.clusters.connect, and the provider's discovery reads the cluster.
  "pulumi:providers:kubernetes": always("container.clusters.get", "container.clusters.connect"),
};

/** Data sources the program calls on GCP, previews included (review/answers.ts answers each offline). */
export const GCP_INVOKE_NEEDS: Readonly<Record<string, readonly string[]>> = {
  "gcp:organizations/getProject:getProject": ["resourcemanager.projects.get"],
  // Answered from the provider's own credentials: no API call.
  "gcp:organizations/getClientConfig:getClientConfig": [],
  "gcp:compute/getZones:getZones": ["compute.zones.list"],
  // storage projects.serviceAccount.get: resourcemanager.projects.get on the project.
  "gcp:storage/getProjectServiceAccount:getProjectServiceAccount": ["resourcemanager.projects.get"],
};
