// The cloud providers every resource is created through. Default providers are disabled in Pulumi.yaml,
// so nothing can slip onto ambient credentials or an ambient region.
import * as aws from "@pulumi/aws";
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "./config";

/** Labels every resource carries; stack tags cannot override them (config rejects the names). */
export function baseLabels(config: PlatformConfig): Record<string, string> {
  return { environment: config.environment, stack: pulumi.getStack(), "managed-by": "pulumi" };
}

export function awsProvider(config: PlatformConfig): aws.Provider {
  return new aws.Provider("aws", {
    region: config.region,
    ...(config.aws?.accountId !== undefined && { allowedAccountIds: [config.aws.accountId] }),
    defaultTags: { tags: { ...config.tags, ...baseLabels(config) } },
  });
}

export function gcpProvider(config: PlatformConfig): gcp.Provider {
  return new gcp.Provider("gcp", {
    project: config.gcp!.project,
    region: config.region,
    defaultLabels: { ...config.tags, ...baseLabels(config) },
  });
}
