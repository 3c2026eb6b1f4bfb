// The Pulumi program: validate the stack config, then compose the platform for the stack's cloud.
// Exported as a function so the engine (and the offline review) can run it more than once per process.
// Only the stack's cloud is loaded (infra/lazy.ts): an AWS stack never loads @pulumi/gcp, a GCP one never
// loads @pulumi/aws.
import { kubernetesPlatform } from "./kubernetes";
import { awsPlatform as loadAwsPlatform } from "./lazy";
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
  gcpProvider(config);
  // Said in the stack's outputs, and by the review in place of a pass, until the GCP components are composed here.
  return {
    ...identity,
    notBuilt:
      "the GCP platform (network, GKE cluster, Cloud SQL, Memorystore, backup bucket, Kubernetes layer) is not composed yet: this stack creates only its provider",
  };
}

export = main;
