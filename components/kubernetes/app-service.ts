// One containerised HTTP service, deployed the way the platform's requirements describe: its own
// namespace with default-deny, rolling updates that never drop below the desired count, pods spread over
// zones and hosts, probes, requests and limits, a restricted read-only pod, a disruption budget, CPU
// autoscaling, metrics scraped by Prometheus, an HTTPS route on the gateway, and credentials by reference.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { PostgresEndpoint, RedisEndpoint } from "../types";
import { APP_NAME, APP_NAME_RULE, imageProblem } from "../formats";
import { syncPostgresCredentials, syncRedisAuth } from "./credentials";
import { PlatformNamespace, type PodSecurity } from "./namespace";
import { type Allowance, dnsEgress, type Labels, type PodPeer } from "./network-policy";
import { APP_SERVICE_DEFAULTS, type AppServiceDefaults } from "./app-defaults";
import { restrictedContainerSecurity, restrictedPodSecurity, scratchVolume } from "./pod-security";
import { type TrustedServerCa, trustServerCa } from "./server-ca";
import type { SecretsSync } from "./secrets";
import { failer } from "../args";

/** Where an app's route attaches: a Gateway listener, and who may reach the app through it. */
export interface GatewayAttachment {
  gatewayName: string;
  gatewayNamespace: string;
  /** The HTTPS listener for the app's hostname. */
  sectionName: string;
  /** Labels the gateway admits routes from; the app's namespace carries them. */
  routeNamespaceLabels: Labels;
  /** The gateway's proxy pods: the only ingress to the app's port. */
  proxies: Required<PodPeer>;
}

export { APP_SERVICE_DEFAULTS, type AppServiceDefaults };

export interface AppServiceArgs {
  /** App name: names the namespace, the workload and its objects. */
  name: string;
  /** Image with a pinned tag or digest. */
  image: string;
  /** Container port serving HTTP, health and metrics. @default 8080 */
  port?: number;
  hostname: string;
  /** Replicas when created; the autoscaler owns the count afterwards. @default 3 */
  replicas?: number;
  /** Fewest replicas the autoscaler keeps (at least 1, at most `replicas`). @default 2 */
  minReplicas?: number;
  /** Most replicas the autoscaler runs (at least `replicas`). @default 10 */
  maxReplicas?: number;
  /** CPU request of the container. @default "100m" */
  cpuRequest?: string;
  /** CPU limit of the container. @default "500m" */
  cpuLimit?: string;
  /** Memory request of the container. @default "128Mi" */
  memoryRequest?: string;
  /** Memory limit of the container. @default "256Mi" */
  memoryLimit?: string;
  /** Path of the startup and liveness probes. @default "/healthz" */
  healthPath?: string;
  /** Path of the readiness probe. @default "/readyz" */
  readyPath?: string;
  /** Path Prometheus scrapes. @default "/metrics" */
  metricsPath?: string;
  podSecurity: PodSecurity;
  gateway: GatewayAttachment;
  /** Strict-Transport-Security max-age on every response; 0 sends no header. @default 31536000 (a year) */
  hstsMaxAgeSeconds?: number;
  /** Prometheus pods: the only ingress to the metrics path besides the gateway. */
  scrapers: Required<PodPeer>;
  /** Synced secrets, required when the app uses the database or cache. @default none */
  secrets?: SecretsSync;
  /** Postgres the app connects to; its credentials arrive in a synced Secret. @default none */
  database?: PostgresEndpoint;
  /**
   * Redis the app connects to, over TLS with the AUTH token from a synced Secret. The container reads
   * REDIS_HOST, REDIS_PORT, REDIS_TLS ("true") and REDIS_PASSWORD; when the cache's certificate is signed by
   * a CA of its own (Memorystore), also REDIS_TLS_CA_FILE, the path of that CA's bundle (mounted read-only
   * from the ConfigMap `<name>-cache-ca`), which the client must verify the server with.
   * @default none
   */
  cache?: RedisEndpoint;
  /** Numeric user the container runs as (kubelet cannot verify named users are not root). @default 65532 */
  userId?: number;
  /** Average CPU utilisation, in percent of the request, the autoscaler keeps. @default 70 */
  targetCpuUtilization?: number;
  /** The CRD releases its HTTPRoute and ServiceMonitor need (Gateway API, Prometheus operator). */
  crds: pulumi.Resource[];
}

/** AppServiceArgs with APP_SERVICE_DEFAULTS in place of every argument left out. */
export type ResolvedAppServiceArgs = Omit<AppServiceArgs, keyof AppServiceDefaults> & AppServiceDefaults;

/** The arguments with APP_SERVICE_DEFAULTS filled in; an argument given as undefined counts as left out. */
export function withAppServiceDefaults(args: AppServiceArgs): ResolvedAppServiceArgs {
  const given = Object.fromEntries(Object.entries(args).filter(([, value]) => value !== undefined));
  return { ...APP_SERVICE_DEFAULTS, ...given } as ResolvedAppServiceArgs;
}

/** Refuses arguments the component cannot deploy safely; returns them with the defaults applied. */
export function checkAppServiceArgs(given: AppServiceArgs): ResolvedAppServiceArgs {
  const args = withAppServiceDefaults(given);
  const fail = failer("AppService", args.name);
  if (!APP_NAME.test(args.name)) fail(`args.name ${APP_NAME_RULE} (got ${JSON.stringify(args.name)})`);
  const imageRefused = imageProblem(args.image);
  if (imageRefused) fail(`args.image ${imageRefused} (got ${JSON.stringify(args.image)})`);
  if (!(args.minReplicas >= 1 && args.minReplicas <= args.replicas && args.replicas <= args.maxReplicas)) {
    fail(
      `args must satisfy 1 <= minReplicas <= replicas <= maxReplicas (got ${args.minReplicas} <= ${args.replicas} <= ${args.maxReplicas})`,
    );
  }
  if ((args.database || args.cache) && !args.secrets)
    fail("args.secrets is required when the app uses the database or the cache: credentials are synced, never passed as values");
  const target = args.targetCpuUtilization;
  if (!Number.isInteger(target) || target < 10 || target > 95)
    fail(`args.targetCpuUtilization must be a whole percentage from 10 to 95 (got ${JSON.stringify(target)})`);
  return args;
}

/** The app namespace's allowances: the gateway and Prometheus in, DNS and the data services out. */
export function appAllowances(
  args: Pick<ResolvedAppServiceArgs, "port" | "gateway" | "scrapers" | "database" | "cache">,
  pods: Labels,
): Allowance[] {
  const allowances: Allowance[] = [
    { name: "from-gateway", direction: "Ingress", pods, peers: [args.gateway.proxies], ports: [{ port: args.port }] },
    { name: "from-prometheus", direction: "Ingress", pods, peers: [args.scrapers], ports: [{ port: args.port }] },
    dnsEgress(pods),
  ];
  if (args.database)
    allowances.push({
      name: "to-postgres",
      direction: "Egress",
      pods,
      peers: [{ cidrs: args.database.privateCidrs }],
      ports: [{ port: args.database.port }],
    });
  if (args.cache)
    allowances.push({
      name: "to-redis",
      direction: "Egress",
      pods,
      peers: [{ cidrs: args.cache.privateCidrs }],
      ports: [{ port: args.cache.port }],
    });
  return allowances;
}

type EnvVar = k8s.types.input.core.v1.EnvVar;

function probe(path: string, periodSeconds: number, failureThreshold: number) {
  return { httpGet: { path, port: "http" }, periodSeconds, failureThreshold, timeoutSeconds: 2 };
}

/** Pods spread one by one over a topology domain, counting only the pods of the current rollout. */
function spread(labels: Labels, topologyKey: string, whenUnsatisfiable: string) {
  return { maxSkew: 1, topologyKey, whenUnsatisfiable, labelSelector: { matchLabels: labels }, matchLabelKeys: ["pod-template-hash"] };
}

/** The app's pod: restricted and read-only, spread over zones and hosts, probed, with requests and limits. */
function podTemplate(
  a: ResolvedAppServiceArgs,
  labels: Labels,
  env: EnvVar[],
  trust: TrustedServerCa | undefined,
): k8s.types.input.core.v1.PodTemplateSpec {
  return {
    metadata: { labels },
    spec: {
      serviceAccountName: a.name,
      automountServiceAccountToken: false,
      securityContext: restrictedPodSecurity(a.userId),
      // A zone outage leaves the other zones' pods; a node drain leaves the other nodes'.
      topologySpreadConstraints: [
        spread(labels, "topology.kubernetes.io/zone", "DoNotSchedule"),
        spread(labels, "kubernetes.io/hostname", "ScheduleAnyway"),
      ],
      terminationGracePeriodSeconds: 30,
      containers: [
        {
          name: a.name,
          image: a.image,
          ports: [{ name: "http", containerPort: a.port, protocol: "TCP" }],
          env,
          resources: {
            requests: { cpu: a.cpuRequest, memory: a.memoryRequest },
            limits: { cpu: a.cpuLimit, memory: a.memoryLimit },
          },
          startupProbe: probe(a.healthPath, 5, 24),
          livenessProbe: probe(a.healthPath, 10, 3),
          readinessProbe: probe(a.readyPath, 5, 3),
          securityContext: restrictedContainerSecurity(),
          volumeMounts: [{ name: "tmp", mountPath: "/tmp" }, { name: "data", mountPath: "/data" }, ...(trust ? [trust.volumeMount] : [])],
        },
      ],
      volumes: [scratchVolume("tmp", "64Mi"), scratchVolume("data", "256Mi"), ...(trust ? [trust.volume] : [])],
    },
  };
}

/** The HSTS header on every response, or no filter when the max-age is 0. */
function hstsFilters(maxAgeSeconds: number) {
  return maxAgeSeconds > 0
    ? [
        {
          type: "ResponseHeaderModifier",
          responseHeaderModifier: { set: [{ name: "Strict-Transport-Security", value: `max-age=${maxAgeSeconds}; includeSubDomains` }] },
        },
      ]
    : [];
}

/** The app's objects all share one name, namespace and labels. */
interface AppScope {
  /** Prefix of the Pulumi names. */
  name: string;
  labels: Labels;
  metadata(): { name: string; namespace: pulumi.Output<string>; labels: Labels };
}

export class AppService extends pulumi.ComponentResource {
  readonly namespace: string;
  readonly deployment: k8s.apps.v1.Deployment;
  readonly route: k8s.apiextensions.CustomResource;

  constructor(name: string, args: AppServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    const a = checkAppServiceArgs(args);
    super("platform:kubernetes:AppService", name, {}, opts);
    const labels: Labels = { "app.kubernetes.io/name": a.name, "app.kubernetes.io/part-of": "platform" };
    // A reader of synced credentials is restarted when they change, by a job that calls the API server.
    const restarts = a.secrets && (a.database || a.cache) ? a.secrets : undefined;
    const allowances = [...appAllowances(a, labels), ...(restarts ? restarts.rolloutAllowances() : [])];
    const ns = new PlatformNamespace(
      `${name}-ns`,
      { name: a.name, podSecurity: a.podSecurity, labels: a.gateway.routeNamespaceLabels, allowances },
      { parent: this },
    );
    this.namespace = a.name;
    const namespace = ns.ready;
    const scope: AppScope = { name, labels, metadata: () => ({ name: a.name, namespace, labels }) };
    const account = new k8s.core.v1.ServiceAccount(
      `${name}-sa`,
      { metadata: scope.metadata(), automountServiceAccountToken: false },
      { parent: this },
    );
    const { env, synced, syncedNames, trust } = this.connections(name, a, namespace, labels);
    this.deployment = new k8s.apps.v1.Deployment(
      `${name}-deployment`,
      {
        metadata: scope.metadata(),
        spec: {
          replicas: a.replicas,
          revisionHistoryLimit: 5,
          selector: { matchLabels: labels },
          // Never below the desired count during a rollout: a new pod must be ready before an old one goes.
          strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "25%" } },
          template: podTemplate(a, labels, env, trust),
        },
      },
      // The autoscaler owns the replica count once the Deployment exists.
      { parent: this, dependsOn: [account, ...synced], ignoreChanges: ["spec.replicas"] },
    );
    if (restarts)
      restarts.restartReaders(`${name}-rollout`, namespace, [{ deployment: this.deployment.metadata.name, secrets: syncedNames }], this);
    const service = this.serve(scope, a, this.deployment);
    this.route = this.createRoute(scope, a, service);
    this.registerOutputs({ namespace: this.namespace });
  }

  /**
   * The database's and the cache's connection settings as values, their credentials as synced Secrets, and
   * the cache's server CA bundle when its certificate needs one.
   */
  private connections(name: string, a: ResolvedAppServiceArgs, namespace: pulumi.Output<string>, labels: Labels) {
    const env: EnvVar[] = [];
    const synced: pulumi.Resource[] = [];
    const syncedNames: string[] = [];
    let trust: TrustedServerCa | undefined;
    const target = (secrets: SecretsSync, id: string) => ({
      secrets,
      resourceName: `${name}-${id}-secret`,
      namespace,
      secretName: `${a.name}-${id}`,
      parent: this,
    });
    if (a.database && a.secrets) {
      const credentials = syncPostgresCredentials(target(a.secrets, "database"), a.database, {
        user: "DATABASE_USER",
        password: "DATABASE_PASSWORD",
      });
      synced.push(credentials.sync);
      syncedNames.push(credentials.secretName);
      env.push(
        { name: "DATABASE_HOST", value: a.database.host },
        // Read-only queries may go here; it is DATABASE_HOST when the database has no read replica.
        { name: "DATABASE_READER_HOST", value: a.database.readerHost },
        { name: "DATABASE_PORT", value: String(a.database.port) },
        { name: "DATABASE_NAME", value: a.database.databaseName },
        { name: "DATABASE_SSLMODE", value: "require" },
        ...credentials.env,
      );
    }
    if (a.cache && a.secrets) {
      const credentials = syncRedisAuth(target(a.secrets, "cache"), a.cache, { password: "REDIS_PASSWORD" });
      synced.push(credentials.sync);
      syncedNames.push(credentials.secretName);
      const ca = { resourceName: `${name}-cache-ca`, namespace, configMapName: `${a.name}-cache-ca`, labels, parent: this };
      trust = trustServerCa(ca, a.cache, "REDIS_TLS_CA_FILE");
      if (trust) synced.push(trust.configMap);
      env.push(
        { name: "REDIS_HOST", value: a.cache.host },
        { name: "REDIS_PORT", value: String(a.cache.port) },
        { name: "REDIS_TLS", value: "true" },
        ...(trust ? [trust.env] : []),
        ...credentials.env,
      );
    }
    return { env, synced, syncedNames, trust };
  }

  /** The Service in front of the pods, their disruption budget, the CPU autoscaler and the metrics scrape; returns the Service. */
  private serve(scope: AppScope, a: ResolvedAppServiceArgs, deployment: k8s.apps.v1.Deployment): k8s.core.v1.Service {
    const { name, labels } = scope;
    const service = new k8s.core.v1.Service(
      `${name}-service`,
      {
        metadata: scope.metadata(),
        spec: { type: "ClusterIP", selector: labels, ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }] },
      },
      { parent: this },
    );
    new k8s.policy.v1.PodDisruptionBudget(
      `${name}-pdb`,
      { metadata: scope.metadata(), spec: { maxUnavailable: 1, selector: { matchLabels: labels } } },
      { parent: this },
    );
    new k8s.autoscaling.v2.HorizontalPodAutoscaler(
      `${name}-hpa`,
      {
        metadata: scope.metadata(),
        spec: {
          scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: deployment.metadata.name },
          minReplicas: a.minReplicas,
          maxReplicas: a.maxReplicas,
          metrics: [
            { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: a.targetCpuUtilization } } },
          ],
        },
      },
      { parent: this },
    );
    new k8s.apiextensions.CustomResource(
      `${name}-service-monitor`,
      {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: scope.metadata(),
        spec: { selector: { matchLabels: labels }, endpoints: [{ port: "http", path: a.metricsPath, interval: "30s" }] },
      },
      { parent: this, dependsOn: [service, ...a.crds] },
    );
    return service;
  }

  /** The HTTPRoute on the gateway's listener for the app's hostname, with HSTS on every response. */
  private createRoute(scope: AppScope, a: ResolvedAppServiceArgs, service: k8s.core.v1.Service): k8s.apiextensions.CustomResource {
    return new k8s.apiextensions.CustomResource(
      `${scope.name}-route`,
      {
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "HTTPRoute",
        metadata: scope.metadata(),
        spec: {
          parentRefs: [
            {
              group: "gateway.networking.k8s.io",
              kind: "Gateway",
              name: a.gateway.gatewayName,
              namespace: a.gateway.gatewayNamespace,
              sectionName: a.gateway.sectionName,
            },
          ],
          hostnames: [a.hostname],
          rules: [
            {
              matches: [{ path: { type: "PathPrefix", value: "/" } }],
              filters: hstsFilters(a.hstsMaxAgeSeconds),
              backendRefs: [{ name: service.metadata.name, port: 80 }],
            },
          ],
        },
      },
      { parent: this, dependsOn: a.crds },
    );
  }
}
