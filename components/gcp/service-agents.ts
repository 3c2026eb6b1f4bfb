// The Google service agents the platform grants its keys to, and how each is made to exist before the grant.
// Google names an agent `service-<project number>@<domain>` but creates it only at some point after its API is
// first used (https://cloud.google.com/iam/docs/service-agents), and IAM refuses a grant to an account that
// does not exist yet. Pure: no Pulumi resources; the stack tests hold every recorded IAM member to it.
import * as apis from "./apis";

/** How an agent is brought into existence before anything is granted to it. */
export type AgentMaker =
  /** A gcp.projects.ServiceIdentity (services.generateServiceIdentity) for its API. */
  | "identity"
  /** Its API's own lookup, which creates the agent when first called (gcp.storage.getProjectServiceAccount). */
  | "lookup";

export interface ServiceAgent {
  /** The API the agent belongs to. */
  api: string;
  madeBy: AgentMaker;
}

/**
 * Agent e-mail domain -> its API and how it is made. The domains are the ones Google's service agents reference
 * lists; which agents services.generateServiceIdentity makes ("primary" agents) follows
 * GoogleCloudPlatform/cloud-foundation-fabric modules/project/service-agents.yaml@v57.0.0 (is_primary), and
 * the Cloud Storage agent, which it does not make, is looked up as that module's service-agents.tf does.
 */
export const SERVICE_AGENTS: Readonly<Record<string, ServiceAgent>> = {
  "container-engine-robot.iam.gserviceaccount.com": { api: apis.CONTAINER_API, madeBy: "identity" },
  "gcp-sa-cloud-sql.iam.gserviceaccount.com": { api: apis.SQL_ADMIN_API, madeBy: "identity" },
  "cloud-redis.iam.gserviceaccount.com": { api: apis.REDIS_API, madeBy: "identity" },
  "gs-project-accounts.iam.gserviceaccount.com": { api: apis.STORAGE_API, madeBy: "lookup" },
};

/** The address Google gives a service agent: `service-<number>@<domain>`, the form the reference documents. */
export const SERVICE_AGENT_EMAIL = /^service-(\d+)@([a-z0-9.-]+)$/;

/** The agent of `api` SERVICE_AGENTS lists, with its domain, whichever way it is made. */
function agentOf(api: string): (ServiceAgent & { domain: string }) | undefined {
  const domain = Object.keys(SERVICE_AGENTS).find((d) => SERVICE_AGENTS[d]!.api === api);
  return domain === undefined ? undefined : { ...SERVICE_AGENTS[domain]!, domain };
}

/** `service-<number>@<domain>` of the agent of `api`, or undefined for an API SERVICE_AGENTS does not list. */
export function serviceAgentEmail(projectNumber: string, api: string): string | undefined {
  const agent = agentOf(api);
  return agent && `service-${projectNumber}@${agent.domain}`;
}

/**
 * `serviceAccount:service-<number>@<domain>` for the agent of `api` that a ServiceIdentity makes: whatever is
 * granted to it must wait for that ServiceIdentity. An agent made by a lookup is taken from the lookup instead.
 */
export function serviceAgentMember(projectNumber: string, api: string): string {
  if (agentOf(api)?.madeBy !== "identity") throw new Error(`SERVICE_AGENTS lists no agent of ${api} that a ServiceIdentity makes`);
  return `serviceAccount:${serviceAgentEmail(projectNumber, api)!}`;
}
