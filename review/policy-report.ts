// How the review shows the policy results: terminal lines grouped by enforcement level (resource, policy,
// message, remediation) and the Markdown summary written beside the JSON for a pull-request comment.
import type { EnforcementLevel } from "@pulumi/policy";
import { providersOf } from "../policies/lib/policy";
import type { PlatformPolicy } from "../policies/policies";
import { chartsMarkdown, mandatoryFindings } from "./chart-report";
import type { RecordedResource } from "./engine";
import { byUrnOf, counted, labelOf, type ReportInput, setting } from "./inventory";
import { code, collapsed, diffSection, estimateSection, inventorySection, plural, prose, summaryTable, table, text } from "./markdown";
import type { PolicyResult, PolicyViolation } from "./policy-runner";

/** What the report needs to say where the verdict came from. */
export interface PolicyRunInfo {
  pack: { name: string; version: string };
  /** The policy config file used, relative to the project root. */
  configFile: string;
}

export interface Entry extends PolicyViolation {
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

const CLOUDS = ["aws", "gcp"];

/**
 * Whether a policy's result belongs in the report of a stack on `cloud`: every policy that ran on something,
 * and every one that did not unless all the types it declares (forTypes) are another cloud's.
 */
export function appliesTo(result: PolicyResult, policy: PlatformPolicy | undefined, cloud: string): boolean {
  const providers = policy && providersOf(policy);
  if (result.evaluated > 0 || !providers) return true;
  return providers.some((provider) => provider === cloud || !CLOUDS.includes(provider));
}

/** One level's violations, policy by policy in the pack's order: the policy's remediation once, then its rows. */
function violationSection(
  level: EnforcementLevel,
  entries: readonly Entry[],
  policies: readonly PlatformPolicy[],
  report: ReportInput,
): string[] {
  const out = [`## ${level[0]!.toUpperCase()}${level.slice(1)} violations (${entries.length})`, ""];
  if (entries.length === 0) return [...out, "None."];
  const byUrn = byUrnOf(report.resources);
  const order = new Map(report.resources.map((r, i) => [r.urn, i]));
  const remediation = new Map(policies.map((p) => [p.name, p.remediationSteps]));
  for (const name of new Set(entries.map((e) => e.policy))) {
    const rows = entries
      .filter((e) => e.policy === name)
      .sort((a, b) => (order.get(a.urn) ?? -1) - (order.get(b.urn) ?? -1))
      .map((e) => [code(labelOf(e.urn, byUrn)), text(e.message)]);
    out.push(`### ${code(name, false)} (${rows.length})`, "", `**Remediation**: ${prose(remediation.get(name) ?? "none given")}`, "");
    out.push(...table(["resource", "violation"], rows), "");
  }
  return out.slice(0, -1);
}

/** Every policy that applies to the stack's cloud with its outcome, folded away. */
function policyTable(results: readonly PolicyResult[], hidden: number, cloud: string): string[] {
  const rows = results.map((r) => [code(r.name), r.enforcementLevel, String(r.evaluated), String(r.violations.length)]);
  const left = hidden > 0 ? `; ${plural(hidden, "policy", "policies")} for another cloud's resources left out` : "";
  return collapsed(
    `Policies: ${results.length} that apply to ${text(cloud)}${left}`,
    table(["policy", "enforcement", "evaluated", "violations"], rows),
  );
}

/** What both reports show of a review's policies: only those that apply to the stack's cloud. */
export interface PolicyView {
  cloud: string;
  environment: string;
  /** Resources, the stack itself not counted. */
  resources: number;
  /** The results of the policies that apply, in the pack's order. */
  results: PolicyResult[];
  /** How many policies were left out as another cloud's. */
  hidden: number;
  mandatory: Entry[];
  advisory: Entry[];
  /** The types the pack counts as stateful (stateful-protected's default). */
  statefulTypes: string[];
}

export function policyView(report: ReportInput, policies: readonly PlatformPolicy[]): PolicyView {
  const [cloud, environment] = [setting(report, "cloud"), setting(report, "environment")];
  const byName = new Map(policies.map((p) => [p.name, p]));
  const results = report.policies.filter((r) => appliesTo(r, byName.get(r.name), cloud));
  const all = violationsOf(results);
  return {
    cloud,
    environment,
    resources: counted(report.resources).length,
    results,
    hidden: report.policies.length - results.length,
    mandatory: all.filter((v) => v.level === "mandatory"),
    advisory: all.filter((v) => v.level === "advisory"),
    statefulTypes: statefulTypesOf(byName.get("stateful-protected")),
  };
}

/**
 * The Markdown summary a pull request shows: the stack's summary row and verdict, the diff when the review
 * was made against another version, the violations policy by policy, the estimate when there is one, then
 * the policies and the inventory folded away. Only policies that apply to the stack's cloud are listed.
 */
export function markdownSummary(report: ReportInput, policies: readonly PlatformPolicy[], info: PolicyRunInfo): string {
  const view = policyView(report, policies);
  const { mandatory, advisory } = view;
  // A mandatory chart check's finding blocks as a mandatory violation does; the Charts section lists them.
  const blocking = mandatory.length + mandatoryFindings(report.checks);
  const out = [
    ...summaryTable(report, view, { mandatory: blocking, advisory: advisory.length }),
    "",
    `Policy pack ${text(info.pack.name)} ${text(info.pack.version)} with ${code(info.configFile, false)}.`,
  ];
  if (blocking > 0) out.push("", `**Blocked**: ${plural(blocking, "mandatory violation")} must be fixed before this stack is deployed.`);
  if (report.diff) out.push("", ...diffSection(report, report.diff, view.statefulTypes));
  out.push("", ...violationSection("mandatory", mandatory, policies, report));
  out.push("", ...violationSection("advisory", advisory, policies, report));
  if (report.rendering) out.push("", ...chartsMarkdown(report));
  if (report.estimate) out.push("", ...estimateSection(report));
  out.push("", ...policyTable(view.results, view.hidden, view.cloud));
  out.push("", ...inventorySection(report, view.resources));
  return `${out.join("\n")}\n`;
}

/** The types the pack counts as stateful: the default of stateful-protected's statefulTypes. */
function statefulTypesOf(policy: PlatformPolicy | undefined): string[] {
  const schema = policy?.configSchema?.properties.statefulTypes as { default?: unknown } | undefined;
  return Array.isArray(schema?.default) ? schema.default.map(String) : [];
}
