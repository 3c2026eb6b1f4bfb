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
import { type CheckFinding, checkLevel, type CheckResult, type KubeObject, objectId } from "./check-types";
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

/** A pattern as JavaScript compiles it; undefined for RE2 syntax it cannot take (inline flags such as `(?i)`). */
const patterns = new Map<string, RegExp | undefined>();
function patternOf(pattern: string): RegExp | undefined {
  if (!patterns.has(pattern)) {
    let re: RegExp | undefined;
    try {
      re = new RegExp(pattern, "u");
    } catch {
      re = undefined;
    }
    patterns.set(pattern, re);
  }
  return patterns.get(pattern);
}

const TYPE_CHECKS: Record<string, (v: unknown) => boolean> = {
  object: isRecord,
  array: Array.isArray,
  string: (v) => typeof v === "string",
  integer: (v) => Number.isInteger(v),
  number: (v) => typeof v === "number",
  boolean: (v) => typeof v === "boolean",
};

const deepEqual = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
const at = (path: string) => path || "(root)";
const child = (path: string, key: string) => (path ? `${path}.${key}` : key);

/**
 * Problems of `value` under a structural schema, each `<path> <what is wrong>`, walking only the parts of the
 * schema the value uses (a CRD schema is often thousands of lines; an object uses a few of them).
 */
export function schemaProblems(schema: Schema, value: unknown, path = ""): string[] {
  // The API server prunes a null where the schema is not nullable: the field is lost, as an unknown one is.
  if (value === null) return schema.nullable === true ? [] : [`${at(path)} is null and not nullable: the API server would drop it`];
  if (schema["x-kubernetes-int-or-string"] === true)
    return Number.isInteger(value) || typeof value === "string" ? [] : [`${at(path)} must be an integer or a string`];
  const type = typeof schema.type === "string" ? schema.type : undefined;
  if (type && TYPE_CHECKS[type] && !TYPE_CHECKS[type](value)) return [`${at(path)} must be ${type}`];
  const problems: string[] = [];
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => deepEqual(e, value)))
    problems.push(`${at(path)} must be one of ${JSON.stringify(schema.enum)}`);
  problems.push(...boundProblems(schema, value, path));
  for (const branch of Array.isArray(schema.allOf) ? schema.allOf.filter(isRecord) : [])
    problems.push(...schemaProblems(branch, value, path));
  const anyOf = Array.isArray(schema.anyOf) ? schema.anyOf.filter(isRecord) : [];
  if (anyOf.length > 0 && !anyOf.some((b) => schemaProblems(b, value, path).length === 0))
    problems.push(`${at(path)} must match a schema in anyOf`);
  const oneOf = Array.isArray(schema.oneOf) ? schema.oneOf.filter(isRecord) : [];
  if (oneOf.length > 0 && oneOf.filter((b) => schemaProblems(b, value, path).length === 0).length !== 1)
    problems.push(`${at(path)} must match exactly one schema in oneOf`);
  if (Array.isArray(value) && isRecord(schema.items)) {
    const items = schema.items;
    value.forEach((v, i) => problems.push(...schemaProblems(items, v, `${path}[${i}]`)));
  }
  if (isRecord(value)) problems.push(...objectProblems(schema, value, path));
  return problems;
}

/** Length, size and range bounds, and patterns. */
function boundProblems(schema: Schema, value: unknown, path: string): string[] {
  const n = (k: string): number | undefined => {
    const v = schema[k];
    return typeof v === "number" ? v : undefined;
  };
  const out: string[] = [];
  if (typeof value === "string") {
    const re = typeof schema.pattern === "string" ? patternOf(schema.pattern) : undefined;
    if (re && !re.test(value)) out.push(`${at(path)} must match pattern "${String(schema.pattern)}"`);
    if (n("maxLength") !== undefined && [...value].length > n("maxLength")!)
      out.push(`${at(path)} must NOT have more than ${n("maxLength")} characters`);
    if (n("minLength") !== undefined && [...value].length < n("minLength")!)
      out.push(`${at(path)} must NOT have fewer than ${n("minLength")} characters`);
  }
  if (typeof value === "number") {
    const min = n("minimum");
    const max = n("maximum");
    if (min !== undefined && (schema.exclusiveMinimum === true ? value <= min : value < min))
      out.push(`${at(path)} must be ${schema.exclusiveMinimum === true ? ">" : ">="} ${min}`);
    if (max !== undefined && (schema.exclusiveMaximum === true ? value >= max : value > max))
      out.push(`${at(path)} must be ${schema.exclusiveMaximum === true ? "<" : "<="} ${max}`);
  }
  if (Array.isArray(value)) {
    if (n("maxItems") !== undefined && value.length > n("maxItems")!)
      out.push(`${at(path)} must NOT have more than ${n("maxItems")} items`);
    if (n("minItems") !== undefined && value.length < n("minItems")!)
      out.push(`${at(path)} must NOT have fewer than ${n("minItems")} items`);
  }
  return out;
}

/**
 * An object's fields: a field the schema does not declare first (where the API server would prune it:
 * declared properties, no `x-kubernetes-preserve-unknown-fields`, no additionalProperties), then the
 * required ones missing, then each declared field and each free-form map entry.
 */
function objectProblems(schema: Schema, value: Record<string, unknown>, path: string): string[] {
  const properties: Record<string, unknown> = isRecord(schema.properties) ? { ...schema.properties } : {};
  if (schema["x-kubernetes-embedded-resource"] === true)
    for (const k of ["apiVersion", "kind", "metadata"]) properties[k] ??= k === "metadata" ? { type: "object" } : { type: "string" };
  const additional = schema.additionalProperties;
  const closed =
    isRecord(schema.properties) &&
    schema["x-kubernetes-preserve-unknown-fields"] !== true &&
    (additional === undefined || additional === false);
  const problems: string[] = [];
  for (const key of Object.keys(value).filter((k) => !(k in properties))) {
    if (closed) problems.push(`${child(path, key)} is not a field`);
    else if (isRecord(additional)) problems.push(...schemaProblems(additional, value[key], child(path, key)));
  }
  for (const r of Array.isArray(schema.required) ? schema.required : [])
    if (typeof r === "string" && value[r] === undefined) problems.push(`${at(path)} must have required property '${r}'`);
  for (const [key, sub] of Object.entries(properties))
    if (value[key] !== undefined && isRecord(sub)) problems.push(...schemaProblems(sub, value[key], child(path, key)));
  return problems;
}

/** Groups served by a CRD in `crds`: an object of such a group with no CRD of its version has lost its schema. */
const groupsOf = (served: Map<string, ServedVersion>) => new Set([...served.keys()].map((k) => k.slice(0, k.lastIndexOf("/"))));

/**
 * Validates every object of a group some CRD defines against the served version of its CRD. An object
 * whose version no CRD serves is a finding too: the API server would refuse it.
 */
export function crdSchemaCheck(objects: KubeObject[], crds: KubeObject[], enforcementLevel: CheckResult["enforcementLevel"]): CheckResult {
  const served = servedVersions(crds);
  const groups = groupsOf(served);
  const findings: CheckFinding[] = [];
  let checked = 0;
  for (const o of objects) {
    const match = /^kubernetes:(.+)\/([^/]+):([^:]+)$/.exec(o.type);
    if (!match || !groups.has(match[1]!)) continue;
    checked++;
    const [, group, version, kind] = match as unknown as [string, string, string, string];
    const what = `${group}/${version} ${kind}`;
    const crd = served.get(keyOf(group, version, kind));
    if (!crd) {
      findings.push({ object: objectId(o), message: `no CRD the charts install serves ${what}` });
      continue;
    }
    for (const problem of schemaProblems(crd.schema, o.inputs)) {
      const message = problem.endsWith(" is not a field")
        ? `${problem.slice(0, -" is not a field".length)} is not a field of ${what}: the API server would drop it`
        : `${problem} in ${what}`;
      findings.push({ object: objectId(o), message: `${message} (CRD from ${crd.source})` });
    }
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
  return crdSchemaCheck(kubeObjects(resources), crds, checkLevel(settings, "pss-restricted"));
}
