// The parts of the Markdown summary that are not about policies: escaping for GitHub's renderer, the
// stack's summary row, the diff against another version, the estimate and the inventory. A pull-request
// comment is rendered as GitHub Flavored Markdown with HTML allowed, so every text that comes from the
// program or the policies is escaped: `<digest>` would otherwise be taken for an HTML tag and vanish, and a
// `|` would split a table cell.
import { byUrnOf, inventory, labelOf, type ReportInput, urnParts, usd, usdDelta } from "./inventory";
import type { ResourceChange, ReviewDiff } from "./report-types";

/** Text as it reads, in a table cell or in prose: HTML and Markdown characters escaped, newlines as <br>. */
export function text(value: string): string {
  return (
    value
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/`/g, "&#96;")
      .replace(/[\\*_[\]~]/g, (c) => `\\${c}`)
      .replace(/\|/g, "\\|")
      // `@name` in a comment mentions a GitHub user or team (a digest's "@sha256" would): written as an entity it is not one.
      .replace(/@/g, "&#64;")
      .replace(/\r?\n/g, "<br>")
  );
}

/** Prose written with code spans (remediation steps): the spans kept as they are, the rest escaped as text. */
export function prose(value: string): string {
  return value
    .split(/(`[^`\n]*`)/)
    .map((part, i) => (i % 2 === 1 ? part : text(part)))
    .join("");
}

/**
 * A code span holding `value` as it is (a code span shows `<` and `&` literally); in a table, `|` is escaped,
 * which GitHub removes again inside the cell. Newlines become spaces, as a code span cannot hold them.
 */
export function code(value: string, inTable = true): string {
  const flat = value.replace(/\r?\n/g, " ");
  const escaped = inTable ? flat.replace(/\|/g, "\\|") : flat;
  const fence = "`".repeat(Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length)) + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") ? " " : "";
  return `${fence}${pad}${escaped}${pad}${fence}`;
}

export const row = (cells: readonly string[]): string => `| ${cells.join(" | ")} |`;

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [row(header), row(header.map(() => "---")), ...rows.map(row)];
}

/** `lines` folded away under `summary`, with the blank lines GitHub needs to render Markdown inside. */
export const collapsed = (summary: string, lines: readonly string[]): string[] => [
  `<details><summary>${summary}</summary>`,
  "",
  ...lines,
  "",
  "</details>",
];

/** Changed resources listed in full up to this many rows; longer lists are collapsed. */
const OPEN_ROWS = 10;

export const plural = (n: number, word: string, many = `${word}s`): string => `${n} ${n === 1 ? word : many}`;

/** The stack's one summary row: identity, size, violations, verdict, and the estimate when the review has one. */
export function summaryTable(
  report: ReportInput,
  identity: { cloud: string; environment: string; resources: number },
  counts: { mandatory: number; advisory: number },
): string[] {
  const estimate = report.estimate;
  const header = ["stack", "cloud", "environment", "resources", "mandatory", "advisory", "verdict"];
  const cells = [
    code(report.stack),
    text(identity.cloud),
    text(identity.environment),
    String(identity.resources),
    String(counts.mandatory),
    String(counts.advisory),
    counts.mandatory > 0 ? "**Blocked**" : "**Passed**",
  ];
  if (estimate) {
    header.push("monthly cost (estimate)", "first deploy (estimate)");
    cells.push(usd(estimate.monthlyCostUsd), `${Math.round(estimate.criticalPathMinutes)} min`);
  }
  return table(header, [cells]);
}

/** The stateful resources a change replaces or unprotects: what a reviewer must look at before anything else. */
function riskyRows(changes: readonly ResourceChange[], stateful: ReadonlySet<string>, label: (urn: string) => string): string[][] {
  return changes
    .filter((c) => c.unprotects || (c.replaces.length > 0 && stateful.has(urnParts(c.urn).type)))
    .map((c) => [
      code(label(c.urn)),
      c.replaces.length > 0 ? c.replaces.map((p) => code(p)).join(", ") : "no",
      c.unprotects ? "**yes**" : "no",
    ]);
}

/** The diff: counts, the stateful resources replaced or unprotected, then every resource that changes and how. */
export function diffSection(report: ReportInput, diff: ReviewDiff, statefulTypes: readonly string[]): string[] {
  const byUrn = byUrnOf(report.resources);
  const label = (urn: string) => labelOf(urn, byUrn);
  const replaced = diff.changed.filter((c) => c.replaces.length > 0).length;
  const unprotected = diff.changed.filter((c) => c.unprotects).length;
  const out = [
    `## Changes against ${code(diff.against, false)}`,
    "",
    `${diff.added.length} added, ${diff.removed.length} removed, ${diff.changed.length} changed (${replaced} replaced, ${unprotected} unprotected); monthly cost (estimate) ${usdDelta(diff.monthlyCostDeltaUsd)}.`,
  ];
  const risky = riskyRows(diff.changed, new Set(statefulTypes), label);
  out.push("", "### Stateful resources replaced or unprotected", "");
  out.push(...(risky.length === 0 ? ["None."] : table(["resource", "replaced by a change of", "unprotected"], risky)));
  const rows = [
    ...diff.added.map((urn) => [code(label(urn)), "added", ""]),
    ...diff.removed.map((urn) => [code(label(urn)), "removed", ""]),
    ...diff.changed.map((c) => [
      code(label(c.urn)),
      c.replaces.length > 0 ? "replaced" : "updated",
      c.paths.map((p) => code(p)).join(", "),
    ]),
  ];
  if (rows.length === 0) return out;
  const lines = table(["resource", "change", "paths"], rows);
  out.push("", "### Resources added, removed or changed", "");
  out.push(...(rows.length > OPEN_ROWS ? collapsed(`${plural(rows.length, "resource")}`, lines) : lines));
  return out;
}

/** The cost lines and the critical path of a first deploy, labelled as the estimate they are. */
export function estimateSection(report: ReportInput): string[] {
  const estimate = report.estimate;
  if (!estimate) return [];
  const byUrn = byUrnOf(report.resources);
  const lines = estimate.costLines.map((l) => [text(l.item), String(l.quantity), usd(l.unitUsd), usd(l.monthlyUsd)]);
  return [
    `## Estimate (price table of ${text(estimate.priceTableDate)})`,
    "",
    `An estimate from dated on-demand prices, not a quote: ${usd(estimate.monthlyCostUsd)} a month. A first deploy waits about ${Math.round(estimate.criticalPathMinutes)} min for its critical path (${Math.round(estimate.serialMinutes)} min if every creation ran one after another).`,
    "",
    ...table(["item", "quantity", "unit a month", "a month"], [...lines, ["**total**", "", "", `**${usd(estimate.monthlyCostUsd)}**`]]),
    "",
    `Critical path of a first deploy (${plural(estimate.criticalPath.length, "resource")}, first created first):`,
    "",
    ...estimate.criticalPath.map((urn, i) => `${i + 1}. ${code(labelOf(urn, byUrn), false)}`),
  ];
}

/** The full inventory, folded away: resources per top-level component and per type. */
export function inventorySection(report: ReportInput, resources: number): string[] {
  const { byComponent, byType } = inventory(report.resources);
  return collapsed(`Inventory: ${plural(resources, "resource")} in ${plural(byComponent.length, "component")}`, [
    ...table(
      ["component", "resources"],
      byComponent.map(([name, n]) => [code(name), String(n)]),
    ),
    "",
    ...table(
      ["type", "resources"],
      byType.map(([type, n]) => [code(type), String(n)]),
    ),
  ]);
}
