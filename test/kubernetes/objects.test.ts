// GIVEN every shipped stack, AWS and GCP, reviewed as `pulumi up` would run it
// WHEN each Kubernetes object it registers is read back as the manifest the provider would apply
// THEN it validates against the upstream schema of its kind with unknown fields treated as errors, the
//      kinds no published model covers are exactly Envoy Gateway's own, and every pod template (Deployments,
//      Jobs, CronJobs alike) passes the Pod Security Standards restricted profile.
import { beforeAll, describe, expect, test } from "@jest/globals";
import type { RecordedResource } from "../../review/engine";
import type { ReviewReport } from "../../review/review";
import { shippedReview } from "../reviews";
import { podMetadataOf, podSpecOf, restrictedProblems, WORKLOAD_KINDS } from "../../review/pod-security";
import { hasSchema, validateObject } from "./schema";

const STACKS = ["dev", "staging", "production", "gcp-dev", "gcp-production"] as const;
const reports: Record<string, ReviewReport> = {};
beforeAll(() => {
  for (const stack of STACKS) reports[stack] = shippedReview(stack);
});

/**
 * The model package for External Secrets that runs on Node 20 carries `external-secrets.io/v1beta1` only.
 * v1 was promoted from v1beta1 (External Secrets 0.16) with the same fields for everything used here
 * (secretStoreRef, target, data[].remoteRef, refreshInterval; provider.aws.service and region), so v1
 * objects are checked against that schema.
 */
const SCHEMA_VERSION: Record<string, string> = { "external-secrets.io/v1": "external-secrets.io/v1beta1" };
/** Kinds no published model covers: Envoy Gateway's own CRDs. */
const UNVALIDATED = [
  "gateway.envoyproxy.io/v1alpha1 BackendTrafficPolicy",
  "gateway.envoyproxy.io/v1alpha1 ClientTrafficPolicy",
  "gateway.envoyproxy.io/v1alpha1 EnvoyProxy",
];

interface Manifest {
  apiVersion: string;
  kind: string;
  [field: string]: unknown;
}

/** Kubernetes objects the program registers itself: not providers, not Helm releases (their objects live in the charts). */
const objects = (stack: string) =>
  reports[stack]!.resources.filter((r) => r.custom && r.type.startsWith("kubernetes:") && r.type !== "kubernetes:helm.sh/v3:Release");

/** The manifest as applied. Secret values arrive as "[secret]" in the record; their paths are left out, as the schema sees no value there. */
function manifestOf(r: RecordedResource): Manifest {
  const manifest = structuredClone(r.inputs) as Manifest;
  for (const secretPath of r.secretInputs) {
    const keys = secretPath.split(".");
    const last = keys.pop()!;
    const parent = keys.reduce<Record<string, unknown>>((node, key) => node[key] as Record<string, unknown>, manifest);
    delete parent[last];
  }
  return manifest;
}

describe.each(STACKS)("%s", (stack) => {
  test("registers Kubernetes objects of the expected kinds", () => {
    const kinds = new Set(objects(stack).map((r) => r.type));
    for (const kind of [
      "Namespace",
      "NetworkPolicy",
      "Deployment",
      "CronJob",
      "Gateway",
      "HTTPRoute",
      "Certificate",
      "ClusterIssuer",
      "PrometheusRule",
      "ServiceMonitor",
      "PodMonitor",
      "ExternalSecret",
      "ClusterSecretStore",
    ]) {
      expect([...kinds].some((t) => t.endsWith(`:${kind}`))).toBe(true);
    }
  });

  test("every object validates strictly against its kind's schema, or is of a kind listed as unvalidated", () => {
    const unvalidated = new Set<string>();
    const problems: string[] = [];
    for (const r of objects(stack)) {
      const manifest = manifestOf(r);
      const checked = { ...manifest, apiVersion: SCHEMA_VERSION[manifest.apiVersion] ?? manifest.apiVersion };
      if (!hasSchema(checked.apiVersion, checked.kind)) {
        unvalidated.add(`${manifest.apiVersion} ${manifest.kind}`);
        continue;
      }
      problems.push(...validateObject(checked).map((p) => `${r.name} (${manifest.kind}): ${p}`));
    }
    expect(problems).toEqual([]);
    expect([...unvalidated].sort()).toEqual(UNVALIDATED);
  });

  test("every pod template passes the restricted Pod Security Standard", () => {
    const workloads = objects(stack).filter((r) => (WORKLOAD_KINDS as readonly string[]).includes((r.inputs as Manifest).kind));
    expect(workloads.map((r) => (r.inputs as Manifest).kind).sort()).toEqual([
      "CronJob",
      "CronJob",
      "CronJob", // the exporters' credential rollout
      "Deployment",
      "Deployment",
      "Deployment",
    ]);
    for (const r of workloads) {
      const manifest = manifestOf(r);
      expect({
        workload: r.name,
        problems: restrictedProblems(podSpecOf(manifest.kind, manifest), podMetadataOf(manifest.kind, manifest)),
      }).toEqual({ workload: r.name, problems: [] });
    }
  });
});

describe("the checks can fail", () => {
  test("a misspelt field and a privileged container in a registered Deployment are caught", () => {
    const deployment = manifestOf(objects("production").find((r) => r.name === "app-podinfo-deployment")!);
    const spec = podSpecOf(deployment.kind, deployment) as { containers: Record<string, unknown>[] };
    spec.containers[0]!.securityContex = {};
    (spec.containers[0]!.securityContext as Record<string, unknown>).privileged = true;
    expect(validateObject(deployment)).toEqual([expect.stringContaining("spec.template.spec.containers[0].securityContex")]);
    expect(restrictedProblems(spec, podMetadataOf(deployment.kind, deployment))).toEqual([expect.stringContaining("privileged")]);
  });

  test.each([
    ["gateway-https-redirect", "HTTPRoute"],
    ["gateway-gateway", "Gateway"],
    ["gateway-https-podinfo-platform-example-com-certificate", "Certificate"],
    ["monitoring-rules", "PrometheusRule"],
    ["backups-credentials", "ExternalSecret"],
  ])("a misspelt spec field in %s (%s) is caught", (name, kind) => {
    const manifest = manifestOf(objects("production").find((r) => r.name === name)!);
    expect(manifest.kind).toBe(kind);
    (manifest.spec as Record<string, unknown>).tragetRefs = [];
    const checked = { ...manifest, apiVersion: SCHEMA_VERSION[manifest.apiVersion] ?? manifest.apiVersion };
    expect(validateObject(checked)).toEqual([expect.stringContaining("spec.tragetRefs")]);
  });
});
