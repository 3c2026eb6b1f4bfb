// The form of the Kubernetes objects the review's checks read (the typed ones the program registers and the
// ones the pinned charts render) and of the results those checks give beside the policy pack's.

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
