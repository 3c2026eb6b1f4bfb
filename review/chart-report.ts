// How the review shows the charts it rendered and the checks over their objects: terminal lines, the
// Markdown summary's section and the HTML page's, each small (the objects themselves are in the JSON record).
import type { CheckResult } from "./check-types";
import type { RecordedResource } from "./engine";
import { code, table, text } from "./markdown";
import type { Rendering } from "./render";

/** What the three reports read of a review's rendering; absent in records made before the review rendered charts. */
export interface ChartReportInput {
  resources: readonly RecordedResource[];
  rendering?: Rendering;
  checks?: readonly CheckResult[];
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Release name (the Pulumi resource's) and object count of each rendered Release, in registration order. */
export function renderedCounts(resources: readonly RecordedResource[]): [string, number][] {
  return resources.filter((r) => r.rendered).map((r) => [r.name, r.rendered!.count]);
}

/** One line on how the charts were rendered, or why they were not. */
export function renderingLine(rendering: Rendering | undefined): string {
  if (!rendering) return "charts not rendered: the record predates rendering";
  if (!rendering.done) return rendering.note ?? "charts not rendered";
  if (rendering.releases === 0) return "charts rendered: the stack installs none";
  return `charts rendered with Helm ${rendering.helm ?? "?"} for Kubernetes ${rendering.kubeVersion ?? "?"}: ${plural(rendering.releases, "release")}, ${rendering.cached} from the cache`;
}

/** Findings of the mandatory checks: each fails the review as a mandatory policy violation does. */
export function mandatoryFindings(checks: readonly CheckResult[] | undefined): number {
  return (checks ?? []).filter((c) => c.enforcementLevel === "mandatory").reduce((n, c) => n + c.findings.length, 0);
}

/** Terminal lines: the rendering, objects per release, then each check with its findings. */
export function chartLines(report: ChartReportInput): string[] {
  const counts = renderedCounts(report.resources);
  const width = Math.max(0, ...counts.map(([name]) => name.length));
  const lines = [
    `  ${renderingLine(report.rendering)}`,
    ...counts.map(([name, n]) => `    ${name.padEnd(width)}  ${String(n).padStart(4)} objects`),
  ];
  const checks = report.checks ?? [];
  if (checks.length === 0) return lines;
  const findings = (level: string) => checks.filter((c) => c.enforcementLevel === level).reduce((n, c) => n + c.findings.length, 0);
  lines.push(`  chart checks: ${findings("mandatory")} mandatory and ${findings("advisory")} advisory findings`);
  for (const c of checks) {
    lines.push(`    ${c.name} (${c.enforcementLevel}): ${c.checked} checked, ${plural(c.findings.length, "finding")}`);
    for (const f of c.findings) lines.push(`      ${f.object}: ${f.message}`);
  }
  return lines;
}

/** The Markdown section: objects per release, and each check with its findings. */
export function chartsMarkdown(report: ChartReportInput): string[] {
  const out = ["## Charts", "", text(renderingLine(report.rendering))];
  const counts = renderedCounts(report.resources);
  if (counts.length > 0)
    out.push(
      "",
      ...table(
        ["release", "rendered objects"],
        counts.map(([name, n]) => [code(name), String(n)]),
      ),
    );
  const checks = report.checks ?? [];
  if (checks.length === 0) return out;
  out.push(
    "",
    ...table(
      // Enforcement last: a row starting with a code span and a level is the policy table's.
      ["check", "checked", "findings", "enforcement"],
      checks.map((c) => [code(c.name), String(c.checked), String(c.findings.length), c.enforcementLevel]),
    ),
  );
  const found = checks.flatMap((c) => c.findings.map((f) => [code(c.name), c.enforcementLevel, code(f.object), text(f.message)]));
  if (found.length > 0) out.push("", ...table(["check", "level", "object", "finding"], found));
  return out;
}

const esc = (value: string) => value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const tableHtml = (header: string[], rows: string[][]) =>
  `<table><tr>${header.map((h) => `<th>${h}</th>`).join("")}</tr>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join("")}</tr>`).join("")}</table>`;

/** The HTML section: the same as the Markdown one. */
export function chartsHtml(report: ChartReportInput): string {
  const counts = renderedCounts(report.resources).map(([name, n]) => [`<code>${esc(name)}</code>`, String(n)]);
  const checks = report.checks ?? [];
  const rows = checks.map((c) => [`<code>${esc(c.name)}</code>`, c.enforcementLevel, String(c.checked), String(c.findings.length)]);
  const found = checks.flatMap((c) =>
    c.findings.map((f) => [`<code>${esc(c.name)}</code>`, c.enforcementLevel, `<code>${esc(f.object)}</code>`, esc(f.message)]),
  );
  return [
    `<section id="charts"><h2>Charts</h2><p>${esc(renderingLine(report.rendering))}</p>`,
    counts.length === 0 ? "" : tableHtml(["release", "rendered objects"], counts),
    rows.length === 0 ? "" : tableHtml(["check", "enforcement", "checked", "findings"], rows),
    found.length === 0 ? "" : tableHtml(["check", "level", "object", "finding"], found),
    "</section>",
  ].join("");
}
