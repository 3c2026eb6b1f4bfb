// The Pulumi program: validate the stack config, then compose the platform for the stack's cloud.
// Exported as a function so the engine (and the offline review) can run it more than once per process.
// Only the stack's cloud is loaded (infra/lazy.ts): an AWS stack never loads @pulumi/gcp, a GCP one never
// loads @pulumi/aws.
import type { PlatformConfig } from "./config";
import { type CloudPlatform, kubernetesPlatform } from "./kubernetes";
import { awsPlatform as loadAwsPlatform, gcpPlatform as loadGcpPlatform } from "./lazy";
import { awsProvider, gcpProvider } from "./providers";
import { loadConfig, stackFileName } from "./stack-config";

async function main() {
  const { config, secrets } = loadConfig();
  // Nothing is registered before this line: an invalid config stops the program above.
  const identity = { cloud: config.cloud, environment: config.environment, region: config.region, domain: config.domain };
  const platform = await cloudPlatform(config);
  const kubernetes = kubernetesPlatform(config, {
    ...platform,
    ...(secrets.alertWebhookUrl && { alertWebhookUrl: secrets.alertWebhookUrl }),
  });
  return { ...identity, ...platform.outputs, ...kubernetes };
}

/** The stack's cloud half: its cloud resources and the contracts the Kubernetes layer builds on. */
async function cloudPlatform(config: PlatformConfig): Promise<CloudPlatform> {
  if (config.cloud === "aws") {
    const { awsPlatform, checkCaller, checkZones } = loadAwsPlatform();
    const provider = awsProvider(config);
    // Only the provider exists until the region has shown it has the zones the stack asks for, and AWS has
    // shown that the identity running the program is one the cluster will admit.
    await checkZones(config, provider, stackFileName());
    await checkCaller(config, provider, stackFileName());
    return awsPlatform(config, provider);
  }
  const { gcpPlatform } = loadGcpPlatform();
  return gcpPlatform(config, gcpProvider(config));
}

export = main;
