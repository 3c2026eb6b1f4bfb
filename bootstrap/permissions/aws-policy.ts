// Which of a stack's needs an AWS role's policies allow: IAM's evaluation (an explicit Deny wins, else an
// Allow is needed; docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html) over the
// role's inline policies and managed attachments as a bootstrap review records them. Only what applies to
// the platform's own resources counts: a statement on named resources (the bootstrap's bucket, keys and
// roles) neither grants nor denies anything on them. A condition this file cannot evaluate counts against
// the role: it grants nothing, and a Deny under it still denies.
import { iamMatch } from "../github";
import { AWS_MANAGED_POLICY_ACTIONS } from "./aws-types";
import type { RecordedResource } from "./coverage";
import type { Gap } from "./needs";

/** One IAM policy statement as the policy JSON carries it; IAM requires one of each Action/NotAction and Resource/NotResource pair. */
export interface PolicyStatement {
  /** @default - none */
  Sid?: string;
  Effect: "Allow" | "Deny";
  /** @default - none: NotAction is set */
  Action?: string | string[];
  /** @default - none: Action is set */
  NotAction?: string | string[];
  /** @default - none: NotResource is set */
  Resource?: string | string[];
  /** @default - none: Resource is set */
  NotResource?: string | string[];
  /** @default - none: the statement is unconditional */
  Condition?: Record<string, Record<string, string | string[]>>;
}

/** What conditions are evaluated against: the stack's provider settings. */
export interface AwsContext {
  /** The AWS provider's default tags, which every platform resource carries. */
  tags: Record<string, string>;
  region: string;
}

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** A `kms:Decrypt@secretsmanager` need: the action, and the service that calls it on the caller's behalf. */
function parseNeed(need: string): { action: string; via?: string } {
  const [action, via] = need.split("@");
  return via ? { action: action!, via } : { action: action! };
}

/** One condition block entry, or undefined when this file does not know the key or operator. */
function conditionHolds(operator: string, key: string, values: string[], need: { via?: string }, ctx: AwsContext): boolean | undefined {
  if (operator !== "StringEquals" && operator !== "StringLike") return undefined;
  const matches = (actual: string | undefined) =>
    actual !== undefined && values.some((v) => (operator === "StringLike" ? iamMatch(v, actual) : v === actual));
  const tag = /^(aws|[a-z0-9-]+):ResourceTag\/(.+)$/.exec(key);
  if (tag) return matches(ctx.tags[tag[2]!]);
  if (key === "kms:ViaService") return need.via !== undefined && matches(`${need.via}.${ctx.region}.amazonaws.com`);
  return undefined;
}

/** Whether the statement applies to `need` on one of the platform's resources; unknown conditions count as `unknown`. */
function applies(s: PolicyStatement, needText: string, ctx: AwsContext, unknown: boolean): boolean {
  const need = parseNeed(needText);
  const actionMatches = s.NotAction
    ? !list(s.NotAction).some((p) => iamMatch(p, need.action, true))
    : list(s.Action).some((p) => iamMatch(p, need.action, true));
  if (!actionMatches) return false;
  if (s.NotResource !== undefined || !list(s.Resource).includes("*")) return s.NotResource !== undefined && unknown;
  for (const [operator, entries] of Object.entries(s.Condition ?? {}))
    for (const [key, values] of Object.entries(entries)) {
      const holds = conditionHolds(operator, key, list(values), need, ctx);
      if (holds === undefined) return unknown;
      if (!holds) return false;
    }
  return true;
}

/** The needs the statements do not allow on the platform's resources. */
export function awsGaps(needs: readonly Gap[], statements: readonly PolicyStatement[], ctx: AwsContext): Gap[] {
  return needs.filter((n) => {
    const denied = statements.some((s) => s.Effect === "Deny" && applies(s, n.permission, ctx, true));
    const allowed = statements.some((s) => s.Effect === "Allow" && applies(s, n.permission, ctx, false));
    return denied || !allowed;
  });
}

/**
 * The statements of the role named `roleName` in a bootstrap review record: its inline policies, and each
 * attached AWS managed policy as one Allow on every resource (AWS_MANAGED_POLICY_ACTIONS). A managed policy
 * that table does not know is returned in `unknownPolicies`.
 */
export function awsRolePolicies(
  bootstrap: readonly RecordedResource[],
  roleName: string,
): { statements: PolicyStatement[]; unknownPolicies: string[] } {
  const statements: PolicyStatement[] = [];
  const unknownPolicies: string[] = [];
  for (const r of bootstrap) {
    if (r.inputs.role !== roleName) continue;
    if (r.type === "aws:iam/rolePolicy:RolePolicy") {
      const doc = JSON.parse(String(r.inputs.policy)) as { Statement: PolicyStatement | PolicyStatement[] };
      statements.push(...(Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement]));
    } else if (r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment") {
      const arn = String(r.inputs.policyArn);
      const name = /^arn:[^:]+:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(arn)?.[1];
      const actions = name ? AWS_MANAGED_POLICY_ACTIONS[name] : undefined;
      if (actions) statements.push({ Effect: "Allow", Action: [...actions], Resource: "*" });
      else unknownPolicies.push(arn);
    }
  }
  return { statements, unknownPolicies };
}

/** The tags and region the stack's AWS provider gives every resource, from its record. */
export function awsContext(stack: readonly RecordedResource[]): AwsContext {
  const provider = stack.find((r) => r.type === "pulumi:providers:aws");
  const parse = (v: unknown): unknown => (typeof v === "string" ? JSON.parse(v) : v);
  const defaultTags = parse(provider?.inputs.defaultTags) as { tags?: Record<string, string> } | undefined;
  return { tags: defaultTags?.tags ?? {}, region: typeof provider?.inputs.region === "string" ? provider.inputs.region : "" };
}
