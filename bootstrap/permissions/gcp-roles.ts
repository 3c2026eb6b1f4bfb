// What each predefined GCP role the bootstrap grants holds, limited to the permissions the type tables
// (gcp-types.ts, kubernetes.ts) ask for; `x.*` where the role holds every permission Google defines under x.
// Source: Google's predefined roles as listed by the IAM API (roles.get), in the snapshot of
// darkbitio/gcp-iam-role-permissions of 2026-08-22 (roles/<name>), the same lists as
// cloud.google.com/iam/docs/roles-permissions/<service>.
//
// A role granted by the bootstrap but missing here fails test/bootstrap/coverage.test.ts with the line to add.

/** `<service>.<resource>.<verb>` for each resource and verb. */
const each = (service: string, resources: readonly string[], verbs: readonly string[]) =>
  resources.flatMap((r) => verbs.map((v) => `${service}.${r}.${v}`));

/** The Kubernetes resources the platform's objects and charts use, Secrets apart (GKE names, kubernetes.ts). */
const K8S_RESOURCES = [
  "clusterRoleBindings",
  "clusterRoles",
  "configMaps",
  "cronJobs",
  "customResourceDefinitions",
  "deployments",
  "horizontalPodAutoscalers",
  "jobs",
  "mutatingWebhookConfigurations",
  "namespaces",
  "networkPolicies",
  "persistentVolumeClaims",
  "podDisruptionBudgets",
  "pods",
  "roleBindings",
  "roles",
  "serviceAccounts",
  "services",
  "storageClasses",
  "thirdPartyObjects",
  "validatingWebhookConfigurations",
] as const;

export const GCP_ROLE_PERMISSIONS: Readonly<Record<string, readonly string[]>> = {
  // Deploy roles.
  "roles/compute.networkAdmin": [
    "compute.firewalls.get",
    "compute.globalAddresses.*",
    "compute.globalOperations.get",
    "compute.networks.*",
    "compute.regionOperations.get",
    "compute.routers.*",
    "compute.subnetworks.*",
    "compute.zones.*",
    "resourcemanager.projects.get",
    "servicenetworking.operations.get",
    "servicenetworking.services.addPeering",
    "servicenetworking.services.deleteConnection",
    "servicenetworking.services.get",
    "serviceusage.services.list",
  ],
  "roles/compute.securityAdmin": [
    "compute.firewalls.*",
    "compute.globalOperations.get",
    "compute.networks.get",
    "compute.networks.updatePolicy",
    "compute.regionOperations.get",
    "compute.routers.get",
    "compute.subnetworks.get",
    "compute.zones.*",
    "resourcemanager.projects.get",
    "serviceusage.services.list",
  ],
  "roles/container.admin": ["container.*", "resourcemanager.projects.get"],
  "roles/cloudsql.admin": ["cloudsql.*", "resourcemanager.projects.get", "serviceusage.services.list"],
  "roles/redis.admin": ["redis.*", "resourcemanager.projects.get", "serviceusage.services.use"],
  "roles/storage.admin": ["resourcemanager.projects.get", "storage.buckets.*", "storage.objects.*"],
  "roles/cloudkms.admin": [
    "cloudkms.cryptoKeyVersions.destroy",
    "cloudkms.cryptoKeyVersions.list",
    "cloudkms.cryptoKeys.*",
    "cloudkms.keyRings.*",
    "resourcemanager.projects.get",
  ],
  "roles/secretmanager.admin": ["resourcemanager.projects.get", "secretmanager.*"],
  "roles/servicenetworking.networksAdmin": ["servicenetworking.*"],
  "roles/serviceusage.serviceUsageAdmin": ["serviceusage.operations.*", "serviceusage.services.*"],
  "roles/iam.serviceAccountAdmin": [
    ...each("iam", ["serviceAccounts"], ["create", "delete", "disable", "enable", "get", "getIamPolicy", "setIamPolicy", "update"]),
    "resourcemanager.projects.get",
  ],
  "roles/iam.serviceAccountUser": ["iam.serviceAccounts.actAs", "iam.serviceAccounts.get", "resourcemanager.projects.get"],
  "roles/resourcemanager.projectIamAdmin": [
    "resourcemanager.projects.get",
    "resourcemanager.projects.getIamPolicy",
    "resourcemanager.projects.setIamPolicy",
  ],
  "roles/logging.configWriter": [
    ...each("logging", ["buckets"], ["create", "delete", "get", "update"]),
    "logging.sinks.*",
    "resourcemanager.projects.get",
  ],
  // Preview roles.
  "roles/compute.networkViewer": [
    ...each("compute", ["firewalls", "globalAddresses", "networks", "routers", "subnetworks"], ["get"]),
    "compute.zones.*",
    "resourcemanager.projects.get",
    "servicenetworking.services.get",
    "serviceusage.services.list",
  ],
  "roles/compute.viewer": [
    ...each(
      "compute",
      ["firewalls", "globalAddresses", "globalOperations", "networks", "regionOperations", "routers", "subnetworks"],
      ["get"],
    ),
    "compute.zones.*",
    "resourcemanager.projects.get",
    "serviceusage.services.list",
  ],
  // Every Kubernetes resource's get and list except Secrets'.
  "roles/container.viewer": [
    ...each("container", K8S_RESOURCES, ["get", "list"]),
    "container.clusters.connect",
    "container.clusters.get",
    "container.operations.*",
    "resourcemanager.projects.get",
  ],
  "roles/cloudsql.viewer": [
    "cloudsql.databases.get",
    "cloudsql.instances.get",
    "cloudsql.users.list",
    "resourcemanager.projects.get",
    "serviceusage.services.list",
  ],
  // No redis.instances.getAuthString: only redis.admin (and editor, owner, iam.databasesAdmin) hold it.
  "roles/redis.viewer": ["redis.instances.get", "redis.operations.get", "resourcemanager.projects.get", "serviceusage.services.use"],
  "roles/cloudkms.viewer": [
    "cloudkms.cryptoKeyVersions.list",
    "cloudkms.cryptoKeys.get",
    "cloudkms.keyRings.get",
    "resourcemanager.projects.get",
  ],
  // No secretmanager.versions.access: reading payloads is secretmanager.secretAccessor's.
  "roles/secretmanager.viewer": [
    "resourcemanager.projects.get",
    "secretmanager.secrets.get",
    "secretmanager.secrets.getIamPolicy",
    "secretmanager.versions.get",
  ],
  "roles/iam.securityReviewer": [
    "cloudkms.cryptoKeyVersions.list",
    "cloudkms.cryptoKeys.getIamPolicy",
    "cloudsql.users.list",
    "compute.zones.list",
    ...each("container", K8S_RESOURCES, ["list"]),
    "iam.serviceAccounts.get",
    "iam.serviceAccounts.getIamPolicy",
    "resourcemanager.projects.getIamPolicy",
    "secretmanager.secrets.getIamPolicy",
    "serviceusage.services.list",
    "storage.buckets.getIamPolicy",
    "storage.objects.list",
  ],
  // Logs Viewer also reads the project's logs, but not Data Access audit logs (the pgaudit entries).
  "roles/logging.viewer": ["logging.buckets.get", "logging.sinks.get", "resourcemanager.projects.get"],
  // Beta stage; the only predefined role with storage.buckets.get and no object or write permission.
  "roles/storage.bucketViewer": ["storage.buckets.get"],
};

/**
 * Reads a refresh makes that no predefined read-only role holds: every predefined role holding them may also
 * change or delete what it reads, and the preview identity runs pull requests' code. The bootstrap grants
 * exactly these through a custom role of its own (bootstrap/gcp.ts).
 */
export const GCP_PREVIEW_SECRET_READS: Readonly<Record<string, string>> = {
  // Holders: roles/redis.admin, roles/iam.databasesAdmin, roles/editor, roles/owner.
  "redis.instances.getAuthString": "the Memorystore instance's Read fetches its AUTH string",
  // Holders: roles/container.admin, roles/container.developer, roles/container.editor and wider.
  "container.secrets.get": "Kubernetes Secrets and Helm release records are read through the GKE API",
  "container.secrets.list": "Helm lists a release's records (Secrets) by label",
};

/** The id of that custom role, `projects/<project>/roles/<id>`. */
export const GCP_PREVIEW_SECRETS_ROLE_ID = "platformPreviewSecretReader";
