// Ingress with TLS: Gateway API and Envoy Gateway (ingress-nginx is retired upstream). One Gateway behind
// the cloud's L4 load balancer, an HTTPS listener per hostname with a cert-manager certificate, plain
// HTTP answering only with a redirect to HTTPS (and ACME challenges), a per-client-IP rate limit, and
// the client's real address from PROXY protocol where the load balancer sends it.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { KubernetesCluster, LoadBalancerClass } from "../types";
import { ACME_SOLVER_PODS, ACME_SOLVER_PORT, type CertManager, type IssuerName } from "./cert-manager";
import { helmRelease } from "../helm";
import { ENVOY_GATEWAY_CHART, GATEWAY_CRDS_CHART } from "./charts";
import { PlatformNamespace, type PodSecurity } from "./namespace";
import { type Allowance, apiServerEgress, dnsEgress, type Labels, type PodPeer } from "./network-policy";
import { failer } from "../args";

const GATEWAY_API = "gateway.networking.k8s.io/v1";
const ENVOY_GATEWAY_API = "gateway.envoyproxy.io/v1alpha1";
const CONTROLLER_NAME = "gateway.envoyproxy.io/gatewayclass-controller";
/** Envoy Gateway shifts privileged listener ports by 10000 inside the proxy pods (80 -> 10080). */
export const PROXY_PORTS = { http: 10080, https: 10443, metrics: 19001 };
const XDS_PORT = 18000;
export const PROXY_PODS: Labels = {
  "app.kubernetes.io/name": "envoy",
  "app.kubernetes.io/component": "proxy",
  "app.kubernetes.io/managed-by": "envoy-gateway",
};
const CONTROLLER_PODS: Labels = { "control-plane": "envoy-gateway" };
const CERTGEN_PODS: Labels = { app: "certgen" };
/** Namespaces whose HTTPRoutes the HTTPS listeners accept carry this label. */
const ROUTE_NAMESPACE_LABELS: Labels = { "platform/gateway-routes": "true" };
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
  const fail = failer("IngressGateway", name);
  if (args.hostnames.length === 0) fail("args.hostnames must list at least one hostname");
  if (new Set(args.hostnames).size !== args.hostnames.length)
    fail(`args.hostnames must not repeat a hostname (got ${JSON.stringify(args.hostnames)})`);
  if (args.hostnames.length > 63) fail("args.hostnames allows 63 hostnames: a Gateway holds at most 64 listeners");
  if (!Number.isInteger(args.rateLimitPerMinute) || args.rateLimitPerMinute < 1)
    fail(`args.rateLimitPerMinute must be a whole number >= 1 (got ${JSON.stringify(args.rateLimitPerMinute)})`);
}

/** The gateway namespace's allowances, in one list that reads as a table (test/kubernetes/gateway.test.ts checks it row by row). */
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

/** Where every step places its resources: the component's name, its namespace and the component as parent. */
interface GatewayScope {
  name: string;
  /** The namespace's name, known once the namespace and its network policies exist. */
  namespace: pulumi.Output<string>;
  /** The same name as a plain string, for references the Gateway API resolves by name. */
  namespaceName: string;
  parent: pulumi.Resource;
}

/**
 * The Gateway API CRDs (experimental channel) and Envoy Gateway's own CRDs, from the same chart as two
 * releases. The first is returned on its own too: cert-manager waits for it.
 */
function createCrds(at: GatewayScope): { gatewayApiCrds: k8s.helm.v3.Release; crdReleases: k8s.helm.v3.Release[] } {
  const crds = (id: string, values: Record<string, unknown>) =>
    helmRelease(`${at.name}-${id}`, { chart: GATEWAY_CRDS_CHART, name: id, namespace: at.namespace, values: { crds: values } }, at.parent);
  const gatewayApiCrds = crds("gateway-api-crds", {
    gatewayAPI: { enabled: true, channel: "experimental" },
    envoyGateway: { enabled: false },
  });
  const crdReleases = [gatewayApiCrds, crds("envoy-gateway-crds", { gatewayAPI: { enabled: false }, envoyGateway: { enabled: true } })];
  return { gatewayApiCrds, crdReleases };
}

/** The Envoy Gateway controller, after the CRD releases (which own the CRDs). */
function createController(at: GatewayScope, replicas: number, crdReleases: k8s.helm.v3.Release[]): k8s.helm.v3.Release {
  return helmRelease(
    `${at.name}-envoy-gateway`,
    {
      chart: ENVOY_GATEWAY_CHART,
      name: "envoy-gateway",
      namespace: at.namespace,
      values: {
        // The CRD releases above own the CRDs.
        crds: { enabled: false },
        deployment: {
          replicas,
          envoyGateway: { resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "1024Mi" } } },
        },
        podDisruptionBudget: { minAvailable: replicas > 1 ? 1 : 0 },
        // The Job that writes the controller's certificates at install and upgrade.
        certgen: { job: { resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } } } },
        // Zone-aware routing hints need a mutating webhook the API server would call; not worth the opening.
        topologyInjector: { enabled: false },
      },
      dependsOn: crdReleases,
    },
    at.parent,
  );
}

/**
 * The EnvoyProxy the GatewayClass points at: proxies behind a LoadBalancer Service with the cloud's
 * annotations, spread over zones and nodes, with a disruption budget.
 */
function createProxyConfig(
  at: GatewayScope,
  loadBalancer: LoadBalancerClass,
  replicas: number,
  controller: k8s.helm.v3.Release,
): k8s.apiextensions.CustomResource {
  const spread = (topologyKey: string) => ({
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable: "ScheduleAnyway",
    labelSelector: { matchLabels: PROXY_PODS },
  });
  return new k8s.apiextensions.CustomResource(
    `${at.name}-proxy-config`,
    {
      apiVersion: ENVOY_GATEWAY_API,
      kind: "EnvoyProxy",
      metadata: { name: "platform-proxy", namespace: at.namespace },
      spec: {
        provider: {
          type: "Kubernetes",
          kubernetes: {
            envoyService: { type: "LoadBalancer", externalTrafficPolicy: "Local", annotations: loadBalancer.serviceAnnotations },
            envoyDeployment: {
              replicas,
              pod: { topologySpreadConstraints: [spread("topology.kubernetes.io/zone"), spread("kubernetes.io/hostname")] },
              container: { resources: { requests: { cpu: "200m", memory: "512Mi" }, limits: { memory: "1Gi" } } },
            },
            envoyPDB: { maxUnavailable: 1 },
          },
        },
      },
    },
    { parent: at.parent, dependsOn: [controller] },
  );
}

/** The GatewayClass, handled by Envoy Gateway and parametrised by the EnvoyProxy. */
function createGatewayClass(
  at: GatewayScope,
  controller: k8s.helm.v3.Release,
  proxyConfig: k8s.apiextensions.CustomResource,
): k8s.apiextensions.CustomResource {
  return new k8s.apiextensions.CustomResource(
    `${at.name}-class`,
    {
      apiVersion: GATEWAY_API,
      kind: "GatewayClass",
      metadata: { name: GATEWAY_NAME },
      spec: {
        controllerName: CONTROLLER_NAME,
        parametersRef: { group: "gateway.envoyproxy.io", kind: "EnvoyProxy", name: "platform-proxy", namespace: at.namespaceName },
      },
    },
    { parent: at.parent, dependsOn: [controller, proxyConfig] },
  );
}

/** One cert-manager Certificate per hostname, into the Secret its HTTPS listener serves. */
function createCertificates(
  at: GatewayScope,
  hostnames: string[],
  issuer: IssuerName,
  certManager: CertManager,
): k8s.apiextensions.CustomResource[] {
  return hostnames.map(
    (hostname) =>
      new k8s.apiextensions.CustomResource(
        `${at.name}-${listenerName(hostname)}-certificate`,
        {
          apiVersion: "cert-manager.io/v1",
          kind: "Certificate",
          metadata: { name: listenerName(hostname), namespace: at.namespace },
          spec: {
            secretName: `${listenerName(hostname)}-tls`,
            dnsNames: [hostname],
            issuerRef: { group: "cert-manager.io", kind: "ClusterIssuer", name: issuer },
            privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
          },
        },
        { parent: at.parent, dependsOn: [certManager.release, ...certManager.issuers] },
      ),
  );
}

/**
 * The Gateway: a plain HTTP listener for this namespace's routes, and an HTTPS listener per hostname that
 * accepts HTTPRoutes from namespaces labelled for it.
 */
function createGateway(at: GatewayScope, hostnames: string[], dependsOn: pulumi.Resource[]): k8s.apiextensions.CustomResource {
  return new k8s.apiextensions.CustomResource(
    `${at.name}-gateway`,
    {
      apiVersion: GATEWAY_API,
      kind: "Gateway",
      metadata: { name: GATEWAY_NAME, namespace: at.namespace },
      spec: {
        gatewayClassName: GATEWAY_NAME,
        listeners: [
          // Redirects and ACME challenges only, both from routes in this namespace.
          { name: HTTP_LISTENER, protocol: "HTTP", port: 80, allowedRoutes: { namespaces: { from: "Same" } } },
          ...hostnames.map((hostname) => ({
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
    { parent: at.parent, dependsOn },
  );
}

/** The route on the HTTP listener that answers every request with a permanent redirect to HTTPS. */
function createHttpsRedirect(at: GatewayScope, gateway: k8s.apiextensions.CustomResource): void {
  new k8s.apiextensions.CustomResource(
    `${at.name}-https-redirect`,
    {
      apiVersion: GATEWAY_API,
      kind: "HTTPRoute",
      metadata: { name: "https-redirect", namespace: at.namespace },
      spec: {
        parentRefs: [
          {
            group: "gateway.networking.k8s.io",
            kind: "Gateway",
            name: GATEWAY_NAME,
            namespace: at.namespaceName,
            sectionName: HTTP_LISTENER,
          },
        ],
        rules: [{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] }],
      },
    },
    { parent: at.parent, dependsOn: [gateway] },
  );
}

/**
 * The PodMonitor through which Prometheus scrapes the proxies: request, error and latency metrics per route,
 * which the alert rules read.
 */
function createProxyMetrics(at: GatewayScope, gateway: k8s.apiextensions.CustomResource, prometheusCrds: pulumi.Resource): void {
  new k8s.apiextensions.CustomResource(
    `${at.name}-proxy-metrics`,
    {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "PodMonitor",
      metadata: { name: "envoy-proxies", namespace: at.namespace },
      spec: {
        selector: { matchLabels: PROXY_PODS },
        podMetricsEndpoints: [{ port: "metrics", path: "/stats/prometheus", interval: "30s" }],
      },
    },
    { parent: at.parent, dependsOn: [gateway, prometheusCrds] },
  );
}

/**
 * The Gateway's traffic policies: a per-client-address rate limit on the backends, and on the client side
 * TLS 1.2 at least and PROXY protocol where the load balancer sends it.
 */
function createTrafficPolicies(
  at: GatewayScope,
  rateLimitPerMinute: number,
  loadBalancer: LoadBalancerClass,
  gateway: k8s.apiextensions.CustomResource,
): void {
  const targetGateway = [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: GATEWAY_NAME }];
  new k8s.apiextensions.CustomResource(
    `${at.name}-rate-limit`,
    {
      apiVersion: ENVOY_GATEWAY_API,
      kind: "BackendTrafficPolicy",
      metadata: { name: "per-client-rate-limit", namespace: at.namespace },
      spec: {
        targetRefs: targetGateway,
        // Distinct: one bucket per client address. Local: counted by each proxy replica on its own.
        rateLimit: {
          local: {
            rules: [
              {
                clientSelectors: [{ sourceCIDR: { type: "Distinct", value: "0.0.0.0/0" } }],
                limit: { requests: rateLimitPerMinute, unit: "Minute" },
              },
            ],
          },
        },
      },
    },
    { parent: at.parent, dependsOn: [gateway] },
  );
  new k8s.apiextensions.CustomResource(
    `${at.name}-client-traffic`,
    {
      apiVersion: ENVOY_GATEWAY_API,
      kind: "ClientTrafficPolicy",
      metadata: { name: "client-traffic", namespace: at.namespace },
      spec: {
        targetRefs: targetGateway,
        tls: { minVersion: "1.2" },
        // The rate limit and access logs key on the client, which PROXY protocol names when the load balancer sends it.
        ...(loadBalancer.proxyProtocol && { proxyProtocol: {} }),
      },
    },
    { parent: at.parent, dependsOn: [gateway] },
  );
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
    this.namespace = args.namespace ?? "gateway";
    this.proxies = { namespace: this.namespace, pods: PROXY_PODS };
    const replicas = args.replicas ?? 2;
    const ns = new PlatformNamespace(
      `${name}-ns`,
      { name: this.namespace, podSecurity: args.podSecurity, allowances: gatewayAllowances(args) },
      { parent: this },
    );
    const at: GatewayScope = { name, namespace: ns.ready, namespaceName: this.namespace, parent: this };
    const { gatewayApiCrds, crdReleases } = createCrds(at);
    this.crds = crdReleases;
    this.certManager = args.certManager(gatewayApiCrds);
    const controller = createController(at, replicas, crdReleases);
    const proxyConfig = createProxyConfig(at, args.loadBalancer, replicas, controller);
    const gatewayClass = createGatewayClass(at, controller, proxyConfig);
    const certificates = createCertificates(at, args.hostnames, args.issuer, this.certManager);
    // The load balancer controller must be running before the Service the Gateway gets is created.
    this.gateway = createGateway(at, args.hostnames, [gatewayClass, ...certificates, ...args.loadBalancer.dependsOn]);
    createHttpsRedirect(at, this.gateway);
    createProxyMetrics(at, this.gateway, args.prometheusCrds);
    createTrafficPolicies(at, args.rateLimitPerMinute, args.loadBalancer, this.gateway);
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
