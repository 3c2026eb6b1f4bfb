// GIVEN the shipped GCP stacks (gcp-dev, gcp-production)
// WHEN each is reviewed as `pulumi up` would run it
// THEN infra/gcp.ts builds the GCP cloud half in order (the project's APIs, network, GKE, Cloud SQL,
//      Memorystore, bucket),
//      the data services wait for the network's service networking connection and the cache for the
//      database (they conflict on that one connection when created at once), never for the cluster;
//      production alone keeps the cluster and the cache from deletion and runs REGIONAL Cloud SQL and
//      STANDARD_HA Memorystore; the cluster services go on the cluster, and the stack outputs name what was built.
import { beforeAll, describe, expect, test } from "@jest/globals";
import type { Network } from "../../components/gcp/network";
import { resolveConfig } from "../../infra/config";
import { clusterArgs } from "../../infra/gcp";
import type { RecordedResource } from "../../review/engine";
import type { ReviewReport } from "../../review/review";
import { descendants, reach } from "../graph";
import { shippedReview } from "../reviews";

const STACKS = ["gcp-dev", "gcp-production"] as const;
const reports: Record<string, ReviewReport> = {};

beforeAll(() => {
  for (const stack of STACKS) reports[stack] = shippedReview(stack);
});

const ofType = (stack: string, type: string) => reports[stack]!.resources.filter((r) => r.type === type);
const one = (stack: string, type: string, name?: string): RecordedResource => {
  const found = ofType(stack, type).filter((r) => name === undefined || r.name === name);
  if (found.length !== 1) throw new Error(`${stack}: expected one ${type}, found ${found.length}`);
  return found[0]!;
};

describe("the GCP composition", () => {
  test.each(STACKS)("%s registers the components in the order a first deploy builds them", (stack) => {
    const components = reports[stack]!.resources.filter(
      (r) => r.type.startsWith("platform:gcp:") && r.type !== "platform:gcp:GkeSecretsKey",
    );
    expect(components.map((r) => `${r.type} ${r.name}`)).toEqual([
      "platform:gcp:ProjectApis apis",
      "platform:gcp:Network network",
      "platform:gcp:GkeCluster cluster",
      "platform:gcp:CloudSqlPostgres database",
      "platform:gcp:MemorystoreRedis cache",
      "platform:gcp:BackupBucket backups",
      "platform:gcp:ClusterServices cluster-services",
    ]);
    // Everything on the stack's GCP provider; nothing of AWS.
    expect(reports[stack]!.resources.filter((r) => r.type.startsWith("aws:"))).toEqual([]);
  });

  test.each(STACKS)(
    "%s: the data services wait for the service networking connection, the cache for the database, neither for the cluster",
    (stack) => {
      const report = reports[stack]!;
      const connection = one(stack, "gcp:servicenetworking/connection:Connection");
      const sql = one(stack, "gcp:sql/databaseInstance:DatabaseInstance", "database-instance");
      const redis = one(stack, "gcp:redis/instance:Instance");
      expect(reach(report, sql)).toContain(connection.urn);
      expect(reach(report, redis)).toContain(connection.urn);
      expect(redis.dependencies).toContain(sql.urn);
      const cluster = descendants(report, one(stack, "platform:gcp:GkeCluster").urn);
      expect(cluster.size).toBeGreaterThan(5);
      for (const service of [sql, redis]) expect([...reach(report, service)].filter((urn) => cluster.has(urn))).toEqual([]);
    },
  );

  test.each([
    // stack, production guard rails, Cloud SQL availability, Memorystore tier, protect
    ["gcp-dev", false, "ZONAL", "BASIC", false],
    ["gcp-production", true, "REGIONAL", "STANDARD_HA", true],
  ] as const)("%s: deletion protection %s, Cloud SQL %s, Memorystore %s, protect %s", (stack, production, availability, tier, protect) => {
    expect(one(stack, "gcp:container/cluster:Cluster").inputs.deletionProtection).toBe(production);
    const sql = one(stack, "gcp:sql/databaseInstance:DatabaseInstance", "database-instance");
    expect(sql.inputs).toMatchObject({ deletionProtection: production, settings: { availabilityType: availability } });
    expect(one(stack, "gcp:redis/instance:Instance").inputs).toMatchObject({ tier, deletionProtection: production });
    const stateful = [
      "gcp:container/cluster:Cluster",
      "gcp:sql/databaseInstance:DatabaseInstance",
      "gcp:redis/instance:Instance",
      "gcp:storage/bucket:Bucket",
      "gcp:compute/network:Network",
      "gcp:servicenetworking/connection:Connection",
      "gcp:kms/cryptoKey:CryptoKey",
    ].flatMap((type) => ofType(stack, type));
    // four keys: cluster secrets, database, cache, backups; production's read replica is a database instance too
    expect(stateful).toHaveLength(6 + 4 + (production ? 1 : 0));
    for (const r of stateful) expect({ urn: r.urn, protect: r.protect }).toEqual({ urn: r.urn, protect });
  });

  test("the GCP profile's maintenance windows start on whole hours, where Cloud SQL and Memorystore maintain", () => {
    expect(one("gcp-production", "gcp:sql/databaseInstance:DatabaseInstance", "database-instance").inputs).toMatchObject({
      settings: { maintenanceWindow: { day: 7, hour: 4 } },
    });
    expect(one("gcp-production", "gcp:redis/instance:Instance").inputs).toMatchObject({
      maintenancePolicy: { weeklyMaintenanceWindows: [{ day: "SUNDAY", startTime: { hours: 6, minutes: 0 } }] },
    });
  });

  test.each(STACKS)("%s outputs the network, cluster, database, cache and bucket, and the Kubernetes layer's", (stack) => {
    const outputs = reports[stack]!.outputs;
    expect(outputs).toMatchObject({
      networkId: expect.stringMatching(/^projects\/example-platform-[a-z]+\/global\/networks\//) as unknown,
      clusterName: `platform-${stack}-cluster`,
      kubeconfig: "[secret]",
      databaseHost: expect.stringMatching(/^10\./) as unknown,
      databaseReaderHost: expect.stringMatching(/^10\./) as unknown,
      databaseCredentialsSecret: `platform-${stack}-database-credentials`,
      cacheHost: expect.stringMatching(/^10\./) as unknown,
      cacheAuthSecret: `platform-${stack}-cache-auth`,
      backupBucket: expect.stringMatching(new RegExp(`^platform-${stack}-backups-[0-9a-f]+$`)) as unknown,
      grafanaAdminPassword: "[secret]",
      gatewayNamespace: "gateway",
    });
  });

  test.each([
    ["gcp-dev", "DISABLED", false],
    ["gcp-production", "PROJECT_SINGLETON_POLICY_ENFORCE", true],
  ] as const)("%s: Binary Authorization %s, its API enabled: %s", (stack, mode, enabled) => {
    expect(one(stack, "gcp:container/cluster:Cluster").inputs.binaryAuthorization).toEqual({ evaluationMode: mode });
    const apis = ofType(stack, "gcp:projects/service:Service").map((s) => s.inputs.service);
    expect(apis).toEqual([
      "compute.googleapis.com",
      "servicenetworking.googleapis.com",
      "container.googleapis.com",
      "cloudkms.googleapis.com",
      "sqladmin.googleapis.com",
      "redis.googleapis.com",
      "secretmanager.googleapis.com",
      "storage.googleapis.com",
      "iam.googleapis.com",
      "logging.googleapis.com",
      "monitoring.googleapis.com",
      ...(enabled ? ["binaryauthorization.googleapis.com"] : []),
    ]);
  });

  test("the shipped stacks deploy through the DNS-based endpoint: no address list, the IP endpoint private", () => {
    expect(one("gcp-production", "gcp:container/cluster:Cluster").inputs).toMatchObject({
      privateClusterConfig: { enablePrivateNodes: true, enablePrivateEndpoint: true },
      controlPlaneEndpointsConfig: { dnsEndpointConfig: { allowExternalTraffic: true } },
    });
  });
});

describe("clusterArgs maps the config's deploy path and guard rails onto GkeCluster", () => {
  const network = {
    networkId: "projects/p/global/networks/n",
    subnetId: "projects/p/regions/europe-west1/subnetworks/s",
    nodesCidr: "10.0.0.0/20",
    podsRangeName: "pods",
    servicesRangeName: "services",
  } as unknown as Network;
  const gcp = {
    cloud: "gcp",
    region: "europe-west1",
    domain: "example.com",
    gcp: { project: "example-platform", projectNumber: "123456789012" },
  };

  test("the config's admin members are GkeCluster's, none by default", () => {
    const admins = ["group:platform-admins@example.com", "serviceAccount:deploy@example-platform.iam.gserviceaccount.com"];
    const config = (cluster: Record<string, unknown>) =>
      resolveConfig({ ...gcp, environment: "dev", cluster: { zone: "europe-west1-b", ...cluster } }, "Pulumi.t.yaml");
    expect(clusterArgs(config({ adminMembers: admins }), network).adminMembers).toEqual(admins);
    expect(clusterArgs(config({}), network).adminMembers).toEqual([]);
  });

  test("listed addresses become the authorized networks; production bounds their width and protects the cluster", () => {
    const cidrs = ["203.0.113.0/24"];
    const dev = clusterArgs(
      resolveConfig({ ...gcp, environment: "dev", cluster: { endpointPublicAccessCidrs: cidrs, zone: "europe-west1-b" } }, "Pulumi.t.yaml"),
      network,
    );
    expect(dev).toMatchObject({
      authorizedNetworks: cidrs,
      authorizedNetworksWidestPrefix: 0,
      deletionProtection: false,
      protect: false,
      applicationLogRetentionDays: 7,
    });
    expect(dev.nodes).toEqual({ machineType: "e2-standard-2", diskSizeGb: 50, initialNodesPerZone: 1, minNodes: 1, maxNodes: 3 });
    const production = clusterArgs(
      resolveConfig({ ...gcp, environment: "production", cluster: { endpointPublicAccessCidrs: cidrs } }, "Pulumi.t.yaml", [
        "alertWebhookUrl",
      ]),
      network,
    );
    expect(production).toMatchObject({
      authorizedNetworks: cidrs,
      authorizedNetworksWidestPrefix: 8,
      deletionProtection: true,
      protect: true,
      applicationLogRetentionDays: 30,
    });
    expect(production.nodes).toMatchObject({ initialNodesPerZone: 1, minNodes: 2, maxNodes: 10 });
  });

  test("no addresses listed: the DNS-based endpoint", () => {
    expect(
      clusterArgs(resolveConfig({ ...gcp, environment: "dev", cluster: { zone: "europe-west1-b" } }, "Pulumi.t.yaml"), network)
        .authorizedNetworks,
    ).toEqual([]);
  });

  test("a zonal cluster's node counts are the pool's, a regional one's per zone (of three)", () => {
    const config = (environment: string, desiredSize: number) =>
      resolveConfig(
        {
          ...gcp,
          environment,
          cluster: { nodes: { minSize: 1, desiredSize, maxSize: 10 }, ...(environment === "dev" && { zone: "europe-west1-c" }) },
        },
        "Pulumi.t.yaml",
        environment === "production" ? ["alertWebhookUrl"] : [],
      );
    expect(clusterArgs(config("dev", 2), network)).toMatchObject({
      location: "europe-west1-c",
      nodes: { initialNodesPerZone: 2 },
    });
    expect(clusterArgs(config("staging", 4), network)).toMatchObject({
      location: "europe-west1",
      nodes: { initialNodesPerZone: 2 },
    });
  });

  test.each([
    ["gcp-dev", "europe-west1-b", 1],
    ["gcp-production", "europe-west1", 1],
  ] as const)("%s: the cluster and its node pool run in %s, starting %d node(s) per zone", (stack, location, perZone) => {
    expect(one(stack, "gcp:container/cluster:Cluster").inputs.location).toBe(location);
    expect(one(stack, "gcp:container/nodePool:NodePool").inputs).toMatchObject({ location, initialNodeCount: perZone });
  });

  test("a GCP stack without the project number is refused, naming the file and the key", () => {
    expect(() => resolveConfig({ ...gcp, gcp: { project: "example-platform" }, environment: "dev" }, "Pulumi.gcp-dev.yaml")).toThrow(
      "Pulumi.gcp-dev.yaml: platform:gcp.projectNumber is required: it must be the GCP project's number (digits, not its id)",
    );
  });
});

describe("read replicas per environment", () => {
  test("gcp-production reads from its one replica of the primary, with its key, protected; gcp-dev has none", () => {
    const SQL = "gcp:sql/databaseInstance:DatabaseInstance";
    const primary = one("gcp-production", SQL, "database-instance");
    const replica = one("gcp-production", SQL, "database-replica-0");
    expect(replica.inputs).toMatchObject({
      instanceType: "READ_REPLICA_INSTANCE",
      region: primary.inputs.region,
      encryptionKeyName: primary.inputs.encryptionKeyName,
      databaseVersion: primary.inputs.databaseVersion,
      deletionProtection: true,
      settings: {
        tier: (primary.inputs.settings as { tier: string }).tier,
        ipConfiguration: { ipv4Enabled: false, sslMode: "ENCRYPTED_ONLY" },
      },
    });
    expect(replica.propertyDependencies.masterInstanceName).toEqual([primary.urn]);
    expect(replica.protect).toBe(true);
    const outputs = reports["gcp-production"]!.outputs;
    expect(outputs.databaseReaderHost).not.toBe(outputs.databaseHost);
    expect(ofType("gcp-dev", SQL).map((r) => r.name)).toEqual(["database-instance"]);
    expect(reports["gcp-dev"]!.outputs.databaseReaderHost).toBe(reports["gcp-dev"]!.outputs.databaseHost);
  });
});
