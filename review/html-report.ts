// review/out/<stack>.html: one self-contained page (inline CSS, script and SVG; nothing fetched) with the
// resource graph by component, the critical path of a first deploy marked when the review has an estimate,
// the policy results, the cost lines and the diff. Graphviz, compiled to WebAssembly (@viz-js/viz), lays the
// graph out as SVG at review time, in Node.
import { chartsHtml, mandatoryFindings } from "./chart-report";
import type { Viz } from "@viz-js/viz" with { "resolution-mode": "import" };
import type { PlatformPolicy } from "../policies/policies";
import { type ComponentGraph, componentGraph, toDot } from "./graph";
import { byUrnOf, labelOf, type ReportInput, urnParts, usd, usdDelta } from "./inventory";
import { type Entry, type PolicyRunInfo, policyView, type PolicyView } from "./policy-report";

/** Text for HTML content and attribute values. */
export const esc = (value: string): string =>
  value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");

const tableHtml = (header: readonly string[], rows: readonly (readonly string[])[]): string =>
  `<table><thead><tr>${header.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join("")}</tr>`)
    .join("")}</tbody></table>`;

/** The graph as inline SVG: Graphviz's output without its XML prolog, doctype and comments. */
export async function graphSvg(graph: ComponentGraph): Promise<string> {
  // The package's CommonJS build (its types are declared as ESM only), loaded when a page is drawn: 1.2 MB of
  // JavaScript and WebAssembly that nothing else of the review needs.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const viz = await (require("@viz-js/viz") as { instance: () => Promise<Viz> }).instance();
  const svg = viz.renderString(toDot(graph), { format: "svg", engine: "dot" });
  return svg
    .replace(/<\?xml[^>]*\?>\s*/, "")
    .replace(/<!DOCTYPE[^>]*>\s*/, "")
    .replace(/<!--[^]*?-->\s*/g, "")
    .trim();
}

function summary(report: ReportInput, view: PolicyView, info: PolicyRunInfo): string {
  const mandatory = view.mandatory.length + mandatoryFindings(report.checks);
  const blocked = mandatory > 0;
  const facts = [
    esc(view.cloud),
    esc(view.environment),
    `${view.resources} resources`,
    `${mandatory} mandatory`,
    `${view.advisory.length} advisory`,
    `<strong class="${blocked ? "blocked" : "passed"}">${blocked ? "Blocked" : "Passed"}</strong>`,
    ...(report.estimate
      ? [
          `${usd(report.estimate.monthlyCostUsd)} a month (estimate)`,
          `first deploy ${Math.round(report.estimate.criticalPathMinutes)} min (estimate)`,
        ]
      : []),
  ];
  return `<header><h1>Review of stack ${esc(report.stack)}</h1><p class="facts">${facts.join(" · ")}</p><p>Policy pack ${esc(info.pack.name)} ${esc(info.pack.version)} with <code>${esc(info.configFile)}</code>.</p></header>`;
}

function graphSection(graph: ComponentGraph, svg: string, withPath: boolean): string {
  const lists = graph.nodes
    .map(
      (n) =>
        `<details id="resources-${n.id}"${n.critical ? ' class="critical"' : ""}><summary>${esc(n.name)} (${n.resources.length})</summary><ul>${n.resources
          .map((r) => `<li><code>${esc(`${r.type} ${r.name}`)}</code></li>`)
          .join("")}</ul></details>`,
    )
    .join("");
  const path = withPath ? " The components and dependencies on the critical path of a first deploy are drawn in red." : "";
  return `<section id="graph"><h2>Resource graph</h2><p>One box per top-level component; an arrow runs from a component to one whose resources wait for it.${path} Hover over a box for its resources, click it for the full list.</p><div class="graph">${svg}</div><h3>Resources per component</h3>${lists}</section>`;
}

function violationRows(entries: readonly Entry[], report: ReportInput): string {
  const byUrn = byUrnOf(report.resources);
  const rows = entries.map((e) => [`<code>${esc(e.policy)}</code>`, e.level, `<code>${esc(labelOf(e.urn, byUrn))}</code>`, esc(e.message)]);
  return rows.length === 0 ? "<p>None.</p>" : tableHtml(["policy", "level", "resource", "violation"], rows);
}

function policySection(report: ReportInput, view: PolicyView, policies: readonly PlatformPolicy[]): string {
  const remediation = new Map(policies.map((p) => [p.name, p.remediationSteps]));
  const failing = [...new Set([...view.mandatory, ...view.advisory].map((e) => e.policy))];
  const steps = failing.map((name) => `<dt><code>${esc(name)}</code></dt><dd>${esc(remediation.get(name) ?? "none given")}</dd>`).join("");
  const rows = view.results.map((r) => [
    `<code>${esc(r.name)}</code>`,
    r.enforcementLevel,
    String(r.evaluated),
    String(r.violations.length),
  ]);
  const hidden = view.hidden > 0 ? ` (${view.hidden} for another cloud's resources left out)` : "";
  return [
    `<section id="policies"><h2>Policy results</h2>`,
    `<h3>Mandatory violations (${view.mandatory.length})</h3>${violationRows(view.mandatory, report)}`,
    `<h3>Advisory violations (${view.advisory.length})</h3>${violationRows(view.advisory, report)}`,
    steps === "" ? "" : `<h3>Remediation</h3><dl>${steps}</dl>`,
    `<details><summary>${view.results.length} policies that apply to ${esc(view.cloud)}${hidden}</summary>`,
    `${tableHtml(["policy", "enforcement", "evaluated", "violations"], rows)}</details></section>`,
  ].join("");
}

function costSection(report: ReportInput): string {
  const estimate = report.estimate;
  if (!estimate) return "";
  const byUrn = byUrnOf(report.resources);
  const rows = estimate.costLines.map((l) => [esc(l.item), String(l.quantity), usd(l.unitUsd), usd(l.monthlyUsd)]);
  rows.push(["<strong>total</strong>", "", "", `<strong>${usd(estimate.monthlyCostUsd)}</strong>`]);
  const path = estimate.criticalPath.map((urn) => `<li><code>${esc(labelOf(urn, byUrn))}</code></li>`).join("");
  return `<section id="cost"><h2>Estimate (price table of ${esc(estimate.priceTableDate)})</h2><p>An estimate from dated on-demand prices, not a quote. A first deploy waits about ${Math.round(estimate.criticalPathMinutes)} min for its critical path (${Math.round(estimate.serialMinutes)} min if every creation ran one after another).</p>${tableHtml(["item", "quantity", "unit a month", "a month"], rows)}<h3>Critical path of a first deploy</h3><ol>${path}</ol></section>`;
}

function diffSection(report: ReportInput, statefulTypes: readonly string[]): string {
  const diff = report.diff;
  if (!diff) return "";
  const byUrn = byUrnOf(report.resources);
  const label = (urn: string) => `<code>${esc(labelOf(urn, byUrn))}</code>`;
  const risky = (urn: string, replaces: readonly string[], unprotects: boolean) =>
    unprotects || (replaces.length > 0 && statefulTypes.includes(urnParts(urn).type));
  const rows = [
    ...diff.added.map((urn) => [label(urn), "added", ""]),
    ...diff.removed.map((urn) => [label(urn), "removed", ""]),
    ...diff.changed.map((c) => [
      label(c.urn) + (risky(c.urn, c.replaces, c.unprotects) ? ' <strong class="blocked">stateful</strong>' : ""),
      [c.replaces.length > 0 ? `replaced (${c.replaces.map(esc).join(", ")})` : "updated", ...(c.unprotects ? ["unprotected"] : [])].join(
        ", ",
      ),
      c.paths.map((p) => `<code>${esc(p)}</code>`).join(", "),
    ]),
  ];
  return `<section id="diff"><h2>Changes against <code>${esc(diff.against)}</code></h2><p>${diff.added.length} added, ${diff.removed.length} removed, ${diff.changed.length} changed; monthly cost (estimate) ${usdDelta(diff.monthlyCostDeltaUsd)}.</p>${rows.length === 0 ? "" : tableHtml(["resource", "change", "paths"], rows)}</section>`;
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#1f2933;margin:0 auto;max-width:1400px;padding:16px 24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;border-bottom:1px solid #d9e2ec;padding-bottom:4px;margin-top:28px}h3{font-size:15px}
code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f0f4f8;padding:1px 4px;border-radius:3px}
table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #d9e2ec;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f0f4f8}
.facts{font-size:15px}.passed{color:#1b7f3b}.blocked{color:#c62828}
.graph{overflow:auto;border:1px solid #d9e2ec;border-radius:6px;padding:8px;background:#fff}.graph svg{max-width:100%;height:auto}
details{margin:4px 0}details.critical>summary{color:#c62828;font-weight:600}details:target{background:#fff8e1}
dt{margin-top:6px}dd{margin-left:16px}`;

/** Opens the resource list a click on the graph jumps to. */
const SCRIPT = `function openTarget(){var t=document.getElementById(location.hash.slice(1));if(t&&t.tagName==="DETAILS")t.open=true;}addEventListener("hashchange",openTarget);openTarget();`;

/** The page for review/out/<stack>.html. */
export async function htmlReport(report: ReportInput, policies: readonly PlatformPolicy[], info: PolicyRunInfo): Promise<string> {
  const view = policyView(report, policies);
  const graph = componentGraph(report.resources, report.estimate?.criticalPath);
  const body = [
    summary(report, view, info),
    graphSection(graph, await graphSvg(graph), report.estimate !== undefined),
    diffSection(report, view.statefulTypes),
    policySection(report, view, policies),
    report.rendering ? chartsHtml(report) : "",
    costSection(report),
  ].join("\n");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Review of stack ${esc(report.stack)}</title>
<style>${STYLE}</style>
</head>
<body>
${body}
<script>${SCRIPT}</script>
</body>
</html>
`;
}
