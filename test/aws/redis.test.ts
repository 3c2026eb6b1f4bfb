// GIVEN a RedisCache for a dev-like stack (1 Valkey node, no failover, unprotected) and for a
//       production-like one (3 nodes with automatic failover and Multi-AZ, protected)
// WHEN the component is recorded under the offline engine
// THEN the engine receives exactly the replication group (TLS required, encrypted with its own key, AUTH
//      token as a secret input, a snapshot window clear of maintenance), the security group with a
//      separate 6379 rule from the node security group only, the subnet group, the generated token and
//      its Secrets Manager secret; a workload identity can be granted read access to exactly that secret;
//      and bad arguments are refused, naming the argument, before anything is registered.
import { describe, expect, test } from "@jest/globals";
import * as pulumi from "@pulumi/pulumi";
import fc from "fast-check";
import * as windows from "../../components/windows";
import { RedisCache, type RedisCacheArgs } from "../../components/aws/redis";
import { awsProvider, FACTS, idOf, once, type Recorded, recordProgram, stateOf, stubIdentity, valueOf } from "../harness";

const T = {
  component: "platform:aws:RedisCache",
  group: "aws:elasticache/replicationGroup:ReplicationGroup",
  subnetGroup: "aws:elasticache/subnetGroup:SubnetGroup",
  sg: "aws:ec2/securityGroup:SecurityGroup",
  ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
  key: "aws:kms/key:Key",
  alias: "aws:kms/alias:Alias",
  password: "random:index/randomPassword:RandomPassword",
  secret: "aws:secretsmanager/secret:Secret",
  secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
};

const DEV: RedisCacheArgs = {
  vpcId: "vpc-0dev0000000000001",
  subnetIds: ["subnet-0devdata000000001", "subnet-0devdata000000002"],
  subnetCidrs: ["10.20.208.0/23", "10.20.210.0/23"],
  allowedSecurityGroupIds: ["sg-0devnodes00000001"],
  engine: "valkey",
  engineVersion: "8.0",
  nodeType: "cache.t4g.micro",
  nodes: 1,
  snapshotRetentionDays: 1,
  maintenanceWindow: "sun:05:30-sun:06:30",
  protect: false,
};

// engine and engineVersion are left out to show the defaults; the window starts just after midnight.
const PROD: RedisCacheArgs = {
  vpcId: "vpc-0prod000000000001",
  subnetIds: ["subnet-0proddata00000001", "subnet-0proddata00000002", "subnet-0proddata00000003"],
  subnetCidrs: ["10.0.208.0/23", "10.0.210.0/23", "10.0.212.0/23"],
  allowedSecurityGroupIds: ["sg-0prodnodes0000001"],
  nodeType: "cache.m7g.large",
  nodes: 3,
  snapshotRetentionDays: 30,
  maintenanceWindow: "tue:00:30-tue:02:00",
  protect: true,
};

interface Expected {
  nodeType: string;
  nodes: number;
  failover: boolean;
  snapshotDays: number;
  snapshotWindow: string;
  protect: boolean;
}

const CASES: Array<[string, RedisCacheArgs, Expected]> = [
  [
    "dev-like",
    DEV,
    { nodeType: "cache.t4g.micro", nodes: 1, failover: false, snapshotDays: 1, snapshotWindow: "04:00-05:00", protect: false },
  ],
  [
    "production-like",
    PROD,
    { nodeType: "cache.m7g.large", nodes: 3, failover: true, snapshotDays: 30, snapshotWindow: "22:00-23:00", protect: true },
  ],
];

const REGION = FACTS.region;

const identity = stubIdentity();

interface Run {
  r: Recorded;
  outputs: Record<string, unknown>;
  tokenIsSecret: boolean;
}

const run = once(async (args: RedisCacheArgs): Promise<Run> => {
  let rest: Omit<Run, "r"> | undefined;
  const r = await recordProgram(async () => {
    const cache = new RedisCache("cache", args, { providers: [awsProvider()] });
    cache.grantAuthRead(identity);
    rest = {
      outputs: {
        host: await valueOf(cache.host),
        port: cache.port,
        tls: cache.tls,
        privateCidrs: cache.privateCidrs,
        authSecret: await valueOf(cache.authSecret),
        securityGroupId: await valueOf(cache.securityGroupId),
      },
      tokenIsSecret: await pulumi.isSecret(cache.authToken),
    };
  });
  return { r, ...rest! };
});

describe.each(CASES)("RedisCache, %s", (_label, args, x) => {
  const keyArn = (r: Recorded) => stateOf(r.one(T.key)).arn as string;

  test("registers exactly these resources under the component; AWS ones through its provider", async () => {
    const { r } = await run(args);
    const component = r.one(T.component);
    const provider = r.one("pulumi:providers:aws");
    const children = r.resources.filter((c) => c.parent === component.urn);
    expect(children.map((c) => `${c.type} ${c.name}`).sort()).toEqual(
      [
        `${T.alias} cache-key-alias`,
        `${T.group} cache-group`,
        `${T.ingress} cache-ingress-0`,
        `${T.key} cache-key`,
        `${T.password} cache-auth-token`,
        `${T.rolePolicy} cache-auth-read-apps-api`,
        `${T.secretVersion} cache-auth-version`,
        `${T.secret} cache-auth`,
        `${T.sg} cache-sg`,
        `${T.subnetGroup} cache-subnets`,
      ].sort(),
    );
    for (const child of children.filter((c) => c.type.startsWith("aws:")))
      expect([child.name, child.provider]).toEqual([child.name, provider.urn]);
    expect(r.ofType(T.egress)).toEqual([]);
  });

  test("the replication group: engine, nodes, failover, encryption, AUTH, snapshots and maintenance exactly", async () => {
    const { r } = await run(args);
    const group = r.one(T.group);
    expect(group.inputs).toEqual({
      description: "Cache platform-test-cache",
      engine: "valkey",
      engineVersion: "8.0",
      nodeType: x.nodeType,
      numCacheClusters: x.nodes,
      automaticFailoverEnabled: x.failover,
      multiAzEnabled: x.failover,
      port: 6379,
      subnetGroupName: stateOf(r.one(T.subnetGroup)).name,
      securityGroupIds: [idOf(r.one(T.sg))],
      atRestEncryptionEnabled: true,
      kmsKeyId: keyArn(r),
      transitEncryptionEnabled: true,
      transitEncryptionMode: "required",
      authToken: "[secret]",
      authTokenUpdateStrategy: "ROTATE",
      snapshotRetentionLimit: x.snapshotDays,
      snapshotWindow: x.snapshotWindow,
      maintenanceWindow: args.maintenanceWindow,
      autoMinorVersionUpgrade: true,
    });
    expect(group.secretInputs).toEqual(["authToken"]);
    expect(group.protect).toBe(x.protect);
    expect(group.customTimeouts).toBeNull();
    expect(group.propertyDependencies).toEqual({
      authToken: [r.one(T.password).urn],
      kmsKeyId: [r.one(T.key).urn],
      securityGroupIds: [r.one(T.sg).urn],
      subnetGroupName: [r.one(T.subnetGroup).urn],
    });
  });

  test("its own rotating KMS key, protected like the group", async () => {
    const { r } = await run(args);
    const key = r.one(T.key);
    expect(key.protect).toBe(x.protect);
    expect(key.inputs).toMatchObject({
      description: "Cache platform-test-cache: data at rest, snapshots, AUTH token secret",
      enableKeyRotation: true,
      deletionWindowInDays: 30,
    });
    expect(r.one(T.alias).inputs.name).toBe("alias/platform-test-cache-key");
  });

  test("AUTH token: generated within ElastiCache's rules, kept in Secrets Manager under the cache's key, secret everywhere", async () => {
    const { r, tokenIsSecret } = await run(args);
    expect(r.one(T.password).inputs).toEqual({
      length: 64,
      special: true,
      overrideSpecial: "!&#$^<>-",
      minLower: 1,
      minUpper: 1,
      minNumeric: 1,
      minSpecial: 1,
    });
    const secret = r.one(T.secret);
    expect(secret.inputs).toEqual({ description: "AUTH token of cache platform-test-cache", kmsKeyId: keyArn(r) });
    expect(secret.propertyDependencies).toEqual({ kmsKeyId: [r.one(T.key).urn] });
    const version = r.one(T.secretVersion);
    expect(version.inputs).toEqual({ secretId: idOf(secret), secretString: "[secret]" });
    expect(version.secretInputs).toEqual(["secretString"]);
    expect(version.propertyDependencies).toEqual({ secretId: [secret.urn], secretString: [r.one(T.password).urn] });
    expect(tokenIsSecret).toBe(true);
    // No other input anywhere carries the token.
    expect(r.resources.flatMap((c) => c.secretInputs.map((p) => `${c.name}.${p}`)).sort()).toEqual([
      "cache-auth-version.secretString",
      "cache-group.authToken",
    ]);
  });

  test("security group: no inline rules, 6379 only from the node security group through a rule resource", async () => {
    const { r } = await run(args);
    const sg = r.one(T.sg);
    expect(sg.inputs).toEqual({ vpcId: args.vpcId, description: "Cache: TCP 6379 from the cluster nodes only" });
    const rule = r.one(T.ingress);
    expect(rule.inputs).toEqual({
      securityGroupId: idOf(sg),
      referencedSecurityGroupId: args.allowedSecurityGroupIds[0],
      ipProtocol: "tcp",
      fromPort: 6379,
      toPort: 6379,
      description: "TCP 6379 from an allowed security group",
    });
    expect(r.one(T.subnetGroup).inputs).toEqual({ description: "Isolated subnets for the cache", subnetIds: args.subnetIds });
  });

  test("outputs: the primary endpoint with TLS, the subnets' ranges and the token's secret", async () => {
    const { r, outputs } = await run(args);
    expect(outputs).toEqual({
      host: stateOf(r.one(T.group)).primaryEndpointAddress,
      port: 6379,
      tls: true,
      privateCidrs: args.subnetCidrs,
      authSecret: stateOf(r.one(T.secret)).arn,
      securityGroupId: idOf(r.one(T.sg)),
    });
    expect(outputs.host).toMatch(/^master\.cache-group-[0-9a-f]{7}\./);
  });

  test("grantAuthRead: read exactly the token's secret, decrypt with its key only through Secrets Manager", async () => {
    const { r } = await run(args);
    const policy = r.one(T.rolePolicy);
    expect(policy.inputs.role).toBe("apps-api");
    expect(JSON.parse(policy.inputs.policy as string)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "ReadSecret",
          Effect: "Allow",
          Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
          Resource: stateOf(r.one(T.secret)).arn,
        },
        {
          Sid: "DecryptSecret",
          Effect: "Allow",
          Action: "kms:Decrypt",
          Resource: keyArn(r),
          Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${REGION}.amazonaws.com` } },
        },
      ],
    });
    expect(policy.propertyDependencies.policy).toEqual([r.one(T.secret).urn, r.one(T.key).urn].sort());
  });
});

describe("RedisCache arguments", () => {
  test("Redis OSS with its default version; two nodes are enough for failover and Multi-AZ", async () => {
    const r = await recordProgram(
      () => new RedisCache("cache", { ...DEV, engine: "redis", engineVersion: undefined, nodes: 2 }, { providers: [awsProvider()] }),
    );
    expect(r.one(T.group).inputs).toMatchObject({
      engine: "redis",
      engineVersion: "7.1",
      numCacheClusters: 2,
      automaticFailoverEnabled: true,
      multiAzEnabled: true,
    });
  });

  test("snapshot retention defaults to 7 days", async () => {
    const rest: RedisCacheArgs = { ...DEV };
    delete rest.snapshotRetentionDays;
    const r = await recordProgram(() => new RedisCache("cache", rest, { providers: [awsProvider()] }));
    expect(r.one(T.group).inputs.snapshotRetentionLimit).toBe(7);
  });

  const bad: Array<[string, Partial<RedisCacheArgs>, string]> = [
    [
      "fewer than 2 subnets",
      { subnetIds: ["subnet-0a"], subnetCidrs: ["10.20.208.0/23"] },
      "args.subnetIds must list at least 2 subnets in different zones (got 1)",
    ],
    [
      "no allowed security group",
      { allowedSecurityGroupIds: [] },
      "args.allowedSecurityGroupIds must name at least one security group (the cluster nodes'), or nothing could connect (got [])",
    ],
    ["an unknown engine", { engine: "memcached" as "redis" }, 'args.engine must be valkey or redis (got "memcached")'],
    ["Valkey 7.0", { engineVersion: "7.0" }, 'args.engineVersion must be one of 7.2, 8.0, 8.1 for valkey (got "7.0")'],
    ["Redis 6.2", { engine: "redis", engineVersion: "6.2" }, 'args.engineVersion must be one of 7.0, 7.1 for redis (got "6.2")'],
    [
      "a malformed node type",
      { nodeType: "m7g.large" },
      'args.nodeType must be an ElastiCache node type such as cache.m7g.large (got "m7g.large")',
    ],
    ["0 nodes", { nodes: 0 }, "args.nodes must be a whole number from 1 to 6 (got 0)"],
    ["7 nodes", { nodes: 7 }, "args.nodes must be a whole number from 1 to 6 (got 7)"],
    [
      "snapshots kept beyond 35 days",
      { snapshotRetentionDays: 36 },
      "args.snapshotRetentionDays must be a whole number from 0 to 35 (got 36)",
    ],
    [
      "a malformed maintenance window",
      { maintenanceWindow: "sun 05:30" },
      'args.maintenanceWindow must be a weekly UTC window such as "sun:05:30-sun:06:30" (got "sun 05:30")',
    ],
    [
      "a maintenance window under an hour",
      { maintenanceWindow: "sun:05:30-sun:06:00" },
      'args.maintenanceWindow must last from 60 minutes to 23 hours, leaving a daily hour for snapshots (got "sun:05:30-sun:06:00")',
    ],
    [
      "a maintenance window over 23 hours",
      { maintenanceWindow: "sun:00:00-mon:00:00" },
      'args.maintenanceWindow must last from 60 minutes to 23 hours, leaving a daily hour for snapshots (got "sun:00:00-mon:00:00")',
    ],
    [
      "a 23-hour window that leaves no hour before midnight",
      { maintenanceWindow: "mon:00:00-mon:23:00" },
      'args.maintenanceWindow must leave a daily hour for snapshots (got "mon:00:00-mon:23:00")',
    ],
  ];

  test.each(bad)("refuses %s, naming the argument", async (_label, override, message) => {
    const attempt = recordProgram(() => new RedisCache("cache", { ...DEV, ...override }, { providers: [awsProvider()] }));
    await expect(attempt).rejects.toThrow(new Error(`RedisCache cache: ${message}`));
  });
});

describe("snapshot window chosen from the maintenance window", () => {
  test.each([
    ["sun:05:30-sun:06:30", "04:00-05:00"],
    ["sun:05:00-sun:06:00", "04:00-05:00"],
    ["mon:01:00-mon:02:00", "00:00-01:00"],
    ["tue:00:30-tue:02:00", "22:00-23:00"],
    ["sat:23:30-sun:01:00", "22:00-23:00"],
    ["wed:03:00-wed:12:00", "02:00-03:00"],
    // No whole hour is free on Sunday, so the minute-aligned hour closest before 00:03 that ends by 23:59.
    ["sun:00:03-sun:22:01", "22:59-23:59"],
  ])("%s -> %s", (maintenance, snapshot) => {
    expect(windows.snapshotWindowBefore(windows.parseWeeklyWindow(maintenance)!)).toBe(snapshot);
  });

  test("any window of 1 to 22 hours gets one clear hour that does not cross midnight", () => {
    const days = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
    const at = (m: number) =>
      `${days[Math.floor(m / 1440) % 7]}:${String(Math.floor((m % 1440) / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 7 * 1440 - 1 }), fc.integer({ min: 60, max: 22 * 60 }), (start, minutes) => {
        const text = `${at(start)}-${at(start + minutes)}`;
        const snapshot = windows.snapshotWindowBefore(windows.parseWeeklyWindow(text)!);
        expect(snapshot).toMatch(/^\d\d:\d\d-\d\d:\d\d$/);
        const [from, to] = windows.parseDailyWindow(snapshot!)!;
        expect([to - from, to <= 24 * 60 - 1]).toEqual([60, true]);
        // Independent check, minute by minute over the week: no minute of the snapshot hour, on any day, is
        // inside the maintenance window. Collected and asserted once (84,000 expect calls cost 2.5 s).
        const inside: number[] = [];
        for (let day = 0; day < 7; day++) {
          for (let m = from; m < to; m++) {
            const minute = day * 1440 + m;
            if ([minute, minute + 7 * 1440].some((x) => x >= start && x < start + minutes)) inside.push(minute);
          }
        }
        expect(inside).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});
