// Runs policies through the offline runner (review/policy-runner.ts) over hand-made registrations, so
// every policy test sees exactly the arguments the CrossGuard server would build from those inputs.
//   const r = await check("rds-ha", [resource("aws:rds/instance:Instance", "db", { multiAz: false })]);
//   expect(r.messages).toEqual([...]);
import type { RecordedResource } from "../../review/engine";
import { recordedResource } from "../recorded";
import { resolvePolicyConfig } from "../../review/policy-config";
import { type PolicyResult, runPolicies } from "../../review/policy-runner";
import { policies, type PlatformPolicy } from "../../policies/policies";

export const STACK_URN = "urn:pulumi:test::platform::pulumi:pulumi:Stack::platform-test";
export const PACK = { name: "platform-policies", version: "0.1.0" };

export const stack: RecordedResource = record("pulumi:pulumi:Stack", "platform-test", {}, { urn: STACK_URN, parent: null, custom: false });

function record(type: string, name: string, inputs: Record<string, unknown>, extra: Partial<RecordedResource> = {}): RecordedResource {
  return recordedResource({
    urn: `urn:pulumi:test::platform::${type}::${name}`,
    type,
    name,
    parent: STACK_URN,
    // The engine's JSON has no undefined values: a key set to undefined here means "left out".
    inputs: Object.fromEntries(Object.entries(inputs).filter(([, v]) => v !== undefined)),
    ...extra,
  });
}

/** A registration as the recording engine writes it. */
export const resource = record;

/** `from` takes `property` from `to` (as when the program passes an output of `to`). */
export function linked(from: RecordedResource, property: string, ...to: RecordedResource[]): RecordedResource {
  const urns = to.map((t) => t.urn);
  return {
    ...from,
    dependencies: [...new Set([...from.dependencies, ...urns])].sort(),
    propertyDependencies: { ...from.propertyDependencies, [property]: [...(from.propertyDependencies[property] ?? []), ...urns].sort() },
  };
}

export function policy(name: string): PlatformPolicy {
  const found = policies.find((p) => p.name === name);
  if (!found) throw new Error(`no policy ${name}`);
  return found;
}

export interface Checked extends PolicyResult {
  messages: string[];
}

/**
 * Runs one policy over the stack resource plus `resources`, at its default level with `settings` as
 * its policy config (schema defaults apply to what is left out).
 */
export async function check(name: string, resources: RecordedResource[], settings: Record<string, unknown> = {}): Promise<Checked> {
  const config = resolvePolicyConfig([policy(name)], { [name]: settings }, "test.json");
  const [result] = await runPolicies([stack, ...resources], [policy(name)], config, PACK);
  return { ...result!, messages: result!.violations.map((v) => v.message) };
}
