// GIVEN a component that needs a key for CloudWatch Logs
// WHEN it creates one through encryptionKey
// THEN the key rotates, keeps the account in control, lets only this account's log groups use it, and
//      carries the protect flag it was given.
import { describe, expect, test } from "@jest/globals";
import * as pulumi from "@pulumi/pulumi";
import { accountInfo } from "../../components/aws/account";
import { encryptionKey, logsKeyStatement } from "../../components/aws/kms";
import { awsProvider, recordProgram } from "../harness";

class Holder extends pulumi.ComponentResource {
  constructor(protect: boolean, opts: pulumi.ComponentResourceOptions) {
    super("test:index:Holder", "holder", {}, opts);
    const account = accountInfo(this);
    encryptionKey("logs-key", { description: "flow logs", account, statements: [logsKeyStatement(account)], protect }, this);
  }
}

describe("encryptionKey", () => {
  test.each([true, false])("protect %s", async (protect) => {
    const r = await recordProgram(() => new Holder(protect, { providers: [awsProvider()] }));
    const key = r.one("aws:kms/key:Key");
    expect(key.protect).toBe(protect);
    expect(key.inputs).toMatchObject({ description: "flow logs", enableKeyRotation: true, deletionWindowInDays: 30 });
    expect(JSON.parse(key.inputs.policy as string)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "AccountAdministers",
          Effect: "Allow",
          Principal: { AWS: "arn:aws:iam::123456789012:root" },
          Action: "kms:*",
          Resource: "*",
        },
        {
          Sid: "CloudWatchLogsEncrypt",
          Effect: "Allow",
          Principal: { Service: "logs.eu-west-1.amazonaws.com" },
          Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
          Resource: "*",
          Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:eu-west-1:123456789012:log-group:*" } },
        },
      ],
    });
    const alias = r.one("aws:kms/alias:Alias");
    expect(alias.inputs).toEqual({ name: "alias/platform-test-logs-key", targetKeyId: expect.stringMatching(/^[0-9a-f]{8}-/) as unknown });
    expect(alias.propertyDependencies).toEqual({ targetKeyId: [key.urn] });
  });
});
