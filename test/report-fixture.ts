// A hand-made review record for the report tests: a production stack on AWS with a database, an app, a
// mandatory and an advisory finding whose messages hold the characters Markdown and HTML act on, a policy of
// the other cloud that evaluated nothing, and, when asked, an estimate and a diff against main.
import type { RecordedResource } from "../review/engine";
import type { ReportInput } from "../review/inventory";
import type { Estimate, ReviewDiff } from "../review/report-types";
import { recordedResource } from "./recorded";

const STACK = "urn:pulumi:production::platform::pulumi:pulumi:Stack::platform-production";

function resource(type: string, name: string, parent: RecordedResource | null, extra: Partial<RecordedResource> = {}): RecordedResource {
  const parentTypes = parent && parent.parent !== null ? `${parent.urn.split("::")[2]}$` : "";
  return recordedResource({
    urn: parent === null ? STACK : `urn:pulumi:production::platform::${parentTypes}${type}::${name}`,
    type,
    name,
    custom: !type.startsWith("platform:") && type !== "pulumi:pulumi:Stack",
    parent: parent?.urn ?? null,
    ...extra,
  });
}

const stack = resource("pulumi:pulumi:Stack", "platform-production", null);
const provider = resource("pulumi:providers:aws", "aws", stack);
const database = resource("platform:aws:PostgresDatabase", "database", stack);
const instance = resource("aws:rds/instance:Instance", "database-db", database, { protect: true, dependencies: [provider.urn] });
const app = resource("platform:kubernetes:AppService", "app", stack);
const deployment = resource("kubernetes:apps/v1:Deployment", "app-deployment", app, { dependencies: [instance.urn] });

export const URNS = {
  stack: STACK,
  provider: provider.urn,
  database: database.urn,
  instance: instance.urn,
  app: app.urn,
  deployment: deployment.urn,
};
export const REMOVED =
  "urn:pulumi:production::platform::platform:aws:RedisCache$aws:elasticache/replicationGroup:ReplicationGroup::cache-redis";

export const ESTIMATE: Estimate = {
  criticalPathMinutes: 17.6,
  serialMinutes: 30.2,
  criticalPath: [instance.urn, deployment.urn],
  monthlyCostUsd: 1234.5,
  costLines: [
    { item: "RDS db.m7g.large Multi-AZ", quantity: 1, unitUsd: 1200, monthlyUsd: 1200 },
    { item: "EKS | control plane <hours>", quantity: 1, unitUsd: 34.5, monthlyUsd: 34.5 },
  ],
  priceTableDate: "2026-09-01",
};

export const DIFF: ReviewDiff = {
  against: "main",
  added: [deployment.urn],
  removed: [REMOVED],
  changed: [
    { urn: instance.urn, paths: ["engineVersion", "protect"], replaces: ["engineVersion"], unprotects: true },
    { urn: provider.urn, paths: ["defaultTags.tags|team"], replaces: [], unprotects: false },
  ],
  monthlyCostDeltaUsd: 12.5,
};

/** The record; `extra` adds the estimate or the diff. */
export function handMadeReport(extra: Pick<ReportInput, "estimate" | "diff"> = {}): ReportInput {
  return {
    stack: "production",
    project: "platform",
    config: { "platform:cloud": "aws", "platform:environment": "production", "platform:alertWebhookUrl": "[secret]" },
    resources: [stack, provider, database, instance, app, deployment],
    policies: [
      {
        name: "rds-ha",
        enforcementLevel: "mandatory",
        evaluated: 1,
        violations: [{ urn: instance.urn, message: "multiAz is false | set it to `true`\nso a zone outage <fails over> & *recovers*" }],
      },
      { name: "rds-backups", enforcementLevel: "mandatory", evaluated: 0, violations: [] },
      { name: "gke-private", enforcementLevel: "mandatory", evaluated: 0, violations: [] },
      { name: "vpc-flow-logs", enforcementLevel: "mandatory", evaluated: 1, violations: [] },
      {
        name: "image-digest",
        enforcementLevel: "advisory",
        evaluated: 1,
        violations: [
          { urn: deployment.urn, message: "container app image ghcr.io/example/app:1.0 is not pinned by digest: append @sha256:<digest>" },
          { urn: deployment.urn, message: "init container tools image docker.io/rclone/rclone:1.75.0 is not pinned by digest" },
        ],
      },
    ],
    ...extra,
  };
}

export const INFO = { pack: { name: "platform-policies", version: "0.1.0" }, configFile: "policies/config/production.json" };
