// GIVEN a hand-made review record with an estimate and a diff
// WHEN its resources are grouped into the component graph and the HTML page is written
// THEN the graph has one node per top-level component with the critical path marked, and the page is
//      self-contained (nothing to fetch), names the stack, every component and every violation, and holds
//      an SVG that is well-formed XML.
import { describe, expect, test } from "@jest/globals";
import { policies } from "../policies/policies";
import { componentGraph, toDot } from "../review/graph";
import { esc, htmlReport } from "../review/html-report";
import { DIFF, ESTIMATE, handMadeReport, INFO, URNS } from "./report-fixture";

/** Problems that make `xml` not well-formed: unbalanced or crossed tags, a bare `<` or `&`, a bad attribute. */
function xmlProblems(xml: string): string[] {
  const problems: string[] = [];
  const open: string[] = [];
  const token =
    /<!--[^]*?-->|<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+\s*=\s*"[^"<]*")*)\s*(\/?)>|<|&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/g;
  for (const m of xml.matchAll(token)) {
    const [whole, closing, name, , selfClosing] = m;
    if (whole === "<" || whole === "&") problems.push(`bare ${whole} at ${m.index}`);
    else if (whole.startsWith("<!--") || selfClosing) continue;
    else if (!closing) open.push(name!);
    else if (open.pop() !== name) problems.push(`</${name}> at ${m.index} closes another element`);
  }
  return [...problems, ...open.map((name) => `<${name}> is never closed`)];
}

describe("the component graph", () => {
  test("one node per top-level component, an edge per pair with dependencies, the critical path marked", () => {
    const graph = componentGraph(handMadeReport().resources, ESTIMATE.criticalPath);
    expect(graph.nodes.map((n) => ({ ...n, resources: n.resources.map((r) => r.urn) }))).toEqual([
      { id: "c0", name: "(stack)", resources: [URNS.provider], critical: false },
      { id: "c1", name: "platform:aws:PostgresDatabase database", resources: [URNS.database, URNS.instance], critical: true },
      { id: "c2", name: "platform:kubernetes:AppService app", resources: [URNS.app, URNS.deployment], critical: true },
    ]);
    expect(graph.edges).toEqual([
      { from: "c0", to: "c1", count: 1, critical: false },
      { from: "c1", to: "c2", count: 1, critical: true },
    ]);
  });

  test("without an estimate nothing is marked; the DOT names each component and lists its resources in the tooltip", () => {
    const graph = componentGraph(handMadeReport().resources);
    expect(graph.nodes.map((n) => n.critical)).toEqual([false, false, false]);
    expect(graph.edges.map((e) => e.critical)).toEqual([false, false]);
    const dot = toDot(graph).split("\n");
    expect(dot.filter((l) => l.startsWith("  c"))).toEqual([
      '  c0 [label="(stack)\\n1 resources", tooltip="pulumi:providers:aws aws", href="#resources-c0", id="component_c0"];',
      '  c1 [label="PostgresDatabase\\ndatabase\\n2 resources", tooltip="platform:aws:PostgresDatabase database\\naws:rds/instance:Instance database-db", href="#resources-c1", id="component_c1"];',
      '  c2 [label="AppService\\napp\\n2 resources", tooltip="platform:kubernetes:AppService app\\nkubernetes:apps/v1:Deployment app-deployment", href="#resources-c2", id="component_c2"];',
      '  c0 -> c1 [tooltip="1 dependencies"];',
      '  c1 -> c2 [tooltip="1 dependencies"];',
    ]);
  });
});

describe("the HTML page", () => {
  const report = handMadeReport({ estimate: ESTIMATE, diff: DIFF });
  const page = htmlReport(report, policies, INFO);

  test("fetches nothing: no script or stylesheet source, no url(), and http only in the SVG's namespaces", async () => {
    const html = await page;
    expect(html).not.toMatch(/<script[^>]*\ssrc=/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/url\(|@import/i);
    expect(html).not.toMatch(/(?:src|href)\s*=\s*"(?!#)/i);
    expect([...html.matchAll(/https?:[^"\s<]*/g)].map(([m]) => m)).toEqual(["http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"]);
  });

  test("names the stack, every component and every violation, escaped", async () => {
    const html = await page;
    expect(html).toContain("<title>Review of stack production</title>");
    expect(html).toContain("<h1>Review of stack production</h1>");
    for (const component of ["(stack)", "platform:aws:PostgresDatabase database", "platform:kubernetes:AppService app"])
      expect(html).toContain(`<summary>${esc(component)} (`);
    for (const violation of report.policies.flatMap((p) => p.violations)) expect(html).toContain(`<td>${esc(violation.message)}</td>`);
    expect(html).toContain("append @sha256:&lt;digest&gt;</td>");
    expect(html).not.toContain("[secret]");
  });

  test("shows the policies of the stack's cloud, the cost lines, the critical path and the diff", async () => {
    const html = await page;
    expect(html).toContain("<summary>4 policies that apply to aws (1 for another cloud's resources left out)</summary>");
    expect(html).not.toContain("gke-private");
    expect(html).toContain("<tr><td>EKS | control plane &lt;hours&gt;</td><td>1</td><td>$34.50</td><td>$34.50</td></tr>");
    expect(html).toContain(
      "<ol><li><code>aws:rds/instance:Instance database-db</code></li><li><code>kubernetes:apps/v1:Deployment app-deployment</code></li></ol>",
    );
    expect(html).toContain(
      '<tr><td><code>aws:rds/instance:Instance database-db</code> <strong class="blocked">stateful</strong></td><td>replaced (engineVersion), unprotected</td><td><code>engineVersion</code>, <code>protect</code></td></tr>',
    );
    expect(html).toContain("<p>1 added, 1 removed, 2 changed; monthly cost (estimate) +$12.50.</p>");
  });

  test("holds one well-formed SVG with the critical path's components and edge drawn in red", async () => {
    const svgs = [...(await page).matchAll(/<svg\b[^]*?<\/svg>/g)].map(([svg]) => svg);
    expect(svgs).toHaveLength(1);
    const svg = svgs[0]!;
    expect(xmlProblems(svg)).toEqual([]);
    const groups = svg.split(/(?=<g id="[^"]*" class="(?:node|edge)">)/).slice(1);
    const red = groups.map((g) => [/^<g id="([^"]*)"/.exec(g)![1], g.includes('stroke="#c62828"')]);
    expect(red).toEqual([
      ["component_c0", false],
      ["component_c1", true],
      ["edge1", false],
      ["component_c2", true],
      ["edge2", true],
    ]);
    expect(svg.match(/stroke="#c62828"/g)).toHaveLength(4);
  });

  test("the XML check finds what breaks a document", () => {
    expect(xmlProblems('<svg><g><text x="1">a &amp; b</text></g></svg>')).toEqual([]);
    expect(xmlProblems("<svg><g></svg>")).toEqual(["</svg> at 8 closes another element", "<svg> is never closed"]);
    expect(xmlProblems("<svg><text>a < b & c</text></svg>")).toEqual(["bare < at 13", "bare & at 17"]);
  });
});
