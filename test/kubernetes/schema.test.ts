import { describe, expect, test } from "@jest/globals";
import { hasSchema, validateObject } from "./schema";
import { RESTRICTED_CONTAINER } from "./stubs";

type Manifest = Record<string, unknown>;

const labels = { "app.kubernetes.io/name": "app", "app.kubernetes.io/part-of": "platform" };

const podSpec = {
  serviceAccountName: "app",
  automountServiceAccountToken: false,
  securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532, seccompProfile: { type: "RuntimeDefault" } },
  containers: [
    {
      name: "app",
      image: "registry.example.com/app:1.4.2",
      ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }],
      env: [{ name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password" } } }],
      resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: 0.5, memory: "256Mi" } },
      livenessProbe: { httpGet: { path: "/healthz", port: "http" }, periodSeconds: 10 },
      readinessProbe: { httpGet: { path: "/readyz", port: 8080 } },
      securityContext: RESTRICTED_CONTAINER,
      volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
    },
  ],
  volumes: [{ name: "tmp", emptyDir: { sizeLimit: "64Mi", medium: "Memory" } }],
  topologySpreadConstraints: [
    { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: labels } },
  ],
};

const deployment: Manifest = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "app", namespace: "app", labels, annotations: { "platform.example.com/owner": "team-a" } },
  spec: {
    replicas: 2,
    selector: { matchLabels: labels },
    strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: 0 } },
    template: { metadata: { labels }, spec: podSpec },
  },
};

const cronJob: Manifest = {
  apiVersion: "batch/v1",
  kind: "CronJob",
  metadata: { name: "backup", namespace: "backups" },
  spec: {
    schedule: "0 3 * * *",
    timeZone: "Etc/UTC",
    concurrencyPolicy: "Forbid",
    jobTemplate: { spec: { backoffLimit: 2, activeDeadlineSeconds: 3600, template: { spec: { ...podSpec, restartPolicy: "OnFailure" } } } },
  },
};

const networkPolicy: Manifest = {
  apiVersion: "networking.k8s.io/v1",
  kind: "NetworkPolicy",
  metadata: { name: "from-gateway", namespace: "app" },
  spec: {
    podSelector: { matchLabels: labels },
    policyTypes: ["Ingress", "Egress"],
    ingress: [
      {
        from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "gateway" } }, podSelector: {} }],
        ports: [{ protocol: "TCP", port: 8080 }],
      },
    ],
    egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/16", except: ["10.0.1.0/24"] } }], ports: [{ protocol: "TCP", port: "https" }] }],
  },
};

const namespace: Manifest = {
  apiVersion: "v1",
  kind: "Namespace",
  metadata: {
    name: "app",
    labels: { "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/enforce-version": "latest" },
  },
};

const gateway: Manifest = {
  apiVersion: "gateway.networking.k8s.io/v1",
  kind: "Gateway",
  metadata: { name: "platform", namespace: "gateway" },
  spec: {
    gatewayClassName: "envoy",
    listeners: [
      { name: "http", port: 80, protocol: "HTTP", allowedRoutes: { namespaces: { from: "Same" } } },
      {
        name: "https",
        hostname: "*.example.com",
        port: 443,
        protocol: "HTTPS",
        tls: { mode: "Terminate", certificateRefs: [{ kind: "Secret", name: "wildcard-tls" }] },
        allowedRoutes: { namespaces: { from: "Selector", selector: { matchLabels: { "platform.example.com/routes": "true" } } } },
      },
    ],
  },
};

const httpRoute: Manifest = {
  apiVersion: "gateway.networking.k8s.io/v1",
  kind: "HTTPRoute",
  metadata: { name: "app", namespace: "app" },
  spec: {
    parentRefs: [{ name: "platform", namespace: "gateway", sectionName: "https" }],
    hostnames: ["app.example.com"],
    rules: [
      {
        matches: [{ path: { type: "PathPrefix", value: "/" } }],
        filters: [
          {
            type: "ResponseHeaderModifier",
            responseHeaderModifier: { set: [{ name: "Strict-Transport-Security", value: "max-age=31536000" }] },
          },
        ],
        backendRefs: [{ name: "app", port: 8080, weight: 1 }],
      },
    ],
  },
};

const certificate: Manifest = {
  apiVersion: "cert-manager.io/v1",
  kind: "Certificate",
  metadata: { name: "wildcard", namespace: "gateway" },
  spec: {
    secretName: "wildcard-tls",
    dnsNames: ["example.com", "*.example.com"],
    issuerRef: { group: "cert-manager.io", kind: "ClusterIssuer", name: "letsencrypt-production" },
    privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
    duration: "2160h",
    renewBefore: "720h",
  },
};

const webhookConfig = { apiKeySecretRef: { name: "dns-api", key: "token" }, anyField: [1, { nested: { deeper: true } }] };
const clusterIssuer: Manifest = {
  apiVersion: "cert-manager.io/v1",
  kind: "ClusterIssuer",
  metadata: { name: "letsencrypt-production" },
  spec: {
    acme: {
      server: "https://acme-v02.api.letsencrypt.org/directory",
      email: "ops@example.com",
      privateKeySecretRef: { name: "letsencrypt-production-account" },
      solvers: [
        {
          http01: {
            gatewayHTTPRoute: {
              parentRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "platform", namespace: "gateway" }],
            },
          },
        },
        // `config` is x-kubernetes-preserve-unknown-fields: anything goes below it.
        {
          selector: { dnsZones: ["example.com"] },
          dns01: { webhook: { groupName: "acme.example.com", solverName: "example", config: webhookConfig } },
        },
      ],
    },
  },
};

const prometheusRule: Manifest = {
  apiVersion: "monitoring.coreos.com/v1",
  kind: "PrometheusRule",
  metadata: { name: "platform", namespace: "monitoring", labels: { release: "kube-prometheus-stack" } },
  spec: {
    groups: [
      {
        name: "platform.rules",
        interval: "1m",
        rules: [
          {
            alert: "HighErrorRate",
            expr: 'sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m])) > 0.05',
            for: "10m",
            labels: { severity: "critical" },
            annotations: { summary: "More than 5% of requests fail" },
          },
          { record: "job:http_requests:rate5m", expr: "sum by (job) (rate(http_requests_total[5m]))" },
        ],
      },
    ],
  },
};

const serviceMonitor: Manifest = {
  apiVersion: "monitoring.coreos.com/v1",
  kind: "ServiceMonitor",
  metadata: { name: "app", namespace: "app" },
  spec: {
    selector: { matchLabels: labels },
    namespaceSelector: { matchNames: ["app"] },
    endpoints: [{ port: "http", path: "/metrics", interval: "30s", scrapeTimeout: "10s", scheme: "http" }],
  },
};

// external-secrets.io/v1beta1: the newest API version @kubernetes-models/external-secrets 0.5.2 has.
const clusterSecretStore: Manifest = {
  apiVersion: "external-secrets.io/v1beta1",
  kind: "ClusterSecretStore",
  metadata: { name: "platform-secrets" },
  spec: {
    provider: {
      aws: {
        service: "SecretsManager",
        region: "eu-west-1",
        auth: { jwt: { serviceAccountRef: { name: "external-secrets", namespace: "external-secrets" } } },
      },
    },
  },
};

const externalSecret: Manifest = {
  apiVersion: "external-secrets.io/v1beta1",
  kind: "ExternalSecret",
  metadata: { name: "db", namespace: "app" },
  spec: {
    refreshInterval: "1h",
    secretStoreRef: { kind: "ClusterSecretStore", name: "platform-secrets" },
    target: { name: "db", creationPolicy: "Owner", deletionPolicy: "Retain" },
    data: [{ secretKey: "password", remoteRef: { key: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db", property: "password" } }],
  },
};

const REMOVE = Symbol("remove");

/** A deep copy of `base` with the value at a dotted path (`spec.containers.0.name`) set or removed. */
function variant(base: Manifest, path: string, value: unknown): Manifest {
  const copy = structuredClone(base);
  const keys = path.split(".");
  const last = keys.pop()!;
  let at: Record<string, unknown> = copy;
  for (const key of keys) at = at[key] as Record<string, unknown>;
  if (value === REMOVE) delete at[last];
  else at[last] = value;
  return copy;
}

const CONTAINER = "spec.template.spec.containers.0";

describe("validateObject: valid manifests", () => {
  test.each<[string, Manifest]>([
    ["Deployment", deployment],
    ["CronJob", cronJob],
    ["NetworkPolicy", networkPolicy],
    ["Namespace", namespace],
    ["Gateway", gateway],
    ["HTTPRoute", httpRoute],
    ["Certificate", certificate],
    ["ClusterIssuer", clusterIssuer],
    ["PrometheusRule", prometheusRule],
    ["ServiceMonitor", serviceMonitor],
    ["ClusterSecretStore", clusterSecretStore],
    ["ExternalSecret", externalSecret],
  ])("GIVEN a valid %s WHEN it is validated THEN there is no problem", (_kind, manifest) => {
    expect(validateObject(manifest)).toEqual([]);
  });

  test("GIVEN a field set to undefined (as Pulumi inputs may be) WHEN validated THEN it is ignored, misspelt or not", () => {
    expect(validateObject(variant(variant(deployment, "spec.paused", undefined), "spec.pausd", undefined))).toEqual([]);
  });
});

describe("validateObject: unknown fields", () => {
  test.each<[string, Manifest, string]>([
    ["the top level", variant(deployment, "spek", {}), "spek is not a field of Deployment"],
    ["metadata", variant(deployment, "metadata.lables", labels), "metadata.lables is not a field of ObjectMeta"],
    ["the spec", variant(deployment, "spec.replica", 2), "spec.replica is not a field of DeploymentSpec"],
    [
      "a container",
      variant(deployment, `${CONTAINER}.securityContex`, {}),
      "spec.template.spec.containers[0].securityContex is not a field of Container",
    ],
    [
      "a container's security context",
      variant(deployment, `${CONTAINER}.securityContext.runAsNonRot`, true),
      "spec.template.spec.containers[0].securityContext.runAsNonRot is not a field of SecurityContext",
    ],
    [
      "a CronJob's pod",
      variant(cronJob, "spec.jobTemplate.spec.template.spec.restartPolcy", "Never"),
      "spec.jobTemplate.spec.template.spec.restartPolcy is not a field of PodSpec",
    ],
    [
      "a NetworkPolicy peer",
      variant(networkPolicy, "spec.ingress.0.from.0.podSelectr", {}),
      "spec.ingress[0].from[0].podSelectr is not a field of NetworkPolicyPeer",
    ],
    [
      "an HTTPRoute backend",
      variant(httpRoute, "spec.rules.0.backendRefs.0.prot", 80),
      "spec.rules[0].backendRefs[0].prot is not a field of HTTPRoute.spec.rules[].backendRefs[]",
    ],
    [
      "a Gateway listener",
      variant(gateway, "spec.listeners.1.tls.certificateRef", []),
      "spec.listeners[1].tls.certificateRef is not a field of Gateway.spec.listeners[].tls",
    ],
    [
      "a Certificate",
      variant(certificate, "spec.privateKey.algoritm", "RSA"),
      "spec.privateKey.algoritm is not a field of Certificate.spec.privateKey",
    ],
    [
      "a PrometheusRule rule",
      variant(prometheusRule, "spec.groups.0.rules.0.fr", "5m"),
      "spec.groups[0].rules[0].fr is not a field of PrometheusRule.spec.groups[].rules[]",
    ],
    [
      "a ServiceMonitor endpoint",
      variant(serviceMonitor, "spec.endpoints.0.intervall", "30s"),
      "spec.endpoints[0].intervall is not a field of ServiceMonitor.spec.endpoints[]",
    ],
    [
      "an ExternalSecret",
      variant(externalSecret, "spec.data.0.remoteRef.ky", "x"),
      "spec.data[0].remoteRef.ky is not a field of ExternalSecret.spec.data[].remoteRef",
    ],
  ])("GIVEN a misspelt field in %s WHEN validated THEN it is reported with its path", (_where, manifest, problem) => {
    expect(validateObject(manifest)).toEqual([problem]);
  });

  test("GIVEN arbitrary fields under an x-kubernetes-preserve-unknown-fields subtree WHEN validated THEN none is reported", () => {
    const config = { ...webhookConfig, whatever: { the: ["solver", { wants: 1 }] } };
    expect(validateObject(variant(clusterIssuer, "spec.acme.solvers.1.dns01.webhook.config", config))).toEqual([]);
  });

  test("GIVEN free-form core types (JSON, RawExtension-like status) WHEN they hold arbitrary fields THEN none is reported, but declared neighbours still are", () => {
    const crd: Manifest = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "widgets.example.com" },
      spec: {
        group: "example.com",
        scope: "Namespaced",
        names: { plural: "widgets", singular: "widget", kind: "Widget" },
        versions: [
          {
            name: "v1",
            served: true,
            storage: true,
            subresources: { status: {} },
            schema: {
              openAPIV3Schema: {
                type: "object",
                properties: { spec: { type: "object", "x-kubernetes-preserve-unknown-fields": true, default: { size: 1, tags: ["a"] } } },
              },
            },
          },
        ],
      },
    };
    expect(validateObject(crd)).toEqual([]);
    expect(validateObject(variant(crd, "spec.versions.0.schema.openAPIV3Schema.propertys", {}))).toEqual([
      "spec.versions[0].schema.openAPIV3Schema.propertys is not a field of JSONSchemaProps",
    ]);
  });
});

describe("validateObject: the model's own validation", () => {
  test.each<[string, Manifest, string[]]>([
    ["a string for an integer", variant(deployment, "spec.replicas", "3"), ['spec.replicas must be integer (got "3")']],
    ["a string for a CRD integer", variant(gateway, "spec.listeners.0.port", "80"), ['spec.listeners[0].port must be integer (got "80")']],
    ["an array for an object", variant(networkPolicy, "spec.podSelector", []), ["spec.podSelector must be object (got [])"]],
    [
      "a value outside an enum",
      variant(httpRoute, "spec.rules.0.matches.0.path.type", "Prefix"),
      ['spec.rules[0].matches[0].path.type must be one of "Exact", "PathPrefix", "RegularExpression" (got "Prefix")'],
    ],
    ["a missing required field", variant(cronJob, "spec.schedule", REMOVE), ["spec.schedule is required"]],
    ["a missing container name", variant(deployment, `${CONTAINER}.name`, REMOVE), ["spec.template.spec.containers[0].name is required"]],
    ["a missing CRD field", variant(certificate, "spec.secretName", REMOVE), ["spec.secretName is required"]],
    [
      "a missing rule expression",
      variant(prometheusRule, "spec.groups.0.rules.1.expr", REMOVE),
      ["spec.groups[0].rules[1].expr is required"],
    ],
    ["no metadata", variant(deployment, "metadata", REMOVE), ["metadata is required"]],
    ["metadata without a name", variant(namespace, "metadata.name", REMOVE), ["metadata.name is required"]],
  ])("GIVEN %s WHEN validated THEN it is reported with its path", (_case, manifest, problems) => {
    expect(validateObject(manifest)).toEqual(problems);
  });
});

describe("validateObject: values as Kubernetes parses them", () => {
  const memory = `${CONTAINER}.resources.limits.memory`;
  const memoryPath = "spec.template.spec.containers[0].resources.limits.memory";
  const quantityForms = `${memoryPath} matches none of its allowed forms`;
  const surge = "spec.strategy.rollingUpdate.maxSurge";
  test.each<[string, string, unknown, string[]]>([
    ["quantity", memory, "128Mi", []],
    ["quantity", memory, "1.5Gi", []],
    ["quantity", memory, "500M", []],
    ["quantity", memory, "1e3", []],
    ["quantity", memory, 268435456, []],
    ["quantity", `${CONTAINER}.resources.requests.cpu`, "250m", []],
    ["quantity", `${CONTAINER}.resources.requests.cpu`, 0.25, []],
    ["quantity", memory, "128MB", [`${quantityForms} (got "128MB"): must be number; or must match format "quantity"`]],
    ["quantity", memory, "lots", [`${quantityForms} (got "lots"): must be number; or must match format "quantity"`]],
    // The models' own format accepts every SI prefix; Kubernetes only n, u, m, k, M, G, T, P, E.
    ["quantity", memory, "1h", [`${memoryPath} must be a Kubernetes quantity such as "500m", "128Mi" or "2" (got "1h")`]],
    ["int-or-string", surge, "25%", []],
    ["int-or-string", surge, 1, []],
    [
      "int-or-string",
      surge,
      1.5,
      [`${surge} matches none of its allowed forms (got 1.5): must be string; or must be integer; or must match format "int32"`],
    ],
    ["int-or-string", surge, true, [`${surge} matches none of its allowed forms (got true): must be string; or must be integer`]],
    ["date-time", "metadata.creationTimestamp", "2025-01-31T12:00:00Z", []],
    ["date-time", "metadata.creationTimestamp", "2025-01-31T12:00:00.5+01:00", []],
    [
      "date-time",
      "metadata.creationTimestamp",
      "2025-01-31",
      ['metadata.creationTimestamp must match format "date-time" (got "2025-01-31")'],
    ],
    // Go's RFC 3339 parser needs the "T" and an offset; the models' format also takes a space or no offset.
    [
      "date-time",
      "metadata.creationTimestamp",
      "2025-01-31T12:00:00",
      ['metadata.creationTimestamp must be an RFC 3339 time such as "2025-01-31T12:00:00Z" (got "2025-01-31T12:00:00")'],
    ],
    [
      "date-time",
      "metadata.creationTimestamp",
      "2025-01-31 12:00:00Z",
      ['metadata.creationTimestamp must be an RFC 3339 time such as "2025-01-31T12:00:00Z" (got "2025-01-31 12:00:00Z")'],
    ],
  ])("GIVEN the %s field %s set to %p WHEN validated THEN the problems are %p", (_format, path, value, problems) => {
    expect(validateObject(variant(deployment, path, value))).toEqual(problems);
  });
});

describe("validateObject and hasSchema: kinds without a schema", () => {
  test.each<[string, string]>([
    ["example.com/v1", "Widget"],
    ["apps/v1", "Deploymnt"],
    ["gateway.envoyproxy.io/v1alpha1", "EnvoyProxy"],
    ["external-secrets.io/v1", "ExternalSecret"],
  ])("GIVEN %s %s WHEN validated THEN the only problem is that there is no schema", (apiVersion, kind) => {
    expect(validateObject({ apiVersion, kind, metadata: { name: "x" } })).toEqual([`no schema for ${apiVersion} ${kind}`]);
    expect(hasSchema(apiVersion, kind)).toBe(false);
  });

  test.each<[string, string]>([
    ["v1", "ConfigMap"],
    ["apps/v1", "Deployment"],
    ["policy/v1", "PodDisruptionBudget"],
    ["autoscaling/v2", "HorizontalPodAutoscaler"],
    ["gateway.networking.k8s.io/v1", "HTTPRoute"],
    ["gateway.networking.k8s.io/v1beta1", "ReferenceGrant"],
    ["cert-manager.io/v1", "ClusterIssuer"],
    ["monitoring.coreos.com/v1", "PrometheusRule"],
    ["external-secrets.io/v1beta1", "ClusterSecretStore"],
  ])("GIVEN %s %s WHEN asked THEN a schema exists", (apiVersion, kind) => {
    expect(hasSchema(apiVersion, kind)).toBe(true);
  });

  test.each<[string, unknown, string]>([
    ["not an object", "kind: Pod", "manifest must be an object with apiVersion, kind and metadata"],
    ["no kind", { apiVersion: "v1", metadata: { name: "x" } }, "manifest must have a string apiVersion and kind"],
    [
      "a path for an apiVersion",
      { apiVersion: "../../package.json", kind: "X", metadata: { name: "x" } },
      "no schema for ../../package.json X",
    ],
  ])("GIVEN %s WHEN validated THEN that is the problem", (_case, manifest, problem) => {
    expect(validateObject(manifest)).toEqual([problem]);
  });
});
