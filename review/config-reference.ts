// The README's configuration reference, generated from the schema and the profiles so that it cannot
// drift from them (test/docs.test.ts compares). Rewrite it with:
//   node -r ./review/register.js review/config-reference.ts --write
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { CLOUDS, ENVIRONMENTS, SECRET_KEYS, stackSchema } from "../infra/config";
import { appDefaultsFor, type Environment, profileFor } from "../infra/profiles";

/** One sentence per key. A key the schema accepts without a sentence here fails generation. */
const DESCRIPTIONS: Record<string, string> = {
  cloud: "`aws` or `gcp`.",
  environment: "`dev`, `staging` or `production`: picks the defaults below and the production guard rails.",
  region: "Region to deploy into, e.g. `eu-west-1` or `europe-west1`; on AWS one the provider knows.",
  domain: "DNS name the gateway serves; apps get `<app>.<domain>` unless they set `hostname`.",
  "aws.accountId":
    "AWS account the provider is pinned to (`allowedAccountIds`); required in production. Quoted or as the 12-digit number `pulumi config set --path` writes.",
  "gcp.project": "GCP project to deploy into; required on GCP.",
  "gcp.projectNumber":
    "Number of that project (digits, not its id: `gcloud projects describe <project> --format='value(projectNumber)'`); the Google service agents given the platform's keys are named after it. Required on GCP.",
  tags: "Extra tags (AWS) or labels (GCP) on every resource; `environment`, `stack` and `managed-by` are set by the platform.",
  "network.cidr": "VPC address block: private, /16 to /20.",
  "network.zones":
    "Availability zones to spread subnets, nodes and replicas over (2-6); at most what the region offers the account, checked before anything is created.",
  "network.natGateways": "`single` shared NAT, or `perZone` so a zone outage cannot cut egress.",
  "network.flowLogRetentionDays": "AWS: CloudWatch retention of VPC flow logs; at least 90 in production.",
  "cluster.version": "Kubernetes minor version; 1.34 or newer.",
  "cluster.endpointPublicAccessCidrs":
    "One deploy path: CIDRs allowed to reach a public API endpoint, the operators' and CI's egress addresses (GKE: its authorized networks); empty keeps the endpoint private (GKE: deploys then use its DNS-based endpoint). Never the whole internet, whole or in pieces; in production no block wider than /8.",
  "cluster.deployFromVpc":
    "The other deploy path (AWS): `true` when `pulumi up` runs inside the VPC (self-hosted runner, VPN, SSM port forwarding). Each AWS stack sets this or the CIDRs above.",
  "cluster.logRetentionDays": "AWS: CloudWatch retention of control-plane logs (api, audit, authenticator); at least 90 in production.",
  "cluster.applicationLogRetentionDays":
    "Days every container's stdout/stderr is kept: on AWS the CloudWatch retention of the `/aws/containerinsights/<cluster>/` log groups (a CloudWatch period), on GCP of the project's `_Default` log bucket (1-3650); at least 30 in production.",
  "cluster.adminRoleArns":
    "AWS: IAM roles granted cluster admin through access entries, the only way into the cluster (its creator gets no access of its own): CI's deploy role and the operators' roles (an SSO role with its path). `pulumi up` refuses to start as any other identity.",
  "cluster.viewerRoleArns":
    "AWS: IAM roles that may read every object of the cluster, Secrets included, and change none (the admin view access policy): CI's preview role, for previews and drift checks. A role is in this list or `adminRoleArns`, not both.",
  "cluster.adminMembers":
    "GCP: Google IAM members (`user:`, `group:`, `serviceAccount:`) given roles/container.admin on the project, besides those the project already grants; put the CI deploy service account here.",
  "cluster.zone":
    "GCP: the zone of a dev stack's zonal cluster, in `region` (e.g. `europe-west1-b`); required there and refused in staging and production, whose clusters are regional. A change of zone replaces the cluster: keep the one it was created in.",
  "cluster.nodes.instanceType": "Node instance (AWS) or machine (GCP) type.",
  "cluster.nodes.minSize": "Autoscaling lower bound.",
  "cluster.nodes.desiredSize": "Nodes at creation; the autoscaler owns the number afterwards.",
  "cluster.nodes.maxSize": "Autoscaling upper bound.",
  "cluster.nodes.capacityType": "`ON_DEMAND` or `SPOT`; production must be `ON_DEMAND`.",
  "cluster.nodes.diskSizeGb": "Encrypted root volume per node.",
  "database.engineVersion": "PostgreSQL major version, 17 or 18.",
  "database.instanceClass": "RDS instance class or Cloud SQL tier.",
  "database.storageGb": "Allocated storage.",
  "database.maxStorageGb": "Storage autoscaling ceiling; at least `storageGb`.",
  "database.multiAz": "Standby in a second zone (RDS Multi-AZ, Cloud SQL REGIONAL).",
  "database.readReplicas":
    "Read replicas of the primary (0-5), same class, key and network; apps get the first one's address as `DATABASE_READER_HOST`. Allowed without `multiAz`: a replica adds read capacity, it is not a failover target.",
  "database.backupRetentionDays": "Automated backups and point-in-time recovery kept (1-35).",
  "database.backupWindow": "Daily UTC backup window, at least 30 minutes, not overlapping maintenance.",
  "database.maintenanceWindow": "Weekly UTC maintenance window.",
  "database.deletionProtection": "Refuse deletion of the instance.",
  "database.auditLogRetentionDays":
    "Days the database's logs with the pgaudit entries are kept: on AWS the CloudWatch retention of `/aws/rds/instance/<id>/postgresql` and `upgrade` of the primary and each replica (a CloudWatch period), on GCP of the `database-audit` log bucket (1-3650); at least 90 in production.",
  "database.credentialRotationDays":
    "AWS: days between RDS's rotations of the master password (1-365); at most 30 in production, and at most `monitoring.prometheusRetentionDays` - 2 so the rotation alert's window stays in Prometheus.",
  "cache.engine": "`valkey` or `redis` (GCP: `redis`).",
  "cache.engineVersion": "Engine version: valkey 7.2/8.0/8.1 or redis 7.0/7.1 on AWS, redis 7.0/7.2 on GCP.",
  "cache.nodes": "Cache nodes: a primary plus replicas; 2 or more enables automatic failover.",
  "cache.maintenanceWindow": "Weekly UTC maintenance window, at least 60 minutes.",
  "cache.nodeType": "AWS: ElastiCache node type.",
  "cache.snapshotRetentionDays": "AWS: daily snapshots kept.",
  "cache.memorySizeGb": "GCP: Memorystore capacity.",
  "ingress.rateLimitPerMinute": "Requests per minute allowed per client IP at the gateway; at most 1000 in production.",
  "ingress.certificateIssuer": "Let's Encrypt issuer: `letsencrypt-staging` or `letsencrypt-production`.",
  "ingress.hstsMaxAgeSeconds": "HSTS max-age sent on every HTTPS response.",
  "ingress.acmeEmail": "Contact address for the ACME account (optional).",
  "monitoring.prometheusRetentionDays": "Metrics kept by Prometheus; at least 7 in production.",
  "monitoring.prometheusStorageGb": "Prometheus volume size.",
  "monitoring.grafanaStorageGb": "Grafana volume size.",
  "backups.schedule": "Cron schedule of the logical pg_dump backup (UTC); in production no gap between runs over 24 hours.",
  "backups.restoreVerificationSchedule": "Cron schedule of the restore check; in production no gap over a week.",
  "backups.retentionDays": "Days a dump is kept in the backup bucket.",
  apps: "Services to deploy. Each needs `name` and a pinned `image`; the fields below are per app.",
  "apps[].name": "DNS label naming the app, its namespace and objects.",
  "apps[].image": "Image with a tag other than `latest`, or a digest.",
  "apps[].port": "Container port the app listens on.",
  "apps[].hostname": "Public hostname, under `domain`.",
  "apps[].replicas": "Replicas at creation.",
  "apps[].minReplicas": "HorizontalPodAutoscaler lower bound.",
  "apps[].maxReplicas": "HorizontalPodAutoscaler upper bound.",
  "apps[].cpuRequest": "CPU request per pod.",
  "apps[].cpuLimit": "CPU limit per pod.",
  "apps[].memoryRequest": "Memory request per pod.",
  "apps[].memoryLimit": "Memory limit per pod.",
  "apps[].healthPath": "Liveness probe path.",
  "apps[].readyPath": "Readiness probe path.",
  "apps[].metricsPath": "Prometheus metrics path.",
  "apps[].database": "Give the app the database credentials.",
  "apps[].cache": "Give the app the cache credentials.",
  alertWebhookUrl: "Secret. Alertmanager webhook receiving alerts; required in production.",
};

const REQUIRED = new Set(["cloud", "environment", "region", "domain", "apps[].name", "apps[].image"]);

function unwrap(node: z.ZodType): z.ZodType {
  return node instanceof z.ZodOptional ? unwrap(node.unwrap() as z.ZodType) : node;
}

/** Every key the schema accepts, depth first: sections, their fields, and the fields of one app. */
export function schemaKeys(node: z.ZodType = stackSchema, prefix = ""): string[] {
  const inner = unwrap(node);
  if (inner instanceof z.ZodArray) {
    const element = unwrap(inner.element as z.ZodType);
    return element instanceof z.ZodObject ? [prefix, ...schemaKeys(element, `${prefix}[]`)] : [prefix];
  }
  if (!(inner instanceof z.ZodObject)) return [prefix];
  return Object.entries(inner.shape as Record<string, z.ZodType>).flatMap(([key, child]) =>
    schemaKeys(child, prefix ? `${prefix}.${key}` : key),
  );
}

function defaultOf(key: string, environment: Environment): string {
  if (REQUIRED.has(key)) return "required";
  if (key === "aws.accountId") return environment === "production" ? "required (AWS)" : "none";
  if (key === "gcp.project" || key === "gcp.projectNumber") return "required (GCP)";
  if (key === "tags") return "`{}`";
  if (key === "apps") return "`[]`";
  if (key === "apps[].hostname") return "`<name>.<domain>`";
  if (key === "alertWebhookUrl") return environment === "production" ? "required" : "none";
  const perCloud = CLOUDS.map((cloud) => {
    const source: unknown = key.startsWith("apps[].") ? appDefaultsFor(environment) : profileFor(environment, cloud);
    const value = key
      .replace(/^apps\[\]\./, "")
      .split(".")
      .reduce<unknown>((node, k) => (node as Record<string, unknown> | undefined)?.[k], source);
    return { cloud, value };
  });
  const shown = (v: unknown) => (v === undefined ? "none" : `\`${JSON.stringify(v).replace(/^"|"$/g, "")}\``);
  const [aws, gcp] = perCloud;
  if (JSON.stringify(aws!.value) === JSON.stringify(gcp!.value)) return shown(aws!.value);
  return perCloud
    .filter((c) => c.value !== undefined)
    .map((c) => `${c.cloud}: ${shown(c.value)}`)
    .join("<br>");
}

export function configReference(): string {
  const keys = [...schemaKeys(), ...SECRET_KEYS];
  const missing = keys.filter((k) => !(k in DESCRIPTIONS));
  if (missing.length > 0) throw new Error(`config keys without a description in review/config-reference.ts: ${missing.join(", ")}`);
  const header = `| key | ${ENVIRONMENTS.join(" | ")} | meaning |\n|---|${ENVIRONMENTS.map(() => "---|").join("")}---|`;
  const rows = keys.map(
    (key) => `| \`platform:${key}\` | ${ENVIRONMENTS.map((e) => defaultOf(key, e)).join(" | ")} | ${DESCRIPTIONS[key]} |`,
  );
  return [header, ...rows].join("\n");
}

const START = "<!-- config-reference:start (generated by review/config-reference.ts) -->";
const END = "<!-- config-reference:end -->";

/** The README with its reference block replaced by a freshly generated one. */
export function withReference(readme: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error("README.md has no config-reference markers");
  return `${readme.slice(0, start + START.length)}\n${configReference()}\n${readme.slice(end)}`;
}

if (require.main === module && process.argv.includes("--write")) {
  const file = path.resolve(__dirname, "..", "README.md");
  fs.writeFileSync(file, withReference(fs.readFileSync(file, "utf8")));
  console.log(`updated ${path.relative(process.cwd(), file)}`);
}
