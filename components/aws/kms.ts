// Customer-managed KMS keys: one per purpose (logs, cluster secrets, database, cache, backups), each
// rotating yearly, with a policy that keeps the account in control and names every service allowed in.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AccountInfo } from "./account";
import { policyDocument, type Statement } from "./iam";

export interface EncryptionKeyArgs {
  /** What the key protects, shown in the console. */
  description: string;
  account: AccountInfo;
  /** Extra key-policy statements, e.g. for the CloudWatch Logs service principal. @default - none: only the account administers the key */
  statements?: pulumi.Input<Statement>[];
  /** Pulumi `protect` on the key. Deleting a key destroys every backup and log encrypted with it. */
  protect: boolean;
  /** Days a deleted key can still be recovered, 7-30 (KMS's limits). @default 30 */
  deletionWindowInDays?: number;
}

/** The alias `encryptionKey` gives a key: `alias/<project>-<stack>-<name>`. */
export function keyAliasName(name: string): string {
  return `alias/${pulumi.getProject()}-${pulumi.getStack()}-${name}`;
}

/** A rotating key plus an alias `alias/<project>-<stack>-<name>` so people can find it. */
export function encryptionKey(name: string, args: EncryptionKeyArgs, parent: pulumi.Resource): aws.kms.Key {
  const { account } = args;
  const key = new aws.kms.Key(
    name,
    {
      description: args.description,
      enableKeyRotation: true,
      deletionWindowInDays: args.deletionWindowInDays ?? 30,
      policy: policyDocument([
        {
          Sid: "AccountAdministers",
          Effect: "Allow",
          Principal: { AWS: pulumi.interpolate`arn:${account.partition}:iam::${account.accountId}:root` },
          Action: "kms:*",
          Resource: "*",
        },
        ...(args.statements ?? []),
      ]),
    },
    { parent, protect: args.protect },
  );
  new aws.kms.Alias(`${name}-alias`, { name: keyAliasName(name), targetKeyId: key.keyId }, { parent });
  return key;
}

/** Key-policy statement letting CloudWatch Logs use the key for log groups of this account and region. */
export function logsKeyStatement(account: AccountInfo): pulumi.Input<Statement> {
  return {
    Sid: "CloudWatchLogsEncrypt",
    Effect: "Allow",
    Principal: { Service: pulumi.interpolate`logs.${account.region}.${account.dnsSuffix}` },
    Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
    Resource: "*",
    Condition: {
      ArnLike: {
        "kms:EncryptionContext:aws:logs:arn": pulumi.interpolate`arn:${account.partition}:logs:${account.region}:${account.accountId}:log-group:*`,
      },
    },
  };
}
