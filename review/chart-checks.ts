// Checks over the objects the pinned charts render (review/render.ts), beside the policy pack, which sees each
// chart only as one helm.sh/v3 Release. Each check follows the policy that guards the program's own objects,
// and is mandatory where that policy is in the stack's policy config:
// - chart-pod-security (pss-restricted): every pod template rendered into a namespace whose
//   `pod-security.kubernetes.io/enforce` label is `restricted` meets the restricted profile
//   (review/pod-security.ts), as the namespace's admission would demand of the pods;
// - chart-image-pinning (image-pinning): every container image names a digest, or a tag other than `latest`;
// - chart-resources (resources): every container and init container requests cpu and memory and has a
//   memory limit, the policy's own rule.
// Helm test hooks (`helm.sh/hook: test`) are left out: Pulumi's Release never runs them.
import { containersOf, parseImage, podSpecOf as policyPodSpecOf, where } from "../policies/lib/pods";
import { type CheckFinding, checkLevel, type CheckResult, type KubeObject, objectId } from "./check-types";
import type { RecordedResource } from "./engine";
import { podMetadataOf, podSpecOf, restrictedProblems, WORKLOAD_KINDS } from "./pod-security";
import type { PolicySettings } from "./policy-config";

const NAMESPACE = "kubernetes:core/v1:Namespace";
const ENFORCE = "pod-security.kubernetes.io/enforce";

type Obj = Record<string, unknown>;
const record = (value: unknown): Obj => (typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Obj) : {});

/** The Pulumi name of the release that rendered an object (its URN's last part). */
const releaseName = (o: KubeObject) => o.release?.slice(o.release.lastIndexOf("::") + 2) ?? "";

/** Helm test hooks: `helm test` runs them, a Release install never does. */
export function isTestHook(o: KubeObject): boolean {
  const hooks = record(record(o.inputs.metadata).annotations)["helm.sh/hook"];
  return typeof hooks === "string" && hooks.split(",").some((h) => ["test", "test-success", "test-failure"].includes(h.trim()));
}

/** The rendered objects of every release of the record. */
export function renderedObjects(resources: RecordedResource[]): KubeObject[] {
  return resources.flatMap((r) => r.rendered?.objects ?? []);
}

/** The workloads (objects with a pod template) among `objects`, test hooks left out. */
function workloads(objects: KubeObject[]): KubeObject[] {
  return objects.filter((o) => (WORKLOAD_KINDS as readonly string[]).includes(String(o.inputs.kind)) && !isTestHook(o));
}

/** Namespaces of the program's own Namespace objects whose Pod Security admission enforces `restricted`. */
export function restrictedNamespaces(resources: RecordedResource[]): Set<string> {
  return new Set(
    resources
      .filter((r) => r.type === NAMESPACE)
      .map((r) => record(r.inputs.metadata))
      .filter((m) => record(m.labels)[ENFORCE] === "restricted")
      .map((m) => String(m.name)),
  );
}

const finding = (o: KubeObject, message: string): CheckFinding => ({
  object: objectId(o),
  message: `release ${releaseName(o)}: ${message}`,
});

function podSecurity(objects: KubeObject[], restricted: Set<string>, level: CheckResult["enforcementLevel"]): CheckResult {
  const inScope = workloads(objects).filter((o) => restricted.has(String(record(o.inputs.metadata).namespace)));
  return {
    name: "chart-pod-security",
    description:
      "Pod templates the charts render into a namespace that enforces the restricted Pod Security level meet it (helm test hooks excepted).",
    enforcementLevel: level,
    checked: inScope.length,
    findings: inScope.flatMap((o) => {
      const kind = String(o.inputs.kind);
      return restrictedProblems(podSpecOf(kind, o.inputs), podMetadataOf(kind, o.inputs)).map((p) => finding(o, p));
    }),
  };
}

function imagePinning(objects: KubeObject[], level: CheckResult["enforcementLevel"]): CheckResult {
  let checked = 0;
  const findings = workloads(objects).flatMap((o) =>
    containersOf(policyPodSpecOf(o.type, o.inputs)).flatMap((c) => {
      checked += 1;
      const image = c.container.image;
      if (typeof image !== "string" || image === "") return [finding(o, `${where(c)} names no image`)];
      const { tag, digest } = parseImage(image);
      if (digest !== undefined) return [];
      if (tag === undefined) return [finding(o, `${where(c)} image ${image} has no tag (pulls latest): pin a version tag or a digest`)];
      if (tag === "latest") return [finding(o, `${where(c)} image ${image} uses the latest tag: pin a version tag or a digest`)];
      return [];
    }),
  );
  return {
    name: "chart-image-pinning",
    description:
      "Every container image the charts render is pinned: it names a digest (@sha256:...), or a tag other than latest (an image with no tag pulls latest).",
    enforcementLevel: level,
    checked,
    findings,
  };
}

const REQUIRED: [string, string][] = [
  ["requests", "cpu"],
  ["requests", "memory"],
  ["limits", "memory"],
];

function resourcesSet(objects: KubeObject[], level: CheckResult["enforcementLevel"]): CheckResult {
  let checked = 0;
  const findings = workloads(objects).flatMap((o) =>
    containersOf(policyPodSpecOf(o.type, o.inputs), ["container", "init container"]).flatMap((c) => {
      checked += 1;
      const resources = record(c.container.resources);
      const missing = REQUIRED.filter(([group, key]) => {
        const value = record(resources[group])[key];
        return value === undefined || value === null || value === "";
      }).map(([group, key]) => `resources.${group}.${key}`);
      return missing.length === 0 ? [] : [finding(o, `${where(c)} sets no ${missing.join(", ")}: set it through the chart's values`)];
    }),
  );
  return {
    name: "chart-resources",
    description:
      "Every container and init container the charts render requests cpu and memory and has a memory limit, as the resources policy asks of the program's own.",
    enforcementLevel: level,
    checked,
    findings,
  };
}

/** The checks over what the charts render, each at the level of the policy it follows in `settings`. */
export function chartChecks(resources: RecordedResource[], settings: Map<string, PolicySettings>): CheckResult[] {
  const objects = renderedObjects(resources);
  return [
    podSecurity(objects, restrictedNamespaces(resources), checkLevel(settings, "pss-restricted")),
    imagePinning(objects, checkLevel(settings, "image-pinning")),
    resourcesSet(objects, checkLevel(settings, "resources")),
  ];
}
