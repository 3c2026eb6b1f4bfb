// What the Kubernetes objects the platform manages ask of a Google identity on GKE. GKE authorises each
// Kubernetes API request with IAM (or RBAC, which the platform grants CI nothing in): the permission is
// container.<resource>.<verb>, custom resources' is container.thirdPartyObjects.<verb>
// (cloud.google.com/kubernetes-engine/docs/reference/api-permissions, read 2026-08-22; the resource names
// are those of roles/container.admin in Google's predefined roles, darkbitio/gcp-iam-role-permissions
// snapshot of 2026-08-22). On EKS the cluster's access entries authorise instead, not IAM actions.
//
// A kind missing here fails test/bootstrap/coverage.test.ts with the line to add.
import type { Needs } from "./needs";

/**
 * Kubernetes serves the core group and `*.k8s.io` groups itself; any other group is a custom resource's. These
 * `*.k8s.io` groups are served by CRDs the cluster installs (Gateway API, volume snapshots) instead.
 */
const CRD_GROUPS_UNDER_K8S_IO = new Set(["gateway.networking.k8s.io", "snapshot.storage.k8s.io"]);
const builtIn = (group: string) => !CRD_GROUPS_UNDER_K8S_IO.has(group) && (!group.includes(".") || group.endsWith(".k8s.io"));

/**
 * Built-in kind -> GKE's IAM resource name. `null`: GKE's permission list names none (a kind newer than it),
 * so only a grant of all of container.* is taken to cover it.
 */
export const GKE_RESOURCES: Readonly<Record<string, string | null>> = {
  ConfigMap: "configMaps",
  Namespace: "namespaces",
  PersistentVolumeClaim: "persistentVolumeClaims",
  Pod: "pods",
  Secret: "secrets",
  Service: "services",
  ServiceAccount: "serviceAccounts",
  Deployment: "deployments",
  Job: "jobs",
  CronJob: "cronJobs",
  HorizontalPodAutoscaler: "horizontalPodAutoscalers",
  PodDisruptionBudget: "podDisruptionBudgets",
  NetworkPolicy: "networkPolicies",
  Role: "roles",
  RoleBinding: "roleBindings",
  ClusterRole: "clusterRoles",
  ClusterRoleBinding: "clusterRoleBindings",
  StorageClass: "storageClasses",
  CustomResourceDefinition: "customResourceDefinitions",
  MutatingWebhookConfiguration: "mutatingWebhookConfigurations",
  ValidatingWebhookConfiguration: "validatingWebhookConfigurations",
  ValidatingAdmissionPolicy: null,
  ValidatingAdmissionPolicyBinding: null,
};

/** `kubernetes:apps/v1:Deployment` -> { group: "apps", kind: "Deployment" }; undefined for other tokens. */
export function kubernetesKind(type: string): { group: string; kind: string } | undefined {
  const match = /^kubernetes:([^/]+)\/[^:]+:(.+)$/.exec(type);
  return match ? { group: match[1]!, kind: match[2]! } : undefined;
}

const verbs = (resource: string, list: boolean): Needs => {
  const p = `container.${resource}`;
  const read = [`${p}.get`, ...(list ? [`${p}.list`] : [])];
  return { create: [`${p}.create`, ...read], read, update: [`${p}.update`, ...read], delete: [`${p}.delete`] };
};

/**
 * The GKE permissions for one Kubernetes object type, or a string saying which line to add. A `*Patch` type
 * (server-side apply onto an object someone else made) creates nothing: each operation patches it.
 */
export function gkeNeeds(type: string): Needs | string {
  const parsed = kubernetesKind(type);
  if (!parsed) return `${type} is not a Kubernetes object type`;
  const patch = parsed.kind.endsWith("Patch");
  const kind = patch ? parsed.kind.slice(0, -"Patch".length) : parsed.kind;
  let resource: string | null;
  if (!builtIn(parsed.group)) resource = "thirdPartyObjects";
  else if (kind in GKE_RESOURCES) resource = GKE_RESOURCES[kind]!;
  else
    return `add ${kind} (API group ${parsed.group}) to GKE_RESOURCES in bootstrap/permissions/kubernetes.ts: its IAM resource name from GKE's api-permissions reference`;
  if (resource === null) return { create: ["container.*"], read: ["container.*"], update: ["container.*"], delete: ["container.*"] };
  const needs = verbs(resource, false);
  if (!patch) return needs;
  return { create: needs.update, read: needs.read, update: needs.update, delete: needs.update };
}

/**
 * A Helm release: its storage (one Secret per revision, listed by label on every read, helm's default
 * "secret" driver; pulumi/pulumi-kubernetes provider/pkg/provider/helm_release.go Read -> getRelease) and
 * every kind its chart renders, which the review records (review/render.ts).
 */
export function helmReleaseNeeds(renderedKinds: readonly string[]): { needs: Needs; problems: string[] } {
  const storage = verbs("secrets", true);
  const problems: string[] = [];
  const all = [storage];
  for (const kind of renderedKinds) {
    const needs = gkeNeeds(kind);
    if (typeof needs === "string") problems.push(needs);
    else all.push(needs);
  }
  const union = (op: keyof Needs) => [...new Set(all.flatMap((n) => n[op]))];
  return {
    // A refresh reads the release record alone, not the chart's objects.
    needs: { create: union("create"), read: storage.read, update: union("update"), delete: union("delete") },
    problems,
  };
}
