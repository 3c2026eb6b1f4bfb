// One containerised HTTP service, deployed the way the platform's requirements describe: its own
// namespace with default-deny, rolling updates that never drop below the desired count, pods spread over
// zones and hosts, probes, requests and limits, a restricted read-only pod, a disruption budget, CPU
// autoscaling, metrics scraped by Prometheus, an HTTPS route on the gateway, and credentials by reference.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { PostgresEndpoint, RedisEndpoint } from "../types";
import { APP_NAME, APP_NAME_RULE, imageProblem } from "../formats";
import { PlatformNamespace, type PodSecurity } from "./namespace";
import { type Allowance, dnsEgress, type Labels, type PodPeer } from "./network-policy";
import { DEFAULT_USER_ID, restrictedContainerSecurity, restrictedPodSecurity, scratchVolume } from "./pod-security";
import type { SecretsSync } from "./secrets";

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

export interface AppServiceArgs {
  /** App name: names the namespace, the workload and its objects. */
  name: string;
  /** Image with a pinned tag or digest. */
  image: string;
  /** Container port serving HTTP, health and metrics. */
  port: number;
  hostname: string;
  /** Replicas when created; the autoscaler owns the count afterwards. */
  replicas: number;
  minReplicas: number;
  maxReplicas: number;
  cpuRequest: string;
  cpuLimit: string;
  memoryRequest: string;
  memoryLimit: string;
  healthPath: string;
  readyPath: string;
  metricsPath: string;
  podSecurity: PodSecurity;
  gateway: GatewayAttachment;
  /** Strict-Transport-Security max-age on every response; 0 sends no header. */
  hstsMaxAgeSeconds: number;
  /** Prometheus pods: the only ingress to the metrics path besides the gateway. */
  scrapers: Required<PodPeer>;
  /** Synced secrets, required when the app uses the database or cache. */
  secrets?: SecretsSync;
  /** Postgres the app connects to; its credentials arrive in a synced Secret. @default none */
  database?: PostgresEndpoint;
  /** Redis the app connects to, over TLS with the AUTH token from a synced Secret. @default none */
  cache?: RedisEndpoint;
  /** Numeric user the container runs as (kubelet cannot verify named users are not root). @default 65532 */
  userId?: number;
  /** Average CPU utilisation, in percent of the request, the autoscaler keeps. @default 70 */
  targetCpuUtilization?: number;
  /** The CRD releases its HTTPRoute and ServiceMonitor need (Gateway API, Prometheus operator). */
  crds: pulumi.Resource[];
}

export function checkAppServiceArgs(args: AppServiceArgs): void {
  const fail = (message: string): never => {
    throw new Error(`AppService ${args.name}: ${message}`);
  };
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
  const target = args.targetCpuUtilization ?? 70;
  if (!Number.isInteger(target) || target < 10 || target > 95)
    fail(`args.targetCpuUtilization must be a whole percentage from 10 to 95 (got ${JSON.stringify(target)})`);
}

/** The app namespace's allowances: the gateway and Prometheus in, DNS and the data services out. */
export function appAllowances(
  args: Pick<AppServiceArgs, "port" | "gateway" | "scrapers" | "database" | "cache">,
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

export class AppService extends pulumi.ComponentResource {
  readonly namespace: string;
  readonly deployment: k8s.apps.v1.Deployment;
  readonly route: k8s.apiextensions.CustomResource;

  constructor(name: string, args: AppServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    checkAppServiceArgs(args);
    super("platform:kubernetes:AppService", name, {}, opts);
    const app = args.name;
    const labels: Labels = { "app.kubernetes.io/name": app, "app.kubernetes.io/part-of": "platform" };
    const ns = new PlatformNamespace(
      `${name}-ns`,
      { name: app, podSecurity: args.podSecurity, labels: args.gateway.routeNamespaceLabels, allowances: appAllowances(args, labels) },
      { parent: this },
    );
    this.namespace = app;
    const namespace = ns.ready;
    const meta = (objectName: string) => ({ name: objectName, namespace, labels });

    const account = new k8s.core.v1.ServiceAccount(
      `${name}-sa`,
      { metadata: meta(app), automountServiceAccountToken: false },
      { parent: this },
    );

    const env: k8s.types.input.core.v1.EnvVar[] = [];
    const secretRef = (secret: string, key: string) => ({ valueFrom: { secretKeyRef: { name: secret, key } } });
    const synced: pulumi.Resource[] = [];
    if (args.database && args.secrets) {
      const secret = `${app}-database`;
      synced.push(
        args.secrets.sync(
          `${name}-database-secret`,
          namespace,
          secret,
          [
            { secretKey: "username", remoteKey: args.database.credentialsSecret, property: "username" },
            { secretKey: "password", remoteKey: args.database.credentialsSecret, property: "password" },
          ],
          this,
        ),
      );
      env.push(
        { name: "DATABASE_HOST", value: args.database.host },
        { name: "DATABASE_PORT", value: String(args.database.port) },
        { name: "DATABASE_NAME", value: args.database.databaseName },
        { name: "DATABASE_SSLMODE", value: "require" },
        { name: "DATABASE_USER", ...secretRef(secret, "username") },
        { name: "DATABASE_PASSWORD", ...secretRef(secret, "password") },
      );
    }
    if (args.cache && args.secrets) {
      const secret = `${app}-cache`;
      synced.push(
        args.secrets.sync(`${name}-cache-secret`, namespace, secret, [{ secretKey: "password", remoteKey: args.cache.authSecret }], this),
      );
      env.push(
        { name: "REDIS_HOST", value: args.cache.host },
        { name: "REDIS_PORT", value: String(args.cache.port) },
        { name: "REDIS_TLS", value: "true" },
        { name: "REDIS_PASSWORD", ...secretRef(secret, "password") },
      );
    }

    const probe = (path: string, periodSeconds: number, failureThreshold: number) => ({
      httpGet: { path, port: "http" },
      periodSeconds,
      failureThreshold,
      timeoutSeconds: 2,
    });
    const spread = (topologyKey: string, whenUnsatisfiable: string) => ({
      maxSkew: 1,
      topologyKey,
      whenUnsatisfiable,
      labelSelector: { matchLabels: labels },
      matchLabelKeys: ["pod-template-hash"],
    });
    this.deployment = new k8s.apps.v1.Deployment(
      `${name}-deployment`,
      {
        metadata: meta(app),
        spec: {
          replicas: args.replicas,
          revisionHistoryLimit: 5,
          selector: { matchLabels: labels },
          // Never below the desired count during a rollout: a new pod must be ready before an old one goes.
          strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "25%" } },
          template: {
            metadata: { labels },
            spec: {
              serviceAccountName: app,
              automountServiceAccountToken: false,
              securityContext: restrictedPodSecurity(args.userId ?? DEFAULT_USER_ID),
              // A zone outage leaves the other zones' pods; a node drain leaves the other nodes'.
              topologySpreadConstraints: [
                spread("topology.kubernetes.io/zone", "DoNotSchedule"),
                spread("kubernetes.io/hostname", "ScheduleAnyway"),
              ],
              terminationGracePeriodSeconds: 30,
              containers: [
                {
                  name: app,
                  image: args.image,
                  ports: [{ name: "http", containerPort: args.port, protocol: "TCP" }],
                  env,
                  resources: {
                    requests: { cpu: args.cpuRequest, memory: args.memoryRequest },
                    limits: { cpu: args.cpuLimit, memory: args.memoryLimit },
                  },
                  startupProbe: probe(args.healthPath, 5, 24),
                  livenessProbe: probe(args.healthPath, 10, 3),
                  readinessProbe: probe(args.readyPath, 5, 3),
                  securityContext: restrictedContainerSecurity(),
                  volumeMounts: [
                    { name: "tmp", mountPath: "/tmp" },
                    { name: "data", mountPath: "/data" },
                  ],
                },
              ],
              volumes: [scratchVolume("tmp", "64Mi"), scratchVolume("data", "256Mi")],
            },
          },
        },
      },
      // The autoscaler owns the replica count once the Deployment exists.
      { parent: this, dependsOn: [account, ...synced], ignoreChanges: ["spec.replicas"] },
    );

    const service = new k8s.core.v1.Service(
      `${name}-service`,
      {
        metadata: meta(app),
        spec: { type: "ClusterIP", selector: labels, ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }] },
      },
      { parent: this },
    );

    new k8s.policy.v1.PodDisruptionBudget(
      `${name}-pdb`,
      { metadata: meta(app), spec: { maxUnavailable: 1, selector: { matchLabels: labels } } },
      { parent: this },
    );

    new k8s.autoscaling.v2.HorizontalPodAutoscaler(
      `${name}-hpa`,
      {
        metadata: meta(app),
        spec: {
          scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: this.deployment.metadata.name },
          minReplicas: args.minReplicas,
          maxReplicas: args.maxReplicas,
          metrics: [
            {
              type: "Resource",
              resource: { name: "cpu", target: { type: "Utilization", averageUtilization: args.targetCpuUtilization ?? 70 } },
            },
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
        metadata: meta(app),
        spec: { selector: { matchLabels: labels }, endpoints: [{ port: "http", path: args.metricsPath, interval: "30s" }] },
      },
      { parent: this, dependsOn: [service, ...args.crds] },
    );

    const hsts =
      args.hstsMaxAgeSeconds > 0
        ? [
            {
              type: "ResponseHeaderModifier",
              responseHeaderModifier: {
                set: [{ name: "Strict-Transport-Security", value: `max-age=${args.hstsMaxAgeSeconds}; includeSubDomains` }],
              },
            },
          ]
        : [];
    this.route = new k8s.apiextensions.CustomResource(
      `${name}-route`,
      {
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "HTTPRoute",
        metadata: meta(app),
        spec: {
          parentRefs: [
            {
              group: "gateway.networking.k8s.io",
              kind: "Gateway",
              name: args.gateway.gatewayName,
              namespace: args.gateway.gatewayNamespace,
              sectionName: args.gateway.sectionName,
            },
          ],
          hostnames: [args.hostname],
          rules: [
            {
              matches: [{ path: { type: "PathPrefix", value: "/" } }],
              filters: hsts,
              backendRefs: [{ name: service.metadata.name, port: 80 }],
            },
          ],
        },
      },
      { parent: this, dependsOn: args.crds },
    );
    this.registerOutputs({ namespace: this.namespace });
  }
}
