// What changes between two reviews of one stack (`npm run review -- --against <ref | record.json>`): the
// resources added and removed, the inputs and options changed on the others, which of those changes make
// the provider replace the resource (review/replace-inputs.ts), and the stateful resources a deploy would
// delete, replace or leave unprotected. Pure: records in, a ReviewDiff and text out.
import type { RecordedResource } from "./engine";
import { REPLACE_INPUTS, STATEFUL_TYPES } from "./replace-inputs";
import type { ResourceChange, ReviewDiff } from "./report-types";
import type { ReviewReport } from "./review";
import { ReviewError } from "./stack-file";

/** The recorded options a change of which the diff reports, by the name it reports them under. */
const OPTIONS = ["protect", "retainOnDelete", "deleteBeforeReplace", "ignoreChanges", "customTimeouts", "provider"] as const;

/** The path of a child value, in the form `secretInputs` uses: `a.b[0]["c.d"]`. */
function childPath(parent: string, key: string | number): string {
  if (typeof key === "number") return `${parent}[${key}]`;
  if (/^[A-Za-z_$][\w$]*$/.test(key)) return parent ? `${parent}.${key}` : key;
  return `${parent}[${JSON.stringify(key)}]`;
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === "object" && !Array.isArray(value);

/** The paths at which `before` and `after` differ, as deep as both sides have the same shape. */
export function changedPaths(before: unknown, after: unknown, at = ""): string[] {
  if (Array.isArray(before) && Array.isArray(after)) {
    const length = Math.max(before.length, after.length);
    return Array.from({ length }, (_, i) =>
      i < before.length && i < after.length ? changedPaths(before[i], after[i], childPath(at, i)) : [childPath(at, i)],
    ).flat();
  }
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) =>
      key in before && key in after ? changedPaths(before[key], after[key], childPath(at, key)) : [childPath(at, key)],
    );
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [at];
}

/** Whether `path` is `prefix` or lies below it (`a.b` and `a.b[0].c` lie below `a.b`; `a.bc` does not). */
function within(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`);
}

/** The changed input paths that replace a resource of `type`: at, below or above a replace-on-change input, and not ignored. */
export function replacingPaths(type: string, paths: string[], ignoreChanges: string[] = []): string[] {
  const inputs = REPLACE_INPUTS[type] ?? [];
  return paths.filter(
    (path) =>
      !(OPTIONS as readonly string[]).includes(path) &&
      !ignoreChanges.some((ignored) => within(path, ignored)) &&
      inputs.some((input) => within(path, input) || within(input, path)),
  );
}

function compare(before: RecordedResource, after: RecordedResource): ResourceChange | undefined {
  const inputs = changedPaths(before.inputs, after.inputs);
  const options = OPTIONS.filter((option) => changedPaths(before[option], after[option]).length > 0);
  const paths = [...inputs, ...options];
  if (paths.length === 0) return undefined;
  return {
    urn: after.urn,
    paths,
    replaces: replacingPaths(after.type, inputs, after.ignoreChanges),
    unprotects: before.protect && !after.protect,
  };
}

/** The monthly estimate of a report, when it carries one. */
function monthlyCost(report: ReviewReport): number | undefined {
  const estimate = (report as { estimate?: { monthlyCostUsd?: unknown } }).estimate;
  return typeof estimate?.monthlyCostUsd === "number" ? estimate.monthlyCostUsd : undefined;
}

/**
 * What deploying `after` over `before` changes. A resource whose URN changed is removed and added, unless
 * the new one names the old URN in its aliases: then the engine carries it over, and it is compared.
 */
export function diffReports(before: ReviewReport, after: ReviewReport, against: string): ReviewDiff {
  if (before.stack !== after.stack || before.project !== after.project)
    throw new ReviewError(
      `${against}: the record is of stack ${before.project}/${before.stack}, not ${after.project}/${after.stack}; compare a stack with its own record`,
    );
  const old = new Map(before.resources.map((r) => [r.urn, r]));
  const matched = new Set<string>();
  const added: string[] = [];
  const changed: ResourceChange[] = [];
  for (const resource of after.resources) {
    const previous = old.has(resource.urn) ? resource.urn : resource.aliases.find((alias) => old.has(alias) && !matched.has(alias));
    if (previous === undefined) {
      added.push(resource.urn);
      continue;
    }
    matched.add(previous);
    const change = compare(old.get(previous)!, resource);
    if (change) changed.push(change);
  }
  const removed = before.resources.map((r) => r.urn).filter((urn) => !matched.has(urn));
  const [was, is] = [monthlyCost(before), monthlyCost(after)];
  return {
    against,
    added,
    removed,
    changed,
    monthlyCostDeltaUsd: was !== undefined && is !== undefined ? Math.round((is - was) * 100) / 100 : 0,
  };
}

/** The type and name a URN ends with: `urn:pulumi:s::p::parent$type::name`. */
export function urnParts(urn: string): { type: string; name: string } {
  const [, , qualifiedType = "", ...name] = urn.split("::");
  return { type: qualifiedType.split("$").pop()!, name: name.join("::") };
}

/** A stateful resource a deploy would delete, replace or leave unprotected, as one line. */
export interface StatefulRisk {
  urn: string;
  line: string;
}

/** The stateful resources the diff puts at risk: removed (deleted, renamed without an alias), replaced, unprotected. */
export function statefulRisks(diff: ReviewDiff): StatefulRisk[] {
  const label = (urn: string) => {
    const { type, name } = urnParts(urn);
    return `${type} ${name}`;
  };
  const stateful = (urn: string) => STATEFUL_TYPES.has(urnParts(urn).type);
  const removed = diff.removed.filter(stateful).map((urn) => {
    const { type } = urnParts(urn);
    const successor = diff.added.find((added) => urnParts(added).type === type);
    const why = successor
      ? `is deleted: its URN changed, the new ${label(successor)} is created empty (rename it back, or give it aliases: [old URN])`
      : "is deleted: the program no longer declares it";
    return { urn, line: `${label(urn)} ${why}` };
  });
  const changed = diff.changed
    .filter((change) => stateful(change.urn) && (change.replaces.length > 0 || change.unprotects))
    .map((change) => {
      const what = [
        change.replaces.length > 0 && `is replaced (delete, then create) for ${change.replaces.join(", ")}`,
        change.unprotects && "loses protect",
      ].filter(Boolean);
      return { urn: change.urn, line: `${label(change.urn)} ${what.join(" and ")}` };
    });
  return [...removed, ...changed];
}

/** The diff as the CLI prints it: the counts, then one line per stateful resource at risk. */
export function diffSummary(diff: ReviewDiff): string {
  const replaced = diff.changed.filter((c) => c.replaces.length > 0).length;
  const unprotected = diff.changed.filter((c) => c.unprotects).length;
  const delta = `${diff.monthlyCostDeltaUsd < 0 ? "-" : "+"}${Math.abs(diff.monthlyCostDeltaUsd).toFixed(2)} USD a month`;
  const risks = statefulRisks(diff);
  return [
    `  diff against ${diff.against}: ${diff.added.length} added, ${diff.removed.length} removed, ${diff.changed.length} changed (${replaced} replaced, ${unprotected} unprotected), ${delta}`,
    risks.length === 0 ? "  stateful resources at risk: none" : `  stateful resources at risk: ${risks.length}`,
    ...risks.map((risk) => `    ${risk.line}`),
  ].join("\n");
}
