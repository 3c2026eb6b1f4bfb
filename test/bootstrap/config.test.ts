// GIVEN bootstrap stack config with a mistake in it
// WHEN the program validates it
// THEN each problem is one line naming the stack file and the key, and the program registers nothing.
import { describe, expect, test } from "@jest/globals";
import { GCP_DEPLOY_ROLES, resolveBootstrapConfig } from "../../bootstrap/config";
import { answersFor } from "../../review/answers";
import { record, type RecordedResource } from "../../review/engine";
import { loadProject, loadStackConfig } from "../../review/stack-file";
import * as path from "node:path";

const FILE = "bootstrap/Pulumi.aws.yaml";
const AWS: Record<string, string> = {
  "platform-bootstrap:cloud": "aws",
  "platform-bootstrap:environment": "production",
  "platform-bootstrap:region": "eu-west-1",
  "platform-bootstrap:repository": "example-org/platform",
  "platform-bootstrap:repositoryOwnerId": "98765432",
  "platform-bootstrap:repositoryId": "123456789",
  "platform-bootstrap:environments": '["staging","production"]',
  "platform-bootstrap:aws": '{"accountId":"123456789012"}',
};
const plain = () => false;
const problems = (config: Record<string, string>, isSecret: (key: string) => boolean = plain): string => {
  try {
    resolveBootstrapConfig(config, isSecret, FILE);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("the config was accepted");
};

describe("bootstrap config", () => {
  test("the shipped AWS config is accepted with its defaults", () => {
    expect(resolveBootstrapConfig(AWS, plain, FILE)).toEqual({
      cloud: "aws",
      environment: "production",
      region: "eu-west-1",
      repository: { name: "example-org/platform", ownerId: "98765432", id: "123456789", nameOnlySubjects: false },
      environments: ["staging", "production"],
      aws: { accountId: "123456789012" },
      stateNoncurrentVersionDays: 90,
    });
  });

  test.each([
    [
      "repository",
      "platform",
      `${FILE}: platform-bootstrap:repository must be a GitHub repository written owner/name, e.g. example-org/platform (got "platform")`,
    ],
    [
      "repository",
      "example-org/platform' || true",
      `${FILE}: platform-bootstrap:repository must be a GitHub repository written owner/name`,
    ],
    [
      "repositoryOwnerId",
      "example-org",
      `${FILE}: platform-bootstrap:repositoryOwnerId must be the numeric id of the repository's owner, quoted (gh api repos/OWNER/REPO --jq .owner.id) (got "example-org")`,
    ],
    [
      "repositoryId",
      "0123",
      `${FILE}: platform-bootstrap:repositoryId must be the repository's numeric id, quoted (gh api repos/OWNER/REPO --jq .id) (got "0123")`,
    ],
    ["repositoryId", "12' || true", `${FILE}: platform-bootstrap:repositoryId must be the repository's numeric id`],
    ["nameOnlySubjects", "yes", `${FILE}: platform-bootstrap:nameOnlySubjects must be true or false (got "yes")`],
    [
      "aws",
      '{"accountId":"123456789012","existingOidcProviderArn":"arn:aws:iam::123456789012:oidc-provider/gitlab.com"}',
      `${FILE}: platform-bootstrap:aws.existingOidcProviderArn must be the ARN of the account's GitHub OIDC provider, arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com (got "arn:aws:iam::123456789012:oidc-provider/gitlab.com")`,
    ],
    [
      "aws",
      '{"accountId":"123456789012","existingOidcProviderArn":"arn:aws:iam::210987654321:oidc-provider/token.actions.githubusercontent.com"}',
      `${FILE}: platform-bootstrap:aws.existingOidcProviderArn must be a provider of account 123456789012 (platform-bootstrap:aws.accountId), not of 210987654321`,
    ],
    ["environments", "[]", `${FILE}: platform-bootstrap:environments must name at least one GitHub environment that deploys`],
    ["environments", '["production","production"]', `${FILE}: platform-bootstrap:environments must not name an environment twice`],
    [
      "environments",
      '["prod*"]',
      `${FILE}: platform-bootstrap:environments[0] must be a GitHub environment name such as production (got "prod*")`,
    ],
    ["deployBranch", "*", `${FILE}: platform-bootstrap:deployBranch must be a branch name such as main, with no wildcard (got "*")`],
    [
      "environment",
      "staging",
      `${FILE}: platform-bootstrap:environment must be production: the bootstrap guards every environment's state`,
    ],
    ["aws", '{"accountId":"1234"}', `${FILE}: platform-bootstrap:aws.accountId must be a 12-digit AWS account ID, quoted (got "1234")`],
    ["region", "europe-west1", `${FILE}: platform-bootstrap:region must be an AWS region such as eu-west-1 (got "europe-west1")`],
    ["gcp", '{"project":"example-platform-prod"}', `${FILE}: platform-bootstrap:gcp applies to gcp stacks only; this stack's cloud is aws`],
    ["regoin", "eu-west-1", `${FILE}: platform-bootstrap:regoin is not a known key`],
    [
      "stateNoncurrentVersionDays",
      "3",
      `${FILE}: platform-bootstrap:stateNoncurrentVersionDays must be a whole number from 7 to 3650 (got 3)`,
    ],
  ])("platform-bootstrap:%s = %s", (key, value, message) => {
    expect(problems({ ...AWS, [`platform-bootstrap:${key}`]: value })).toContain(message);
  });

  test("a missing key, a key of another namespace and a secret are refused by name", () => {
    const without = (key: string) => Object.fromEntries(Object.entries(AWS).filter(([k]) => k !== `platform-bootstrap:${key}`));
    expect(problems(without("repository"))).toContain(`${FILE}: platform-bootstrap:repository is required`);
    expect(problems(without("repositoryOwnerId"))).toBe(
      `${FILE}: platform-bootstrap:repositoryOwnerId is required: it must be the numeric id of the repository's owner, quoted (gh api repos/OWNER/REPO --jq .owner.id)`,
    );
    expect(problems(without("repositoryId"))).toBe(
      `${FILE}: platform-bootstrap:repositoryId is required: it must be the repository's numeric id, quoted (gh api repos/OWNER/REPO --jq .id)`,
    );
    expect(problems({ ...AWS, "aws:region": "eu-west-1" })).toContain(`${FILE}: aws:region is not read by this program`);
    expect(problems(AWS, (key) => key === "platform-bootstrap:repository")).toContain(
      `${FILE}: platform-bootstrap:repository must not be a secret`,
    );
  });

  test("a GCP stack needs its project, refuses basic roles, and defaults the role lists", () => {
    const gcp: Record<string, string> = { ...AWS, "platform-bootstrap:cloud": "gcp", "platform-bootstrap:region": "europe-west1" };
    delete gcp["platform-bootstrap:aws"];
    expect(problems(gcp)).toContain(`${FILE}: platform-bootstrap:gcp is required on gcp stacks`);
    expect(problems({ ...gcp, "platform-bootstrap:gcp": '{"project":"example-platform-prod","deployRoles":["roles/owner"]}' })).toContain(
      `${FILE}: platform-bootstrap:gcp.deployRoles must not hold a basic role`,
    );
    const ok = resolveBootstrapConfig({ ...gcp, "platform-bootstrap:gcp": '{"project":"example-platform-prod"}' }, plain, FILE);
    expect(ok.gcp?.deployRoles).toEqual([...GCP_DEPLOY_ROLES]);
  });

  test("an existing OIDC provider of the stack's account, and name-only subjects, are taken as asked", () => {
    const arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
    const config = resolveBootstrapConfig(
      {
        ...AWS,
        "platform-bootstrap:aws": JSON.stringify({ accountId: "123456789012", existingOidcProviderArn: arn }),
        "platform-bootstrap:nameOnlySubjects": "true",
      },
      plain,
      FILE,
    );
    expect([config.aws, config.repository.nameOnlySubjects]).toEqual([{ accountId: "123456789012", existingOidcProviderArn: arn }, true]);
  });

  test("a GCP stack refuses a subject longer than the 127 characters Google maps to google.subject, naming it", () => {
    const gcp: Record<string, string> = {
      ...AWS,
      "platform-bootstrap:cloud": "gcp",
      "platform-bootstrap:region": "europe-west1",
      "platform-bootstrap:gcp": '{"project":"example-platform-prod"}',
      "platform-bootstrap:repository": `example-org/${"p".repeat(62)}`,
    };
    delete gcp["platform-bootstrap:aws"];
    const subject = `repo:example-org@98765432/${"p".repeat(62)}@123456789:environment:production-preview`;
    expect(subject).toHaveLength(129);
    expect(problems(gcp)).toBe(
      `${FILE}: platform-bootstrap:environments and platform-bootstrap:repository make the subject ${subject} (129 characters), longer than the 127 Google accepts as google.subject: use shorter environment names`,
    );
    // Two characters shorter, the longest subject is exactly 127 characters: accepted.
    expect(() =>
      resolveBootstrapConfig({ ...gcp, "platform-bootstrap:repository": `example-org/${"p".repeat(60)}` }, plain, FILE),
    ).not.toThrow();
  });

  test("the program registers nothing when the stack file is wrong", async () => {
    const project = loadProject(path.resolve(__dirname, "..", "..", "bootstrap"));
    const stack = loadStackConfig(project, "aws");
    const registered: RecordedResource[] = [];
    const run = record({
      project: project.name,
      stack: "aws",
      config: { ...stack.config, "platform-bootstrap:repository": "platform" },
      secretKeys: [],
      program: project.main,
      answers: answersFor({ region: "eu-west-1", accountId: "123456789012", project: "", projectNumber: "1" }),
      disabledDefaultProviders: ["aws", "gcp"],
      onResource: (r) => registered.push(r),
    });
    await expect(run).rejects.toThrow(`${FILE}: platform-bootstrap:repository must be a GitHub repository written owner/name`);
    expect(registered.filter((r) => r.type !== "pulumi:pulumi:Stack")).toEqual([]);
  });
});
