// Does a CI identity hold what a stack needs? Pure functions over review records (the resources a stack
// registers, the grants a bootstrap stack makes) and the tables beside this file. The tests run them over
// every shipped stack (test/bootstrap/coverage.test.ts).
import { AWS_INVOKE_NEEDS, AWS_TYPE_NEEDS } from "./aws-types";
import { GCP_ROLE_PERMISSIONS } from "./gcp-roles";
import { GCP_INVOKE_NEEDS, GCP_TYPE_NEEDS } from "./gcp-types";
import { gkeNeeds, helmReleaseNeeds } from "./kubernetes";
import { deployNeeds, type Gap, type Needs } from "./needs";

/** The part of a review record's resource the tables read. */
export interface RecordedResource {
  type: string;
  name: string;
  custom: boolean;
  inputs: Record<string, unknown>;
  /** A Helm release's rendered chart, by kind (review/render.ts). @default - none: not a release, or not rendered */
  rendered?: { kinds: Record<string, number> };
}

export type Cloud = "aws" | "gcp";

/** What one stack asks of each identity, and the table lines it lacks. */
export interface StackNeeds {
  /** `pulumi up`: every operation on every resource, every invoke, the providers. */
  deploy: Gap[];
  /** `pulumi preview --refresh`: every resource's Read, every invoke, the providers. */
  preview: Gap[];
  /** A type, kind or invoke with no line in the tables, each saying which line to add. */
  problems: string[];
}

const TABLE_FILE: Record<Cloud, string> = { aws: "bootstrap/permissions/aws-types.ts", gcp: "bootstrap/permissions/gcp-types.ts" };
const TYPE_TABLE = { aws: AWS_TYPE_NEEDS, gcp: GCP_TYPE_NEEDS };
const INVOKE_TABLE = { aws: AWS_INVOKE_NEEDS, gcp: GCP_INVOKE_NEEDS };
const RELEASE = "kubernetes:helm.sh/v3:Release";

/** The Needs of one registered resource, or why the tables cannot say. */
function resourceNeeds(cloud: Cloud, r: RecordedResource): Needs | string[] | undefined {
  if (r.type.startsWith("kubernetes:")) {
    // On EKS the cluster's access entries authorise Kubernetes requests, not the role's IAM policy.
    if (cloud === "aws") return undefined;
    if (r.type === RELEASE) {
      if (!r.rendered) return [`${r.type} ${r.name}: its chart was not rendered, so the kinds it creates are unknown`];
      const { needs, problems } = helmReleaseNeeds(Object.keys(r.rendered.kinds));
      return problems.length > 0 ? problems : needs;
    }
    const needs = gkeNeeds(r.type);
    return typeof needs === "string" ? [needs] : needs;
  }
  const needs = TYPE_TABLE[cloud][r.type];
  if (needs) return needs;
  const prefix = cloud === "aws" ? "AWS" : "GCP";
  return [
    `add "${r.type}" to ${prefix}_TYPE_NEEDS in ${TABLE_FILE[cloud]}: the permissions its provider's create, read, update and delete calls need`,
  ];
}

/** Every permission `cloud`'s stack asks for, from its registered resources and the invokes the program may call. */
export function stackNeeds(cloud: Cloud, resources: readonly RecordedResource[], invokes: readonly string[]): StackNeeds {
  const deploy = new Map<string, Gap>();
  const preview = new Map<string, Gap>();
  const problems = new Set<string>();
  const add = (into: Map<string, Gap>, source: string, permissions: readonly string[]) =>
    permissions.forEach((permission) => into.set(`${source}\0${permission}`, { source, permission }));
  for (const r of resources) {
    if (!r.custom) continue;
    const needs = resourceNeeds(cloud, r);
    if (needs === undefined) continue;
    if (Array.isArray(needs)) {
      needs.forEach((p) => problems.add(p));
      continue;
    }
    add(deploy, r.type, deployNeeds(needs));
    add(preview, r.type, needs.read);
  }
  for (const token of invokes) {
    const needs = INVOKE_TABLE[cloud][token];
    if (!needs) {
      problems.add(`add "${token}" to ${cloud.toUpperCase()}_INVOKE_NEEDS in ${TABLE_FILE[cloud]}: the permission its API call needs`);
      continue;
    }
    add(deploy, token, needs);
    add(preview, token, needs);
  }
  return { deploy: [...deploy.values()], preview: [...preview.values()], problems: [...problems].sort() };
}

/** A granted GCP permission pattern (`a.b.c`, `a.b.*`, `a.*`) covers a needed one (which may itself be `a.*`). */
export function gcpCovers(granted: string, needed: string): boolean {
  if (granted === needed) return true;
  return granted.endsWith(".*") && needed.startsWith(granted.slice(0, -1));
}

/**
 * The patterns a list of roles grant, and the roles neither the table nor `custom` (custom roles by name,
 * `projects/<project>/roles/<id>`, with their permissions) knows.
 */
export function gcpGrants(
  roles: readonly string[],
  custom: Readonly<Record<string, readonly string[]>> = {},
): { patterns: string[]; unknownRoles: string[] } {
  const known = (r: string) => GCP_ROLE_PERMISSIONS[r] ?? custom[r];
  const unknownRoles = roles.filter((r) => known(r) === undefined);
  const patterns = roles.flatMap((r) => known(r) ?? []);
  return { patterns, unknownRoles };
}

/** The custom project roles a bootstrap stack makes, by name (`projects/<project>/roles/<id>`), with their permissions. */
export function gcpCustomRoles(bootstrap: readonly RecordedResource[]): Record<string, string[]> {
  return Object.fromEntries(
    bootstrap
      .filter((r) => r.type === "gcp:projects/iAMCustomRole:IAMCustomRole")
      .map((r) => [`projects/${String(r.inputs.project)}/roles/${String(r.inputs.roleId)}`, (r.inputs.permissions as string[]) ?? []]),
  );
}

/** The needs no granted pattern covers. */
export function gcpGaps(needs: readonly Gap[], patterns: readonly string[]): Gap[] {
  return needs.filter((n) => !patterns.some((p) => gcpCovers(p, n.permission)));
}

/** The project roles a bootstrap stack grants the service account `accountId` (bootstrap/gcp.ts). */
export function gcpProjectRoles(bootstrap: readonly RecordedResource[], accountId: string): string[] {
  return bootstrap
    .filter((r) => r.type === "gcp:projects/iAMMember:IAMMember")
    .filter((r) => typeof r.inputs.member === "string" && r.inputs.member.startsWith(`serviceAccount:${accountId}@`))
    .map((r) => String(r.inputs.role));
}
