// Checks over a review record (review/out/<stack>.json) for GCP deploy-order mistakes no single resource shows:
// each returns one line per offending registration, empty when the record is sound. test/gcp/deploy-order.test.ts
// runs them over every shipped stack and shows each failing on the mistake it guards against.
import { apisOf, PREREQUISITE_APIS } from "../../components/gcp/apis";
import { PRIMARY_ONLY_SETTINGS } from "../../components/gcp/cloudsql";
import { SERVICE_AGENT_EMAIL, SERVICE_AGENTS } from "../../components/gcp/service-agents";
import type { RecordedResource } from "../../review/engine";
import { reach } from "../graph";

type Resources = readonly RecordedResource[];

const CLUSTER = "gcp:container/cluster:Cluster";
const SERVICE = "gcp:projects/service:Service";
const SERVICE_IDENTITY = "gcp:projects/serviceIdentity:ServiceIdentity";
const SQL_INSTANCE = "gcp:sql/databaseInstance:DatabaseInstance";

const label = (r: RecordedResource) => `${r.type} ${r.name}`;

/** The IAM members a grant names: its `member`, or each of its `members`. */
function membersOf(r: RecordedResource): string[] {
  const { member, members } = r.inputs;
  return [...(typeof member === "string" ? [member] : []), ...(Array.isArray(members) ? members.filter((m) => typeof m === "string") : [])];
}

/** What a resource waits for directly: its dependencies and property dependencies, as the engine records them. */
const directWaits = (r: RecordedResource): Set<string> => new Set([...r.dependencies, ...Object.values(r.propertyDependencies).flat()]);

/** A Workload Identity pool a member names: `<project>.svc.id.goog`, as a principal or a principal set. */
const POOL = /([a-z][a-z0-9-]*[a-z0-9](?:\.[a-z0-9-]+)*\.svc\.id\.goog)/;

/**
 * Every grant naming a Workload Identity principal waits for the cluster that creates its pool. GCP creates
 * `<project>.svc.id.goog` with the project's first Workload Identity cluster and refuses a grant to it before:
 * "Identity Pool does not exist" (terraform-google-modules/terraform-google-kubernetes-engine#916).
 */
export function workloadPoolProblems(resources: Resources): string[] {
  const problems: string[] = [];
  const clusters = resources.filter((r) => r.type === CLUSTER);
  for (const r of resources) {
    for (const member of membersOf(r)) {
      const pool = POOL.exec(member)?.[1];
      if (pool === undefined) continue;
      const makers = clusters.filter(
        (c) => (c.inputs.workloadIdentityConfig as { workloadPool?: unknown } | undefined)?.workloadPool === pool,
      );
      if (makers.length === 0) problems.push(`${label(r)} grants to ${member}, a Workload Identity pool no cluster of the stack creates`);
      else if (!makers.some((c) => reach({ resources }, r).has(c.urn)))
        problems.push(
          `${label(r)} grants to ${member} without waiting for ${label(makers[0]!)}, which creates the pool: GCP refuses the grant until then`,
        );
    }
  }
  return problems;
}

/**
 * Every GCP resource's API (components/gcp/apis.ts) is enabled by a gcp.projects.Service of the stack, and the
 * resource waits for it; an API is never disabled by destroying the stack. Anchors:
 * terraform-google-modules/terraform-google-project-factory modules/project_services (disable_on_destroy,
 * disable_dependent_services) and cloud-foundation-fabric@v57.0.0 modules/project/main.tf (project_services).
 */
export function apiProblems(resources: Resources): string[] {
  const problems: string[] = [];
  const services = new Map(resources.filter((r) => r.type === SERVICE).map((s) => [s.inputs.service, s]));
  for (const service of services.values()) {
    if (service.inputs.disableOnDestroy !== false)
      problems.push(
        `${label(service)} does not set disableOnDestroy to false: destroying the stack would disable the API for the whole project`,
      );
    if (service.inputs.disableDependentServices === true)
      problems.push(`${label(service)} sets disableDependentServices: removing it would disable every API that depends on it`);
  }
  for (const r of resources.filter((x) => x.custom && x.type.startsWith("gcp:"))) {
    const apis = apisOf(r.type, r.inputs);
    if (apis === undefined) {
      problems.push(`${label(r)} is of a type components/gcp/apis.ts does not map to the API it calls: add it to RESOURCE_APIS`);
      continue;
    }
    for (const api of apis.filter((a) => !PREREQUISITE_APIS.includes(a))) {
      const service = services.get(api);
      if (service === undefined) problems.push(`${label(r)} calls ${api}, which no gcp.projects.Service of the stack enables`);
      else if (!reach({ resources }, r).has(service.urn))
        problems.push(`${label(r)} does not wait for ${label(service)}, which enables ${api}`);
    }
  }
  return problems;
}

/**
 * Every grant to a Google service agent (`service-<number>@<domain>`) names an agent components/gcp/service-agents.ts
 * lists, and waits for what makes it exist: a ServiceIdentity of its API, or, for an agent made by its API's
 * lookup, the lookup itself, which waits for the API's Service, so the member carries that Service as a
 * property dependency where a name built from the project number carries none. Google creates agents only at
 * some point after their API is used (https://cloud.google.com/iam/docs/service-agents), and IAM refuses a grant
 * to an account that does not exist.
 */
export function serviceAgentProblems(resources: Resources): string[] {
  const problems: string[] = [];
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  for (const r of resources) {
    for (const member of membersOf(r)) {
      const email = member.replace(/^serviceAccount:/, "");
      const domain = SERVICE_AGENT_EMAIL.exec(email)?.[2];
      if (domain === undefined) continue;
      const agent = SERVICE_AGENTS[domain];
      if (agent === undefined) {
        problems.push(
          `${label(r)} grants to ${email}, a service agent components/gcp/service-agents.ts does not list: say how it is made to exist`,
        );
        continue;
      }
      const made =
        agent.madeBy === "identity"
          ? [...directWaits(r)].some((urn) => byUrn.get(urn)?.type === SERVICE_IDENTITY && byUrn.get(urn)?.inputs.service === agent.api)
          : (r.propertyDependencies.member ?? []).some(
              (urn) => byUrn.get(urn)?.type === SERVICE && byUrn.get(urn)?.inputs.service === agent.api,
            );
      if (!made)
        problems.push(
          agent.madeBy === "identity"
            ? `${label(r)} grants to ${email} without waiting for a gcp.projects.ServiceIdentity of ${agent.api}, which makes that agent`
            : `${label(r)} grants to ${email} by a name rather than through ${agent.api}'s lookup, which makes that agent once the API is on`,
        );
    }
  }
  return problems;
}

/** No read replica carries a setting Cloud SQL takes on the primary alone (components/gcp/cloudsql.ts PRIMARY_ONLY_SETTINGS). */
export function replicaProblems(resources: Resources): string[] {
  const problems: string[] = [];
  for (const r of resources.filter((x) => x.type === SQL_INSTANCE && x.inputs.masterInstanceName !== undefined)) {
    const settings = (r.inputs.settings ?? {}) as Record<string, unknown>;
    for (const key of PRIMARY_ONLY_SETTINGS.filter((k) => settings[k] !== undefined))
      problems.push(`${label(r)} is a read replica with settings.${key}, which Cloud SQL takes on the primary alone`);
  }
  return problems;
}
