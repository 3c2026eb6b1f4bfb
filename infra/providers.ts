// The cloud providers every resource is created through. Default providers are disabled in Pulumi.yaml,
// so nothing can slip onto ambient credentials or an ambient region. Each SDK loads only when its provider
// is built, so a stack loads its own cloud's alone.
import type * as aws from "@pulumi/aws";
import type * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "./config";
import { awsSdk, gcpSdk } from "./lazy";

/** Labels every resource carries; stack tags cannot override them (config rejects the names). */
function baseLabels(config: PlatformConfig): Record<string, string> {
  return { environment: config.environment, stack: pulumi.getStack(), "managed-by": "pulumi" };
}

export function awsProvider(config: PlatformConfig): aws.Provider {
  const { Provider } = awsSdk();
  return new Provider("aws", {
    region: config.region,
    ...(config.aws?.accountId !== undefined && { allowedAccountIds: [config.aws.accountId] }),
    defaultTags: { tags: { ...config.tags, ...baseLabels(config) } },
  });
}

export function gcpProvider(config: PlatformConfig): gcp.Provider {
  const { Provider } = gcpSdk();
  return new Provider("gcp", {
    project: config.gcp!.project,
    region: config.region,
    defaultLabels: { ...config.tags, ...baseLabels(config) },
  });
}
