// GIVEN the platform's AWS stack files that deploy from CI into an account of their own (staging, production)
// WHEN their cluster admins are read
// THEN each lists the deploy role the bootstrap project makes in that account, by the fixed name the
//      bootstrap gives it, so the deploy job that assumes that role can reach the cluster's API.
import { describe, expect, test } from "@jest/globals";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { GITHUB_ROLE_NAMES } from "../../bootstrap/aws";

const ROOT = path.resolve(__dirname, "..", "..");
const stackConfig = (stack: string) =>
  (parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> }).config;

describe.each(["staging", "production"])("Pulumi.%s.yaml", (stack) => {
  test("lists the bootstrap's deploy role of its own account as a cluster admin", () => {
    const config = stackConfig(stack);
    const { accountId } = config["platform:aws"] as { accountId: string };
    const { adminRoleArns } = config["platform:cluster"] as { adminRoleArns: string[] };
    expect(adminRoleArns).toEqual([`arn:aws:iam::${accountId}:role/${GITHUB_ROLE_NAMES.deploy}`]);
  });
});
