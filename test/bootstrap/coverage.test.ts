// GIVEN every shipped stack's review record (each resource type, Helm chart kind and provider it registers, and
//       every data source the program may call) and the bootstrap stacks' records of what the CI identities hold
// WHEN each is looked up in the permission tables of bootstrap/permissions/ (provider sources, Google's
//      predefined roles, the AWS Service Authorization Reference, all cited there)
// THEN the deploy identity may create, read, update and delete everything its stacks register, including the
//      IAM grants they make; the preview identity may read everything a `pulumi preview --refresh` reads (on GCP
//      through its viewer roles and the bootstrap's custom role of secret reads); and a type with no table line
//      fails with the line to add.
import { describe, expect, test } from "@jest/globals";
import { GITHUB_ROLE_NAMES } from "../../bootstrap/aws";
import { GCP_DEPLOY_ROLES, GCP_PREVIEW_ROLES } from "../../bootstrap/config";
import { awsContext, awsGaps, awsRolePolicies, type PolicyStatement } from "../../bootstrap/permissions/aws-policy";
import { type Cloud, gcpCustomRoles, gcpGaps, gcpGrants, gcpProjectRoles, stackNeeds } from "../../bootstrap/permissions/coverage";
import { GCP_PREVIEW_SECRET_READS, GCP_PREVIEW_SECRETS_ROLE_ID } from "../../bootstrap/permissions/gcp-roles";
import type { Gap } from "../../bootstrap/permissions/needs";
import { knownInvokes } from "../../review/answers";
import { bootstrapReview, SHIPPED_STACKS, shippedReview, type ShippedStack } from "../reviews";

const cloudOf = (stack: ShippedStack): Cloud => (shippedReview(stack).config["platform:cloud"] === "gcp" ? "gcp" : "aws");
const GCP_STACKS = SHIPPED_STACKS.filter((s) => cloudOf(s) === "gcp");
const AWS_STACKS = SHIPPED_STACKS.filter((s) => cloudOf(s) === "aws");
const invokesOf = (cloud: Cloud) => knownInvokes().filter((t) => t.startsWith(`${cloud}:`));
const needsOf = (stack: ShippedStack) => stackNeeds(cloudOf(stack), shippedReview(stack).resources, invokesOf(cloudOf(stack)));
const show = (gaps: Gap[]) => gaps.map((g) => `${g.source}: ${g.permission}`).sort();

describe("the tables know everything the shipped stacks register", () => {
  test.each(SHIPPED_STACKS)("%s: every resource type, chart kind and data source has a line", (stack) => {
    expect(needsOf(stack).problems).toEqual([]);
  });

  test("a type, a Kubernetes kind or an invoke without a line fails with the line to add", () => {
    const resource = (type: string) => ({ type, name: "x", custom: true, inputs: {} });
    expect(
      stackNeeds(
        "gcp",
        [
          resource("gcp:binaryauthorization/policy:Policy"),
          resource("kubernetes:node.k8s.io/v1:RuntimeClass"),
          resource("kubernetes:core/v1:LimitRange"),
        ],
        ["gcp:compute/getNetwork:getNetwork"],
      ).problems,
    ).toEqual([
      'add "gcp:binaryauthorization/policy:Policy" to GCP_TYPE_NEEDS in bootstrap/permissions/gcp-types.ts: the permissions its provider\'s create, read, update and delete calls need',
      'add "gcp:compute/getNetwork:getNetwork" to GCP_INVOKE_NEEDS in bootstrap/permissions/gcp-types.ts: the permission its API call needs',
      "add LimitRange (API group core) to GKE_RESOURCES in bootstrap/permissions/kubernetes.ts: its IAM resource name from GKE's api-permissions reference",
      "add RuntimeClass (API group node.k8s.io) to GKE_RESOURCES in bootstrap/permissions/kubernetes.ts: its IAM resource name from GKE's api-permissions reference",
    ]);
    expect(stackNeeds("aws", [resource("aws:sqs/queue:Queue")], []).problems).toEqual([
      'add "aws:sqs/queue:Queue" to AWS_TYPE_NEEDS in bootstrap/permissions/aws-types.ts: the permissions its provider\'s create, read, update and delete calls need',
    ]);
  });
});

describe("GCP: the deploy and preview service accounts of bootstrap/Pulumi.gcp.yaml", () => {
  const granted = (accountId: string) => gcpProjectRoles(bootstrapReview("gcp").resources, accountId);

  const custom = () => gcpCustomRoles(bootstrapReview("gcp").resources);
  const SECRET_READER = `projects/example-platform-prod/roles/${GCP_PREVIEW_SECRETS_ROLE_ID}`;

  test("the bootstrap grants the role lists of bootstrap/config.ts and its custom secret reader, and the table knows every role", () => {
    expect(granted("github-deploy")).toEqual([...GCP_DEPLOY_ROLES]);
    expect(granted("github-preview")).toEqual([...GCP_PREVIEW_ROLES, SECRET_READER]);
    expect(gcpGrants([...GCP_DEPLOY_ROLES, ...GCP_PREVIEW_ROLES, SECRET_READER], custom()).unknownRoles).toEqual([]);
  });

  test("the custom role holds exactly the secret reads no predefined read-only role grants", () => {
    expect(custom()).toEqual({ [SECRET_READER]: Object.keys(GCP_PREVIEW_SECRET_READS).sort() });
  });

  test.each(GCP_STACKS)("%s: the deploy account may create, read, update and delete everything the stack registers", (stack) => {
    expect(show(gcpGaps(needsOf(stack).deploy, gcpGrants(granted("github-deploy")).patterns))).toEqual([]);
  });

  test.each(GCP_STACKS)("%s: the preview account may read everything a refresh reads", (stack) => {
    expect(show(gcpGaps(needsOf(stack).preview, gcpGrants(granted("github-preview"), custom()).patterns))).toEqual([]);
  });

  test("planted: without the custom role the preview account cannot read the AUTH string, Secrets or Helm's records", () => {
    const gaps = gcpGaps(needsOf("gcp-production").preview, gcpGrants([...GCP_PREVIEW_ROLES]).patterns);
    expect(show(gaps)).toEqual([
      "gcp:redis/instance:Instance: redis.instances.getAuthString",
      "kubernetes:core/v1:Secret: container.secrets.get",
      "kubernetes:helm.sh/v3:Release: container.secrets.get",
      "kubernetes:helm.sh/v3:Release: container.secrets.list",
    ]);
  });

  test("planted: the deploy roles without Logs Configuration Writer cannot make the log buckets and sink", () => {
    const without = GCP_DEPLOY_ROLES.filter((r) => r !== "roles/logging.configWriter");
    expect(show(gcpGaps(needsOf("gcp-production").deploy, gcpGrants(without).patterns))).toEqual([
      "gcp:logging/projectBucketConfig:ProjectBucketConfig: logging.buckets.create",
      "gcp:logging/projectBucketConfig:ProjectBucketConfig: logging.buckets.delete",
      "gcp:logging/projectBucketConfig:ProjectBucketConfig: logging.buckets.get",
      "gcp:logging/projectBucketConfig:ProjectBucketConfig: logging.buckets.update",
      "gcp:logging/projectSink:ProjectSink: logging.sinks.create",
      "gcp:logging/projectSink:ProjectSink: logging.sinks.delete",
      "gcp:logging/projectSink:ProjectSink: logging.sinks.get",
      "gcp:logging/projectSink:ProjectSink: logging.sinks.update",
    ]);
  });

  test("planted: the preview roles of earlier releases could not read the bucket, the log buckets, the sink or the peering", () => {
    const earlier = [
      "roles/compute.viewer",
      "roles/container.viewer",
      "roles/cloudsql.viewer",
      "roles/redis.viewer",
      "roles/cloudkms.viewer",
      "roles/secretmanager.viewer",
      "roles/iam.securityReviewer",
    ];
    const gaps = gcpGaps(needsOf("gcp-production").preview, gcpGrants(earlier).patterns);
    expect(show(gaps.filter((g) => !(g.permission in GCP_PREVIEW_SECRET_READS)))).toEqual([
      "gcp:logging/projectBucketConfig:ProjectBucketConfig: logging.buckets.get",
      "gcp:logging/projectSink:ProjectSink: logging.sinks.get",
      "gcp:servicenetworking/connection:Connection: servicenetworking.services.get",
      "gcp:storage/bucket:Bucket: storage.buckets.get",
    ]);
  });

  test("planted: a Kubernetes object or chart kind the deploy roles cannot write is found", () => {
    const withoutGke = GCP_DEPLOY_ROLES.filter((r) => r !== "roles/container.admin");
    const gaps = gcpGaps(needsOf("gcp-production").deploy, gcpGrants(withoutGke).patterns);
    expect(gaps.some((g) => g.source === "kubernetes:apps/v1:Deployment" && g.permission === "container.deployments.create")).toBe(true);
    expect(
      gaps.some((g) => g.source === "kubernetes:helm.sh/v3:Release" && g.permission === "container.customResourceDefinitions.create"),
    ).toBe(true);
    expect(gaps.some((g) => g.source === "pulumi:providers:kubernetes" && g.permission === "container.clusters.connect")).toBe(true);
  });
});

describe("AWS: the deploy and preview roles of bootstrap/Pulumi.aws.yaml", () => {
  const policies = (role: string) => {
    const { statements, unknownPolicies } = awsRolePolicies(bootstrapReview("aws").resources, role);
    expect(unknownPolicies).toEqual([]);
    expect(statements.length).toBeGreaterThan(0);
    return statements;
  };
  const deploy = () => policies(GITHUB_ROLE_NAMES.deploy);
  const preview = () => policies(GITHUB_ROLE_NAMES.preview);
  const gapsOf = (stack: ShippedStack, kind: "deploy" | "preview", statements: PolicyStatement[]) =>
    show(awsGaps(needsOf(stack)[kind], statements, awsContext(shippedReview(stack).resources)));

  test.each(AWS_STACKS)("%s: the deploy role may create, read, update and delete everything the stack registers", (stack) => {
    expect(gapsOf(stack, "deploy", deploy())).toEqual([]);
  });

  test.each(AWS_STACKS)("%s: the preview role may read everything a refresh reads", (stack) => {
    expect(gapsOf(stack, "preview", preview())).toEqual([]);
  });

  test("planted: ReadOnlyAccess and the state grants alone read no secret version", () => {
    const stateOnly = preview().filter((s) => s.Sid === undefined || ["ReadState", "LockStack", "DecryptStateAndSecrets"].includes(s.Sid));
    expect(gapsOf("production", "preview", stateOnly)).toEqual([
      "aws:secretsmanager/secretVersion:SecretVersion: kms:Decrypt@secretsmanager",
      "aws:secretsmanager/secretVersion:SecretVersion: secretsmanager:GetSecretValue",
    ]);
  });

  test("planted: the secret reads follow the platform's tag, and the RDS-managed master password stays denied", () => {
    const stack = shippedReview("production").resources;
    const untagged = { ...awsContext(stack), tags: { "managed-by": "someone-else" } };
    expect(show(awsGaps(needsOf("production").preview, preview(), untagged))).toEqual([
      "aws:secretsmanager/secretVersion:SecretVersion: kms:Decrypt@secretsmanager",
      "aws:secretsmanager/secretVersion:SecretVersion: secretsmanager:GetSecretValue",
    ]);
    const masterPassword = preview().find((s) => s.Effect === "Deny");
    expect(masterPassword).toEqual({
      Sid: "NotDatabaseMasterPasswords",
      Effect: "Deny",
      Action: "secretsmanager:GetSecretValue",
      Resource: "arn:*:secretsmanager:*:*:secret:rds!*",
    });
    // The same deny on every resource would refuse the platform's own secret version too.
    const everywhere = preview().map((s) => (s.Effect === "Deny" ? { ...s, Resource: "*" } : s));
    expect(gapsOf("production", "preview", everywhere)).toEqual([
      "aws:secretsmanager/secretVersion:SecretVersion: secretsmanager:GetSecretValue",
    ]);
  });

  test("planted: a deploy role without iam:* cannot hand roles to EKS, the flow log or RDS", () => {
    const withoutIam = deploy().map((s) =>
      s.Sid === "PlatformServices" ? { ...s, Action: [s.Action ?? []].flat().filter((a) => a !== "iam:*") } : s,
    );
    const passRole = gapsOf("production", "deploy", withoutIam).filter((g) => g.endsWith(": iam:PassRole"));
    expect(passRole).toEqual([
      "aws:ec2/flowLog:FlowLog: iam:PassRole",
      "aws:eks/addon:Addon: iam:PassRole",
      "aws:eks/cluster:Cluster: iam:PassRole",
      "aws:eks/nodeGroup:NodeGroup: iam:PassRole",
      "aws:rds/instance:Instance: iam:PassRole",
    ]);
  });

  test("planted: a Deny on every resource wins over the service-wide Allow", () => {
    const denyLogs: PolicyStatement = { Effect: "Deny", Action: "logs:CreateLogGroup", Resource: "*" };
    expect(gapsOf("dev", "deploy", [...deploy(), denyLogs])).toEqual(["aws:cloudwatch/logGroup:LogGroup: logs:CreateLogGroup"]);
  });
});
