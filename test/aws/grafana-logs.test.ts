// GIVEN every shipped AWS stack, reviewed as `pulumi up` would run it
// WHEN the grants of the cluster's container logs to Grafana are read back
// THEN each allows every CloudWatch Logs action Grafana's documented CloudWatch data source policy lists for
//      Logs Insights queries, so the query editor can list fields and Grafana can stop a query it abandons;
// AND GIVEN a grant that lacks some THEN the check names what is missing.
// Source: Grafana's CloudWatch data source docs, IAM policy statement "AllowReadingLogsFromCloudWatch"
// (https://grafana.com/docs/grafana/latest/datasources/aws-cloudwatch/), the same six actions as AWS's managed
// AmazonGrafanaCloudWatchAccess (docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonGrafanaCloudWatchAccess.html).
import { describe, expect, test } from "@jest/globals";
import { shippedReview } from "../reviews";

const GRAFANA_LOGS_ACTIONS = [
  "logs:DescribeLogGroups",
  "logs:GetLogGroupFields",
  "logs:StartQuery",
  "logs:StopQuery",
  "logs:GetQueryResults",
  "logs:GetLogEvents",
];

interface Statement {
  Effect: string;
  Action: string | string[];
}

/** The documented actions a policy document does not allow, in the documentation's order. */
function missingGrafanaActions(policy: string): string[] {
  const allowed = (JSON.parse(policy) as { Statement: Statement[] }).Statement.filter((s) => s.Effect === "Allow").flatMap((s) =>
    [s.Action].flat(),
  );
  return GRAFANA_LOGS_ACTIONS.filter((action) => !allowed.includes(action));
}

describe.each(["dev", "staging", "production"] as const)("%s", (stack) => {
  test("Grafana's container-logs grant allows every Logs Insights action Grafana documents", () => {
    const grants = shippedReview(stack).resources.filter(
      (r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.name.includes("-container-logs-read-"),
    );
    expect(grants.map((g) => g.name)).toEqual(["cluster-container-logs-read-monitoring-grafana"]);
    for (const grant of grants) expect(missingGrafanaActions(grant.inputs.policy as string)).toEqual([]);
  });
});

test("GIVEN the grant as it was, without the field list and the stop THEN both are named", () => {
  const before = JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: ["logs:StartQuery", "logs:GetLogEvents", "logs:FilterLogEvents"],
        Resource: ["arn:aws:logs:eu-west-1:1:log-group:g"],
      },
      { Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: "arn:aws:logs:eu-west-1:1:log-group:*" },
      { Effect: "Allow", Action: "logs:GetQueryResults", Resource: "*" },
    ],
  });
  expect(missingGrafanaActions(before)).toEqual(["logs:GetLogGroupFields", "logs:StopQuery"]);
});
