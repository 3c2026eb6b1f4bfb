// cert-manager with its CRDs (templated by the chart, so upgrades update them) and the Let's Encrypt
// ClusterIssuers, solving HTTP-01 through the platform's Gateway: no DNS credentials in the cluster.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { KubernetesCluster, WebhookCaller } from "../types";
import { helmRelease } from "../helm";
import { CERT_MANAGER_CHART } from "./charts";
import { PlatformNamespace, type PodSecurity } from "./namespace";
import { type Allowance, apiServerEgress, dnsEgress, internetHttpsEgress, type Labels, type PodPeer } from "./network-policy";

export type IssuerName = "letsencrypt-staging" | "letsencrypt-production";
const ACME_SERVERS: Readonly<Record<IssuerName, string>> = {
  "letsencrypt-staging": "https://acme-staging-v02.api.letsencrypt.org/directory",
  "letsencrypt-production": "https://acme-v02.api.letsencrypt.org/directory",
};
export const CERT_MANAGER_METRICS_PORT = 9402;
/**
 * Every pod the chart's ServiceMonitor scrapes on the metrics port: the controller, the cainjector and the
 * webhook each serve metrics and share only the release's instance label.
 */
export const CERT_MANAGER_METRICS_PODS: Labels = { "app.kubernetes.io/instance": "cert-manager" };
const CERT_MANAGER_WEBHOOK_PORT = 10250;
/** Labels cert-manager puts on its HTTP-01 solver pods (which run in the Certificate's namespace). */
export const ACME_SOLVER_PODS: Labels = { "acme.cert-manager.io/http01-solver": "true" };
export const ACME_SOLVER_PORT = 8089;
const CONTROLLER_PODS: Labels = { "app.kubernetes.io/name": "cert-manager", "app.kubernetes.io/component": "controller" };
const WEBHOOK_PODS: Labels = { "app.kubernetes.io/name": "webhook", "app.kubernetes.io/component": "webhook" };

export interface CertManagerArgs {
  cluster: KubernetesCluster;
  /** @default "cert-manager" */
  namespace?: string;
  podSecurity: PodSecurity;
  /** Issuers to create; certificates name one of them. */
  issuers: IssuerName[];
  /** The Gateway listener HTTP-01 challenges are answered on (plain HTTP, port 80). */
  http01Listener: { gatewayName: string; gatewayNamespace: string; sectionName: string };
  /** ACME account e-mail (Let's Encrypt no longer sends expiry mail; used for account recovery). @default none */
  acmeEmail?: string;
  /** Where the API server's calls to the webhook arrive from (ClusterServices.webhookCallers). */
  webhookCallers: readonly WebhookCaller[];
  /** Prometheus pods, admitted to the metrics port of the controller, the cainjector and the webhook. */
  scrapers: Required<PodPeer>;
  /** Controller and webhook replicas. @default 2 */
  replicas?: number;
  /** The Prometheus operator's CRDs: the chart installs a ServiceMonitor. */
  prometheusCrds: pulumi.Resource;
  /**
   * What installs the Gateway API CRDs: the controller runs with `config.gatewayAPI.enabled` and exits at
   * startup when those CRDs are missing, so the release (which waits for its pods) waits for them.
   */
  gatewayApiCrds: pulumi.Resource;
}

/**
 * The cert-manager namespace's allowances: DNS, the API server, the ACME directory (and the HTTP-01
 * self-check), the API server calling the webhook, and Prometheus scraping the metrics port.
 */
function certManagerAllowances(args: Pick<CertManagerArgs, "cluster" | "webhookCallers" | "scrapers">): Allowance[] {
  return [
    dnsEgress(),
    // Every component (controller, cainjector, webhook, the startup check) works through the API.
    apiServerEgress(args.cluster.apiServerCidrs),
    // The ACME directory, and the self-check of each HTTP-01 challenge through the public address.
    internetHttpsEgress("acme", CONTROLLER_PODS, [{ port: 443 }, { port: 80 }]),
    {
      name: "webhook",
      direction: "Ingress",
      pods: WEBHOOK_PODS,
      peers: [...args.webhookCallers],
      ports: [{ port: CERT_MANAGER_WEBHOOK_PORT }],
    },
    {
      name: "from-prometheus",
      direction: "Ingress",
      pods: CERT_MANAGER_METRICS_PODS,
      peers: [args.scrapers],
      ports: [{ port: CERT_MANAGER_METRICS_PORT }],
    },
  ];
}

/**
 * The cert-manager release with its CRDs, Gateway API support and a ServiceMonitor; it waits for the
 * Prometheus operator's CRDs and the Gateway API CRDs.
 */
function createRelease(
  name: string,
  args: CertManagerArgs,
  namespace: pulumi.Input<string>,
  replicas: number,
  parent: pulumi.Resource,
): k8s.helm.v3.Release {
  return helmRelease(
    `${name}-release`,
    {
      chart: CERT_MANAGER_CHART,
      name: "cert-manager",
      namespace,
      values: {
        // Templated CRDs: `helm upgrade` updates them; `keep` leaves them (and every certificate) on uninstall.
        crds: { enabled: true, keep: true },
        replicaCount: replicas,
        podDisruptionBudget: { enabled: replicas > 1, maxUnavailable: 1 },
        resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "512Mi" } },
        webhook: {
          replicaCount: replicas,
          securePort: CERT_MANAGER_WEBHOOK_PORT,
          podDisruptionBudget: { enabled: replicas > 1, maxUnavailable: 1 },
          resources: { requests: { cpu: "20m", memory: "64Mi" }, limits: { memory: "256Mi" } },
        },
        // The CA injector watches every Secret and webhook of the cluster: it needs more memory than the webhook.
        cainjector: { resources: { requests: { cpu: "20m", memory: "128Mi" }, limits: { memory: "512Mi" } } },
        startupapicheck: { resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "64Mi" } } },
        config: {
          apiVersion: "controller.config.cert-manager.io/v1alpha1",
          kind: "ControllerConfiguration",
          gatewayAPI: { enabled: true },
        },
        prometheus: { enabled: true, servicemonitor: { enabled: true } },
      },
      dependsOn: [args.prometheusCrds, args.gatewayApiCrds],
    },
    parent,
  );
}

/** One Let's Encrypt ClusterIssuer answering HTTP-01 challenges through the Gateway's plain HTTP listener. */
function createIssuer(
  name: string,
  issuer: IssuerName,
  args: CertManagerArgs,
  release: k8s.helm.v3.Release,
  parent: pulumi.Resource,
): k8s.apiextensions.CustomResource {
  const listener = args.http01Listener;
  return new k8s.apiextensions.CustomResource(
    `${name}-${issuer}`,
    {
      apiVersion: "cert-manager.io/v1",
      kind: "ClusterIssuer",
      metadata: { name: issuer },
      spec: {
        acme: {
          server: ACME_SERVERS[issuer],
          ...(args.acmeEmail !== undefined && { email: args.acmeEmail }),
          privateKeySecretRef: { name: `${issuer}-account` },
          solvers: [
            {
              http01: {
                gatewayHTTPRoute: {
                  parentRefs: [
                    {
                      group: "gateway.networking.k8s.io",
                      kind: "Gateway",
                      name: listener.gatewayName,
                      namespace: listener.gatewayNamespace,
                      sectionName: listener.sectionName,
                    },
                  ],
                  serviceType: "ClusterIP",
                },
              },
            },
          ],
        },
      },
    },
    { parent, dependsOn: [release] },
  );
}

export class CertManager extends pulumi.ComponentResource {
  readonly namespace: string;
  /** The release, and with it the CRDs: Certificates and Issuers wait for it. */
  readonly release: k8s.helm.v3.Release;
  readonly issuers: k8s.apiextensions.CustomResource[];

  constructor(name: string, args: CertManagerArgs, opts?: pulumi.ComponentResourceOptions) {
    if (args.issuers.length === 0) throw new Error(`CertManager ${name}: args.issuers must name at least one issuer`);
    super("platform:kubernetes:CertManager", name, {}, opts);
    this.namespace = args.namespace ?? "cert-manager";
    const replicas = args.replicas ?? 2;
    const ns = new PlatformNamespace(
      `${name}-ns`,
      { name: this.namespace, podSecurity: args.podSecurity, allowances: certManagerAllowances(args) },
      { parent: this },
    );
    this.release = createRelease(name, args, ns.ready, replicas, this);
    this.issuers = args.issuers.map((issuer) => createIssuer(name, issuer, args, this.release, this));
    this.registerOutputs({ namespace: this.namespace });
  }
}
