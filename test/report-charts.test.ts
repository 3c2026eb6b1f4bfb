// GIVEN the production stack's shared review, with what its charts render and the chart checks
// WHEN the Markdown summary and the HTML page are written, as they are as-is and with one planted finding
// THEN both show the objects each release renders and the checks in a Charts section, and a mandatory
//      finding blocks the stack as a mandatory policy violation does.
import { describe, expect, test } from "@jest/globals";
import { policies } from "../policies/policies";
import { mandatoryFindings } from "../review/chart-report";
import { htmlReport } from "../review/html-report";
import { markdownSummary } from "../review/policy-report";
import { INFO } from "./report-fixture";
import { shippedReview } from "./reviews";

describe("the reports", () => {
  const report = shippedReview("production");
  const finding = { object: "cert-manager/Deployment/cert-manager", message: "release cert-manager-release: a planted finding" };
  const withFinding = { ...report, checks: report.checks.map((c, i) => (i === 2 ? { ...c, findings: [finding] } : c)) };

  test("the Markdown summary shows the objects per release and the checks, and a mandatory finding blocks", () => {
    const markdown = markdownSummary(report, policies, INFO).split("\n");
    expect(markdown).toEqual(
      expect.arrayContaining([
        "## Charts",
        `charts rendered with Helm ${report.rendering.helm!} for Kubernetes 1.35: 8 releases, ${report.rendering.cached} from the cache`,
        "| `cluster-services-lb-controller` | 20 |",
        "| `monitoring-stack` | 95 |",
        "| `chart-resources` | 17 | 0 | mandatory |",
      ]),
    );
    expect(markdown.join("\n")).not.toContain("**Blocked**");
    const blocked = markdownSummary(withFinding, policies, INFO);
    expect(blocked).toContain("**Blocked**: 1 mandatory violation must be fixed before this stack is deployed.");
    expect(blocked).toContain(
      "| `chart-resources` | mandatory | `cert-manager/Deployment/cert-manager` | release cert-manager-release: a planted finding |",
    );
  });

  test("the HTML page has a Charts section with the same counts", async () => {
    const html = await htmlReport(report, policies, INFO);
    expect(html).toContain('<section id="charts"><h2>Charts</h2>');
    expect(html).toContain("<tr><td><code>monitoring-stack</code></td><td>95</td></tr>");
  });

  test("a mandatory finding counts as blocking; an advisory one does not", () => {
    expect(mandatoryFindings(report.checks)).toBe(0);
    expect(mandatoryFindings(withFinding.checks)).toBe(1);
    expect(mandatoryFindings(withFinding.checks.map((c) => ({ ...c, enforcementLevel: "advisory" as const })))).toBe(0);
  });
});
