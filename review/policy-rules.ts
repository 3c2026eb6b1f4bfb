// The policy catalogue, docs/POLICY-RULES.md, generated from the pack (policies/policies.ts) and its
// per-environment config files so that it cannot drift from them (test/policy-rules-doc.test.ts compares).
// Rewrite it with:
//   node -r ./review/register.js review/policy-rules.ts --write
import * as fs from "node:fs";
import * as path from "node:path";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { ENVIRONMENTS } from "../infra/profiles";
import { awsNetworkPolicies } from "../policies/aws-network";
import { cloudsqlPolicies } from "../policies/cloudsql";
import { eksPolicies } from "../policies/eks";
import { elasticachePolicies } from "../policies/elasticache";
import { gcpIamPolicies } from "../policies/gcp-iam";
import { gcsPolicies } from "../policies/gcs";
import { gkePolicies } from "../policies/gke";
import { iamPolicies } from "../policies/iam";
import { kubernetesPolicies } from "../policies/kubernetes";
import { isStackPolicy } from "../policies/lib/policy";
import { memorystorePolicies } from "../policies/memorystore";
import { platformPolicies } from "../policies/platform";
import { PACK_NAME, type PlatformPolicy, policies } from "../policies/policies";
import { rdsPolicies } from "../policies/rds";
import { s3Policies } from "../policies/s3";
import { loadPolicyConfig, type PolicySettings, policyConfigFile } from "./policy-config";

const ROOT = path.resolve(__dirname, "..");
export const CATALOGUE_FILE = path.join(ROOT, "docs", "POLICY-RULES.md");

/** The areas of the catalogue, one per file of the pack, in the pack's order. */
const AREAS: { area: string; file: string; policies: readonly PlatformPolicy[] }[] = [
  { area: "AWS network", file: "aws-network.ts", policies: awsNetworkPolicies },
  { area: "EKS", file: "eks.ts", policies: eksPolicies },
  { area: "RDS", file: "rds.ts", policies: rdsPolicies },
  { area: "ElastiCache", file: "elasticache.ts", policies: elasticachePolicies },
  { area: "S3", file: "s3.ts", policies: s3Policies },
  { area: "IAM and KMS", file: "iam.ts", policies: iamPolicies },
  { area: "GKE", file: "gke.ts", policies: gkePolicies },
  { area: "Cloud SQL", file: "cloudsql.ts", policies: cloudsqlPolicies },
  { area: "Memorystore", file: "memorystore.ts", policies: memorystorePolicies },
  { area: "GCS", file: "gcs.ts", policies: gcsPolicies },
  { area: "GCP IAM", file: "gcp-iam.ts", policies: gcpIamPolicies },
  { area: "Kubernetes", file: "kubernetes.ts", policies: kubernetesPolicies },
  { area: "Platform", file: "platform.ts", policies: platformPolicies },
];

/** Most guarded first, as the README's policy table. */
const COLUMNS = [...ENVIRONMENTS].reverse();

/** Text for Markdown prose: code spans kept as they are, elsewhere the characters Markdown would act on escaped. */
function prose(text: string, inTable = false): string {
  return text
    .split(/(`[^`]*`)/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(inTable ? /[\\<*|]/g : /[\\<*]/g, (c) => `\\${c}`)))
    .join("");
}

function code(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? "none" : value.map(code).join(", ");
  return `\`${typeof value === "string" ? value : JSON.stringify(value)}\``;
}

/** A setting's value in the per-environment table; a long list that is the default is listed once, below the table. */
function cell(value: unknown, schema: PolicyConfigJSONSchema): string {
  const isDefault = JSON.stringify(value) === JSON.stringify(schema.default);
  return Array.isArray(value) && value.length > 3 && isDefault ? `default (${value.length} items)` : code(value);
}

/** The anchors of a policy, or what a policy without any is. */
function anchorsOf(policy: PlatformPolicy, inTable = false): string {
  const anchors = policy.anchors ?? [];
  return anchors.length > 0 ? prose(anchors.join(", "), inTable) : "none, a rule of this platform";
}

/** What a setting accepts, in words, from the subset of JSON Schema the pack's config schemas use. */
function accepts(schema: PolicyConfigJSONSchema): string {
  if (schema.enum) return `one of ${schema.enum.map(code).join(", ")}`;
  const range = [schema.minimum !== undefined && `at least ${schema.minimum}`, schema.maximum !== undefined && `at most ${schema.maximum}`]
    .filter(Boolean)
    .join(" and ");
  switch (schema.type) {
    case "integer":
      return range ? `whole number, ${range}` : "whole number";
    case "number":
      return range ? `number, ${range}` : "number";
    case "boolean":
      return "true or false";
    case "array":
      return "list of strings";
    case "string":
      return schema.pattern ? `string matching \`${schema.pattern}\`` : "string";
    default:
      throw new Error(`review/policy-rules.ts cannot describe a setting of type ${JSON.stringify(schema.type)}`);
  }
}

/** Every policy's settings in every environment's config file, resolved as the Pulumi CLI resolves them. */
function resolved(): Map<string, Map<string, PolicySettings>> {
  return new Map(COLUMNS.map((environment) => [environment, loadPolicyConfig(policies, policyConfigFile(ROOT, environment), ROOT)]));
}

function section(policy: PlatformPolicy, config: Map<string, Map<string, PolicySettings>>): string[] {
  const { rationale, anchors } = policy;
  if (rationale === undefined || anchors === undefined)
    throw new Error(`policy ${policy.name} needs a rationale and anchors (policies/lib/policy.ts) for the catalogue`);
  const settingsIn = (environment: string) => config.get(environment)!.get(policy.name)!;
  const properties = Object.entries(policy.configSchema?.properties ?? {}).map(([key, schema]) => {
    if (typeof schema === "boolean") throw new Error(`policy ${policy.name}: setting ${key} has no schema`);
    return [key, schema] as const;
  });
  const out = [
    `### ${policy.name}`,
    "",
    prose(policy.description),
    "",
    `- **Why:** ${prose(rationale)}`,
    `- **Anchors:** ${anchorsOf(policy)}`,
    `- **Runs:** ${isStackPolicy(policy) ? "once per stack, over all its resources (stack policy)" : "on each resource (resource policy)"}`,
    `- **Remediation:** ${prose(policy.remediationSteps)}`,
    "",
    `| | ${COLUMNS.join(" | ")} |`,
    `|---|${COLUMNS.map(() => "---|").join("")}`,
    `| enforcement | ${COLUMNS.map((e) => settingsIn(e).enforcementLevel).join(" | ")} |`,
    ...properties.map(([key, schema]) => `| \`${key}\` | ${COLUMNS.map((e) => cell(settingsIn(e).properties[key], schema)).join(" | ")} |`),
  ];
  if (properties.length > 0) {
    out.push("", "Settings:", "");
    for (const [key, schema] of properties) {
      const meaning = schema.description === undefined ? "" : `: ${prose(schema.description)}`;
      out.push(`- \`${key}\` (${accepts(schema)}; default ${code(schema.default)})${meaning}`);
    }
  }
  return out;
}

/** The whole of docs/POLICY-RULES.md. */
export function policyRules(): string {
  const listed = AREAS.flatMap((a) => a.policies.map((p) => p.name));
  if (JSON.stringify(listed) !== JSON.stringify(policies.map((p) => p.name)))
    throw new Error("review/policy-rules.ts: its areas do not list the pack's policies in the pack's order (policies/policies.ts)");
  const config = resolved();
  const level = (environment: string, policy: PlatformPolicy) => config.get(environment)!.get(policy.name)!.enforcementLevel;
  const out = [
    "# Policy rules",
    "",
    "<!-- Generated by review/policy-rules.ts from the policy pack and policies/config/<environment>.json; do not edit.",
    "     Rewrite with: node -r ./review/register.js review/policy-rules.ts --write -->",
    "",
    `The catalogue of the \`${PACK_NAME}\` policy pack (\`policies/\`): its ${policies.length} policies by area, in the`,
    "pack's order, each with what it checks, why, the published checks it follows, where it runs, how to fix a",
    "violation, and its enforcement level and settings in each environment.",
    "",
    "Levels and settings are those of `policies/config/<environment>.json`, resolved as",
    "`pulumi preview --policy-pack-config` resolves them: `mandatory` blocks the deployment, `advisory` reports",
    "and lets it go on, `disabled` does not run the policy. Without a config file every policy runs at its",
    "production level with its settings' defaults.",
    "",
    "Anchors name the published checks a policy follows: Checkov (`CKV_*`, `CKV2_*`), Trivy/tfsec (`AVD-*`),",
    "Pulumi compliance-policies, @pulumi/awsguard, the Kubernetes Pod Security Standards and Pod Security",
    "admission, Kyverno and Polaris.",
    "",
    "## Summary",
    "",
    `| area | policy | anchors | ${COLUMNS.join(" | ")} |`,
    `|---|---|---|${COLUMNS.map(() => "---|").join("")}`,
    ...AREAS.flatMap(({ area, policies: inArea }) =>
      inArea.map(
        (p, i) =>
          `| ${i === 0 ? area : ""} | [${p.name}](#${p.name}) | ${anchorsOf(p, true)} | ${COLUMNS.map((e) => level(e, p)).join(" | ")} |`,
      ),
    ),
  ];
  for (const { area, file, policies: inArea } of AREAS) {
    if (!fs.existsSync(path.join(ROOT, "policies", file))) throw new Error(`review/policy-rules.ts: no file policies/${file}`);
    out.push("", `## ${area}`, "", `Defined in \`policies/${file}\`.`);
    for (const policy of inArea) out.push("", ...section(policy, config));
  }
  return `${out.join("\n")}\n`;
}

if (require.main === module && process.argv.includes("--write")) {
  fs.mkdirSync(path.dirname(CATALOGUE_FILE), { recursive: true });
  fs.writeFileSync(CATALOGUE_FILE, policyRules());
  console.log(`updated ${path.relative(process.cwd(), CATALOGUE_FILE)}`);
}
