// The form of the Kubernetes objects the review's checks read (the typed ones the program registers and the
// ones the pinned charts render) and of the results those checks give beside the policy pack's.
import type { PolicySettings } from "./policy-config";

/** One Kubernetes object, in the form of a recorded typed resource: `kubernetes:<group>/<version>:<Kind>` (core as `core/v1`), its name, and the manifest. */
export interface KubeObject {
  type: string;
  name: string;
  /** The manifest: apiVersion, kind, metadata (with the namespace filled in for namespaced kinds) and the rest. */
  inputs: Record<string, unknown>;
  /** URN of the helm.sh/v3 Release that rendered it; absent for the program's own typed objects. */
  release?: string;
}

/** One thing a check found wrong, with where and what to change. */
export interface CheckFinding {
  /** `<namespace>/<kind>/<name>` of the object the finding is about. */
  object: string;
  message: string;
}

/** The result of one review check over the stack's Kubernetes objects. */
export interface CheckResult {
  name: string;
  description: string;
  enforcementLevel: "mandatory" | "advisory";
  /** How many objects (or paths) the check looked at: a check that looked at nothing proves nothing. */
  checked: number;
  findings: CheckFinding[];
}

/** The object's kind: the manifest's, else the last part of its type token. */
export function kindOf(o: KubeObject): string {
  return typeof o.inputs.kind === "string" ? o.inputs.kind : (o.type.split(":")[2] ?? "");
}

/** `<namespace>/<kind>/<name>` of an object, as a CheckFinding names it: `-` for no namespace, the manifest's name else the record's. */
export function objectId(o: KubeObject): string {
  const metadata = (o.inputs.metadata ?? {}) as { name?: unknown; namespace?: unknown };
  const namespace = typeof metadata.namespace === "string" ? metadata.namespace : "-";
  return `${namespace}/${kindOf(o)}/${typeof metadata.name === "string" ? metadata.name : o.name}`;
}

/**
 * A check's level from the policy it follows in the stack's policy config: mandatory where that policy
 * blocks a deploy (mandatory, or remediate, which CrossGuard also enforces), advisory otherwise.
 */
export function checkLevel(settings: ReadonlyMap<string, PolicySettings>, policy: string): CheckResult["enforcementLevel"] {
  const level = settings.get(policy)?.enforcementLevel;
  return level === "mandatory" || level === "remediate" ? "mandatory" : "advisory";
}
