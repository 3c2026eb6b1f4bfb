// The bootstrap program: validate the stack config, then create the state backend and the CI identities on
// the stack's cloud. Run once per cloud, by hand, with credentials that may create IAM roles; its outputs
// configure the platform's stacks and its GitHub workflows (README, "CI identities and state").
// Exported as a function so the engine (and the offline review) can run it more than once per process.
import * as pulumi from "@pulumi/pulumi";
import { configSecretCheck } from "../infra/sdk-internals";
import { awsSdk, gcpSdk } from "../infra/lazy";
import { type BootstrapConfig, resolveBootstrapConfig } from "./config";
import { deployTrust, previewTrust, stsChecksGithubClaims } from "./github";
import type * as Aws from "./aws";
import type * as Gcp from "./gcp";

/** The stack file the running stack's config comes from, as errors name it. */
function stackFileName(): string {
  return `bootstrap/Pulumi.${pulumi.getStack()}.yaml`;
}

/** Labels every resource carries. */
function baseLabels(config: BootstrapConfig): Record<string, string> {
  return { environment: config.environment, stack: `${pulumi.getProject()}-${pulumi.getStack()}`, "managed-by": "pulumi" };
}

function awsBootstrap(config: BootstrapConfig) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- an AWS stack never loads @pulumi/gcp
  const { AwsStateBackend, GithubDeployIdentity } = require("./aws") as typeof Aws;
  const provider = new (awsSdk().Provider)("aws", {
    region: config.region,
    allowedAccountIds: [config.aws!.accountId],
    defaultTags: { tags: baseLabels(config) },
  });
  const state = new AwsStateBackend("state", { noncurrentVersionDays: config.stateNoncurrentVersionDays }, { providers: [provider] });
  const identity = new GithubDeployIdentity(
    "github",
    {
      deployTrust: deployTrust(config.repository, config.environments, config.deployBranch),
      previewTrust: previewTrust(config.repository, config.environments),
      state,
      ...(config.aws!.existingOidcProviderArn !== undefined && { existingProviderArn: config.aws!.existingOidcProviderArn }),
      ...(stsChecksGithubClaims(config.region) && { repositoryId: config.repository.id }),
    },
    { providers: [provider] },
  );
  return {
    backendUrl: state.backendUrl,
    secretsProvider: state.secretsProvider,
    stateBucket: state.bucketName,
    deployRoleArn: identity.deployRoleArn,
    previewRoleArn: identity.previewRoleArn,
    oidcProviderArn: identity.providerArn,
  };
}

function gcpBootstrap(config: BootstrapConfig) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a GCP stack never loads @pulumi/aws
  const { GcsStateBackend, GithubWorkloadIdentity } = require("./gcp") as typeof Gcp;
  const gcp = config.gcp!;
  const provider = new (gcpSdk().Provider)("gcp", { project: gcp.project, region: config.region, defaultLabels: baseLabels(config) });
  const identity = new GithubWorkloadIdentity(
    "github",
    {
      repository: config.repository,
      project: gcp.project,
      deployTrust: deployTrust(config.repository, config.environments, config.deployBranch),
      previewTrust: previewTrust(config.repository, config.environments),
      deployRoles: gcp.deployRoles,
      previewRoles: gcp.previewRoles,
    },
    { providers: [provider] },
  );
  const state = new GcsStateBackend(
    "state",
    {
      bucketName: `${gcp.project}-pulumi-state`,
      location: config.region,
      writers: [identity.deployMember],
      readers: [identity.previewMember],
      noncurrentVersionDays: config.stateNoncurrentVersionDays,
    },
    { providers: [provider] },
  );
  return {
    backendUrl: state.backendUrl,
    secretsProvider: state.secretsProvider,
    stateBucket: state.bucketName,
    workloadIdentityProvider: identity.providerName,
    deployServiceAccount: identity.deployServiceAccount,
    previewServiceAccount: identity.previewServiceAccount,
  };
}

function main() {
  const config = resolveBootstrapConfig(pulumi.runtime.allConfig(), configSecretCheck(), stackFileName());
  // Nothing is registered before this line: an invalid config stops the program above.
  const outputs = config.cloud === "aws" ? awsBootstrap(config) : gcpBootstrap(config);
  return { cloud: config.cloud, repository: config.repository.name, environments: config.environments, ...outputs };
}

export = main;
