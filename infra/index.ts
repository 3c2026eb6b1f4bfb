// The Pulumi program: validate the stack config, then compose the platform for the stack's cloud.
// Exported as a function so the engine (and the offline review) can run it more than once per process.
import { awsPlatform } from "./aws";
import { kubernetesPlatform } from "./kubernetes";
import { awsProvider, gcpProvider } from "./providers";
import { loadConfig } from "./stack-config";

async function main() {
  const { config, secrets } = loadConfig();
  // Nothing is registered before this line: an invalid config stops the program above.
  const identity = { cloud: config.cloud, environment: config.environment, region: config.region, domain: config.domain };
  if (config.cloud === "aws") {
    const platform = awsPlatform(config, awsProvider(config));
    const kubernetes = kubernetesPlatform(config, { ...platform, ...(secrets.alertWebhookUrl && { alertWebhookUrl: secrets.alertWebhookUrl }) });
    return Promise.resolve({ ...identity, ...platform.outputs, ...kubernetes });
  }
  gcpProvider(config);
  return Promise.resolve(identity);
}

export = main;
