// Memorystore for Redis: AUTH, TLS, and the STANDARD_HA tier (replica in another zone with automatic
// failover) where the environment requires it. Anchors: CKV_GCP_95/97.
import { configSchema, ENVIRONMENT, forTypes, type PlatformResourcePolicy, settings } from "./lib/policy";

/** gcp.redis.InstanceArgs as far as this policy reads it. */
export interface MemorystoreProps {
  authEnabled?: boolean;
  transitEncryptionMode?: string;
  tier?: string;
}

const secureConfig = configSchema({
  environment: ENVIRONMENT,
  requireHighAvailability: {
    type: "boolean",
    default: true,
    description: "Require the STANDARD_HA tier (the environment profile runs 2 or more cache nodes).",
  },
});

const memorystoreSecure: PlatformResourcePolicy = {
  name: "memorystore-secure",
  description: "Memorystore requires AUTH and TLS, and runs STANDARD_HA where the environment needs failover.",
  rationale:
    "Memorystore is reachable from the whole VPC: without AUTH anything there can read or flush it, without TLS the data and the AUTH string cross the network in clear, and the BASIC tier has no replica to fail over to.",
  anchors: ["CKV_GCP_95", "CKV_GCP_97"],
  remediationSteps:
    'Set authEnabled to true, transitEncryptionMode to "SERVER_AUTHENTICATION" and, in staging and production, tier to "STANDARD_HA".',
  enforcementLevel: "mandatory",
  configSchema: secureConfig,
  validateResource: forTypes<MemorystoreProps>(["gcp:redis/instance:Instance"], (props, args, report) => {
    const { environment, requireHighAvailability } = settings(secureConfig, args);
    if (props.authEnabled !== true) report("authEnabled is not true: set it to true so clients must present the AUTH string");
    if (props.transitEncryptionMode !== "SERVER_AUTHENTICATION")
      report(`transitEncryptionMode is ${props.transitEncryptionMode ?? "unset (DISABLED)"}: set it to "SERVER_AUTHENTICATION"`);
    if (requireHighAvailability && props.tier !== "STANDARD_HA")
      report(`tier is ${props.tier ?? "unset (BASIC)"}: ${environment} runs "STANDARD_HA" so a zone outage fails over to the replica`);
  }),
};

export const memorystorePolicies = [memorystoreSecure];
