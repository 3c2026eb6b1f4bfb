// GIVEN Kubernetes objects as the engine receives them (type tokens kubernetes:<group>/<version>:<Kind>,
//       custom resources included)
// WHEN the Kubernetes policies run
// THEN pods below the restricted standard, unpinned images, unlabelled or open namespaces, plain-HTTP
//      routes, cloud load balancers outside the gateway, objects in `default` and fragile workloads are
//      reported.
import { describe, expect, test } from "@jest/globals";
import type { RecordedResource } from "../../review/engine";
import { check, linked, resource } from "./harness";

const restrictedContainer = {
  name: "app",
  image: "ghcr.io/stefanprodan/podinfo:6.14.1",
  ports: [{ containerPort: 9898 }],
  resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
  livenessProbe: { httpGet: { path: "/healthz", port: 9898 } },
  readinessProbe: { httpGet: { path: "/readyz", port: 9898 } },
  securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] }, privileged: false },
};
const podSpec = (container: Record<string, unknown> = {}, pod: Record<string, unknown> = {}) => ({
  securityContext: { runAsNonRoot: true, runAsUser: 65534, seccompProfile: { type: "RuntimeDefault" } },
  containers: [{ ...restrictedContainer, ...container }],
  volumes: [{ name: "tmp", emptyDir: {} }],
  ...pod,
});
const labels = { "app.kubernetes.io/name": "podinfo" };
const deployment = (container: Record<string, unknown> = {}, pod: Record<string, unknown> = {}, replicas = 3) =>
  resource("kubernetes:apps/v1:Deployment", "podinfo", {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "podinfo", namespace: "podinfo", labels },
    spec: { replicas, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: podSpec(container, pod) } },
  });
const cronJob = (container: Record<string, unknown> = {}) =>
  resource("kubernetes:batch/v1:CronJob", "pg-dump", {
    metadata: { name: "pg-dump", namespace: "backups" },
    spec: {
      schedule: "0 3 * * *",
      jobTemplate: {
        spec: {
          template: {
            spec: podSpec({ name: "dump", image: "postgres:17.6", livenessProbe: undefined, readinessProbe: undefined, ...container }),
          },
        },
      },
    },
  });

describe.each(["pss-restricted", "read-only-rootfs", "resources", "probes", "image-pinning"])("%s", (name) => {
  test("GIVEN the platform's app Deployment and backup CronJob THEN they pass", async () => {
    const result = await check(name, [deployment(), cronJob()]);
    expect(result).toMatchObject({ messages: [] });
    // probes only look at long-running workloads
    expect(result.evaluated).toBe(name === "probes" ? 1 : 2);
  });
});

describe("pss-restricted", () => {
  test("GIVEN a pod that breaks every rule THEN each breach is reported", async () => {
    const root = deployment(
      {
        securityContext: {
          privileged: true,
          runAsUser: 0,
          capabilities: { add: ["NET_ADMIN", "NET_BIND_SERVICE"] },
          seccompProfile: { type: "Unconfined" },
        },
        ports: [{ containerPort: 80, hostPort: 80 }],
      },
      { hostNetwork: true, hostPID: true, securityContext: {}, volumes: [{ name: "docker", hostPath: { path: "/var/run/docker.sock" } }] },
    );
    expect((await check("pss-restricted", [root])).messages).toEqual([
      "hostNetwork is true: remove it",
      "hostPID is true: remove it",
      "volume docker is a hostPath volume: use one of configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret",
      "container app is privileged: set securityContext.privileged to false",
      "container app does not set securityContext.allowPrivilegeEscalation to false: set it",
      'container app does not drop ALL capabilities: set securityContext.capabilities.drop to ["ALL"]',
      "container app adds capabilities NET_ADMIN: only NET_BIND_SERVICE may be added",
      "container app may run as root: set runAsNonRoot to true on the pod or the container",
      "container app sets runAsUser 0: run as a non-zero user",
      "container app has no seccomp profile: set seccompProfile.type to RuntimeDefault on the pod",
      "container app binds hostPort 80: remove it and expose the port through a Service",
    ]);
  });

  test("GIVEN a CronJob whose init container escalates THEN the pod template under jobTemplate is checked", async () => {
    const job = cronJob();
    const spec = (job.inputs.spec as { jobTemplate: { spec: { template: { spec: Record<string, unknown> } } } }).jobTemplate.spec.template
      .spec;
    spec.initContainers = [{ name: "wait", image: "busybox:1.37", securityContext: { capabilities: { drop: ["ALL"] } } }];
    expect((await check("pss-restricted", [job])).messages).toEqual([
      "init container wait does not set securityContext.allowPrivilegeEscalation to false: set it",
    ]);
  });
});

test("read-only-rootfs: GIVEN a writable root filesystem THEN it is reported", async () => {
  expect(
    (
      await check("read-only-rootfs", [
        deployment({ securityContext: { ...restrictedContainer.securityContext, readOnlyRootFilesystem: false } }),
      ])
    ).messages,
  ).toEqual(["container app has a writable root filesystem: set securityContext.readOnlyRootFilesystem to true"]);
});

test.each<[string, unknown, string]>([
  ["no resources", undefined, "container app sets no resources.requests.cpu, requests.memory and limits.memory: set them"],
  [
    "no memory limit",
    { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1" } },
    "container app sets no resources.limits.memory: set it",
  ],
])("resources: GIVEN %s THEN it is reported", async (_, resources, message) => {
  expect((await check("resources", [deployment({ resources })])).messages).toEqual([message]);
});

test("probes: GIVEN a Deployment without probes, and a CronJob without them THEN only the Deployment is reported", async () => {
  const result = await check("probes", [deployment({ livenessProbe: undefined, readinessProbe: undefined }), cronJob()]);
  expect(result.messages).toEqual(["container app has no livenessProbe and readinessProbe: add them"]);
});

describe("image-pinning and image-digest", () => {
  test.each<[string, string[], string[]]>([
    ["ghcr.io/stefanprodan/podinfo@sha256:0123abcd", [], []],
    [
      "ghcr.io/stefanprodan/podinfo:6.14.1",
      [],
      ["container app image ghcr.io/stefanprodan/podinfo:6.14.1 is not pinned by digest: append @sha256:<digest>"],
    ],
    [
      "localhost:5000/podinfo",
      ["container app image localhost:5000/podinfo has no tag (pulls latest): pin a version tag or a digest"],
      ["container app image localhost:5000/podinfo is not pinned by digest: append @sha256:<digest>"],
    ],
    [
      "podinfo:latest",
      ["container app image podinfo:latest uses the latest tag: pin a version tag or a digest"],
      ["container app image podinfo:latest is not pinned by digest: append @sha256:<digest>"],
    ],
  ])("GIVEN image %s THEN pinning and digest report as expected", async (image, pinning, digest) => {
    expect((await check("image-pinning", [deployment({ image })])).messages).toEqual(pinning);
    expect((await check("image-digest", [deployment({ image })])).messages).toEqual(digest);
  });
});

const namespace = (
  name: string,
  nsLabels: Record<string, string> = {
    "pod-security.kubernetes.io/enforce": "restricted",
    "pod-security.kubernetes.io/enforce-version": "latest",
  },
) => resource("kubernetes:core/v1:Namespace", name, { apiVersion: "v1", kind: "Namespace", metadata: { name, labels: nsLabels } });

describe("namespace-pss-labels", () => {
  test("GIVEN a namespace enforcing restricted at the latest version THEN it passes", async () => {
    expect(await check("namespace-pss-labels", [namespace("podinfo")])).toMatchObject({ evaluated: 1, messages: [] });
  });

  test.each<[string, Record<string, string>, string[]]>([
    [
      "no labels",
      {},
      [
        "the label pod-security.kubernetes.io/enforce is missing: set it to restricted",
        "the label pod-security.kubernetes.io/enforce-version is missing: set it to latest or the cluster's minor (v1.35)",
      ],
    ],
    [
      "a misspelt level",
      { "pod-security.kubernetes.io/enforce": "strict", "pod-security.kubernetes.io/enforce-version": "v1.35" },
      ["pod-security.kubernetes.io/enforce is strict: use privileged, baseline or restricted"],
    ],
  ])("GIVEN %s THEN it is reported", async (_, nsLabels, messages) => {
    expect((await check("namespace-pss-labels", [namespace("podinfo", nsLabels)])).messages).toEqual(messages);
  });

  const baseline = { "pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/enforce-version": "v1.35" };

  test("GIVEN a namespace enforcing baseline in production (the default config) THEN it is reported below restricted", async () => {
    expect((await check("namespace-pss-labels", [namespace("podinfo", baseline)])).messages).toEqual([
      "namespace podinfo enforces baseline: production enforces at least restricted; set pod-security.kubernetes.io/enforce to restricted, or declare podinfo in allowedBelowRestricted",
    ]);
  });

  test("GIVEN staging's config and a namespace enforcing privileged THEN it is reported", async () => {
    const privileged = { ...baseline, "pod-security.kubernetes.io/enforce": "privileged" };
    const settings = { environment: "staging", minimumLevel: "restricted", allowedBelowRestricted: [] };
    expect((await check("namespace-pss-labels", [namespace("monitoring", privileged)], settings)).messages).toEqual([
      "namespace monitoring enforces privileged: staging enforces at least restricted; set pod-security.kubernetes.io/enforce to restricted, or declare monitoring in allowedBelowRestricted",
    ]);
  });

  test("GIVEN baseline declared in allowedBelowRestricted THEN only that namespace may enforce it", async () => {
    const settings = { allowedBelowRestricted: ["monitoring"] };
    const result = await check("namespace-pss-labels", [namespace("monitoring", baseline), namespace("podinfo", baseline)], settings);
    expect(result).toMatchObject({ evaluated: 2 });
    expect(result.messages).toEqual([
      "namespace podinfo enforces baseline: production enforces at least restricted; set pod-security.kubernetes.io/enforce to restricted, or declare podinfo in allowedBelowRestricted",
    ]);
  });

  test("GIVEN dev's config (minimum baseline) THEN baseline passes and privileged is reported", async () => {
    const settings = { environment: "dev", minimumLevel: "baseline", allowedBelowRestricted: [] };
    const privileged = { ...baseline, "pod-security.kubernetes.io/enforce": "privileged" };
    expect((await check("namespace-pss-labels", [namespace("podinfo", baseline)], settings)).messages).toEqual([]);
    expect((await check("namespace-pss-labels", [namespace("podinfo", privileged)], settings)).messages).toEqual([
      "namespace podinfo enforces privileged: dev enforces at least baseline; set pod-security.kubernetes.io/enforce to baseline, or declare podinfo in allowedBelowRestricted",
    ]);
  });

  const patch = (name: string, nsLabels: Record<string, string>) =>
    resource("kubernetes:core/v1:NamespacePatch", `${name}-labels`, {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name, labels: nsLabels },
    });
  const privileged = { "pod-security.kubernetes.io/enforce": "privileged", "pod-security.kubernetes.io/enforce-version": "v1.35" };

  test("GIVEN production's shipped config THEN the log collector's patched namespace may run privileged and no other patched namespace may", async () => {
    const settings = { allowedBelowRestricted: ["amazon-cloudwatch"] };
    const result = await check(
      "namespace-pss-labels",
      [patch("amazon-cloudwatch", privileged), patch("kube-public", privileged)],
      settings,
    );
    expect(result).toMatchObject({ evaluated: 2 });
    expect(result.messages).toEqual([
      "namespace kube-public enforces privileged: production enforces at least restricted; set pod-security.kubernetes.io/enforce to restricted, or declare kube-public in allowedBelowRestricted",
    ]);
  });

  test("GIVEN a patch that sets no Pod Security level THEN it changes nothing the policy guards", async () => {
    expect(await check("namespace-pss-labels", [patch("kube-system", { team: "platform" })])).toMatchObject({ evaluated: 1, messages: [] });
  });

  test("GIVEN dev's config and no enforce label THEN the fix names dev's minimum", async () => {
    const settings = { environment: "dev", minimumLevel: "baseline", allowedBelowRestricted: [] };
    const versionOnly = { "pod-security.kubernetes.io/enforce-version": "latest" };
    expect((await check("namespace-pss-labels", [namespace("podinfo", versionOnly)], settings)).messages).toEqual([
      "the label pod-security.kubernetes.io/enforce is missing: set it to baseline",
    ]);
  });
});

describe("namespace-default-deny", () => {
  const deny = (ns: string, policyTypes: string[], extra: Record<string, unknown> = {}) =>
    resource("kubernetes:networking.k8s.io/v1:NetworkPolicy", `${ns}-default-deny`, {
      metadata: { name: "default-deny", namespace: ns },
      spec: { podSelector: {}, policyTypes, ...extra },
    });

  test("GIVEN a namespace with one policy denying both directions THEN it passes", async () => {
    expect((await check("namespace-default-deny", [namespace("podinfo"), deny("podinfo", ["Ingress", "Egress"])])).messages).toEqual([]);
  });

  test("GIVEN a namespace the stack sets a Pod Security level on by patch THEN it needs its default-deny too; a patch setting none does not", async () => {
    const levelled = resource("kubernetes:core/v1:NamespacePatch", "collector-labels", {
      metadata: { name: "amazon-cloudwatch", labels: { "pod-security.kubernetes.io/enforce": "privileged" } },
    });
    const unlevelled = resource("kubernetes:core/v1:NamespacePatch", "system-labels", {
      metadata: { name: "kube-public", labels: { team: "platform" } },
    });
    expect((await check("namespace-default-deny", [levelled, unlevelled])).messages).toEqual([
      'namespace amazon-cloudwatch has no default-deny NetworkPolicy for Ingress and Egress: add one with podSelector {} and policyTypes ["Ingress", "Egress"]',
    ]);
    expect(
      (await check("namespace-default-deny", [levelled, unlevelled, deny("amazon-cloudwatch", ["Ingress", "Egress"])])).messages,
    ).toEqual([]);
  });

  test("GIVEN the namespace referenced through its output (no literal name) THEN the policies still count", async () => {
    const ns = namespace("apps");
    const unnamed = { ...ns, inputs: { metadata: {} } };
    const policies = ["Ingress", "Egress"].map((direction) =>
      linked(
        resource("kubernetes:networking.k8s.io/v1:NetworkPolicy", `deny-${direction}`, {
          metadata: {},
          spec: { podSelector: {}, policyTypes: [direction] },
        }),
        "metadata",
        unnamed,
      ),
    );
    expect((await check("namespace-default-deny", [unnamed, ...policies])).messages).toEqual([]);
  });

  test.each<[string, RecordedResource[], string]>([
    [
      "no policy",
      [],
      'namespace podinfo has no default-deny NetworkPolicy for Ingress and Egress: add one with podSelector {} and policyTypes ["Ingress", "Egress"]',
    ],
    [
      "only ingress denied",
      [deny("podinfo", ["Ingress"])],
      'namespace podinfo has no default-deny NetworkPolicy for Egress: add one with podSelector {} and policyTypes ["Egress"]',
    ],
    [
      "egress allowed to DNS rather than denied",
      [deny("podinfo", ["Ingress", "Egress"], { egress: [{ ports: [{ port: 53, protocol: "UDP" }] }] })],
      'namespace podinfo has no default-deny NetworkPolicy for Egress: add one with podSelector {} and policyTypes ["Egress"]',
    ],
    [
      "a deny for other namespace's pods only",
      [deny("other", ["Ingress", "Egress"])],
      'namespace podinfo has no default-deny NetworkPolicy for Ingress and Egress: add one with podSelector {} and policyTypes ["Ingress", "Egress"]',
    ],
  ])("GIVEN %s THEN the namespace is reported", async (_, extra, message) => {
    const ns = namespace("podinfo");
    expect((await check("namespace-default-deny", [ns, ...extra])).violations).toEqual([{ urn: ns.urn, message }]);
  });

  test("GIVEN an exempt namespace without policies THEN it is not reported", async () => {
    expect((await check("namespace-default-deny", [namespace("kube-system")])).messages).toEqual([]);
  });
});

describe("tls-on-routes", () => {
  const GW = "kubernetes:gateway.networking.k8s.io/v1:Gateway";
  const ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";
  const gateway = (listeners: Record<string, unknown>[]) =>
    resource(GW, "platform-gateway", {
      metadata: { name: "platform", namespace: "gateway" },
      spec: { gatewayClassName: "envoy", listeners },
    });
  const http = { name: "http", protocol: "HTTP", port: 80 };
  const https = {
    name: "https",
    protocol: "HTTPS",
    port: 443,
    hostname: "*.platform.example.com",
    tls: { mode: "Terminate", certificateRefs: [{ name: "platform-tls" }] },
  };
  const route = (name: string, parentRef: Record<string, unknown>, rules: Record<string, unknown>[]) =>
    resource(ROUTE, name, {
      metadata: { name, namespace: "podinfo" },
      spec: { parentRefs: [{ name: "platform", namespace: "gateway", ...parentRef }], rules },
    });
  const redirect = route("https-redirect", { sectionName: "http" }, [
    { filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] },
  ]);
  const app = route("podinfo", { sectionName: "https" }, [{ backendRefs: [{ name: "podinfo", port: 9898 }] }]);

  test("GIVEN HTTPS with a certificate, the app on it and HTTP only redirecting THEN it passes", async () => {
    expect(await check("tls-on-routes", [gateway([http, https]), redirect, app])).toMatchObject({ evaluated: 1, messages: [] });
  });

  test.each<[string, Record<string, unknown>, string]>([
    [
      "HTTPS without a certificate",
      { ...https, tls: { mode: "Terminate" } },
      "gateway platform-gateway listener https is HTTPS without a certificate: set tls.certificateRefs to the cert-manager certificate's Secret",
    ],
    [
      "plain TCP",
      { name: "db", protocol: "TCP", port: 5432 },
      "gateway platform-gateway listener db serves plain TCP: use protocol TLS with a certificate",
    ],
  ])("GIVEN a listener with %s THEN the gateway is reported", async (_, listener, message) => {
    expect((await check("tls-on-routes", [gateway([listener])])).messages).toEqual([message]);
  });

  test("GIVEN an app route without sectionName on a gateway with an HTTP listener THEN the route is reported", async () => {
    const everywhere = route("podinfo", {}, [{ backendRefs: [{ name: "podinfo", port: 9898 }] }]);
    const result = await check("tls-on-routes", [gateway([http, https]), everywhere]);
    expect(result.violations).toEqual([
      {
        urn: everywhere.urn,
        message:
          "HTTPRoute podinfo serves plain HTTP on gateway platform-gateway listener http: attach it to the HTTPS listener with parentRefs[].sectionName, and only redirect to https on HTTP",
      },
    ]);
  });

  test("GIVEN an Ingress with one host outside its TLS section THEN it is reported", async () => {
    const ingress = resource("kubernetes:networking.k8s.io/v1:Ingress", "legacy", {
      metadata: { name: "legacy", namespace: "legacy" },
      spec: { tls: [{ hosts: ["a.example.com"], secretName: "a-tls" }], rules: [{ host: "a.example.com" }, { host: "b.example.com" }] },
    });
    expect((await check("tls-on-routes", [ingress])).messages).toEqual([
      "Ingress legacy serves b.example.com without TLS: list it in spec.tls with a secretName",
    ]);
  });
});

describe("load-balancer-services", () => {
  const SERVICE = "kubernetes:core/v1:Service";
  const PROXY = "kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy";
  const service = (namespace: string | undefined, type?: string) =>
    resource(SERVICE, `${namespace ?? "none"}-svc`, {
      metadata: { name: "web", ...(namespace && { namespace }) },
      spec: { ...(type && { type }), selector: { app: "web" }, ports: [{ port: 80, targetPort: 8080 }] },
    });
  const proxy = (namespace: string, provider?: Record<string, unknown>) =>
    resource(PROXY, `${namespace}-proxy`, { metadata: { name: "platform-proxy", namespace }, spec: { ...(provider && { provider }) } });
  const envoyService = (type?: string) => ({
    type: "Kubernetes",
    kubernetes: { envoyService: { ...(type && { type }), externalTrafficPolicy: "Local" } },
  });

  test.each<[string, RecordedResource[], Record<string, unknown>]>([
    ["a ClusterIP Service of an app", [service("podinfo", "ClusterIP")], {}],
    ["a Service without type (ClusterIP)", [service("podinfo")], {}],
    ["internal ClusterIP and ExternalName Services", [service("monitoring", "ClusterIP"), service("backups", "ExternalName")], {}],
    ["the gateway's LoadBalancer Service", [service("gateway", "LoadBalancer")], {}],
    ["the gateway's EnvoyProxy with a LoadBalancer Service", [proxy("gateway", envoyService("LoadBalancer"))], {}],
    ["an EnvoyProxy elsewhere with a ClusterIP Service", [proxy("internal", envoyService("ClusterIP"))], {}],
    [
      "a LoadBalancer Service in a namespace the config allows",
      [service("edge", "LoadBalancer"), proxy("edge")],
      { allowedNamespaces: ["gateway", "edge"] },
    ],
  ])("GIVEN %s THEN it passes", async (_, resources, settings) => {
    expect(await check("load-balancer-services", resources, settings)).toMatchObject({ evaluated: resources.length, messages: [] });
  });

  test.each<[string, RecordedResource, Record<string, unknown>, string]>([
    [
      "an app's LoadBalancer Service",
      service("podinfo", "LoadBalancer"),
      {},
      "Service web in namespace podinfo is of type LoadBalancer, a cloud load balancer of its own: make it ClusterIP and route to it through the gateway",
    ],
    [
      "a LoadBalancer Service without namespace",
      service(undefined, "LoadBalancer"),
      {},
      "Service web in namespace default is of type LoadBalancer, a cloud load balancer of its own: make it ClusterIP and route to it through the gateway",
    ],
    [
      "the gateway's Service when the config no longer allows the gateway namespace",
      service("gateway", "LoadBalancer"),
      { allowedNamespaces: ["edge"] },
      "Service web in namespace gateway is of type LoadBalancer, a cloud load balancer of its own: make it ClusterIP and route to it through the gateway",
    ],
    [
      "an EnvoyProxy elsewhere asking for a LoadBalancer",
      proxy("apps", envoyService("LoadBalancer")),
      {},
      "EnvoyProxy platform-proxy in namespace apps exposes its proxies through a LoadBalancer Service: set spec.provider.kubernetes.envoyService.type to ClusterIP",
    ],
    [
      "an EnvoyProxy elsewhere leaving the Service type unset",
      proxy("apps", envoyService()),
      {},
      "EnvoyProxy platform-proxy in namespace apps leaves spec.provider.kubernetes.envoyService.type unset, so Envoy Gateway exposes its proxies through a LoadBalancer Service: set it to ClusterIP",
    ],
    [
      "an EnvoyProxy elsewhere with no provider at all",
      proxy("apps"),
      {},
      "EnvoyProxy platform-proxy in namespace apps leaves spec.provider.kubernetes.envoyService.type unset, so Envoy Gateway exposes its proxies through a LoadBalancer Service: set it to ClusterIP",
    ],
  ])("GIVEN %s THEN it is reported", async (_, object, settings, message) => {
    expect((await check("load-balancer-services", [object], settings)).violations).toEqual([{ urn: object.urn, message }]);
  });

  test("GIVEN other Kubernetes objects THEN the policy does not apply to them", async () => {
    expect(await check("load-balancer-services", [deployment(), namespace("podinfo")])).toMatchObject({ evaluated: 0, messages: [] });
  });
});

describe("no-default-namespace", () => {
  const provider = resource(
    "pulumi:providers:kubernetes",
    "cluster",
    { kubeconfig: "[secret]", namespace: "apps" },
    { secretInputs: ["kubeconfig"] },
  );
  const service = (metadata: Record<string, unknown>, extra: Partial<RecordedResource> = {}) =>
    resource("kubernetes:core/v1:Service", "svc", { metadata, spec: { ports: [{ port: 80 }] } }, extra);

  test.each<[string, RecordedResource[]]>([
    ["its own namespace", [service({ name: "svc", namespace: "podinfo" })]],
    ["no namespace on a provider whose default namespace is apps", [provider, service({ name: "svc" }, { provider: provider.urn })]],
    [
      "a cluster-scoped object",
      [
        resource("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "reader", { metadata: { name: "reader" } }),
        resource("kubernetes:cert-manager.io/v1:ClusterIssuer", "le", { metadata: { name: "le" } }),
      ],
    ],
    [
      "a YAML component (its objects are checked one by one)",
      [resource("kubernetes:yaml/v2:ConfigGroup", "crds", { files: ["crds.yaml"] }, { custom: false })],
    ],
  ])("GIVEN %s THEN it passes", async (_, resources) => {
    expect((await check("no-default-namespace", resources)).messages).toEqual([]);
  });

  test.each<[string, RecordedResource, string]>([
    [
      "metadata.namespace default",
      service({ name: "svc", namespace: "default" }),
      "it is created in the default namespace: set metadata.namespace to the workload's own namespace",
    ],
    [
      "no namespace on the default provider",
      service({ name: "svc" }),
      "no namespace is set, so it lands in the default namespace: set metadata.namespace to the workload's own namespace",
    ],
    [
      "a Helm release without namespace",
      resource("kubernetes:helm.sh/v3:Release", "monitoring", { chart: "kube-prometheus-stack", version: "77.0.0" }),
      "no namespace is set, so it lands in the default namespace: set namespace to the workload's own namespace",
    ],
    [
      "a custom resource in default",
      resource("kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "podinfo", { metadata: { name: "podinfo", namespace: "default" } }),
      "it is created in the default namespace: set metadata.namespace to the workload's own namespace",
    ],
  ])("GIVEN %s THEN it is reported", async (_, object, message) => {
    expect((await check("no-default-namespace", [object])).messages).toEqual([message]);
  });
});

describe("availability", () => {
  const budget = (matchLabels: Record<string, string>, ns = "podinfo") =>
    resource("kubernetes:policy/v1:PodDisruptionBudget", "podinfo-pdb", {
      metadata: { name: "podinfo", namespace: ns },
      spec: { maxUnavailable: 1, selector: { matchLabels } },
    });

  test("GIVEN 3 replicas with a matching budget THEN it passes", async () => {
    expect((await check("availability", [deployment(), budget(labels)])).messages).toEqual([]);
  });

  test("GIVEN replicas left to an autoscaler with minReplicas 2 THEN it passes", async () => {
    const scaled = deployment({}, {}, 1);
    const hpa = resource("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "podinfo-hpa", {
      metadata: { name: "podinfo", namespace: "podinfo" },
      spec: { minReplicas: 2, maxReplicas: 10, scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "podinfo" } },
    });
    expect((await check("availability", [scaled, hpa, budget(labels)])).messages).toEqual([]);
  });

  test("GIVEN one replica and a budget for other pods THEN both are reported", async () => {
    const result = await check("availability", [
      deployment({}, {}, 1),
      budget({ "app.kubernetes.io/name": "other" }),
      budget(labels, "elsewhere"),
    ]);
    expect(result.messages).toEqual([
      "Deployment podinfo runs 1 replica: run at least 2",
      "podinfo has no PodDisruptionBudget: add one selecting its pods with maxUnavailable 1",
    ]);
  });
});
