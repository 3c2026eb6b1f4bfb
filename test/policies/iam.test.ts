// GIVEN IAM policies, roles, attachments and keys as the engine receives them (documents as JSON text)
// WHEN the IAM and KMS policies run
// THEN wildcard grants, unscoped web-identity trust and non-rotating keys are reported.
import { describe, expect, test } from "@jest/globals";
import { check, resource } from "./harness";

const document = (...statements: Record<string, unknown>[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/ABC";

describe("iam-no-star", () => {
  test("GIVEN scoped grants, a KMS-wide admin statement and a managed read-only policy THEN it passes", async () => {
    const scoped = resource("aws:iam/rolePolicy:RolePolicy", "backup-write", {
      role: "backup",
      policy: document({ Effect: "Allow", Action: ["s3:PutObject"], Resource: "arn:aws:s3:::backups/*" }),
    });
    const denyAll = resource("aws:iam/policy:Policy", "deny", { policy: document({ Effect: "Deny", Action: "*", Resource: "*" }) });
    const role = resource("aws:iam/role:Role", "nodes", {
      assumeRolePolicy: document(),
      managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy"],
    });
    expect((await check("iam-no-star", [scoped, denyAll, role])).messages).toEqual([]);
  });

  test.each<[string, string, Record<string, unknown>, string]>([
    [
      "a policy allowing * on *",
      "aws:iam/policy:Policy",
      { policy: document({ Sid: "Admin", Effect: "Allow", Action: "*", Resource: "*" }) },
      'policy statement Admin allows "*" on "*": list the actions the principal needs and the ARNs it needs them on',
    ],
    [
      "a role policy allowing everything but IAM on *",
      "aws:iam/rolePolicy:RolePolicy",
      { role: "ci", policy: document({ Effect: "Allow", NotAction: ["iam:*"], Resource: ["*"] }) },
      'policy statement 1 allows every action except iam:* on "*": replace NotAction with the actions the principal needs',
    ],
    [
      "an inline role policy allowing *:*",
      "aws:iam/role:Role",
      { inlinePolicies: [{ name: "everything", policy: document({ Effect: "Allow", Action: ["*:*"], Resource: "*" }) }] },
      'inline policy everything statement 1 allows "*" on "*": list the actions the principal needs and the ARNs it needs them on',
    ],
    [
      "AdministratorAccess attached",
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
      { role: "ci", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" },
      "attaches AdministratorAccess: attach a policy that grants only what the principal needs",
    ],
    [
      "AdministratorAccess as a managed policy",
      "aws:iam/role:Role",
      { managedPolicyArns: ["arn:aws-us-gov:iam::aws:policy/AdministratorAccess"] },
      "managedPolicyArns includes AdministratorAccess: attach a policy that grants only what the role needs",
    ],
  ])("GIVEN %s THEN it is reported", async (_, type, inputs, message) => {
    expect((await check("iam-no-star", [resource(type, "grant", inputs)])).messages).toEqual([message]);
  });
});

describe("iam-trust-scoped", () => {
  const webIdentity = (condition?: Record<string, unknown>) => ({
    Effect: "Allow",
    Principal: { Federated: `arn:aws:iam::123456789012:oidc-provider/${ISSUER}` },
    Action: "sts:AssumeRoleWithWebIdentity",
    ...(condition && { Condition: condition }),
  });

  test("GIVEN IRSA trust scoped to one service account, and a service trust THEN it passes", async () => {
    const irsa = resource("aws:iam/role:Role", "backup", {
      assumeRolePolicy: document(
        webIdentity({
          StringEquals: { [`${ISSUER}:sub`]: "system:serviceaccount:backups:pg-dump", [`${ISSUER}:aud`]: "sts.amazonaws.com" },
        }),
      ),
    });
    const service = resource("aws:iam/role:Role", "nodes", {
      assumeRolePolicy: document({ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }),
    });
    expect((await check("iam-trust-scoped", [irsa, service])).messages).toEqual([]);
  });

  test.each<[string, Record<string, unknown>, string]>([
    [
      "no condition",
      webIdentity(),
      `trust statement 1 lets any identity of arn:aws:iam::123456789012:oidc-provider/${ISSUER} assume the role: add a StringEquals condition on <issuer>:sub naming the one subject`,
    ],
    [
      "only an audience condition",
      webIdentity({ StringEquals: { [`${ISSUER}:aud`]: "sts.amazonaws.com" } }),
      `trust statement 1 lets any identity of arn:aws:iam::123456789012:oidc-provider/${ISSUER} assume the role: add a StringEquals condition on <issuer>:sub naming the one subject`,
    ],
    [
      "a wildcard subject",
      webIdentity({ StringLike: { [`${ISSUER}:sub`]: "*" } }),
      'trust statement 1 matches sub "*": name the subject (system:serviceaccount:<namespace>:<name>)',
    ],
    [
      "any AWS principal",
      { Sid: "Anyone", Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" },
      "trust statement Anyone lets any AWS principal assume the role: name the account, role or service that may",
    ],
  ])("GIVEN a trust policy with %s THEN it is reported", async (_, statement, message) => {
    expect(
      (await check("iam-trust-scoped", [resource("aws:iam/role:Role", "ci", { assumeRolePolicy: document(statement) })])).messages,
    ).toEqual([message]);
  });
});

describe("kms-rotation", () => {
  test.each<[string, string, Record<string, unknown>]>([
    ["a rotating AWS key", "aws:kms/key:Key", { enableKeyRotation: true, deletionWindowInDays: 30 }],
    [
      "an asymmetric AWS signing key (cannot rotate)",
      "aws:kms/key:Key",
      { customerMasterKeySpec: "ECC_NIST_P256", keyUsage: "SIGN_VERIFY" },
    ],
    ["a GCP key rotating every 90 days", "gcp:kms/cryptoKey:CryptoKey", { keyRing: "ring", rotationPeriod: "7776000s" }],
  ])("GIVEN %s THEN it passes", async (_, type, inputs) => {
    expect(await check("kms-rotation", [resource(type, "key", inputs)])).toMatchObject({ evaluated: 1, messages: [] });
  });

  test.each<[string, string, Record<string, unknown>, string]>([
    ["an AWS key without rotation", "aws:kms/key:Key", {}, "enableKeyRotation is not true: set it to true"],
    [
      "an AWS key rotating every two years",
      "aws:kms/key:Key",
      { enableKeyRotation: true, rotationPeriodInDays: 730 },
      "rotationPeriodInDays is 730: set it to 365 or less",
    ],
    [
      "a GCP key without rotation",
      "gcp:kms/cryptoKey:CryptoKey",
      { keyRing: "ring" },
      'rotationPeriod is unset: set it to at most "31536000s" (a year)',
    ],
  ])("GIVEN %s THEN it is reported", async (_, type, inputs, message) => {
    expect((await check("kms-rotation", [resource(type, "key", inputs)])).messages).toEqual([message]);
  });
});
