// The Pulumi program: validate the stack config, then compose the platform for the stack's cloud.
// Exported as a function so the engine (and the offline review) can run it more than once per process.
// Only the stack's cloud is loaded (infra/lazy.ts): an AWS stack never loads @pulumi/gcp, a GCP one never
// loads @pulumi/aws.
import { kubernetesPlatform } from "./kubernetes";
import { awsPlatform as loadAwsPlatform, gcpPlatform as loadGcpPlatform } from "./lazy";
import { awsProvider, gcpProvider } from "./providers";
import { loadConfig, stackFileName } from "./stack-config";

async function main() {
  const { config, secrets } = loadConfig();
  // Nothing is registered before this line: an invalid config stops the program above.
  const identity = { cloud: config.cloud, environment: config.environment, region: config.region, domain: config.domain };
  if (config.cloud === "aws") {
    const { awsPlatform, checkZones } = loadAwsPlatform();
    const provider = awsProvider(config);
    // Only the provider exists until the region has shown it has the zones the stack asks for.
    await checkZones(config, provider, stackFileName());
    const platform = awsPlatform(config, provider);
    const kubernetes = kubernetesPlatform(config, {
      ...platform,
      ...(secrets.alertWebhookUrl && { alertWebhookUrl: secrets.alertWebhookUrl }),
    });
    return { ...identity, ...platform.outputs, ...kubernetes };
  }
  const { gcpPlatform } = loadGcpPlatform();
  // The GCP cloud resources only: its `notBuilt` output says what is still missing, and the review prints it.
  const platform = gcpPlatform(config, gcpProvider(config));
  return { ...identity, ...platform.outputs };
}

export = main;
