// Our custom resources held to the CRDs the pinned charts install: each ServiceMonitor, ExternalSecret,
// Certificate, Gateway and the rest is validated against the openAPIV3Schema of the CRD version that will
// serve it in the cluster, read from what the charts render (and the CRD bundle the stack applies), not
// from a model package of another release. A chart bump that renames a field, drops a served version or
// tightens an enum fails the review instead of the deploy.
//
// As the API server does with structural schemas: types, required fields, enums, patterns, bounds,
// int-or-string and nullable are checked; a field the schema does not declare is refused where the API
// server would prune it (no `x-kubernetes-preserve-unknown-fields`), as `kubeconform -strict` does, since a
// pruned field is a setting silently lost. Not checked: CEL rules (`x-kubernetes-validations`), formats, and
// the few patterns in RE2 syntax JavaScript cannot compile (inline flags such as `(?i)`).
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import type { CheckFinding, CheckResult, KubeObject } from "./check-types";
import { kubeObjects } from "./cluster-objects";
import type { RecordedResource } from "./engine";
import type { PolicySettings } from "./policy-config";

type Schema = Record<string, unknown>;

interface ServedVersion {
  schema: Schema;
  /** Where the CRD came from: the release that rendered it, or the stack's own object. */
  source: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** `<group>/<version>:<Kind>` of a custom resource's type token `kubernetes:<group>/<version>:<Kind>`. */
const keyOf = (group: string, version: string, kind: string) => `${group}/${version}:${kind}`;

/** The served versions of every CRD in `crds`, by group, version and kind. */
export function servedVersions(crds: KubeObject[]): Map<string, ServedVersion> {
  const served = new Map<string, ServedVersion>();
  for (const crd of crds) {
    const spec = crd.inputs.spec;
    if (!isRecord(spec) || !isRecord(spec.names) || typeof spec.group !== "string") continue;
    const kind = spec.names.kind;
    if (typeof kind !== "string") continue;
    for (const v of Array.isArray(spec.versions) ? spec.versions : []) {
      if (!isRecord(v) || v.served !== true || typeof v.name !== "string") continue;
      const schema = isRecord(v.schema) && isRecord(v.schema.openAPIV3Schema) ? v.schema.openAPIV3Schema : { type: "object" };
      served.set(keyOf(spec.group, v.name, kind), { schema, source: crd.release ?? crd.name });
    }
  }
  return served;
}

/** True when JavaScript can compile an OpenAPI pattern (written for Go's RE2, which also takes inline flags such as `(?i)`). */
function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern, "u");
    return true;
  } catch {
    return false;
  }
}

/**
 * The CRD schema as JSON Schema for Ajv: objects that declare their properties and neither keep unknown
 * fields nor take free-form ones are closed; int-or-string becomes either; Kubernetes' extensions and the
 * CEL rules are dropped. An embedded resource keeps its apiVersion, kind and metadata.
 */
export function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!isRecord(node)) return node;
  const out: Schema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith("x-kubernetes-")) continue;
    if (key === "pattern" && typeof value === "string" && !compiles(value)) continue;
    if (key === "properties" && isRecord(value))
      out.properties = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonSchema(v)]));
    else if (key === "enum" || key === "default" || key === "example" || key === "required") out[key] = value;
    else out[key] = toJsonSchema(value);
  }
  if (node["x-kubernetes-int-or-string"] === true) {
    delete out.type;
    out.anyOf = [{ type: "integer" }, { type: "string" }];
  }
  const properties = isRecord(out.properties) ? out.properties : undefined;
  if (node["x-kubernetes-embedded-resource"] === true && properties) {
    for (const k of ["apiVersion", "kind"]) properties[k] ??= { type: "string" };
    properties.metadata ??= { type: "object" };
  }
  if (properties && node["x-kubernetes-preserve-unknown-fields"] !== true && out.additionalProperties === undefined)
    out.additionalProperties = false;
  return out;
}

/** One validator per served version, compiled on first use. */
class Validators {
  private readonly ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly served: Map<string, ServedVersion>) {}

  validate(key: string, manifest: Record<string, unknown>): ErrorObject[] | undefined {
    const version = this.served.get(key);
    if (!version) return undefined;
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile(toJsonSchema(version.schema) as Schema);
      this.compiled.set(key, validate);
    }
    return validate(manifest) ? [] : (validate.errors ?? []);
  }

  source(key: string): string {
    return this.served.get(key)!.source;
  }
}

/** An Ajv error in the words of a manifest field: `spec.endpoints[0].intervall is not a field of ...`. */
function describe(error: ErrorObject, what: string): string {
  const path = error.instancePath
    .split("/")
    .slice(1)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), "");
  if (error.keyword === "additionalProperties") {
    const field = (error.params as { additionalProperty: string }).additionalProperty;
    return `${path ? `${path}.` : ""}${field} is not a field of ${what}: the API server would drop it`;
  }
  if (error.keyword === "enum")
    return `${path || "(root)"} must be one of ${JSON.stringify((error.params as { allowedValues: unknown[] }).allowedValues)} in ${what}`;
  return `${path || "(root)"} ${error.message ?? "is invalid"} in ${what}`;
}

const objectRef = (o: KubeObject): string => {
  const metadata = isRecord(o.inputs.metadata) ? o.inputs.metadata : {};
  const kind = typeof o.inputs.kind === "string" ? o.inputs.kind : o.type.split(":").pop();
  return `${typeof metadata.namespace === "string" ? metadata.namespace : "-"}/${kind}/${typeof metadata.name === "string" ? metadata.name : o.name}`;
};

/** Groups served by a CRD in `crds`: an object of such a group with no CRD of its version has lost its schema. */
const groupsOf = (served: Map<string, ServedVersion>) => new Set([...served.keys()].map((k) => k.slice(0, k.lastIndexOf("/"))));

/**
 * Validates every object of a group some CRD defines against the served version of its CRD. An object
 * whose version no CRD serves is a finding too: the API server would refuse it.
 */
export function crdSchemaCheck(objects: KubeObject[], crds: KubeObject[], enforcementLevel: CheckResult["enforcementLevel"]): CheckResult {
  const served = servedVersions(crds);
  const validators = new Validators(served);
  const groups = groupsOf(served);
  const findings: CheckFinding[] = [];
  let checked = 0;
  for (const o of objects) {
    const match = /^kubernetes:(.+)\/([^/]+):([^:]+)$/.exec(o.type);
    if (!match || !groups.has(match[1]!)) continue;
    checked++;
    const [, group, version, kind] = match as unknown as [string, string, string, string];
    const key = keyOf(group, version, kind);
    const what = `${group}/${version} ${kind}`;
    const errors = validators.validate(key, o.inputs);
    if (errors === undefined) {
      findings.push({ object: objectRef(o), message: `no CRD the charts install serves ${what}` });
      continue;
    }
    const source = validators.source(key);
    for (const e of errors.filter((e) => e.keyword !== "anyOf" && e.keyword !== "if"))
      findings.push({ object: objectRef(o), message: `${describe(e, what)} (CRD from ${source})` });
  }
  return {
    name: "crd-schemas",
    description: "Every custom resource the stack creates validates against the CRD the pinned charts install for its version.",
    enforcementLevel,
    checked,
    findings,
  };
}

/**
 * crdSchemaCheck over every object of the stack, typed and rendered, against the CRDs the charts render and
 * the stack applies, mandatory wherever the pack's mandatory Kubernetes policies are (pss-restricted's level).
 */
export function crdSchemasOf(
  resources: readonly RecordedResource[],
  crds: KubeObject[],
  settings: ReadonlyMap<string, PolicySettings>,
): CheckResult {
  const level = settings.get("pss-restricted")?.enforcementLevel;
  return crdSchemaCheck(kubeObjects(resources), crds, level === "mandatory" || level === "remediate" ? "mandatory" : "advisory");
}
