// ElastiCache (Valkey or Redis OSS) replication group in the isolated subnets, reachable only from the
// cluster's nodes, TLS required, encrypted at rest with its own key, with a generated AUTH token kept in
// Secrets Manager.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { RedisEndpoint, WorkloadIdentity } from "../types";
import { accountInfo, type AccountInfo } from "./account";
import { secretReadStatements, serviceSecurityGroup, stackLabel } from "./data-access";
import * as rules from "./data-args";
import { CACHE_MAINTENANCE_WINDOW, parseWeeklyWindow, snapshotWindowBefore, weeklyWindowProblem } from "../windows";
import { grant } from "./iam";
import { encryptionKey } from "./kms";

import type { CacheEngine } from "./data-args";
import { grantName } from "../grants";

export type { CacheEngine };

export interface RedisCacheArgs extends rules.PrivateNetworkArgs {
  /** Valkey (the open-source fork ElastiCache prices lower) or Redis OSS. @default "valkey" */
  engine?: CacheEngine;
  /**
   * major.minor, one of ELASTICACHE_ENGINE_VERSIONS (data-args.ts) for the engine.
   * @default - the engine's entry in DEFAULT_CACHE_VERSIONS: "8.0" for valkey, "7.1" for redis
   */
  engineVersion?: string;
  /** ElastiCache node type, e.g. "cache.m7g.large". */
  nodeType: string;
  /** Nodes (primary plus replicas), 1-6. From 2, automatic failover and Multi-AZ are on. */
  nodes: number;
  /** Days of daily snapshots kept, 0-35 (0 turns snapshots off). @default 7 */
  snapshotRetentionDays?: number;
  /**
   * Weekly UTC maintenance window, "ddd:hh:mm-ddd:hh:mm", 60 minutes to 23 hours. The daily snapshot window
   * is derived from it: the last whole hour before it starts (see snapshotWindowBefore).
   */
  maintenanceWindow: string;
  /** Pulumi `protect` on the replication group and its key (infra passes true in staging and production). */
  protect: boolean;
}

export const REDIS_PORT = 6379;
const DEFAULT_CACHE_VERSIONS: Readonly<Record<CacheEngine, string>> = { valkey: "8.0", redis: "7.1" };
const NODE_TYPE = /^cache\.[a-z0-9]+\.[a-z0-9]+$/;

/**
 * ElastiCache AUTH tokens: 16-128 printable ASCII characters whose only non-alphanumerics are ! & # $ ^ < > -
 * (CreateReplicationGroup AuthToken constraints). 64 characters, at least one of each class, as AWS
 * recommends at least three classes.
 */
const AUTH_TOKEN = {
  length: 64,
  special: true,
  overrideSpecial: "!&#$^<>-",
  minLower: 1,
  minUpper: 1,
  minNumeric: 1,
  minSpecial: 1,
};

type Resolved = Required<RedisCacheArgs> & { snapshotWindow: string };

export function resolveRedisArgs(name: string, args: RedisCacheArgs): Resolved {
  const fail: rules.Fail = rules.failer("RedisCache", name);
  rules.checkName(name, fail);
  rules.checkPrivateNetwork(args, fail);
  const engine = args.engine ?? "valkey";
  if (engine !== "valkey" && engine !== "redis") fail(`args.engine must be valkey or redis (got ${rules.show(engine)})`);
  const engineVersion = args.engineVersion ?? DEFAULT_CACHE_VERSIONS[engine];
  const versions = rules.ELASTICACHE_ENGINE_VERSIONS[engine];
  if (!versions.includes(engineVersion))
    fail(`args.engineVersion must be one of ${versions.join(", ")} for ${engine} (got ${rules.show(engineVersion)})`);
  if (!NODE_TYPE.test(args.nodeType))
    fail(`args.nodeType must be an ElastiCache node type such as cache.m7g.large (got ${rules.show(args.nodeType)})`);
  rules.checkWholeNumber(args.nodes, 1, 6, "args.nodes", fail);
  const snapshotRetentionDays = args.snapshotRetentionDays ?? 7;
  rules.checkWholeNumber(snapshotRetentionDays, 0, 35, "args.snapshotRetentionDays", fail);

  const problem = weeklyWindowProblem(args.maintenanceWindow, CACHE_MAINTENANCE_WINDOW);
  if (problem) fail(`args.maintenanceWindow ${problem} (got ${rules.show(args.maintenanceWindow)})`);
  const snapshotWindow = snapshotWindowBefore(parseWeeklyWindow(args.maintenanceWindow)!)!;
  return { ...args, engine, engineVersion, snapshotRetentionDays, snapshotWindow };
}

/**
 * A generated AUTH token and the Secrets Manager secret, encrypted with `key`, that workloads read it
 * from. The token is returned as a Pulumi secret.
 */
function createAuthToken(
  name: string,
  label: string,
  key: aws.kms.Key,
  parent: pulumi.Resource,
): { token: pulumi.Output<string>; secret: aws.secretsmanager.Secret } {
  const password = new random.RandomPassword(`${name}-auth-token`, AUTH_TOKEN, { parent });
  // `result` is a secret output of the provider; wrapping keeps it one under runtimes that do not apply
  // additionalSecretOutputs (mocks), so no path ever carries the token in plain text.
  const token = pulumi.secret(password.result);
  const secret = new aws.secretsmanager.Secret(
    `${name}-auth`,
    { description: `AUTH token of cache ${label}`, kmsKeyId: key.arn },
    { parent },
  );
  new aws.secretsmanager.SecretVersion(`${name}-auth-version`, { secretId: secret.id, secretString: token }, { parent });
  return { token, secret };
}

/** What the replication group is wired to: made by the steps before it. */
interface GroupDeps {
  label: string;
  key: aws.kms.Key;
  securityGroup: aws.ec2.SecurityGroup;
  subnetGroup: aws.elasticache.SubnetGroup;
  authToken: pulumi.Output<string>;
}

/**
 * The replication group: TLS required with the AUTH token, encrypted at rest with `key`, failing over
 * across zones from two nodes on, with daily snapshots before the maintenance window.
 */
function createReplicationGroup(name: string, a: Resolved, deps: GroupDeps, parent: pulumi.Resource): aws.elasticache.ReplicationGroup {
  const failover = a.nodes >= 2;
  return new aws.elasticache.ReplicationGroup(
    `${name}-group`,
    {
      description: `Cache ${deps.label}`,
      engine: a.engine,
      engineVersion: a.engineVersion,
      nodeType: a.nodeType,
      numCacheClusters: a.nodes,
      automaticFailoverEnabled: failover,
      multiAzEnabled: failover,
      port: REDIS_PORT,

      subnetGroupName: deps.subnetGroup.name,
      securityGroupIds: [deps.securityGroup.id],

      atRestEncryptionEnabled: true,
      kmsKeyId: deps.key.arn,
      transitEncryptionEnabled: true,
      transitEncryptionMode: "required",
      authToken: deps.authToken,
      // A changed token is added beside the old one, so connected clients keep working until they reload it.
      authTokenUpdateStrategy: "ROTATE",

      snapshotRetentionLimit: a.snapshotRetentionDays,
      snapshotWindow: a.snapshotWindow,
      maintenanceWindow: a.maintenanceWindow,
      autoMinorVersionUpgrade: true,
    },
    { parent, protect: a.protect },
  );
}

export class RedisCache extends pulumi.ComponentResource implements RedisEndpoint {
  readonly host: pulumi.Output<string>;
  readonly port = REDIS_PORT;
  readonly tls = true as const;
  readonly privateCidrs: string[];
  /** ARN of the Secrets Manager secret whose value is the AUTH token (plain text). */
  readonly authSecret: pulumi.Output<string>;
  /** The AUTH token, as a Pulumi secret. */
  readonly authToken: pulumi.Output<string>;
  readonly securityGroupId: pulumi.Output<string>;
  readonly keyArn: pulumi.Output<string>;
  readonly replicationGroup: aws.elasticache.ReplicationGroup;
  private readonly account: AccountInfo;
  private readonly componentName: string;

  constructor(name: string, args: RedisCacheArgs, opts?: pulumi.ComponentResourceOptions) {
    const a = resolveRedisArgs(name, args);
    super("platform:aws:RedisCache", name, {}, opts);
    const account = accountInfo(this);
    this.account = account;
    this.componentName = name;

    const label = stackLabel(name);
    const key = encryptionKey(
      `${name}-key`,
      { description: `Cache ${label}: data at rest, snapshots, AUTH token secret`, account, protect: a.protect },
      this,
    );
    const { securityGroup } = serviceSecurityGroup(
      name,
      {
        vpcId: a.vpcId,
        description: "Cache: TCP 6379 from the cluster nodes only",
        port: REDIS_PORT,
        allowedSecurityGroupIds: a.allowedSecurityGroupIds,
      },
      this,
    );
    const subnetGroup = new aws.elasticache.SubnetGroup(
      `${name}-subnets`,
      { description: "Isolated subnets for the cache", subnetIds: a.subnetIds },
      { parent: this },
    );
    const { token, secret } = createAuthToken(name, label, key, this);
    this.authToken = token;
    this.replicationGroup = createReplicationGroup(name, a, { label, key, securityGroup, subnetGroup, authToken: token }, this);

    this.host = this.replicationGroup.primaryEndpointAddress;
    this.privateCidrs = [...a.subnetCidrs];
    this.authSecret = secret.arn;
    this.securityGroupId = securityGroup.id;
    this.keyArn = key.arn;
    this.registerOutputs({
      host: this.host,
      port: this.port,
      tls: this.tls,
      privateCidrs: this.privateCidrs,
      authSecret: this.authSecret,
      securityGroupId: this.securityGroupId,
    });
  }

  /** GetSecretValue/DescribeSecret on the AUTH token secret and kms:Decrypt on its key through Secrets Manager. */
  grantAuthRead(identity: WorkloadIdentity): void {
    grant(
      grantName(this.componentName, "auth-read", identity),
      identity,
      secretReadStatements(this.authSecret, this.keyArn, this.account),
      { parent: this },
    );
  }
}
