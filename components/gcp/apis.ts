// Which Google API each GCP resource type of the platform calls, and which APIs must be on before the stack
// can enable the rest. Pure: no Pulumi resources; the stack tests hold every recorded resource to it, so a
// resource type added without its API fails them.
//
// Sources: each resource's "API documentation" link in hashicorp/terraform-provider-google
// website/docs/r/*.html.markdown (read at e03b762, 2026-08-21), the provider every pulumi-gcp resource wraps.

/** Service Usage: the API every other one is enabled through (gcp.projects.Service calls it). */
export const SERVICE_USAGE_API = "serviceusage.googleapis.com";
/**
 * Cloud Resource Manager: the program looks the project up through it before anything is created, and the
 * provider reads the project through it before it enables an API (google/services/resourcemanager/
 * resource_google_project_service.go, Projects.Get).
 */
export const RESOURCE_MANAGER_API = "cloudresourcemanager.googleapis.com";
/** What must be on before the stack runs: it can enable neither itself. */
export const PREREQUISITE_APIS: readonly string[] = [SERVICE_USAGE_API, RESOURCE_MANAGER_API];

export const STORAGE_API = "storage.googleapis.com";
export const CONTAINER_API = "container.googleapis.com";
export const SQL_ADMIN_API = "sqladmin.googleapis.com";
export const REDIS_API = "redis.googleapis.com";
export const BINARY_AUTHORIZATION_API = "binaryauthorization.googleapis.com";

/** Resource type -> the API its create, read, update and delete calls go to. */
export const RESOURCE_APIS: Readonly<Record<string, string>> = {
  "gcp:projects/service:Service": SERVICE_USAGE_API,
  // services.generateServiceIdentity is a Service Usage method.
  "gcp:projects/serviceIdentity:ServiceIdentity": SERVICE_USAGE_API,
  // Project IAM and audit configs are the project's IAM policy (projects.setIamPolicy).
  "gcp:projects/iAMMember:IAMMember": RESOURCE_MANAGER_API,
  "gcp:projects/iAMAuditConfig:IAMAuditConfig": RESOURCE_MANAGER_API,
  "gcp:compute/network:Network": "compute.googleapis.com",
  "gcp:compute/subnetwork:Subnetwork": "compute.googleapis.com",
  "gcp:compute/router:Router": "compute.googleapis.com",
  "gcp:compute/routerNat:RouterNat": "compute.googleapis.com",
  "gcp:compute/firewall:Firewall": "compute.googleapis.com",
  "gcp:compute/globalAddress:GlobalAddress": "compute.googleapis.com",
  "gcp:servicenetworking/connection:Connection": "servicenetworking.googleapis.com",
  "gcp:container/cluster:Cluster": CONTAINER_API,
  "gcp:container/nodePool:NodePool": CONTAINER_API,
  "gcp:kms/keyRing:KeyRing": "cloudkms.googleapis.com",
  "gcp:kms/cryptoKey:CryptoKey": "cloudkms.googleapis.com",
  "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember": "cloudkms.googleapis.com",
  "gcp:sql/databaseInstance:DatabaseInstance": SQL_ADMIN_API,
  "gcp:sql/database:Database": SQL_ADMIN_API,
  "gcp:sql/user:User": SQL_ADMIN_API,
  "gcp:redis/instance:Instance": REDIS_API,
  "gcp:secretmanager/secret:Secret": "secretmanager.googleapis.com",
  "gcp:secretmanager/secretVersion:SecretVersion": "secretmanager.googleapis.com",
  "gcp:secretmanager/secretIamMember:SecretIamMember": "secretmanager.googleapis.com",
  "gcp:storage/bucket:Bucket": STORAGE_API,
  "gcp:storage/bucketIAMMember:BucketIAMMember": STORAGE_API,
  "gcp:serviceaccount/account:Account": "iam.googleapis.com",
  "gcp:serviceaccount/iAMMember:IAMMember": "iam.googleapis.com",
  "gcp:logging/projectBucketConfig:ProjectBucketConfig": "logging.googleapis.com",
  "gcp:logging/projectSink:ProjectSink": "logging.googleapis.com",
};

/**
 * The APIs a recorded resource needs on: its type's, and what its settings call beyond it. A GKE cluster
 * sends its system and workload logs to Cloud Logging and its metrics to Cloud Monitoring (its loggingConfig and
 * monitoringConfig), and enforcing Binary Authorization evaluates the project's policy in that API. Undefined
 * for a type RESOURCE_APIS does not list.
 */
export function apisOf(type: string, inputs: Record<string, unknown>): string[] | undefined {
  const api = RESOURCE_APIS[type];
  if (api === undefined) return undefined;
  if (type !== "gcp:container/cluster:Cluster") return [api];
  const binaryAuthorization = inputs.binaryAuthorization as { evaluationMode?: unknown } | undefined;
  return [
    api,
    ...(inputs.loggingConfig !== undefined ? ["logging.googleapis.com"] : []),
    ...(inputs.monitoringConfig !== undefined ? ["monitoring.googleapis.com"] : []),
    ...(binaryAuthorization?.evaluationMode === "PROJECT_SINGLETON_POLICY_ENFORCE" ? [BINARY_AUTHORIZATION_API] : []),
  ];
}
