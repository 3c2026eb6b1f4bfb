// The Pulumi program: validate the stack config, then compose the platform for the stack's cloud.
// Exported as a function so the engine (and the offline review) can run it more than once per process.
import { awsProvider, gcpProvider } from "./providers";
import { loadConfig } from "./stack-config";

async function main() {
  const { config } = loadConfig();
  // Nothing is registered before this line: an invalid config stops the program above.
  if (config.cloud === "aws") awsProvider(config);
  else gcpProvider(config);
  return Promise.resolve({
    cloud: config.cloud,
    environment: config.environment,
    region: config.region,
    domain: config.domain,
  });
}

export = main;
