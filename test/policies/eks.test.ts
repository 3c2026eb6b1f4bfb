// GIVEN EKS clusters and node groups as the engine receives them
// WHEN the EKS policies run over them
// THEN public endpoints, unencrypted secrets, missing logs and unsupported versions are reported.
import { describe, expect, test } from "@jest/globals";
import { check, resource } from "./harness";

const CLUSTER = "aws:eks/cluster:Cluster";
const hardened = {
  version: "1.35",
  roleArn: "arn:aws:iam::123456789012:role/cluster",
  vpcConfig: { subnetIds: ["subnet-1", "subnet-2"], endpointPrivateAccess: true, endpointPublicAccess: false },
  encryptionConfig: { resources: ["secrets"], provider: { keyArn: "arn:aws:kms:eu-west-1:123456789012:key/1" } },
  enabledClusterLogTypes: ["api", "audit", "authenticator"],
};
const cluster = (change: Record<string, unknown> = {}) => resource(CLUSTER, "platform-eks", { ...hardened, ...change });

describe.each(["eks-endpoint-private", "eks-secrets-kms", "eks-control-plane-logs", "eks-version"])("%s", (name) => {
  test("GIVEN the platform's hardened cluster THEN it passes", async () => {
    expect(await check(name, [cluster()])).toMatchObject({ evaluated: 1, messages: [] });
  });
});

describe("eks-endpoint-private", () => {
  test("GIVEN a public endpoint limited to an office CIDR THEN it passes", async () => {
    const limited = cluster({ vpcConfig: { subnetIds: ["subnet-1"], endpointPublicAccess: true, publicAccessCidrs: ["198.51.100.0/24"] } });
    expect((await check("eks-endpoint-private", [limited])).messages).toEqual([]);
  });

  test.each<[string, Record<string, unknown>, string]>([
    [
      "the public endpoint left at its default",
      { subnetIds: ["subnet-1"] },
      "the API endpoint is public to 0.0.0.0/0 (endpointPublicAccess is not false and publicAccessCidrs is empty): set vpcConfig.endpointPublicAccess to false or list the allowed CIDRs",
    ],
    [
      "0.0.0.0/0 listed",
      { subnetIds: ["subnet-1"], endpointPublicAccess: true, publicAccessCidrs: ["198.51.100.0/24", "0.0.0.0/0"] },
      "vpcConfig.publicAccessCidrs includes 0.0.0.0/0: list only the CIDRs that must reach the API",
    ],
    [
      "the internet in two halves",
      { subnetIds: ["subnet-1"], endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/1", "128.0.0.0/1"] },
      "vpcConfig.publicAccessCidrs covers every address in pieces (0.0.0.0/1, 128.0.0.0/1): list only the CIDRs that must reach the API (platform:cluster.endpointPublicAccessCidrs)",
    ],
    [
      "a block wider than /8",
      { subnetIds: ["subnet-1"], endpointPublicAccess: true, publicAccessCidrs: ["198.51.100.0/24", "64.0.0.0/3"] },
      "vpcConfig.publicAccessCidrs holds 64.0.0.0/3, wider than /8: list only the operators' and CI's egress addresses (platform:cluster.endpointPublicAccessCidrs)",
    ],
  ])("GIVEN %s THEN it is reported", async (_, vpcConfig, message) => {
    expect((await check("eks-endpoint-private", [cluster({ vpcConfig })])).messages).toEqual([message]);
  });

  test("GIVEN a /8 THEN it passes at the default width; a config of 16 refuses it and 0 allows any width, but never the whole internet", async () => {
    const vpcConfig = (cidrs: string[]) => ({
      vpcConfig: { subnetIds: ["subnet-1"], endpointPublicAccess: true, publicAccessCidrs: cidrs },
    });
    expect((await check("eks-endpoint-private", [cluster(vpcConfig(["10.0.0.0/8"]))])).messages).toEqual([]);
    expect((await check("eks-endpoint-private", [cluster(vpcConfig(["10.0.0.0/8"]))], { widestPrefix: 16 })).messages).toEqual([
      "vpcConfig.publicAccessCidrs holds 10.0.0.0/8, wider than /16: list only the operators' and CI's egress addresses (platform:cluster.endpointPublicAccessCidrs)",
    ]);
    expect((await check("eks-endpoint-private", [cluster(vpcConfig(["64.0.0.0/3"]))], { widestPrefix: 0 })).messages).toEqual([]);
    expect(
      (await check("eks-endpoint-private", [cluster(vpcConfig(["0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/2"]))], { widestPrefix: 0 }))
        .messages,
    ).toHaveLength(1);
  });
});

describe("eks-secrets-kms", () => {
  test.each<[string, unknown, string]>([
    [
      "no encryption config",
      undefined,
      'encryptionConfig does not cover "secrets": set encryptionConfig.resources to ["secrets"] with a KMS key',
    ],
    [
      "no key",
      { resources: ["secrets"], provider: {} },
      "encryptionConfig.provider.keyArn is not set: give the ARN of a customer-managed KMS key",
    ],
  ])("GIVEN %s THEN it is reported", async (_, encryptionConfig, message) => {
    expect((await check("eks-secrets-kms", [cluster({ encryptionConfig })])).messages).toEqual([message]);
  });
});

describe("eks-control-plane-logs", () => {
  test.each<[string, unknown, string]>([
    ["only api", ["api"], "enabledClusterLogTypes lacks audit and authenticator: add them"],
    ["none", undefined, "enabledClusterLogTypes lacks api, audit and authenticator: add them"],
  ])("GIVEN %s logs THEN the missing types are reported", async (_, enabledClusterLogTypes, message) => {
    expect((await check("eks-control-plane-logs", [cluster({ enabledClusterLogTypes })])).messages).toEqual([message]);
  });

  test("GIVEN config that also requires scheduler logs THEN a cluster without them is reported", async () => {
    expect((await check("eks-control-plane-logs", [cluster()], { requiredLogTypes: ["api", "scheduler"] })).messages).toEqual([
      "enabledClusterLogTypes lacks scheduler: add it",
    ]);
  });
});

describe("eks-version", () => {
  test.each<[string, Record<string, unknown>, string]>([
    ["an old version", { version: "1.29" }, "version 1.29 is out of standard support: upgrade to 1.34 or newer"],
    ["no version", { version: undefined }, "version is not set: pin it (1.34 or newer) so the program says which Kubernetes runs"],
  ])("GIVEN a cluster with %s THEN it is reported", async (_, change, message) => {
    expect((await check("eks-version", [cluster(change)])).messages).toEqual([message]);
  });

  test("GIVEN a node group on an old version, and one following its cluster THEN only the first is reported", async () => {
    const old = resource("aws:eks/nodeGroup:NodeGroup", "old-nodes", { version: "1.30", clusterName: "platform" });
    const following = resource("aws:eks/nodeGroup:NodeGroup", "nodes", { clusterName: "platform" });
    const result = await check("eks-version", [old, following], { minimumVersion: "1.35" });
    expect(result.violations).toEqual([{ urn: old.urn, message: "version 1.30 is out of standard support: upgrade to 1.35 or newer" }]);
  });
});
