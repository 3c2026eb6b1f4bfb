// Runs the policy pack over a recorded stack with the arguments the CrossGuard analyzer server builds
// (@pulumi/policy 1.21, server.js):
// - validateResource, once per registration: `props` are the inputs deserialized with secrets unwrapped
//   to their value (deserializeProperties(..., false)) and wrapped by unknownCheckingProxy; `opts` as
//   getResourceOptions builds them; `provider` is the provider resource with its inputs; isType/asType
//   compare the type token; getConfig returns the policy's config minus enforcementLevel; notApplicable
//   throws.
// - validateStack, once: every resource except providers, with parent, dependencies and
//   propertyDependencies resolved to the resource objects.
// - Levels come from the resolved config; "disabled" policies do not run, "remediate" reports as
//   mandatory. A policy that reads a value unknown during a preview is not failed: the server reports
//   "can't run ... during preview" at advisory level, and so does this runner (`skipped`). Any other
//   error is the policy's bug and stops the review, as it stops `pulumi preview`.
// The recording keeps no secret plaintext, so a secret input reaches a policy as the text "[secret]".
import * as fs from "node:fs";
import {
  type EnforcementLevel,
  type PolicyProviderResource,
  type PolicyResource,
  type PolicyResourceOptions,
  type ReportViolation,
  type ResourceValidationArgs,
  type StackValidationArgs,
  unknownCheckingProxy,
  UnknownValueError,
} from "@pulumi/policy";
import type { Resource, Unwrap } from "@pulumi/pulumi";
import type { ResolvedResource } from "@pulumi/pulumi/queryable";
import { isStackPolicy, type PlatformPolicy } from "../policies/lib/policy";
import type { RecordedResource } from "./engine";
import type { PolicySettings } from "./policy-config";

/** The SDK's and the engine's marker of a value unknown during a preview (an unknown string). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export interface PolicyViolation {
  urn: string;
  message: string;
}

/** One entry of review/out/<stack>.json's "policies". */
export interface PolicyResult {
  name: string;
  enforcementLevel: EnforcementLevel;
  /** Resources (resource policies) or stacks (stack policies) the policy was applicable to and ran on. */
  evaluated: number;
  violations: PolicyViolation[];
  /** Checks that could not run because a value was unknown (preview only); advisory, as the CLI reports them. */
  skipped?: PolicyViolation[];
}

interface PackInfo {
  name: string;
  version: string;
}

class NotApplicable extends Error {}
// One instance, thrown for every resource a policy does not apply to (most of them): the reason is never
// reported, and a fresh Error would capture a stack trace each time.
const NOT_APPLICABLE = new NotApplicable("Policy does not apply");
const notApplicable = (): never => {
  throw NOT_APPLICABLE;
};

/** Recorded inputs as the engine sends them: "[unknown]" becomes the unknown marker again. */
function engineValue(value: unknown): unknown {
  if (value === "[unknown]" || value === UNKNOWN) return UNKNOWN;
  if (Array.isArray(value)) return value.map(engineValue);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, engineValue(v)]));
}

const propsOf = (inputs: Record<string, unknown>) =>
  unknownCheckingProxy<Record<string, unknown>>(engineValue(inputs) as Record<string, unknown>);

/** Seconds in a Go duration string ("10m", "1h30m"), as the engine passes custom timeouts. */
export function durationSeconds(text: string): number {
  const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, µs: 1e-6, ns: 1e-9 };
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)) total += Number(amount) * units[unit!]!;
  return total;
}

/** The top-level input a recorded secret path (`a.b`, `tags["x.y"]`, `["odd key"][0]`) belongs to. */
function topLevelInput(path: string): string {
  const quoted = /^\["((?:[^"\\]|\\.)*)"\]/.exec(path);
  if (quoted) return JSON.parse(`"${quoted[1]!}"`) as string;
  return /^[^.[]+/.exec(path)?.[0] ?? path;
}

/**
 * The options the server reads from the request. The recording does not keep the request's
 * additionalSecretOutputs; the top-level inputs recorded as secret stand in for them. For the inputs a
 * provider's schema calls secret (authToken, password, stringData, ...) that is exact: the SDK both sends
 * them as secrets and lists them in additionalSecretOutputs. Any other secret input came from a secret
 * Output, and the engine stores that output as a secret too.
 */
function optionsOf(r: RecordedResource): PolicyResourceOptions {
  const timeouts = r.customTimeouts;
  return {
    protect: r.protect,
    ignoreChanges: [...r.ignoreChanges],
    aliases: [],
    customTimeouts: {
      createSeconds: timeouts ? durationSeconds(timeouts.create) : 0,
      updateSeconds: timeouts ? durationSeconds(timeouts.update) : 0,
      deleteSeconds: timeouts ? durationSeconds(timeouts.delete) : 0,
    },
    additionalSecretOutputs: [...new Set(r.secretInputs.map(topLevelInput))],
    ...(r.deleteBeforeReplace && { deleteBeforeReplace: true }),
    ...(r.parent !== null && { parent: r.parent }),
  };
}

/** A value computed on first use, then kept. */
function once<T>(compute: () => T): () => T {
  let value: { of: T } | undefined;
  return () => (value ??= { of: compute() }).of;
}

const versions = new Map<string, string | undefined>();
function packageVersion(pkg: string): string | undefined {
  if (!versions.has(pkg)) versions.set(pkg, readPackageVersion(pkg));
  return versions.get(pkg);
}

function readPackageVersion(pkg: string): string | undefined {
  try {
    const file = require.resolve(`@pulumi/${pkg}/package.json`);
    return (JSON.parse(fs.readFileSync(file, "utf8")) as { version?: string }).version?.replace(/^v/, "");
  } catch {
    return undefined;
  }
}

/**
 * The provider a resource is registered with. Under the mock runtime a default provider is recorded as
 * none (provider null), while the engine hands policies its default provider, `default_<version>` with
 * no inputs; the runner supplies that, so policies see what they would see in a real preview.
 */
function providerOf(r: RecordedResource, byUrn: Map<string, RecordedResource>): PolicyProviderResource | undefined {
  if (r.provider !== null) {
    const provider = byUrn.get(r.provider);
    if (!provider) return undefined;
    return providerResource(provider.type, provider.inputs, provider.urn, provider.name);
  }
  if (!r.custom || r.type.startsWith("pulumi:providers:")) return undefined;
  const pkg = r.type.split(":")[0]!;
  const version = packageVersion(pkg);
  const name = version ? `default_${version.replace(/[.+-]/g, "_")}` : "default";
  const [, stack = "", project = ""] = /^urn:pulumi:([^:]+)::([^:]+)::/.exec(r.urn) ?? [];
  return providerResource(`pulumi:providers:${pkg}`, {}, `urn:pulumi:${stack}::${project}::pulumi:providers:${pkg}::${name}`, name);
}

/** A provider as policies see it; its inputs are built when a policy first reads them. */
function providerResource(type: string, inputs: Record<string, unknown>, urn: string, name: string): PolicyProviderResource {
  const props = once(() => propsOf(inputs));
  return {
    type,
    get props() {
      return props();
    },
    urn,
    name,
  };
}

type ResourceClass = { new (...rest: never[]): unknown };
/** The server's isTypeOf: the class's `__pulumiType`, else its `isInstance`. */
function isTypeOf(type: string, resourceClass: ResourceClass): boolean {
  const pulumiType: unknown = Reflect.get(resourceClass, "__pulumiType");
  if (typeof pulumiType === "string" && pulumiType.length > 0) return type === pulumiType;
  const isInstance: unknown = Reflect.get(resourceClass, "isInstance");
  return typeof isInstance === "function" && (isInstance as (o: unknown) => unknown)({ __pulumiType: type }) === true;
}

const EMPTY_TAGS: ReadonlyMap<string, string> = new Map();

// The server's asType hands back the same props object, typed as whatever the caller's class says.
// The props are the engine's JSON, so that typing is the caller's claim; these helpers make the same claim.
function resourceAsType(type: string, props: () => Record<string, unknown>): ResourceValidationArgs["asType"] {
  return <TResource extends Resource, TArgs>(resourceClass: { new (name: string, args: TArgs, ...rest: never[]): TResource }) =>
    (isTypeOf(type, resourceClass) ? props() : undefined) as Unwrap<NonNullable<TArgs>> | undefined;
}
function stackAsType(type: string, props: Record<string, unknown>): PolicyResource["asType"] {
  return <TResource extends Resource>(resourceClass: { new (...rest: never[]): TResource }) =>
    (isTypeOf(type, resourceClass) ? props : undefined) as ResolvedResource<TResource> | undefined;
}

function resourceArgs(r: RecordedResource, byUrn: Map<string, RecordedResource>, settings: PolicySettings): ResourceValidationArgs {
  // Most policies read the type alone and find most resources not applicable; the inputs and options are
  // built for those that read them, still afresh for each validation.
  const props = once(() => propsOf(r.inputs));
  const opts = once(() => optionsOf(r));
  const provider = providerOf(r, byUrn);
  return {
    type: r.type,
    get props() {
      return props();
    },
    urn: r.urn,
    name: r.name,
    get opts() {
      return opts();
    },
    stackTags: EMPTY_TAGS,
    isType: (resourceClass) => isTypeOf(r.type, resourceClass),
    asType: resourceAsType(r.type, props),
    getConfig: <T extends object>() => ({ ...settings.properties }) as T,
    notApplicable,
    ...(provider && { provider }),
  };
}

/** The stack's resources as validateStack receives them: providers left out, references resolved. */
function stackResources(resources: readonly RecordedResource[]): PolicyResource[] {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const shaped = new Map<string, PolicyResource>();
  for (const r of resources.filter((r) => !r.type.startsWith("pulumi:providers:"))) {
    const props = propsOf(r.inputs);
    const provider = providerOf(r, byUrn);
    shaped.set(r.urn, {
      type: r.type,
      props,
      urn: r.urn,
      name: r.name,
      opts: optionsOf(r),
      dependencies: [],
      propertyDependencies: {},
      isType: (resourceClass) => isTypeOf(r.type, resourceClass),
      asType: stackAsType(r.type, props),
      ...(provider && { provider }),
    });
  }
  const resolve = (urns: readonly string[]) => urns.map((u) => shaped.get(u)).filter((p): p is PolicyResource => p !== undefined);
  for (const r of resources) {
    const resource = shaped.get(r.urn);
    if (!resource) continue;
    const parent = r.parent ? shaped.get(r.parent) : undefined;
    if (parent) resource.parent = parent;
    resource.dependencies = resolve(r.dependencies);
    for (const [key, urns] of Object.entries(r.propertyDependencies)) resource.propertyDependencies[key] = resolve(urns);
  }
  return [...shaped.values()];
}

/** Runs every policy of the pack over the recorded resources. */
export async function runPolicies(
  resources: readonly RecordedResource[],
  policies: readonly PlatformPolicy[],
  config: Map<string, PolicySettings>,
  pack: PackInfo,
): Promise<PolicyResult[]> {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const stackUrn = resources.find((r) => r.parent === null)?.urn ?? "";
  const shapedStack = stackResources(resources);
  const results: PolicyResult[] = [];
  for (const policy of policies) {
    const settings = config.get(policy.name) ?? { enforcementLevel: policy.enforcementLevel, properties: {} };
    const level = settings.enforcementLevel === "remediate" ? "mandatory" : settings.enforcementLevel;
    const result: PolicyResult = { name: policy.name, enforcementLevel: level, evaluated: 0, violations: [] };
    results.push(result);
    if (level === "disabled") continue;
    const from = `policy '${policy.name}' from policy pack '${pack.name}@v${pack.version}'`;
    const attempt = async (urn: string, run: () => unknown): Promise<boolean> => {
      try {
        await Promise.resolve(run());
        return true;
      } catch (err) {
        if (err instanceof NotApplicable) return false;
        if (err instanceof UnknownValueError) {
          (result.skipped ??= []).push({ urn, message: `can't run ${from} during preview: ${err.message}` });
          return false;
        }
        throw new Error(`Error validating ${urn} with ${from}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      }
    };
    if (isStackPolicy(policy)) {
      const report: ReportViolation = (message, urn) =>
        void result.violations.push({ urn: urn && byUrn.has(urn) ? urn : stackUrn, message });
      const args: StackValidationArgs = {
        resources: shapedStack,
        stackTags: EMPTY_TAGS,
        getConfig: <T extends object>() => ({ ...settings.properties }) as T,
        notApplicable,
      };
      if (await attempt(stackUrn, () => policy.validateStack(args, report))) result.evaluated = 1;
      continue;
    }
    const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
    for (const r of resources) {
      const report: ReportViolation = (message) => void result.violations.push({ urn: r.urn, message });
      let applied = false;
      for (const validate of validations) {
        // Each validation gets fresh arguments, as the server deserializes the request for each one.
        if (await attempt(r.urn, () => validate(resourceArgs(r, byUrn, settings), report))) applied = true;
      }
      if (applied) result.evaluated += 1;
    }
  }
  return results;
}
