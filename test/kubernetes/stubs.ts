// Stand-ins for the cloud half in Kubernetes component tests: a cluster whose identities are an AWS role or
// a Google service account (no cloud resource behind them), and the secrets sync that reads the store.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { SecretsSync } from "../../components/kubernetes/secrets";
import type { GrafanaDatasource, KubernetesCluster, LogDatasource, ServiceAccountRef, WorkloadIdentity } from "../../components/types";

/** The container security context every pod the platform writes carries, as the engine receives it. */
export const RESTRICTED_CONTAINER = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  privileged: false,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

export const POD_SECURITY = { enforce: "restricted", warn: "restricted", version: "v1.35" } as const;

/** The gateway attachment of an app `shop` at shop.example.com. */
export const SHOP_GATEWAY = {
  gatewayName: "platform",
  gatewayNamespace: "gateway",
  sectionName: "https-shop-example-com",
  routeNamespaceLabels: { "platform/gateway-routes": "true" },
  proxies: { namespace: "gateway", pods: { app: "envoy" } },
};

/** A cluster on a provider of its own; its identities are IRSA roles (`aws`) or Google service accounts (`gcp`). */
export function stubCluster(identities: "aws" | "gcp"): KubernetesCluster {
  const identity = (name: string, account: ServiceAccountRef): WorkloadIdentity =>
    identities === "aws"
      ? {
          serviceAccount: account,
          serviceAccountAnnotations: pulumi.output<Record<string, string>>({
            "eks.amazonaws.com/role-arn": `arn:aws:iam::123456789012:role/${name}`,
          }),
          principal: pulumi.output(`arn:aws:iam::123456789012:role/${name}`),
          principalId: pulumi.output(name),
        }
      : {
          serviceAccount: account,
          serviceAccountAnnotations: pulumi.output<Record<string, string>>({}),
          principal: pulumi.output(`${name}@example-platform.iam.gserviceaccount.com`),
          principalId: pulumi.output(name),
        };
  return {
    clusterName: pulumi.output("test"),
    provider: new k8s.Provider("k8s", { kubeconfig: "{}" }),
    kubeconfig: pulumi.secret("{}"),
    apiServerCidrs: ["10.0.0.0/19"],
    bindServiceAccount: identity,
  };
}

/** The External Secrets operator on the stub cluster, reading Secrets Manager in eu-west-1. */
export function stubSecrets(cluster: KubernetesCluster): SecretsSync {
  return new SecretsSync(
    "secrets",
    {
      cluster,
      podSecurity: POD_SECURITY,
      storeProvider: { aws: { service: "SecretsManager", region: "eu-west-1" } },
      webhookCallers: [{ cidrs: ["10.0.0.0/19"] }],
      scrapers: { namespace: "monitoring", pods: { "app.kubernetes.io/name": "prometheus" } },
    },
    { providers: [cluster.provider] },
  );
}

/** A log store with no cloud behind it: a Loki-typed datasource, and the identities granted reads in `granted`. */
export function stubLogs(granted: WorkloadIdentity[] = []): LogDatasource {
  return {
    datasource: pulumi.output<GrafanaDatasource>({
      name: "Logs",
      type: "loki",
      uid: "container-logs",
      access: "proxy",
      editable: false,
      jsonData: {},
    }),
    plugins: [],
    namespaceLogsTarget: (namespace) =>
      pulumi.output(namespace).apply((ns): Record<string, unknown> => ({ refId: "A", expr: `{namespace="${ns}"}` })),
    grantRead: (identity) => {
      granted.push(identity);
    },
  };
}
