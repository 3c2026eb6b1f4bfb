// Pod templates of Kubernetes workloads as the engine receives them (the object's own fields, camelCase
// as in the Kubernetes API), the containers in them, and image references.
import { list, record } from "./values";

/** The Kubernetes fields these policies read from a container (core/v1 Container). */
export interface Container {
  name?: string;
  image?: string;
  ports?: { containerPort?: number; hostPort?: number }[];
  env?: { name?: string; value?: string; valueFrom?: unknown }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  livenessProbe?: unknown;
  readinessProbe?: unknown;
  restartPolicy?: string;
  securityContext?: {
    privileged?: boolean;
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    runAsNonRoot?: boolean;
    runAsUser?: number;
    capabilities?: { add?: string[]; drop?: string[] };
    seccompProfile?: { type?: string };
  };
}

/** core/v1 PodSpec, as far as these policies read it. */
export interface PodSpec {
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; seccompProfile?: { type?: string } };
  containers?: Container[];
  initContainers?: Container[];
  ephemeralContainers?: Container[];
  volumes?: Record<string, unknown>[];
}

/** A workload object: metadata, plus the spec that holds (or is) the pod template. */
export interface KubernetesObject {
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
}

/** Where each workload kind keeps its pod spec. */
const POD_SPEC_PATHS: Record<string, readonly string[]> = {
  "kubernetes:core/v1:Pod": ["spec"],
  "kubernetes:apps/v1:Deployment": ["spec", "template", "spec"],
  "kubernetes:apps/v1:StatefulSet": ["spec", "template", "spec"],
  "kubernetes:apps/v1:DaemonSet": ["spec", "template", "spec"],
  "kubernetes:apps/v1:ReplicaSet": ["spec", "template", "spec"],
  "kubernetes:batch/v1:Job": ["spec", "template", "spec"],
  "kubernetes:batch/v1:CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
};

export const WORKLOAD_TYPES = Object.keys(POD_SPEC_PATHS);
/** Workloads that run until stopped, as opposed to jobs; these need probes. */
export const LONG_RUNNING_TYPES = WORKLOAD_TYPES.filter((t) => !t.startsWith("kubernetes:batch/"));

export function podSpecOf(type: string, object: unknown): PodSpec {
  let at: unknown = object;
  for (const key of POD_SPEC_PATHS[type] ?? []) at = record(at)[key];
  return record(at);
}

/** The pod template's labels (for a bare Pod, its own). */
export function podLabelsOf(type: string, object: KubernetesObject): Record<string, string> {
  const path = POD_SPEC_PATHS[type] ?? [];
  let at: unknown = object;
  for (const key of path.slice(0, -1)) at = record(at)[key];
  return record(record(record(at).metadata).labels) as Record<string, string>;
}

type ContainerKind = "container" | "init container" | "ephemeral container";
interface ContainerAt {
  kind: ContainerKind;
  name: string;
  container: Container;
}

/** Containers of a pod spec, each with a label for messages ("container app", "init container migrate"). */
export function containersOf(
  spec: PodSpec,
  kinds: readonly ContainerKind[] = ["container", "init container", "ephemeral container"],
): ContainerAt[] {
  const groups: [ContainerKind, unknown][] = [
    ["container", spec.containers],
    ["init container", spec.initContainers],
    ["ephemeral container", spec.ephemeralContainers],
  ];
  return groups
    .filter(([kind]) => kinds.includes(kind))
    .flatMap(([kind, containers]) =>
      list(containers).map((c, i) => {
        const container = record(c) as Container;
        return { kind, name: typeof container.name === "string" ? container.name : String(i + 1), container };
      }),
    );
}

export const where = (c: ContainerAt): string => `${c.kind} ${c.name}`;

/** An image reference split into its parts: `registry/repo[:tag][@digest]`. */
export function parseImage(image: string): { repository: string; tag?: string; digest?: string } {
  const [named = "", digest] = image.split("@", 2);
  const slash = named.lastIndexOf("/");
  const colon = named.lastIndexOf(":");
  // A colon before the last slash belongs to a registry port (localhost:5000/app), not a tag.
  const tag = colon > slash ? named.slice(colon + 1) : undefined;
  return {
    repository: tag === undefined ? named : named.slice(0, colon),
    ...(tag !== undefined && { tag }),
    ...(digest !== undefined && { digest }),
  };
}
