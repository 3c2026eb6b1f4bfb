// What the cloud would answer, derived from the stack config: data-source invokes (zones, account,
// partition, region, project, service agents) and the ids and computed attributes of new resources. An invoke this file
// does not know fails the review instead of returning something made up.
import { roleOf } from "../components/aws/eks-access";
import { STORAGE_API } from "../components/gcp/apis";
import { serviceAgentEmail } from "../components/gcp/service-agents";
import { parseStructured } from "../infra/stack-config";
import { computedState } from "./cloud-state";
import { ReviewError } from "./stack-file";
import { awsZones, ZONES_AS_OF } from "./zones";
import type { Answers } from "./engine";

/** The facts about the target account that a real deployment would read from the cloud. */
export interface CloudFacts {
  region: string;
  /** AWS account; the AWS documentation's example account when the stack does not pin one. */
  accountId: string;
  /** GCP project id. */
  project: string;
  projectNumber: string;
  /**
   * Who runs the program, as `sts get-caller-identity` answers: a session of the stack's first cluster admin
   * role in its account, as CI's deploy role runs `pulumi up`. @default - a role the stack does not list
   */
  callerArn?: string;
}

const EXAMPLE_ACCOUNT = "123456789012";
const EXAMPLE_PROJECT_NUMBER = "123456789012";

function parseObject(text: string | undefined): Record<string, unknown> {
  const value = parseStructured(text ?? "{}");
  return value !== null && typeof value === "object" ? (value as Record<string, unknown>) : {};
}

export function factsFrom(config: Record<string, string>, namespace: string): CloudFacts {
  const aws = parseObject(config[`${namespace}:aws`]);
  const gcp = parseObject(config[`${namespace}:gcp`]);
  const region = config[`${namespace}:region`] ?? "";
  const accountId = typeof aws.accountId === "string" ? aws.accountId : EXAMPLE_ACCOUNT;
  const callerArn = deployerSession(parseObject(config[`${namespace}:cluster`]).adminRoleArns, accountId, region);
  return {
    region,
    accountId,
    ...(callerArn && { callerArn }),
    project: typeof gcp.project === "string" ? gcp.project : "",
    projectNumber:
      typeof gcp.projectNumber === "string" || typeof gcp.projectNumber === "number" ? String(gcp.projectNumber) : EXAMPLE_PROJECT_NUMBER,
  };
}

/** A session of the first role of `adminRoleArns` in `accountId`: the identity a deploy of the stack runs as. */
function deployerSession(adminRoleArns: unknown, accountId: string, region: string): string | undefined {
  const roles = Array.isArray(adminRoleArns) ? adminRoleArns.filter((arn): arn is string => typeof arn === "string") : [];
  const role = roles.map(roleOf).find((r) => r?.account === accountId);
  return role && `arn:${partitionOf(region).partition}:sts::${role.account}:assumed-role/${role.name}/offline-review`;
}

/** The identity the review runs the program as: the stack's deployer, or a role the stack does not list. */
export function callerOf(facts: CloudFacts): string {
  return facts.callerArn ?? `arn:${partitionOf(facts.region).partition}:sts::${facts.accountId}:assumed-role/review/offline`;
}

function partitionOf(region: string): { partition: string; dnsSuffix: string } {
  if (region.startsWith("cn-")) return { partition: "aws-cn", dnsSuffix: "amazonaws.com.cn" };
  if (region.startsWith("us-gov-")) return { partition: "aws-us-gov", dnsSuffix: "amazonaws.com" };
  return { partition: "aws", dnsSuffix: "amazonaws.com" };
}

type InvokeAnswer = (facts: CloudFacts, inputs: Record<string, unknown>) => Record<string, unknown>;

const INVOKES: Record<string, InvokeAnswer> = {
  "aws:index/getAvailabilityZones:getAvailabilityZones": ({ region }) => {
    const zones = awsZones(region);
    if (!zones)
      throw new ReviewError(
        `region ${region} has no offline zone list (review/zones.ts, as of ${ZONES_AS_OF}); add its zones there to review it`,
      );
    return { id: region, region, ...zones, groupNames: zones.names.map(() => region), state: "available" };
  },
  "aws:index/getCallerIdentity:getCallerIdentity": (facts) => ({
    id: facts.accountId,
    accountId: facts.accountId,
    arn: callerOf(facts),
    userId: "AROAOFFLINEREVIEW:offline",
  }),
  "aws:index/getPartition:getPartition": ({ region }) => {
    const { partition, dnsSuffix } = partitionOf(region);
    return { id: partition, partition, dnsSuffix, reverseDnsPrefix: dnsSuffix.split(".").reverse().join(".") };
  },
  "aws:index/getRegion:getRegion": ({ region }) => ({
    id: region,
    name: region,
    region,
    description: region,
    endpoint: `ec2.${region}.${partitionOf(region).dnsSuffix}`,
  }),
  "gcp:organizations/getProject:getProject": ({ project, projectNumber }) => ({
    id: `projects/${project}`,
    projectId: project,
    number: projectNumber,
    name: project,
  }),
  "gcp:organizations/getClientConfig:getClientConfig": ({ project, region }) => ({
    id: project,
    project,
    region,
    zone: `${region}-a`,
    accessToken: "offline-review",
  }),
  // The Cloud Storage service agent, named after the project number (storage's projects.serviceAccount.get;
  // the provider's id is the address: data_source_google_storage_project_service_account.go).
  "gcp:storage/getProjectServiceAccount:getProjectServiceAccount": ({ project, projectNumber }, inputs) => {
    const emailAddress = serviceAgentEmail(projectNumber, STORAGE_API)!;
    return {
      id: emailAddress,
      project: typeof inputs.project === "string" ? inputs.project : project,
      emailAddress,
      member: `serviceAccount:${emailAddress}`,
    };
  },
};

export function knownInvokes(): string[] {
  return Object.keys(INVOKES).sort();
}

export function answersFor(facts: CloudFacts): Answers {
  return {
    invoke(token, inputs) {
      const answer = INVOKES[token];
      if (!answer) {
        throw new ReviewError(`invoke ${token} has no offline answer; add one to review/answers.ts (known: ${knownInvokes().join(", ")})`);
      }
      return answer(facts, inputs);
    },
    resource(type, name, inputs) {
      const { partition } = partitionOf(facts.region);
      return computedState({
        type,
        name,
        inputs,
        region: facts.region,
        accountId: facts.accountId,
        project: facts.project,
        projectNumber: facts.projectNumber,
        partition,
      });
    },
  };
}
