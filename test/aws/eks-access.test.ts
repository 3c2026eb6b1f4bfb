// GIVEN the identity that runs the program, as `sts get-caller-identity` reports it, and the roles a stack
//       lists as the cluster's admins and viewers
// WHEN callerAccessProblem decides whether the run may go on (a deploy, or a preview / drift check)
// THEN a deploy goes on only as a listed admin and a preview also as a listed viewer; anything else is one
//      sentence naming platform:cluster.adminRoleArns (and viewerRoleArns for a preview), the identity, and why:
//      the cluster admits only the roles listed, its creator gets no access of its own.
// AND the access policy names the component associates are ones the EKS User Guide lists.
import { describe, expect, test } from "@jest/globals";
import { accessListConflicts, callerAccessProblem, EKS_ACCESS_POLICY, roleOf, sameRole } from "../../components/aws/eks-access";
import { EKS_ACCESS_POLICIES } from "../../review/managed-policies";

const DEPLOY = "arn:aws:iam::123456789012:role/platform-github-deploy";
const PREVIEW = "arn:aws:iam::123456789012:role/platform-github-preview";
const SSO = "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_PlatformAdmin_0a1b2c3d";
const ACCESS = { admins: [DEPLOY, SSO], viewers: [PREVIEW] };
const session = (role: string, account = "123456789012") => `arn:aws:sts::${account}:assumed-role/${role}/run-1`;
const WHY =
  "because the cluster's API admits only the roles these keys list (the identity that creates the cluster gets no access of its own)";

describe("roleOf and sameRole", () => {
  test.each<[string, ReturnType<typeof roleOf>]>([
    [DEPLOY, { partition: "aws", account: "123456789012", name: "platform-github-deploy" }],
    [SSO, { partition: "aws", account: "123456789012", name: "AWSReservedSSO_PlatformAdmin_0a1b2c3d" }],
    [session("platform-github-deploy"), { partition: "aws", account: "123456789012", name: "platform-github-deploy" }],
    ["arn:aws-cn:sts::123456789012:assumed-role/ops/alice", { partition: "aws-cn", account: "123456789012", name: "ops" }],
    ["arn:aws:iam::123456789012:user/alice", undefined],
    ["arn:aws:iam::123456789012:root", undefined],
    ["arn:aws:sts::123456789012:federated-user/alice", undefined],
  ])("%s names %j", (arn, role) => {
    expect(roleOf(arn)).toEqual(role);
  });

  test("an SSO session is the role whose ARN carries the path; another account's role of the same name is not", () => {
    expect(sameRole(SSO, session("AWSReservedSSO_PlatformAdmin_0a1b2c3d"))).toBe(true);
    expect(sameRole(DEPLOY, session("platform-github-deploy", "210987654321"))).toBe(false);
    expect(sameRole(DEPLOY, "arn:aws:iam::123456789012:user/platform-github-deploy")).toBe(false);
  });
});

describe("accessListConflicts", () => {
  test("repeats within each list, an SSO role with and without its path among them, then viewers that are admins", () => {
    const ssoSession = "arn:aws:iam::123456789012:role/AWSReservedSSO_PlatformAdmin_0a1b2c3d";
    expect(accessListConflicts([DEPLOY, SSO, ssoSession], [PREVIEW, PREVIEW, DEPLOY])).toEqual([
      { list: "adminRoleArns", index: 2, kind: "repeated" },
      { list: "viewerRoleArns", index: 1, kind: "repeated" },
      { list: "viewerRoleArns", index: 2, kind: "admin" },
    ]);
    expect(accessListConflicts([DEPLOY, SSO], [PREVIEW])).toEqual([]);
  });
});

describe("callerAccessProblem", () => {
  test.each<[string, string, boolean]>([
    ["CI's deploy role deploys", session("platform-github-deploy"), false],
    ["an operator's SSO session deploys", session("AWSReservedSSO_PlatformAdmin_0a1b2c3d"), false],
    ["CI's deploy role previews", session("platform-github-deploy"), true],
    ["CI's preview role previews (and checks for drift)", session("platform-github-preview"), true],
  ])("%s: it goes on", (_what, caller, previewOnly) => {
    expect(callerAccessProblem(caller, ACCESS, previewOnly)).toBeUndefined();
  });

  test.each<[string, string, boolean, string]>([
    [
      "the preview role deploys",
      session("platform-github-preview"),
      false,
      `platform:cluster.adminRoleArns must list the role pulumi up runs as, platform-github-preview in account 123456789012 (${session("platform-github-preview")}), which platform:cluster.viewerRoleArns lists for reading only: add its ARN (aws iam get-role --role-name platform-github-preview --query Role.Arn) to it, or run as a listed role, ${WHY}`,
    ],
    [
      "an unlisted laptop role deploys",
      session("AWSReservedSSO_Developer_99ff"),
      false,
      `platform:cluster.adminRoleArns must list the role pulumi up runs as, AWSReservedSSO_Developer_99ff in account 123456789012 (${session("AWSReservedSSO_Developer_99ff")}): add its ARN (aws iam get-role --role-name AWSReservedSSO_Developer_99ff --query Role.Arn) to it, or run as a listed role, ${WHY}`,
    ],
    [
      "the deploy role of another account deploys",
      session("platform-github-deploy", "210987654321"),
      false,
      `platform:cluster.adminRoleArns must list the role pulumi up runs as, platform-github-deploy in account 210987654321 (${session("platform-github-deploy", "210987654321")}): add its ARN (aws iam get-role --role-name platform-github-deploy --query Role.Arn) to it, or run as a listed role, ${WHY}`,
    ],
    [
      "an unlisted role previews",
      session("someone-else"),
      true,
      `platform:cluster.adminRoleArns or platform:cluster.viewerRoleArns must list the role pulumi preview runs as, someone-else in account 123456789012 (${session("someone-else")}): add its ARN (aws iam get-role --role-name someone-else --query Role.Arn) to one of them, or run as a listed role, ${WHY}`,
    ],
    [
      "an IAM user deploys",
      "arn:aws:iam::123456789012:user/alice",
      false,
      `platform:cluster.adminRoleArns must list the IAM role pulumi up runs as, and it runs as arn:aws:iam::123456789012:user/alice, which is not a role: assume one of the listed roles (an SSO permission set, AWS_PROFILE, or CI's role), ${WHY}`,
    ],
  ])("%s: refused", (_what, caller, previewOnly, message) => {
    expect(callerAccessProblem(caller, ACCESS, previewOnly)).toBe(message);
  });

  test("no admin listed at all: nobody may deploy, whoever runs it", () => {
    expect(callerAccessProblem(session("platform-github-deploy"), { admins: [], viewers: [] }, false)).toMatch(
      /^platform:cluster\.adminRoleArns must list the role pulumi up runs as, platform-github-deploy/,
    );
  });
});

test("the access policies the cluster associates are EKS access policies the EKS User Guide lists", () => {
  for (const name of Object.values(EKS_ACCESS_POLICY)) expect(EKS_ACCESS_POLICIES.has(name)).toBe(true);
});
