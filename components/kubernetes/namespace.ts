// A namespace the platform owns: Pod Security admission labels, a default-deny NetworkPolicy for both
// directions, and one NetworkPolicy per allowance. Everything a namespace may talk to is listed where it
// is created.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { type Allowance, allowancePolicy, defaultDeny, type NetworkPolicyManifest } from "./network-policy";
import { failer } from "../args";

export type PodSecurityLevel = "privileged" | "baseline" | "restricted";

/** Pod Security admission for a namespace: what is refused, what only warns, against which release of the standard. */
export interface PodSecurity {
  enforce: PodSecurityLevel;
  /** Level that produces warnings and audit entries; at least as strict as `enforce`. */
  warn: PodSecurityLevel;
  /** Release of the standard, pinned so a cluster upgrade never tightens it silently, e.g. "v1.35". */
  version: string;
}

const LEVELS: readonly PodSecurityLevel[] = ["privileged", "baseline", "restricted"];
const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** The pod-security.kubernetes.io labels for a namespace. */
function podSecurityLabels(p: PodSecurity): Record<string, string> {
  return {
    "pod-security.kubernetes.io/enforce": p.enforce,
    "pod-security.kubernetes.io/enforce-version": p.version,
    "pod-security.kubernetes.io/warn": p.warn,
    "pod-security.kubernetes.io/warn-version": p.version,
    "pod-security.kubernetes.io/audit": p.warn,
    "pod-security.kubernetes.io/audit-version": p.version,
  };
}

export interface PlatformNamespaceArgs {
  /** The namespace's name (a DNS label); also its Pulumi identity. */
  name: string;
  podSecurity: PodSecurity;
  /** What the namespace's pods may receive and send beyond nothing. @default none (all traffic denied) */
  allowances?: Allowance[];
  /** Extra labels, e.g. the one a Gateway's allowedRoutes selects. @default none */
  labels?: Record<string, string>;
  /**
   * The namespace is made by something else (an EKS add-on installs its own): its labels are applied with a
   * server-side apply patch instead, so the platform states its Pod Security level and policies without
   * owning, or ever deleting, the namespace itself. @default false
   */
  patchExisting?: boolean;
}

function check(args: PlatformNamespaceArgs): void {
  const fail = failer("PlatformNamespace", args.name);
  if (!NAMESPACE.test(args.name)) fail(`args.name must be a DNS label (got ${JSON.stringify(args.name)})`);
  const { enforce, warn, version } = args.podSecurity;
  if (!LEVELS.includes(enforce) || !LEVELS.includes(warn))
    fail(`args.podSecurity levels must be one of ${LEVELS.join(", ")} (got ${JSON.stringify({ enforce, warn })})`);
  if (LEVELS.indexOf(warn) < LEVELS.indexOf(enforce))
    fail(`args.podSecurity.warn must be at least as strict as enforce (got enforce ${enforce}, warn ${warn})`);
  if (!/^v1\.\d+$/.test(version))
    fail(`args.podSecurity.version must be a Kubernetes minor such as "v1.35" (got ${JSON.stringify(version)})`);
  const names = new Set<string>();
  for (const a of args.allowances ?? []) {
    if (names.has(a.name)) fail(`args.allowances has two allowances named ${JSON.stringify(a.name)}`);
    names.add(a.name);
  }
}

export class PlatformNamespace extends pulumi.ComponentResource {
  readonly name: string;
  readonly namespace: k8s.core.v1.Namespace | k8s.core.v1.NamespacePatch;
  readonly policies: k8s.networking.v1.NetworkPolicy[];
  /**
   * The namespace's name, known once the namespace and every one of its network policies exist. Objects
   * created in the namespace take `metadata.namespace` from it, so they wait for their allowances: a
   * chart's hook job never starts under the default-deny alone.
   */
  readonly ready: pulumi.Output<string>;

  constructor(name: string, args: PlatformNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
    check(args);
    super("platform:kubernetes:Namespace", name, {}, opts);
    this.name = args.name;
    const labels = { ...args.labels, ...podSecurityLabels(args.podSecurity) };
    // A patched namespace keeps its maker's managed-by; only the labels stated here are the platform's.
    const metadata = { name: args.name, labels: args.patchExisting ? labels : { ...labels, "app.kubernetes.io/managed-by": "pulumi" } };
    this.namespace = args.patchExisting
      ? new k8s.core.v1.NamespacePatch(`${name}-namespace-labels`, { metadata }, { parent: this })
      : new k8s.core.v1.Namespace(`${name}-namespace`, { metadata }, { parent: this });
    // Policies name the namespace through its output, so they wait for it.
    const ns = this.namespace.metadata.name;
    const policy = (id: string, body: NetworkPolicyManifest) =>
      new k8s.networking.v1.NetworkPolicy(`${name}-${id}`, { ...body, metadata: { ...body.metadata, namespace: ns } }, { parent: this });
    this.policies = [
      policy("default-deny", defaultDeny(args.name)),
      ...(args.allowances ?? []).map((a) => policy(`allow-${a.name}`, allowancePolicy(args.name, a))),
    ];
    this.ready = pulumi.all([ns, ...this.policies.map((p) => p.metadata.name)]).apply(([namespace]) => namespace!);
    this.registerOutputs({ name: this.name });
  }
}
