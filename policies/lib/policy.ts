// What every policy of the pack is made of, and the few helpers they share: type dispatch by type token
// (custom resources and components have no SDK class to match), config read with the schema's defaults,
// and a guard that lets stack policies skip a resource whose values are unknown during a preview.
import {
  type EnforcementLevel,
  type PolicyConfigSchema,
  type PolicyResource,
  type ReportViolation,
  type ResourceValidation,
  type ResourceValidationArgs,
  type ResourceValidationPolicy,
  type StackValidationArgs,
  type StackValidationPolicy,
  UnknownValueError,
} from "@pulumi/policy";
import type { PolicyConfigJSONSchema, PolicyConfigJSONSchemaType } from "@pulumi/policy/schema";
import "./sdk";

/** The metadata every policy of this pack carries (the catalogue in docs/POLICY-RULES.md asks for all of it). */
interface Described {
  name: string;
  description: string;
  /**
   * Why the rule matters: what goes wrong without it. Optional in the type so that test probes need none;
   * review/policy-rules.ts refuses to write the catalogue while a policy of the pack lacks it.
   */
  rationale?: string;
  /**
   * The published checks this policy follows (Checkov and Trivy ids, awsguard, compliance-policies, Pod
   * Security Standards, ...); empty for a rule of this platform alone. Required by the catalogue, as `rationale`.
   */
  anchors?: readonly string[];
  /** What to change when the policy fails; the review prints it under each violation. */
  remediationSteps: string;
  /** The level when no policy config is given: the production column of the catalogue. */
  enforcementLevel: EnforcementLevel;
  configSchema?: PolicyConfigSchema;
}

export type PlatformResourcePolicy = ResourceValidationPolicy & Described & { validateResource: ResourceValidation };
export type PlatformStackPolicy = StackValidationPolicy & Described;
export type PlatformPolicy = PlatformResourcePolicy | PlatformStackPolicy;

export function isStackPolicy(policy: PlatformPolicy): policy is PlatformStackPolicy {
  return "validateStack" in policy && typeof policy.validateStack === "function";
}

/** A type token, or a pattern for a family of them; a pattern starts with its provider, as `^gcp:`. */
export type TypeMatch = string | RegExp;

const matches = (types: readonly TypeMatch[], type: string) => types.some((t) => (typeof t === "string" ? t === type : t.test(type)));

/** The types each validation made by forTypes applies to, so reports can tell which cloud a policy is for. */
const declared = new WeakMap<ResourceValidation, readonly TypeMatch[]>();

/**
 * A resource validation for the given type tokens only; other types are reported not applicable, as
 * `validateResourceOfType` does. `T` names the inputs the policy reads, spelled as the provider's Args
 * (test/policies/property-names.test.ts holds each such interface against the provider SDK's types).
 */
export function forTypes<T extends object>(
  types: readonly TypeMatch[],
  check: (props: T, args: ResourceValidationArgs, report: ReportViolation) => void,
): ResourceValidation {
  const validation: ResourceValidation = (args, report) => {
    if (!matches(types, args.type)) args.notApplicable(`Policy only applies to resources of type ${types.join(", ")}`);
    // Inputs arrive as untyped JSON; T documents which of them this policy reads.
    check(args.props as T, args, report);
  };
  declared.set(validation, types);
  return validation;
}

/**
 * The providers (first part of a type token: `aws`, `gcp`, `kubernetes`) whose resources a policy made
 * with forTypes applies to; undefined for a stack policy or a validation that names its types otherwise.
 */
export function providersOf(policy: PlatformPolicy): string[] | undefined {
  const types = isStackPolicy(policy) ? undefined : declared.get(policy.validateResource);
  if (!types) return undefined;
  const provider = (t: TypeMatch) => (typeof t === "string" ? t : t.source.replace(/^\^/, "")).split(":")[0]!;
  return [...new Set(types.map(provider))].sort();
}

/** The typed inputs of a stack resource (stack policies see every resource of the stack at once). */
export function propsOf<T extends object>(resource: PolicyResource): T {
  return resource.props as T;
}

/**
 * Reads a value that may be unknown during a preview. Returns undefined instead of throwing, so a stack
 * policy can skip that one resource; it is checked again after `pulumi up`, when everything is known.
 */
export function known<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (err) {
    if (err instanceof UnknownValueError) return undefined;
    throw err;
  }
}

/** Runs `check` for each resource, skipping (not failing) those whose values are unknown in a preview. */
export function eachKnown(resources: readonly PolicyResource[], check: (resource: PolicyResource) => void): void {
  for (const resource of resources) known(() => check(resource));
}

/** Every setting has a default, so a policy always has a full config even when none is given. */
type Schema = Record<string, PolicyConfigJSONSchema & { default: PolicyConfigJSONSchemaType }>;
type Plain<S extends PolicyConfigJSONSchema> = S extends { type: "integer" | "number" }
  ? number
  : S extends { type: "boolean" }
    ? boolean
    : S extends { type: "array" }
      ? string[]
      : string;
type ConfigOf<S extends Schema> = { [K in keyof S]: Plain<S[K]> };

/** A policy's config schema, typed so that `settings` returns each setting with its own type. */
export function configSchema<const S extends Schema>(properties: S): { properties: S } {
  return { properties };
}

/**
 * The policy's settings: the config given (the Pulumi CLI fills in schema defaults before it calls the
 * pack, but `getConfig()` returns only what it is passed, so the defaults are applied here as well).
 */
export function settings<S extends Schema>(schema: { properties: S }, args: ResourceValidationArgs | StackValidationArgs): ConfigOf<S> {
  const given = args.getConfig<Record<string, unknown>>();
  const result: Record<string, unknown> = {};
  for (const [key, property] of Object.entries(schema.properties)) result[key] = given[key] ?? property.default;
  return result as ConfigOf<S>;
}

/** The environments the config files are written for; messages name them. */
export const ENVIRONMENT = {
  type: "string",
  enum: ["dev", "staging", "production"],
  default: "production",
  description: "Environment this config is for; violation messages name it.",
} satisfies PolicyConfigJSONSchema;

export type { PolicyResource, ReportViolation, ResourceValidationArgs, StackValidationArgs };
