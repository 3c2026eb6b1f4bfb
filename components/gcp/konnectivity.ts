// GKE's API server reaches in-cluster webhooks through the Konnectivity agents it runs in kube-system, so a
// webhook's pods see the agents' pod addresses as the source of the call, and its ingress network policy must
// admit them. No SDK import: the review's reachability check reads the same selector.

/** The Konnectivity agent pods GKE runs: kube-system, `k8s-app: konnectivity-agent`. */
export const KONNECTIVITY_AGENTS = { namespace: "kube-system", pods: { "k8s-app": "konnectivity-agent" } } as const;
