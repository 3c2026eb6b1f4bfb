// GIVEN GKE clusters and node pools as the engine receives them
// WHEN the GKE policies run
// THEN public nodes or endpoints, missing Workload Identity or network policy, soft nodes (the default pool's
//      too, which runs until the cluster removes it), legacy authentication and images admitted without the
//      project's Binary Authorization policy are reported.
import { describe, expect, test } from "@jest/globals";
import { check, resource } from "./harness";

const hardenedNodeConfig = {
  imageType: "COS_CONTAINERD",
  serviceAccount: "gke-nodes@example-platform.iam.gserviceaccount.com",
  shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
  workloadMetadataConfig: { mode: "GKE_METADATA" },
};
const hardenedCluster = {
  location: "europe-west1",
  removeDefaultNodePool: true,
  initialNodeCount: 1,
  // The default pool GKE makes before it is removed.
  nodeConfig: hardenedNodeConfig,
  privateClusterConfig: { enablePrivateNodes: true, enablePrivateEndpoint: false, masterIpv4CidrBlock: "172.16.0.0/28" },
  masterAuthorizedNetworksConfig: { cidrBlocks: [{ cidrBlock: "198.51.100.0/24", displayName: "office" }] },
  workloadIdentityConfig: { workloadPool: "example-platform.svc.id.goog" },
  datapathProvider: "ADVANCED_DATAPATH",
  releaseChannel: { channel: "REGULAR" },
  binaryAuthorization: { evaluationMode: "PROJECT_SINGLETON_POLICY_ENFORCE" },
  deletionProtection: true,
};
const hardenedPool = {
  cluster: "platform-gke",
  autoscaling: { minNodeCount: 2, maxNodeCount: 10 },
  management: { autoRepair: true, autoUpgrade: true },
  nodeConfig: { machineType: "n2-standard-4", ...hardenedNodeConfig },
};
const cluster = (change: Record<string, unknown> = {}) =>
  resource("gcp:container/cluster:Cluster", "platform-gke", { ...hardenedCluster, ...change });
const pool = (change: Record<string, unknown> = {}) =>
  resource("gcp:container/nodePool:NodePool", "platform-nodes", { ...hardenedPool, ...change });

describe.each([
  "gke-private",
  "gke-workload-identity",
  "gke-network-policy",
  "gke-node-hardening",
  "gke-legacy-auth-off",
  "gke-binary-authorization",
])("%s", (name) => {
  test("GIVEN the platform's hardened cluster and node pool THEN it passes", async () => {
    expect((await check(name, [cluster(), pool()])).messages).toEqual([]);
  });
});

describe("gke-private", () => {
  test("GIVEN a private endpoint without authorized networks THEN it passes", async () => {
    expect(
      (
        await check("gke-private", [
          cluster({
            privateClusterConfig: { enablePrivateNodes: true, enablePrivateEndpoint: true },
            masterAuthorizedNetworksConfig: undefined,
          }),
        ])
      ).messages,
    ).toEqual([]);
  });

  test.each<[string, Record<string, unknown>, string[]]>([
    [
      "public nodes and an open endpoint",
      { privateClusterConfig: undefined, masterAuthorizedNetworksConfig: undefined },
      [
        "privateClusterConfig.enablePrivateNodes is not true: set it to true so nodes get no public IPs",
        "the control plane's public endpoint accepts every address: set privateClusterConfig.enablePrivateEndpoint to true or list masterAuthorizedNetworksConfig.cidrBlocks",
      ],
    ],
    [
      "0.0.0.0/0 authorized, and all of Google Cloud",
      { masterAuthorizedNetworksConfig: { cidrBlocks: [{ cidrBlock: "0.0.0.0/0" }], gcpPublicCidrsAccessEnabled: true } },
      [
        "masterAuthorizedNetworksConfig.cidrBlocks includes 0.0.0.0/0: list only the operators' CIDRs",
        "masterAuthorizedNetworksConfig.gcpPublicCidrsAccessEnabled is true: set it to false so any Google Cloud address cannot reach the API",
      ],
    ],
  ])("GIVEN a cluster with %s THEN it is reported", async (_, change, messages) => {
    expect((await check("gke-private", [cluster(change)])).messages).toEqual(messages);
  });

  test("GIVEN a node pool opting out of private nodes THEN it is reported", async () => {
    expect((await check("gke-private", [pool({ networkConfig: { enablePrivateNodes: false } })])).messages).toEqual([
      "networkConfig.enablePrivateNodes is false: remove it or set it to true so the pool's nodes get no public IPs",
    ]);
  });
});

describe("gke-workload-identity", () => {
  test("GIVEN no workload pool, and a default node pool kept with the node's metadata exposed THEN both are reported", async () => {
    const kept = cluster({
      workloadIdentityConfig: undefined,
      removeDefaultNodePool: false,
      nodeConfig: { workloadMetadataConfig: { mode: "GCE_METADATA" } },
    });
    expect((await check("gke-workload-identity", [kept])).messages).toEqual([
      'workloadIdentityConfig.workloadPool is not set: set it to "<project>.svc.id.goog"',
      'nodeConfig.workloadMetadataConfig.mode is GCE_METADATA: set it to "GKE_METADATA" so pods cannot read the node\'s service account token',
    ]);
  });

  test("GIVEN a node pool without a metadata mode THEN it is reported", async () => {
    expect((await check("gke-workload-identity", [pool({ nodeConfig: { machineType: "n2-standard-4" } })])).messages).toEqual([
      'nodeConfig.workloadMetadataConfig.mode is unset: set it to "GKE_METADATA" so pods cannot read the node\'s service account token',
    ]);
  });
});

describe("gke-network-policy", () => {
  test("GIVEN the legacy network policy add-on enabled THEN it passes", async () => {
    expect(
      (
        await check("gke-network-policy", [
          cluster({
            datapathProvider: undefined,
            networkPolicy: { enabled: true, provider: "CALICO" },
            addonsConfig: { networkPolicyConfig: { disabled: false } },
          }),
        ])
      ).messages,
    ).toEqual([]);
  });

  test("GIVEN the legacy datapath without the add-on THEN it is reported", async () => {
    expect((await check("gke-network-policy", [cluster({ datapathProvider: "LEGACY_DATAPATH" })])).messages).toEqual([
      'datapathProvider is LEGACY_DATAPATH and the network policy add-on is off, so NetworkPolicies are not enforced: set datapathProvider to "ADVANCED_DATAPATH"',
    ]);
  });
});

describe("gke-node-hardening", () => {
  test("GIVEN a cluster without a release channel and shielded nodes THEN it is reported", async () => {
    expect(
      (await check("gke-node-hardening", [cluster({ enableShieldedNodes: false, releaseChannel: { channel: "UNSPECIFIED" } })])).messages,
    ).toEqual([
      "enableShieldedNodes is false: remove it or set it to true",
      "releaseChannel.channel is UNSPECIFIED: set it to REGULAR or STABLE so the control plane and nodes are upgraded",
    ]);
  });

  test("GIVEN a node pool on Ubuntu with the default account, no secure boot and no auto-repair THEN each is reported", async () => {
    const soft = pool({
      management: { autoUpgrade: true },
      nodeConfig: {
        imageType: "UBUNTU_CONTAINERD",
        serviceAccount: "123456789012-compute@developer.gserviceaccount.com",
        shieldedInstanceConfig: { enableIntegrityMonitoring: false },
        workloadMetadataConfig: { mode: "GKE_METADATA" },
      },
    });
    expect((await check("gke-node-hardening", [soft])).messages).toEqual([
      "management.autoRepair is not true: set it to true",
      'nodeConfig.imageType is UBUNTU_CONTAINERD: use "COS_CONTAINERD"',
      "nodeConfig.serviceAccount is 123456789012-compute@developer.gserviceaccount.com: give nodes a dedicated service account with only logging and monitoring roles",
      "nodeConfig.shieldedInstanceConfig.enableSecureBoot is not true: set it to true",
      "nodeConfig.shieldedInstanceConfig.enableIntegrityMonitoring is false: set it to true",
    ]);
  });
});

test("gke-legacy-auth-off: GIVEN ABAC and client certificates THEN both are reported", async () => {
  expect(
    (
      await check("gke-legacy-auth-off", [
        cluster({ enableLegacyAbac: true, masterAuth: { clientCertificateConfig: { issueClientCertificate: true } } }),
      ])
    ).messages,
  ).toEqual([
    "enableLegacyAbac is true: set it to false and grant access with RBAC",
    "masterAuth.clientCertificateConfig.issueClientCertificate is true: set it to false",
  ]);
});

describe("gke-node-hardening: the default pool GKE makes and removes", () => {
  test("GIVEN a cluster that removes its default pool but makes it with no nodeConfig THEN it is reported: the pool runs as the Compute Engine default account until removed", async () => {
    expect((await check("gke-node-hardening", [cluster({ nodeConfig: undefined })])).messages).toEqual([
      "nodeConfig.serviceAccount is unset (the Compute Engine default account): give nodes a dedicated service account with only logging and monitoring roles",
      "nodeConfig.shieldedInstanceConfig.enableSecureBoot is not true: set it to true",
    ]);
  });

  test("GIVEN an Autopilot cluster THEN GKE's own nodes are not the cluster's to harden", async () => {
    expect((await check("gke-node-hardening", [cluster({ enableAutopilot: true, nodeConfig: undefined })])).messages).toEqual([]);
  });
});

describe("gke-binary-authorization", () => {
  test("GIVEN the deprecated enabled flag THEN it passes: it is the same setting", async () => {
    expect((await check("gke-binary-authorization", [cluster({ binaryAuthorization: { enabled: true } })])).messages).toEqual([]);
  });

  test.each<[string, unknown, string]>([
    ["no Binary Authorization", undefined, "unset"],
    ["evaluation disabled", { evaluationMode: "DISABLED" }, "DISABLED"],
  ])("GIVEN a cluster with %s THEN it is reported", async (_, binaryAuthorization, mode) => {
    expect((await check("gke-binary-authorization", [cluster({ binaryAuthorization })])).messages).toEqual([
      `binaryAuthorization.evaluationMode is ${mode}: set it to "PROJECT_SINGLETON_POLICY_ENFORCE" so only images the project's policy admits run`,
    ]);
  });
});
