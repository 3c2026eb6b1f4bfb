// How a grant to a workload identity is named, for every cloud's components: one grant per component, purpose
// and Kubernetes service account, named from stable strings so it never moves in the state.
import type { WorkloadIdentity } from "./types";

/** `<component>-<what>-<namespace>-<service account>`. */
export function grantName(name: string, what: string, identity: WorkloadIdentity): string {
  return `${name}-${what}-${identity.serviceAccount.namespace}-${identity.serviceAccount.name}`;
}
