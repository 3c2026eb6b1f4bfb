// Every policy of the pack, in catalogue order (docs/POLICY-RULES.md). index.ts serves this list; the
// offline review and the tests import it directly, because constructing the PolicyPack starts a server.
import { awsNetworkPolicies } from "./aws-network";
import { cloudsqlPolicies } from "./cloudsql";
import { eksPolicies } from "./eks";
import { elasticachePolicies } from "./elasticache";
import { gcpIamPolicies } from "./gcp-iam";
import { gcsPolicies } from "./gcs";
import { gkePolicies } from "./gke";
import { iamPolicies } from "./iam";
import { kubernetesPolicies } from "./kubernetes";
import type { PlatformPolicy } from "./lib/policy";
import { memorystorePolicies } from "./memorystore";
import { platformPolicies } from "./platform";
import { rdsPolicies } from "./rds";
import { s3Policies } from "./s3";

/** The pack's name, as `pulumi policy publish` registers it and violations name it. */
export const PACK_NAME = "platform-policies";

export const policies: PlatformPolicy[] = [
  ...awsNetworkPolicies,
  ...eksPolicies,
  ...rdsPolicies,
  ...elasticachePolicies,
  ...s3Policies,
  ...iamPolicies,
  ...gkePolicies,
  ...cloudsqlPolicies,
  ...memorystorePolicies,
  ...gcsPolicies,
  ...gcpIamPolicies,
  ...kubernetesPolicies,
  ...platformPolicies,
];

export type { PlatformPolicy } from "./lib/policy";
