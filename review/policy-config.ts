// Policy pack config, resolved as the Pulumi CLI does for `--policy-pack-config <file>`: every policy
// starts from its own enforcement level and its schema's defaults, an "all" entry sets every level, and
// the file's entries override both. Then each setting is checked against the policy's config schema.
// Unlike the CLI, an entry naming no policy of the pack is an error: a misspelt name would otherwise
// leave that policy at its default level without anyone noticing.
import * as fs from "node:fs";
import * as path from "node:path";
import type { EnforcementLevel } from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import type { PlatformPolicy } from "../policies/policies";
import { ReviewError } from "./stack-file";

const ENFORCEMENT_LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

export interface PolicySettings {
  enforcementLevel: EnforcementLevel;
  /** What `getConfig()` returns: the schema's defaults with the file's values over them. */
  properties: Record<string, unknown>;
}

const isLevel = (value: unknown): value is EnforcementLevel => ENFORCEMENT_LEVELS.includes(value as EnforcementLevel);
const shown = (value: unknown) => JSON.stringify(value);

/** Problems of one value against the subset of JSON Schema the pack's config schemas use. */
function schemaProblems(value: unknown, schema: PolicyConfigJSONSchema, at: string): string[] {
  const type = schema.type;
  const expect = (ok: boolean, what: string) => (ok ? [] : [`${at} must be ${what} (got ${shown(value)})`]);
  if (schema.enum && !schema.enum.some((e) => e === value))
    return [`${at} must be one of ${schema.enum.map(shown).join(", ")} (got ${shown(value)})`];
  switch (type) {
    case "boolean":
      return expect(typeof value === "boolean", "true or false");
    case "string":
      if (typeof value !== "string") return expect(false, "a string");
      return schema.pattern ? expect(new RegExp(schema.pattern).test(value), `a string matching ${schema.pattern}`) : [];
    case "integer":
    case "number": {
      const whole = type === "integer";
      if (typeof value !== "number" || (whole && !Number.isInteger(value))) return expect(false, whole ? "a whole number" : "a number");
      const range = [schema.minimum !== undefined && `>= ${schema.minimum}`, schema.maximum !== undefined && `<= ${schema.maximum}`]
        .filter(Boolean)
        .join(" and ");
      return expect(
        (schema.minimum === undefined || value >= schema.minimum) && (schema.maximum === undefined || value <= schema.maximum),
        `${whole ? "a whole number" : "a number"} ${range}`,
      );
    }
    case "array": {
      if (!Array.isArray(value)) return expect(false, "a list");
      const items = schema.items;
      if (items === undefined || typeof items === "boolean" || Array.isArray(items)) return [];
      return value.flatMap((item, i) => schemaProblems(item, items, `${at}[${i}]`));
    }
    default:
      return [];
  }
}

/**
 * The settings of every policy under `config` (the parsed file), or a ReviewError listing each problem
 * as `<source>: <policy>.<key> ...`.
 */
export function resolvePolicyConfig(policies: readonly PlatformPolicy[], config: unknown, source: string): Map<string, PolicySettings> {
  const problems: string[] = [];
  const resolved = new Map<string, PolicySettings>();
  for (const policy of policies) {
    const defaults = Object.entries(policy.configSchema?.properties ?? {}).flatMap(([key, schema]) =>
      typeof schema === "object" && schema.default !== undefined ? [[key, schema.default] as const] : [],
    );
    resolved.set(policy.name, { enforcementLevel: policy.enforcementLevel, properties: Object.fromEntries(defaults) });
  }
  if (config === null || typeof config !== "object" || Array.isArray(config))
    throw new ReviewError(`${source}: must be a JSON object mapping policy names to an enforcement level or settings`);
  const entries = Object.entries(config as Record<string, unknown>);
  const all = entries.find(([name]) => name === "all")?.[1];
  const allLevel = typeof all === "string" ? all : (all as { enforcementLevel?: unknown } | undefined)?.enforcementLevel;
  if (allLevel !== undefined) {
    if (isLevel(allLevel)) for (const settings of resolved.values()) settings.enforcementLevel = allLevel;
    else problems.push(`${source}: all.enforcementLevel must be one of ${ENFORCEMENT_LEVELS.join(", ")} (got ${shown(allLevel)})`);
  }
  for (const [name, given] of entries) {
    if (name === "all") continue;
    const settings = resolved.get(name);
    const policy = policies.find((p) => p.name === name);
    if (!settings || !policy) {
      problems.push(`${source}: ${name} is not a policy of the pack`);
      continue;
    }
    const { enforcementLevel, ...properties } =
      typeof given === "string" ? { enforcementLevel: given } : (given as Record<string, unknown>);
    if (enforcementLevel !== undefined) {
      if (isLevel(enforcementLevel)) settings.enforcementLevel = enforcementLevel;
      else
        problems.push(
          `${source}: ${name}.enforcementLevel must be one of ${ENFORCEMENT_LEVELS.join(", ")} (got ${shown(enforcementLevel)})`,
        );
    }
    for (const [key, value] of Object.entries(properties)) {
      const schema = policy.configSchema?.properties[key];
      if (schema === undefined || typeof schema === "boolean")
        problems.push(
          `${source}: ${name}.${key} is not a setting of ${name}${policy.configSchema ? ` (settings: ${Object.keys(policy.configSchema.properties).join(", ")})` : ", which takes none"}`,
        );
      else {
        problems.push(...schemaProblems(value, schema, `${name}.${key}`).map((p) => `${source}: ${p}`));
        settings.properties[key] = value;
      }
    }
  }
  for (const policy of policies) {
    for (const key of policy.configSchema?.required ?? []) {
      if (resolved.get(policy.name)?.properties[key] === undefined) problems.push(`${source}: ${policy.name}.${key} is required`);
    }
  }
  if (problems.length > 0) throw new ReviewError(problems.join("\n"));
  return resolved;
}

/** The config file of an environment: policies/config/<environment>.json under the project root. */
export function policyConfigFile(root: string, environment: string): string {
  return path.join(root, "policies", "config", `${environment}.json`);
}

/** Reads and resolves a config file; errors name the file relative to `root`. */
export function loadPolicyConfig(policies: readonly PlatformPolicy[], file: string, root: string): Map<string, PolicySettings> {
  const source = path.relative(root, file) || file;
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    throw new ReviewError(`${source}: no such policy config file`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ReviewError(`${source}: not valid JSON (${(err as Error).message})`);
  }
  return resolvePolicyConfig(policies, parsed, source);
}
