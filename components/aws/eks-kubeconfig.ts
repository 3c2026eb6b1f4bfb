// The kubeconfig of an EKS cluster. Pure: the caller passes resolved values and marks the result secret.

export interface KubeconfigInputs {
  clusterName: string;
  endpoint: string;
  /** Base64 PEM of the cluster's certificate authority, as EKS returns it. */
  certificateAuthorityData: string;
  region: string;
}

/**
 * A kubeconfig (as JSON, which is YAML) that authenticates with `aws eks get-token`: no token is stored,
 * each use signs a fresh one with whatever AWS credentials the caller has, so access follows IAM and
 * the cluster's access entries.
 */
export function kubeconfigFor(c: KubeconfigInputs): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: c.clusterName, cluster: { server: c.endpoint, "certificate-authority-data": c.certificateAuthorityData } }],
    contexts: [{ name: c.clusterName, context: { cluster: c.clusterName, user: c.clusterName } }],
    "current-context": c.clusterName,
    preferences: {},
    users: [
      {
        name: c.clusterName,
        user: {
          exec: {
            apiVersion: "client.authentication.k8s.io/v1beta1",
            command: "aws",
            args: ["eks", "get-token", "--cluster-name", c.clusterName, "--region", c.region, "--output", "json"],
            // Pipelines have no terminal: fail instead of waiting for input.
            interactiveMode: "Never",
          },
        },
      },
    ],
  });
}
