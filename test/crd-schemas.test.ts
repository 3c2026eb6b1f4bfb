// GIVEN the External Secrets CRD bundle the stack applies (charts/external-secrets-2.9.0-crds.yaml) and small
//       CRDs written here for the schema features the bundle does not exercise
// WHEN the production stack's ExternalSecrets and ClusterSecretStore, and planted variants of them, are
//      checked by crdSchemaCheck
// THEN the shipped ones pass, and a misspelt field, a wrong type, a value outside an enum, a version no CRD
//      serves (v1beta1, which 2.9.0 no longer serves) and a missing required field are each a finding naming
//      the object, the field and the CRD; int-or-string, nullable and preserved unknown fields pass.
import { describe, expect, test } from "@jest/globals";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import type { KubeObject } from "../review/check-types";
import { crdSchemaCheck, schemaProblems } from "../review/crd-schemas";
import { kubeObjects } from "../review/cluster-objects";
import { findHelm } from "../review/helm-binary";
import { renderReleases } from "../review/render";
import { shippedReview } from "./reviews";

const BUNDLE = path.resolve(__dirname, "..", "charts", "external-secrets-2.9.0-crds.yaml");
const bundle: KubeObject[] = parseAllDocuments(fs.readFileSync(BUNDLE, "utf8"))
  .map((d) => d.toJS() as Record<string, unknown> | null)
  .filter((d): d is Record<string, unknown> => d !== null)
  .map((inputs) => ({
    type: "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition",
    name: (inputs.metadata as { name: string }).name,
    inputs,
  }));

const esoObjects = (): KubeObject[] =>
  shippedReview("production")
    .resources.filter((r) => r.type.startsWith("kubernetes:external-secrets.io/"))
    .map((r) => ({ type: r.type, name: r.name, inputs: structuredClone(r.inputs) }));

describe("the production stack against the External Secrets 2.9.0 CRDs", () => {
  test("every ExternalSecret and the ClusterSecretStore validate", () => {
    const objects = esoObjects();
    expect(objects.map((o) => o.type).sort()).toEqual([
      "kubernetes:external-secrets.io/v1:ClusterSecretStore",
      ...Array<string>(objects.length - 1).fill("kubernetes:external-secrets.io/v1:ExternalSecret"),
    ]);
    expect(crdSchemaCheck(objects, bundle, "mandatory")).toEqual({
      name: "crd-schemas",
      description: "Every custom resource the stack creates validates against the CRD the pinned charts install for its version.",
      enforcementLevel: "mandatory",
      checked: objects.length,
      findings: [],
    });
  });

  test("a misspelt field, a wrong type and a retired version are findings naming the object, the field and the CRD", () => {
    const [store, secret] = ["ClusterSecretStore", "ExternalSecret"].map((k) => esoObjects().find((o) => o.type.endsWith(`:${k}`))!);
    const spec = secret!.inputs.spec as Record<string, unknown>;
    spec.refreshIntervall = spec.refreshInterval;
    (spec.target as Record<string, unknown>).creationPolicy = "Sometimes";
    const retired: KubeObject = { ...store!, type: "kubernetes:external-secrets.io/v1beta1:ClusterSecretStore" };
    const name = (secret!.inputs.metadata as { name: string; namespace: string }).name;
    const ns = (secret!.inputs.metadata as { name: string; namespace: string }).namespace;
    expect(crdSchemaCheck([secret!, retired], bundle, "mandatory").findings).toEqual([
      {
        object: `${ns}/ExternalSecret/${name}`,
        message:
          "spec.refreshIntervall is not a field of external-secrets.io/v1 ExternalSecret: the API server would drop it (CRD from externalsecrets.external-secrets.io)",
      },
      {
        object: `${ns}/ExternalSecret/${name}`,
        message:
          'spec.target.creationPolicy must be one of ["Owner","Orphan","Merge","None","CreateOrMerge"] in external-secrets.io/v1 ExternalSecret (CRD from externalsecrets.external-secrets.io)',
      },
      {
        object: "-/ClusterSecretStore/platform-secrets",
        message: "no CRD the charts install serves external-secrets.io/v1beta1 ClusterSecretStore",
      },
    ]);
  });
});

// The production review renders every chart, so the CRDs it validates against are those the pinned charts
// ship (the render cache is warm from the shared reviews; Helm runs only if it is not).
describe("the production stack against every CRD the charts render and the stack applies", () => {
  const ROOT = path.resolve(__dirname, "..");
  const crdsOfProduction = async () => {
    const resources = structuredClone(shippedReview("production").resources);
    const rendering = await renderReleases(resources, { root: ROOT, helm: await findHelm({ root: ROOT }) });
    return { resources, crds: rendering.crds! };
  };

  test("the review's check looked at every custom resource and found nothing", () => {
    expect(shippedReview("production").checks.find((c) => c.name === "crd-schemas")).toEqual({
      name: "crd-schemas",
      description: "Every custom resource the stack creates validates against the CRD the pinned charts install for its version.",
      enforcementLevel: "mandatory",
      checked: 59,
      findings: [],
    });
  });

  test("a misspelt ServiceMonitor field and a Gateway listener protocol of the wrong type are caught by name, against the CRDs the charts render", async () => {
    const { resources, crds } = await crdsOfProduction();
    const objects = kubeObjects(resources);
    const monitor = objects.find((o) => o.type === "kubernetes:monitoring.coreos.com/v1:ServiceMonitor" && o.release === undefined)!;
    const endpoints = (monitor.inputs.spec as { endpoints: Record<string, unknown>[] }).endpoints;
    endpoints[0]!.intervall = endpoints[0]!.interval;
    const gateway = objects.find((o) => o.type === "kubernetes:gateway.networking.k8s.io/v1:Gateway")!;
    (gateway.inputs.spec as { listeners: Record<string, unknown>[] }).listeners[0]!.protocol = 42;
    const findings = crdSchemaCheck([monitor, gateway], crds, "mandatory").findings;
    const meta = (o: KubeObject) => o.inputs.metadata as { name: string; namespace: string };
    expect(findings.map((f) => f.object)).toEqual([
      `${meta(monitor).namespace}/ServiceMonitor/${meta(monitor).name}`,
      `${meta(gateway).namespace}/Gateway/${meta(gateway).name}`,
    ]);
    expect(findings[0]!.message).toMatch(
      /^spec\.endpoints\[0\]\.intervall is not a field of monitoring\.coreos\.com\/v1 ServiceMonitor: the API server would drop it \(CRD from urn:pulumi:production::platform::.*kubernetes:helm\.sh\/v3:Release::monitoring-crds\)$/,
    );
    expect(findings[1]!.message).toMatch(/^spec\.listeners\[0\]\.protocol must be string in gateway\.networking\.k8s\.io\/v1 Gateway /);
  });
});

describe("schema features", () => {
  const crd: KubeObject = {
    type: "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition",
    name: "widgets.example.com",
    release: "urn:pulumi:production::platform::kubernetes:helm.sh/v3:Release::widgets",
    inputs: {
      spec: {
        group: "example.com",
        names: { kind: "Widget" },
        versions: [
          { name: "v1alpha1", served: false, schema: { openAPIV3Schema: { type: "object" } } },
          {
            name: "v1",
            served: true,
            schema: {
              openAPIV3Schema: {
                type: "object",
                properties: {
                  apiVersion: { type: "string" },
                  kind: { type: "string" },
                  metadata: { type: "object" },
                  spec: {
                    type: "object",
                    required: ["port"],
                    properties: {
                      port: { "x-kubernetes-int-or-string": true },
                      note: { type: "string", nullable: true },
                      config: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
                      labels: { type: "object", additionalProperties: { type: "string" } },
                      replicas: { type: "integer", minimum: 1, "x-kubernetes-validations": [{ rule: "self < 10" }] },
                    },
                  },
                },
              },
            },
          },
        ],
      },
    },
  };
  const widget = (spec: Record<string, unknown>, version = "v1"): KubeObject => ({
    type: `kubernetes:example.com/${version}:Widget`,
    name: "w",
    inputs: { apiVersion: `example.com/${version}`, kind: "Widget", metadata: { name: "w", namespace: "apps" }, spec },
  });
  const findings = (o: KubeObject) => crdSchemaCheck([o], [crd], "advisory").findings.map((f) => f.message);
  const FROM = "(CRD from urn:pulumi:production::platform::kubernetes:helm.sh/v3:Release::widgets)";

  test("int-or-string, nullable, preserved unknown fields and free-form maps pass", () => {
    expect(findings(widget({ port: "http", note: null, config: { anything: { goes: 1 } }, labels: { a: "b" }, replicas: 3 }))).toEqual([]);
    expect(findings(widget({ port: 8080 }))).toEqual([]);
  });

  test("a missing required field, a wrong type, a bound and an unserved version are refused", () => {
    expect(findings(widget({ replicas: 0, labels: { a: 1 } }))).toEqual([
      `spec must have required property 'port' in example.com/v1 Widget ${FROM}`,
      `spec.labels.a must be string in example.com/v1 Widget ${FROM}`,
      `spec.replicas must be >= 1 in example.com/v1 Widget ${FROM}`,
    ]);
    expect(findings(widget({ port: true }))).toEqual([`spec.port must be an integer or a string in example.com/v1 Widget ${FROM}`]);
    expect(findings(widget({ port: 1 }, "v1alpha1"))).toEqual(["no CRD the charts install serves example.com/v1alpha1 Widget"]);
  });

  test("only the parts of the schema the value uses are walked; CEL rules are not evaluated; an RE2 pattern JavaScript cannot compile is skipped", () => {
    const schema = {
      type: "object",
      properties: {
        a: { type: "integer", "x-kubernetes-validations": [{ rule: "self > 100" }] },
        b: { type: "string", pattern: "^(?i)(abort|warn)$" },
        c: { type: "string", pattern: "^[a-z]+$" },
        never: { type: "object", properties: { deep: { type: "string" } } },
      },
    };
    expect(schemaProblems(schema, { a: 1, b: "ABORT", c: "x" })).toEqual([]);
    expect(schemaProblems(schema, { c: "X1", d: true })).toEqual(["d is not a field", 'c must match pattern "^[a-z]+$"']);
  });
});
