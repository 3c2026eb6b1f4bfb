// GIVEN the facts a stack's config states
// WHEN the program asks a data source
// THEN the review answers as the cloud would for that region, account and project, and refuses to
//      make up an answer it does not have.
import { describe, expect, test } from "@jest/globals";
import { Region } from "@pulumi/aws/types/enums";
import { answersFor, factsFrom, knownInvokes } from "../review/answers";
import { AWS_ZONE_LETTERS, ZONES_AS_OF } from "../review/zones";

const aws = answersFor(factsFrom({ "platform:region": "eu-west-1", "platform:aws": '{"accountId":"111122223333"}' }, "platform"));
const gcp = answersFor(factsFrom({ "platform:region": "europe-west1", "platform:gcp": '{"project":"example-platform-prod"}' }, "platform"));

describe("data-source answers", () => {
  test("availability zones of the stack's region, as many as the region has", () => {
    expect(aws.invoke("aws:index/getAvailabilityZones:getAvailabilityZones", { state: "available" })).toMatchObject({
      names: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
      zoneIds: ["euw1-az1", "euw1-az2", "euw1-az3"],
      region: "eu-west-1",
    });
    const zonesOf = (region: string) =>
      answersFor(factsFrom({ "platform:region": region }, "platform")).invoke("aws:index/getAvailabilityZones:getAvailabilityZones", {})
        .names;
    expect(zonesOf("us-east-1")).toEqual(["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e", "us-east-1f"]);
    expect(zonesOf("us-west-2")).toEqual(["us-west-2a", "us-west-2b", "us-west-2c", "us-west-2d"]);
    // A new account sees two zones in us-west-1 and three in ap-northeast-1.
    expect(zonesOf("us-west-1")).toEqual(["us-west-1b", "us-west-1c"]);
    expect(zonesOf("ap-northeast-1")).toEqual(["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"]);
  });

  test("a region without a public zone list is refused, not guessed", () => {
    const isolated = answersFor(factsFrom({ "platform:region": "us-iso-east-1" }, "platform"));
    expect(() => isolated.invoke("aws:index/getAvailabilityZones:getAvailabilityZones", {})).toThrow(
      `region us-iso-east-1 has no offline zone list (review/zones.ts, as of ${ZONES_AS_OF}); add its zones there to review it`,
    );
  });

  test("the zone table covers every region the provider SDK knows, but the isolated partitions", () => {
    const isolated = /^[a-z]{2}-iso[a-z]?-/;
    expect(
      Object.values(Region)
        .filter((r) => !isolated.test(r))
        .sort(),
    ).toEqual(Object.keys(AWS_ZONE_LETTERS).sort());
    for (const letters of Object.values(AWS_ZONE_LETTERS)) expect(letters.length).toBeGreaterThanOrEqual(2);
  });

  test("caller identity, partition and region", () => {
    expect(aws.invoke("aws:index/getCallerIdentity:getCallerIdentity", {})).toMatchObject({
      accountId: "111122223333",
      arn: "arn:aws:sts::111122223333:assumed-role/review/offline",
    });
    expect(aws.invoke("aws:index/getPartition:getPartition", {})).toEqual({
      id: "aws",
      partition: "aws",
      dnsSuffix: "amazonaws.com",
      reverseDnsPrefix: "com.amazonaws",
    });
    expect(aws.invoke("aws:index/getRegion:getRegion", {})).toMatchObject({ name: "eu-west-1", region: "eu-west-1" });
    const china = answersFor(factsFrom({ "platform:region": "cn-north-1" }, "platform"));
    expect(china.invoke("aws:index/getPartition:getPartition", {})).toMatchObject({ partition: "aws-cn", dnsSuffix: "amazonaws.com.cn" });
  });

  test("an unpinned AWS stack gets the documentation's example account", () => {
    const unpinned = answersFor(factsFrom({ "platform:region": "eu-west-1" }, "platform"));
    expect(unpinned.invoke("aws:index/getCallerIdentity:getCallerIdentity", {})).toMatchObject({ accountId: "123456789012" });
  });

  test("GCP project, client config and the Cloud Storage service agent, from the stack's project and number", () => {
    expect(gcp.invoke("gcp:organizations/getProject:getProject", {})).toMatchObject({
      projectId: "example-platform-prod",
      number: "123456789012",
    });
    expect(gcp.invoke("gcp:organizations/getClientConfig:getClientConfig", {})).toMatchObject({
      project: "example-platform-prod",
      region: "europe-west1",
    });
    const numbered = answersFor(
      factsFrom({ "platform:region": "europe-west1", "platform:gcp": '{"project":"p-prod","projectNumber":"987654321098"}' }, "platform"),
    );
    expect(numbered.invoke("gcp:storage/getProjectServiceAccount:getProjectServiceAccount", {})).toEqual({
      id: "service-987654321098@gs-project-accounts.iam.gserviceaccount.com",
      project: "p-prod",
      emailAddress: "service-987654321098@gs-project-accounts.iam.gserviceaccount.com",
      member: "serviceAccount:service-987654321098@gs-project-accounts.iam.gserviceaccount.com",
    });
    // The cluster's zone is the stack file's: nothing looks zones up.
    expect(knownInvokes()).not.toContain("gcp:compute/getZones:getZones");
  });

  test("an unknown invoke is refused, naming what is known", () => {
    expect(() => aws.invoke("aws:ec2/getAmi:getAmi", {})).toThrow(
      `invoke aws:ec2/getAmi:getAmi has no offline answer; add one to review/answers.ts (known: ${knownInvokes().join(", ")})`,
    );
  });
});

describe("new resources", () => {
  test("AWS resources get ids in the cloud's format and ARNs in the stack's partition, region and account", () => {
    const vpc = aws.resource("aws:ec2/vpc:Vpc", "network-vpc", {});
    expect(vpc.id).toMatch(/^vpc-[0-9a-f]{17}$/);
    expect(vpc.state).toMatchObject({
      arn: `arn:aws:ec2:eu-west-1:111122223333:vpc/${vpc.id}`,
      defaultSecurityGroupId: expect.stringMatching(/^sg-/) as unknown,
    });
    expect(aws.resource("aws:iam/role:Role", "node", { name: "platform-node" }).state).toMatchObject({
      name: "platform-node",
      arn: "arn:aws:iam::111122223333:role/platform-node",
    });
    expect(aws.resource("aws:sqs/queue:Queue", "jobs", {}).state).toEqual({ arn: "arn:aws:sqs:eu-west-1:111122223333:jobs" });
  });

  test("unnamed resources get Pulumi-style auto-names, the same on every run", () => {
    const bucket = aws.resource("aws:s3/bucket:Bucket", "backups", {});
    expect(bucket.id).toMatch(/^backups-[0-9a-f]{7}$/);
    expect(bucket).toEqual(aws.resource("aws:s3/bucket:Bucket", "backups", {}));
    expect(bucket.state).toMatchObject({ bucket: bucket.id, arn: `arn:aws:s3:::${bucket.id}` });
  });

  test("a database with RDS-managed credentials gets its Secrets Manager secret and endpoint", () => {
    const db = aws.resource("aws:rds/instance:Instance", "db", { manageMasterUserPassword: true, identifier: "platform-db" });
    expect(db.state).toMatchObject({
      address: expect.stringMatching(/^platform-db\.[0-9a-f]{12}\.eu-west-1\.rds\.amazonaws\.com$/) as unknown,
      port: 5432,
      masterUserSecrets: [
        {
          secretArn: expect.stringMatching(/^arn:aws:secretsmanager:eu-west-1:111122223333:secret:rds!db-/) as unknown,
          secretStatus: "active",
        },
      ],
    });
  });
  test("GCP network resources get the provider's ids, auto-names and self links", () => {
    const network = gcp.resource("gcp:compute/network:Network", "net-network", {});
    expect(network.id).toMatch(/^projects\/example-platform-prod\/global\/networks\/net-network-[0-9a-f]{7}$/);
    expect(network.state).toEqual({
      name: network.id.split("/").pop(),
      project: "example-platform-prod",
      selfLink: `https://www.googleapis.com/compute/v1/${network.id}`,
    });
    expect(gcp.resource("gcp:compute/subnetwork:Subnetwork", "nodes", { name: "nodes", ipCidrRange: "10.0.0.0/20" })).toEqual({
      id: "projects/example-platform-prod/regions/europe-west1/subnetworks/nodes",
      state: {
        name: "nodes",
        project: "example-platform-prod",
        selfLink: "https://www.googleapis.com/compute/v1/projects/example-platform-prod/regions/europe-west1/subnetworks/nodes",
        gatewayAddress: "10.0.0.1",
      },
    });
    expect(gcp.resource("gcp:compute/router:Router", "router", { name: "r", region: "us-central1", project: "other" }).id).toBe(
      "projects/other/regions/us-central1/routers/r",
    );
    expect(gcp.resource("gcp:compute/routerNat:RouterNat", "nat", { name: "nat", router: "r", region: "us-central1" }).id).toBe(
      "example-platform-prod/us-central1/r/nat",
    );
    expect(
      gcp.resource("gcp:servicenetworking/connection:Connection", "psa", {
        network: "projects/p/global/networks/n",
        service: "servicenetworking.googleapis.com",
      }),
    ).toEqual({
      id: "projects%2Fp%2Fglobal%2Fnetworks%2Fn:servicenetworking.googleapis.com",
      state: { peering: "servicenetworking-googleapis-com" },
    });
  });

  test("GCP data services, keys, secrets and the cluster get the ids and addresses their dependents read", () => {
    const numbered = answersFor(
      factsFrom({ "platform:region": "europe-west1", "platform:gcp": '{"project":"p-prod","projectNumber":"987654321098"}' }, "platform"),
    );
    expect(numbered.invoke("gcp:organizations/getProject:getProject", {})).toMatchObject({ projectId: "p-prod", number: "987654321098" });
    const ring = numbered.resource("gcp:kms/keyRing:KeyRing", "db-key-ring", { name: "ring", location: "europe-west1" });
    expect(ring.id).toBe("projects/p-prod/locations/europe-west1/keyRings/ring");
    expect(numbered.resource("gcp:kms/cryptoKey:CryptoKey", "db-key", { keyRing: ring.id, name: "db-key" }).id).toBe(
      `${ring.id}/cryptoKeys/db-key`,
    );
    // Each agent at the address Google's service agents reference gives it.
    expect(
      Object.fromEntries(
        ["sqladmin", "container", "redis", "healthcare"].map((api) => [
          api,
          numbered.resource("gcp:projects/serviceIdentity:ServiceIdentity", "agent", { service: `${api}.googleapis.com` }).state.member,
        ]),
      ),
    ).toEqual({
      sqladmin: "serviceAccount:service-987654321098@gcp-sa-cloud-sql.iam.gserviceaccount.com",
      container: "serviceAccount:service-987654321098@container-engine-robot.iam.gserviceaccount.com",
      redis: "serviceAccount:service-987654321098@cloud-redis.iam.gserviceaccount.com",
      healthcare: "serviceAccount:service-987654321098@gcp-sa-healthcare.iam.gserviceaccount.com",
    });
    expect(numbered.resource("gcp:projects/service:Service", "apis-compute", { service: "compute.googleapis.com" })).toEqual({
      id: "p-prod/compute.googleapis.com",
      state: { project: "p-prod" },
    });
    const sql = numbered.resource("gcp:sql/databaseInstance:DatabaseInstance", "database-instance", { region: "europe-west1" });
    expect(sql.state).toMatchObject({
      connectionName: `p-prod:europe-west1:${sql.id}`,
      privateIpAddress: expect.stringMatching(/^10\./) as unknown,
    });
    expect(numbered.resource("gcp:redis/instance:Instance", "cache", { name: "cache", region: "europe-west1" }).state).toMatchObject({
      port: 6378,
      host: expect.stringMatching(/^10\./) as unknown,
    });
    expect(numbered.resource("gcp:serviceaccount/account:Account", "nodes", { accountId: "cluster-nodes" }).state).toMatchObject({
      email: "cluster-nodes@p-prod.iam.gserviceaccount.com",
    });
  });

  test("other resources get an id", () => {
    expect(gcp.resource("gcp:dns/managedZone:ManagedZone", "zone", {})).toEqual({ id: "zone-id", state: {} });
  });
});
