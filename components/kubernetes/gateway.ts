// Ingress with TLS: Gateway API and Envoy Gateway (ingress-nginx is retired upstream). One Gateway behind
// the cloud's L4 load balancer, an HTTPS listener per hostname with a cert-manager certificate, plain
// HTTP answering only with a redirect to HTTPS (and ACME challenges), a per-client-IP rate limit, and
// the client's real address from PROXY protocol where the load balancer sends it.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { KubernetesCluster, LoadBalancerClass } from "../types";
import { ACME_SOLVER_PODS, ACME_SOLVER_PORT, type CertManager, type IssuerName } from "./cert-manager";
import { type HelmChart, helmRelease } from "../helm";
import { PlatformNamespace, type PodSecurity } from "./namespace";
import { type Allowance, apiServerEgress, dnsEgress, type Labels, type PodPeer } from "./network-policy";

export const ENVOY_GATEWAY_VERSION = "v1.9.0";
export const ENVOY_GATEWAY_CHART: HelmChart = { chart: "oci://docker.io/envoyproxy/gateway-helm", version: ENVOY_GATEWAY_VERSION };
/** Gateway API and Envoy Gateway CRDs, templated (so upgrades update them), one release each. */
export const GATEWAY_CRDS_CHART: HelmChart = { chart: "oci://docker.io/envoyproxy/gateway-crds-helm", version: ENVOY_GATEWAY_VERSION };
export const GATEWAY_API = "gateway.networking.k8s.io/v1";
export const ENVOY_GATEWAY_API = "gateway.envoyproxy.io/v1alpha1";
export const CONTROLLER_NAME = "gateway.envoyproxy.io/gatewayclass-controller";
/** Envoy Gateway shifts privileged listener ports by 10000 inside the proxy pods (80 -> 10080). */
export const PROXY_PORTS = { http: 10080, https: 10443, metrics: 19001 };
export const XDS_PORT = 18000;
export const PROXY_PODS: Labels = {
  "app.kubernetes.io/name": "envoy",
  "app.kubernetes.io/component": "proxy",
  "app.kubernetes.io/managed-by": "envoy-gateway",
};
const CONTROLLER_PODS: Labels = { "control-plane": "envoy-gateway" };
const CERTGEN_PODS: Labels = { app: "certgen" };
/** Namespaces whose HTTPRoutes the HTTPS listeners accept carry this label. */
export const ROUTE_NAMESPACE_LABELS: Labels = { "platform/gateway-routes": "true" };
export const HTTP_LISTENER = "http";
/** Name of the Gateway and of its GatewayClass; the ACME issuers attach their challenges to it. */
export const GATEWAY_NAME = "platform";

export interface GatewayBackend {
  namespace: string;
  port: number;
}

export interface IngressGatewayArgs {
  cluster: KubernetesCluster;
  loadBalancer: LoadBalancerClass;
  /**
   * Builds the cert-manager the certificates are issued by, given the release that installs the Gateway
   * API CRDs: cert-manager's Gateway API support needs those CRDs before it starts, and they are created
   * here. Called once, right after the CRD releases.
   */
  certManager: (gatewayApiCrds: pulumi.Resource) => CertManager;
  /** @default "gateway" */
  namespace?: string;
  podSecurity: PodSecurity;
  /** Hostnames served over HTTPS, one listener and certificate each. */
  hostnames: string[];
  issuer: IssuerName;
  /** Requests per minute each client address may make, per proxy replica. */
  rateLimitPerMinute: number;
  /** Apps the proxies forward to: the only egress they get besides DNS and the controller. */
  backends: GatewayBackend[];
  /** Prometheus pods, admitted to the proxies' metrics port. */
  scrapers: Required<PodPeer>;
  /** What installs the PodMonitor kind (the Prometheus operator's CRDs). */
  prometheusCrds: pulumi.Resource;
  /** Proxy and controller replicas; at least two survive a node drain. @default 2 */
  replicas?: number;
}

/** `https-` plus the hostname with dots as dashes: a listener (section) name the API accepts. */
export function listenerName(hostname: string): string {
  return `https-${hostname.replace(/\./g, "-")}`;
}

function check(name: string, args: IngressGatewayArgs): void {
  const fail = (message: string): never => {
    throw new Error(`IngressGateway ${name}: ${message}`);
  };
  if (args.hostnames.length === 0) fail("args.hostnames must list at least one hostname");
  if (new Set(args.hostnames).size !== args.hostnames.length)
    fail(`args.hostnames must not repeat a hostname (got ${JSON.stringify(args.hostnames)})`);
  if (args.hostnames.length > 63) fail("args.hostnames allows 63 hostnames: a Gateway holds at most 64 listeners");
  if (!Number.isInteger(args.rateLimitPerMinute) || args.rateLimitPerMinute < 1)
    fail(`args.rateLimitPerMinute must be a whole number >= 1 (got ${JSON.stringify(args.rateLimitPerMinute)})`);
}

/** The gateway namespace's allowances, in one list so a test can read them as a table. */
export function gatewayAllowances(args: Pick<IngressGatewayArgs, "cluster" | "loadBalancer" | "backends" | "scrapers">): Allowance[] {
  const backendsByNamespace = new Map<string, number[]>();
  for (const b of args.backends)
    backendsByNamespace.set(b.namespace, [...new Set([...(backendsByNamespace.get(b.namespace) ?? []), b.port])]);
  return [
    dnsEgress(),
    {
      name: "from-load-balancer",
      direction: "Ingress",
      pods: PROXY_PODS,
      peers: [{ cidrs: args.loadBalancer.sourceCidrs }],
      ports: [{ port: PROXY_PORTS.http }, { port: PROXY_PORTS.https }],
    },
    { name: "proxy-to-controller", direction: "Egress", pods: PROXY_PODS, peers: [{ pods: CONTROLLER_PODS }], ports: [{ port: XDS_PORT }] },
    {
      name: "controller-from-proxy",
      direction: "Ingress",
      pods: CONTROLLER_PODS,
      peers: [{ pods: PROXY_PODS }],
      ports: [{ port: XDS_PORT }],
    },
    apiServerEgress(args.cluster.apiServerCidrs, CONTROLLER_PODS),
    { ...apiServerEgress(args.cluster.apiServerCidrs, CERTGEN_PODS), name: "certgen-kube-api" },
    {
      name: "proxy-to-acme-solver",
      direction: "Egress",
      pods: PROXY_PODS,
      peers: [{ pods: ACME_SOLVER_PODS }],
      ports: [{ port: ACME_SOLVER_PORT }],
    },
    {
      name: "acme-solver-from-proxy",
      direction: "Ingress",
      pods: ACME_SOLVER_PODS,
      peers: [{ pods: PROXY_PODS }],
      ports: [{ port: ACME_SOLVER_PORT }],
    },
    { name: "from-prometheus", direction: "Ingress", pods: PROXY_PODS, peers: [args.scrapers], ports: [{ port: PROXY_PORTS.metrics }] },
    ...[...backendsByNamespace].map(([namespace, ports]): Allowance => ({
      name: `to-${namespace}`,
      direction: "Egress",
      pods: PROXY_PODS,
      peers: [{ namespace }],
      ports: ports.map((port) => ({ port })),
    })),
  ];
}

export class IngressGateway extends pulumi.ComponentResource {
  readonly namespace: string;
  readonly gatewayName = GATEWAY_NAME;
  readonly gateway: k8s.apiextensions.CustomResource;
  /** Who may reach an app's port: the proxies. */
  readonly proxies: Required<PodPeer>;
  /** The Gateway API and Envoy Gateway CRDs: routes and policies wait for them. */
  readonly crds: k8s.helm.v3.Release[];
  /** The cert-manager built by `args.certManager`, after the Gateway API CRDs it needs. */
  readonly certManager: CertManager;

  constructor(name: string, args: IngressGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    check(name, args);
    super("platform:kubernetes:IngressGateway", name, {}, opts);
    const namespaceName = args.namespace ?? "gateway";
    this.namespace = namespaceName;
    this.proxies = { namespace: namespaceName, pods: PROXY_PODS };
    const replicas = args.replicas ?? 2;
    const ns = new PlatformNamespace(
      `${name}-ns`,
      { name: namespaceName, podSecurity: args.podSecurity, allowances: gatewayAllowances(args) },
      { parent: this },
    );
    const namespace = ns.ready;
    const crds = (id: string, values: Record<string, unknown>) =>
      helmRelease(`${name}-${id}`, { chart: GATEWAY_CRDS_CHART, name: id, namespace, values: { crds: values } }, this);
    const gatewayApiCrds = crds("gateway-api-crds", {
      gatewayAPI: { enabled: true, channel: "experimental" },
      envoyGateway: { enabled: false },
    });
    const crdReleases = [gatewayApiCrds, crds("envoy-gateway-crds", { gatewayAPI: { enabled: false }, envoyGateway: { enabled: true } })];
    this.crds = crdReleases;
    const certManager = args.certManager(gatewayApiCrds);
    this.certManager = certManager;
    const controller = helmRelease(
      `${name}-envoy-gateway`,
      {
        chart: ENVOY_GATEWAY_CHART,
        name: "envoy-gateway",
        namespace,
        values: {
          // The CRD releases above own the CRDs.
          crds: { enabled: false },
          deployment: {
            replicas,
            envoyGateway: { resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "1024Mi" } } },
          },
          podDisruptionBudget: { minAvailable: replicas > 1 ? 1 : 0 },
          // Zone-aware routing hints need a mutating webhook the API server would call; not worth the opening.
          topologyInjector: { enabled: false },
        },
        dependsOn: crdReleases,
      },
      this,
    );
    const after = { parent: this, dependsOn: [controller] };

    const proxyConfig = new k8s.apiextensions.CustomResource(
      `${name}-proxy-config`,
      {
        apiVersion: ENVOY_GATEWAY_API,
        kind: "EnvoyProxy",
        metadata: { name: "platform-proxy", namespace },
        spec: {
          provider: {
            type: "Kubernetes",
            kubernetes: {
              envoyService: { type: "LoadBalancer", externalTrafficPolicy: "Local", annotations: args.loadBalancer.serviceAnnotations },
              envoyDeployment: {
                replicas,
                pod: {
                  topologySpreadConstraints: [
                    {
                      maxSkew: 1,
                      topologyKey: "topology.kubernetes.io/zone",
                      whenUnsatisfiable: "ScheduleAnyway",
                      labelSelector: { matchLabels: PROXY_PODS },
                    },
                    {
                      maxSkew: 1,
                      topologyKey: "kubernetes.io/hostname",
                      whenUnsatisfiable: "ScheduleAnyway",
                      labelSelector: { matchLabels: PROXY_PODS },
                    },
                  ],
                },
                container: { resources: { requests: { cpu: "200m", memory: "512Mi" }, limits: { memory: "1Gi" } } },
              },
              envoyPDB: { maxUnavailable: 1 },
            },
          },
        },
      },
      after,
    );
    const gatewayClass = new k8s.apiextensions.CustomResource(
      `${name}-class`,
      {
        apiVersion: GATEWAY_API,
        kind: "GatewayClass",
        metadata: { name: GATEWAY_NAME },
        spec: {
          controllerName: CONTROLLER_NAME,
          parametersRef: { group: "gateway.envoyproxy.io", kind: "EnvoyProxy", name: "platform-proxy", namespace: namespaceName },
        },
      },
      { parent: this, dependsOn: [controller, proxyConfig] },
    );

    const certificates = args.hostnames.map(
      (hostname) =>
        new k8s.apiextensions.CustomResource(
          `${name}-${listenerName(hostname)}-certificate`,
          {
            apiVersion: "cert-manager.io/v1",
            kind: "Certificate",
            metadata: { name: listenerName(hostname), namespace },
            spec: {
              secretName: `${listenerName(hostname)}-tls`,
              dnsNames: [hostname],
              issuerRef: { group: "cert-manager.io", kind: "ClusterIssuer", name: args.issuer },
              privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
            },
          },
          { parent: this, dependsOn: [certManager.release, ...certManager.issuers] },
        ),
    );

    this.gateway = new k8s.apiextensions.CustomResource(
      `${name}-gateway`,
      {
        apiVersion: GATEWAY_API,
        kind: "Gateway",
        metadata: { name: this.gatewayName, namespace },
        spec: {
          gatewayClassName: GATEWAY_NAME,
          listeners: [
            // Redirects and ACME challenges only, both from routes in this namespace.
            { name: HTTP_LISTENER, protocol: "HTTP", port: 80, allowedRoutes: { namespaces: { from: "Same" } } },
            ...args.hostnames.map((hostname) => ({
              name: listenerName(hostname),
              protocol: "HTTPS",
              port: 443,
              hostname,
              tls: { mode: "Terminate", certificateRefs: [{ group: "", kind: "Secret", name: `${listenerName(hostname)}-tls` }] },
              allowedRoutes: {
                namespaces: { from: "Selector", selector: { matchLabels: ROUTE_NAMESPACE_LABELS } },
                kinds: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute" }],
              },
            })),
          ],
        },
      },
      // The load balancer controller must be running before the Service the Gateway gets is created.
      { parent: this, dependsOn: [gatewayClass, ...certificates, ...args.loadBalancer.dependsOn] },
    );
    const targetGateway = [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: this.gatewayName }];

    new k8s.apiextensions.CustomResource(
      `${name}-https-redirect`,
      {
        apiVersion: GATEWAY_API,
        kind: "HTTPRoute",
        metadata: { name: "https-redirect", namespace },
        spec: {
          parentRefs: [
            {
              group: "gateway.networking.k8s.io",
              kind: "Gateway",
              name: this.gatewayName,
              namespace: namespaceName,
              sectionName: HTTP_LISTENER,
            },
          ],
          rules: [{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] }],
        },
      },
      { parent: this, dependsOn: [this.gateway] },
    );

    // Request, error and latency metrics per route come from the proxies; the alert rules read them.
    new k8s.apiextensions.CustomResource(
      `${name}-proxy-metrics`,
      {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PodMonitor",
        metadata: { name: "envoy-proxies", namespace },
        spec: {
          selector: { matchLabels: PROXY_PODS },
          podMetricsEndpoints: [{ port: "metrics", path: "/stats/prometheus", interval: "30s" }],
        },
      },
      { parent: this, dependsOn: [this.gateway, args.prometheusCrds] },
    );

    new k8s.apiextensions.CustomResource(
      `${name}-rate-limit`,
      {
        apiVersion: ENVOY_GATEWAY_API,
        kind: "BackendTrafficPolicy",
        metadata: { name: "per-client-rate-limit", namespace },
        spec: {
          targetRefs: targetGateway,
          // Distinct: one bucket per client address. Local: counted by each proxy replica on its own.
          rateLimit: {
            local: {
              rules: [
                {
                  clientSelectors: [{ sourceCIDR: { type: "Distinct", value: "0.0.0.0/0" } }],
                  limit: { requests: args.rateLimitPerMinute, unit: "Minute" },
                },
              ],
            },
          },
        },
      },
      { parent: this, dependsOn: [this.gateway] },
    );

    new k8s.apiextensions.CustomResource(
      `${name}-client-traffic`,
      {
        apiVersion: ENVOY_GATEWAY_API,
        kind: "ClientTrafficPolicy",
        metadata: { name: "client-traffic", namespace },
        spec: {
          targetRefs: targetGateway,
          tls: { minVersion: "1.2" },
          // The rate limit and access logs key on the client, which PROXY protocol names when the load balancer sends it.
          ...(args.loadBalancer.proxyProtocol && { proxyProtocol: {} }),
        },
      },
      { parent: this, dependsOn: [this.gateway] },
    );
    this.registerOutputs({ namespace: this.namespace, gatewayName: this.gatewayName });
  }

  /** Where an app's route attaches for `hostname`. */
  attachmentFor(hostname: string) {
    return {
      gatewayName: this.gatewayName,
      gatewayNamespace: this.namespace,
      sectionName: listenerName(hostname),
      routeNamespaceLabels: ROUTE_NAMESPACE_LABELS,
      proxies: this.proxies,
    };
  }
}
