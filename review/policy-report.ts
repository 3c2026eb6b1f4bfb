// How the review shows the policy results: terminal lines grouped by enforcement level (resource, policy,
// message, remediation) and the Markdown summary written beside the JSON.
import type { EnforcementLevel } from "@pulumi/policy";
import type { PlatformPolicy } from "../policies/policies";
import type { RecordedResource } from "./engine";
import type { PolicyResult, PolicyViolation } from "./policy-runner";

/** What the report needs to say where the verdict came from. */
export interface PolicyRunInfo {
  pack: { name: string; version: string };
  /** The policy config file used, relative to the project root. */
  configFile: string;
}

interface Entry extends PolicyViolation {
  policy: string;
  level: EnforcementLevel;
}

const LEVELS = ["mandatory", "advisory"] as const;

/** Every violation and skipped check at the level it is reported (skipped checks are advisory, as in the CLI). */
function violationsOf(results: readonly PolicyResult[]): Entry[] {
  return results.flatMap((r) => [
    ...r.violations.map((v) => ({ ...v, policy: r.name, level: r.enforcementLevel })),
    ...(r.skipped ?? []).map((v) => ({ ...v, policy: r.name, level: "advisory" as const })),
  ]);
}

export const mandatoryCount = (results: readonly PolicyResult[]): number =>
  violationsOf(results).filter((v) => v.level === "mandatory").length;

function resourceLabel(urn: string, resources: readonly RecordedResource[]): string {
  const resource = resources.find((r) => r.urn === urn);
  return resource ? `${resource.type} ${resource.name}` : urn;
}

/** Entries of one level, grouped by resource (in registration order) then policy. */
function grouped(entries: readonly Entry[], resources: readonly RecordedResource[]): [string, [string, string[]][]][] {
  const order = new Map(resources.map((r, i) => [r.urn, i]));
  const byResource = new Map<string, Map<string, string[]>>();
  for (const e of [...entries].sort((a, b) => (order.get(a.urn) ?? -1) - (order.get(b.urn) ?? -1))) {
    const policies = byResource.get(e.urn) ?? new Map<string, string[]>();
    policies.set(e.policy, [...(policies.get(e.policy) ?? []), e.message]);
    byResource.set(e.urn, policies);
  }
  return [...byResource].map(([urn, policies]) => [urn, [...policies]]);
}

function headline(results: readonly PolicyResult[], info: PolicyRunInfo): string {
  const all = violationsOf(results);
  const count = (level: string) => all.filter((v) => v.level === level).length;
  return `${results.length} policies of ${info.pack.name} ${info.pack.version} with ${info.configFile}: ${count("mandatory")} mandatory and ${count("advisory")} advisory violations`;
}

/** The terminal lines: a headline, then each level with its violations, resource by resource. */
export function policyLines(
  results: readonly PolicyResult[],
  policies: readonly PlatformPolicy[],
  resources: readonly RecordedResource[],
  info: PolicyRunInfo,
): string[] {
  const remediation = new Map(policies.map((p) => [p.name, p.remediationSteps]));
  const lines = [`  policies: ${headline(results, info)}`];
  const all = violationsOf(results);
  for (const level of LEVELS) {
    const entries = all.filter((v) => v.level === level);
    lines.push(`  ${level}: ${entries.length === 0 ? "none" : entries.length}`);
    for (const [urn, byPolicy] of grouped(entries, resources)) {
      lines.push(`    ${resourceLabel(urn, resources)}`);
      for (const [policy, messages] of byPolicy) {
        for (const message of messages) lines.push(`      ${policy}: ${message}`);
        lines.push(`        remediation: ${remediation.get(policy) ?? ""}`);
      }
    }
  }
  return lines;
}

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** The Markdown summary: verdict, violations per level with remediation, then every policy's outcome. */
export function markdownSummary(
  stack: { stack: string; cloud: string; environment: string; resources: number },
  results: readonly PolicyResult[],
  policies: readonly PlatformPolicy[],
  resources: readonly RecordedResource[],
  info: PolicyRunInfo,
): string {
  const remediation = new Map(policies.map((p) => [p.name, p.remediationSteps]));
  const all = violationsOf(results);
  const mandatory = all.filter((v) => v.level === "mandatory").length;
  const out = [
    `# Review of stack ${stack.stack} (${stack.cloud}, ${stack.environment})`,
    "",
    `${stack.resources} resource${stack.resources === 1 ? "" : "s"}; ${headline(results, info)}.`,
    "",
    mandatory > 0
      ? `**Blocked**: ${mandatory} mandatory violation${mandatory === 1 ? "" : "s"} must be fixed before this stack is deployed.`
      : "**Passed**: no mandatory violation.",
  ];
  for (const level of LEVELS) {
    const entries = all.filter((v) => v.level === level);
    out.push("", `## ${level[0]!.toUpperCase()}${level.slice(1)} violations (${entries.length})`, "");
    if (entries.length === 0) {
      out.push("None.");
      continue;
    }
    out.push("| resource | policy | violation | remediation |", "|---|---|---|---|");
    for (const [urn, byPolicy] of grouped(entries, resources)) {
      for (const [policy, messages] of byPolicy) {
        for (const message of messages)
          out.push(
            `| \`${cell(resourceLabel(urn, resources))}\` | ${policy} | ${cell(message)} | ${cell(remediation.get(policy) ?? "")} |`,
          );
      }
    }
  }
  out.push("", "## Policies", "", "| policy | enforcement | evaluated | violations |", "|---|---|---|---|");
  for (const r of results) out.push(`| ${r.name} | ${r.enforcementLevel} | ${r.evaluated} | ${r.violations.length} |`);
  return `${out.join("\n")}\n`;
}
