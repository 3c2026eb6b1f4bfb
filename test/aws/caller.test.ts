// GIVEN the production program and its stack file, run as `pulumi up` would run it by different identities
// WHEN AWS answers who is calling (sts get-caller-identity)
// THEN CI's deploy role, which Pulumi.production.yaml lists as a cluster admin, deploys; CI's preview role
//      (listed as a viewer) and a role listed nowhere are refused before anything is registered, with one line
//      naming the stack file and platform:cluster.adminRoleArns; and what the program registers does not depend
//      on who runs it.
import { describe, expect, test } from "@jest/globals";
import * as path from "node:path";
import { ConfigError } from "../../infra/config";
import { parseStructured } from "../../infra/stack-config";
import { answersFor, type CloudFacts, factsFrom } from "../../review/answers";
import { type Answers, record, type RecordedResource } from "../../review/engine";
import { loadProject, loadStackConfig } from "../../review/stack-file";

const ROOT = path.resolve(__dirname, "..", "..");
const session = (role: string) => `arn:aws:sts::123456789012:assumed-role/${role}/run-1`;

/** Runs the production program as `callerArn`, counting the cloud resources it asks for (providers aside). */
async function runAs(callerArn: string): Promise<{ created: number; result: Promise<RecordedResource[]> }> {
  const project = loadProject(ROOT);
  const stack = loadStackConfig(project, "production");
  const facts: CloudFacts = { ...factsFrom(stack.config, project.name), callerArn };
  const answers = answersFor(facts);
  const counted = { created: 0 };
  const counting: Answers = {
    invoke: (token, inputs) => answers.invoke(token, inputs),
    resource: (type, name, inputs) => {
      if (!type.startsWith("pulumi:providers:")) counted.created += 1;
      return answers.resource(type, name, inputs);
    },
  };
  const disabled = parseStructured(stack.config["pulumi:disable-default-providers"] ?? "[]");
  const result = record({
    project: project.name,
    stack: "production",
    config: stack.config,
    secretKeys: stack.secretKeys,
    program: project.main,
    answers: counting,
    disabledDefaultProviders: Array.isArray(disabled) ? disabled.map(String) : [],
  }).then((r) => r.resources);
  await result.catch(() => undefined);
  return { created: counted.created, result };
}

const WHY =
  "because the cluster's API admits only the roles these keys list (the identity that creates the cluster gets no access of its own)";

describe("pulumi up on production, by who runs it", () => {
  test.each<[string, string, string]>([
    [
      "CI's preview role (a viewer)",
      session("platform-github-preview"),
      `Pulumi.production.yaml: platform:cluster.adminRoleArns must list the role pulumi up runs as, platform-github-preview in account 123456789012 (${session("platform-github-preview")}), which platform:cluster.viewerRoleArns lists for reading only: add its ARN (aws iam get-role --role-name platform-github-preview --query Role.Arn) to it, or run as a listed role, ${WHY}`,
    ],
    [
      "an operator's SSO role listed nowhere",
      session("AWSReservedSSO_Admin_5e6f"),
      `Pulumi.production.yaml: platform:cluster.adminRoleArns must list the role pulumi up runs as, AWSReservedSSO_Admin_5e6f in account 123456789012 (${session("AWSReservedSSO_Admin_5e6f")}): add its ARN (aws iam get-role --role-name AWSReservedSSO_Admin_5e6f --query Role.Arn) to it, or run as a listed role, ${WHY}`,
    ],
  ])("GIVEN %s THEN it is refused before anything is created", async (_who, caller, message) => {
    const { created, result } = await runAs(caller);
    await expect(result).rejects.toBeInstanceOf(ConfigError);
    await expect(result).rejects.toThrow(message);
    expect(created).toBe(0);
  });

  test("GIVEN CI's deploy role, and then a session of it from a laptop THEN both deploy exactly the same resources", async () => {
    const ci = await runAs(session("platform-github-deploy"));
    const laptop = await runAs("arn:aws:sts::123456789012:assumed-role/platform-github-deploy/alice@example.com");
    const shape = (resources: RecordedResource[]) => resources.map((r) => [r.urn, r.inputs, r.dependencies]);
    const [a, b] = [await ci.result, await laptop.result];
    expect(a.length).toBeGreaterThan(200);
    expect(shape(b)).toEqual(shape(a));
  });
});
