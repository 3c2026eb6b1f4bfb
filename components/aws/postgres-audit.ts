// What PostgresDatabase adds for audit and credential hygiene: pgaudit session logging through the parameter
// group, the CloudWatch log groups the instance and its replicas export into (made before them, so they get
// a key and a retention instead of RDS's unencrypted, never-expiring defaults), and the rotation schedule of
// the RDS-managed master user secret stated in the program instead of left to RDS's default.
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { AccountInfo } from "./account";
import { stackLabel } from "./data-access";
import { encryptionKey, logsKeyStatement } from "./kms";

/**
 * pgaudit, on top of the parameters PostgresDatabase sets:
 * - shared_preload_libraries=pg_stat_statements,pgaudit: the RDS default (pg_stat_statements, which
 *   Performance Insights reads) kept, pgaudit added. Static: RDS applies it when the instance is created, and
 *   on an existing instance at its next reboot (`pending-reboot`).
 * - pgaudit.log=ddl,role: every schema change and every role, grant and password change, with who ran it.
 *   pgaudit writes `<REDACTED>` for the password of CREATE/ALTER ROLE, so unlike log_statement=ddl no
 *   password reaches the exported log. Reads and writes of rows are not logged: at the platform's volume they
 *   would dominate the log bill without answering "who changed what".
 * pgaudit.log_parameter stays off (bind parameters can carry personal data).
 */
export const PGAUDIT_PARAMETERS: ReadonlyArray<{ name: string; value: string; applyMethod: "immediate" | "pending-reboot" }> = [
  { name: "shared_preload_libraries", value: "pg_stat_statements,pgaudit", applyMethod: "pending-reboot" },
  { name: "pgaudit.log", value: "ddl,role", applyMethod: "immediate" },
];

/** The logs RDS exports for each instance; `postgresql` carries the pgaudit entries. */
export const DATABASE_LOG_EXPORTS = ["postgresql", "upgrade"] as const;

/**
 * An RDS instance identifier, stable and unique per project and stack, within the RDS rules (1-63 letters,
 * digits and single hyphens, starting with a letter). It names the instance's log groups, so it is set rather
 * than generated: RDS writes to `/aws/rds/instance/<identifier>/<log>`.
 */
export function instanceIdentifier(name: string, suffix?: string): string {
  const clean = (raw: string, max: number) =>
    raw
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^[^a-z]+/, "")
      .slice(0, max)
      .replace(/-+$/, "");
  // A long stack name is cut in its own part, so replicas keep their distinct suffixes.
  return suffix === undefined ? clean(stackLabel(name), 63) : `${clean(stackLabel(name), 62 - suffix.length)}-${suffix}`;
}

/** The CloudWatch log group RDS exports `log` of instance `identifier` to. */
export const databaseLogGroupName = (identifier: string, log: string): string => `/aws/rds/instance/${identifier}/${log}`;

export interface DatabaseLogsArgs {
  account: AccountInfo;
  /** Identifiers of the primary and each replica (instanceIdentifier). */
  identifiers: string[];
  /** A CloudWatch retention period, already validated. */
  retentionDays: number;
  protect: boolean;
}

/**
 * The logs key and, per instance and exported log, its log group with the retention. Children are named
 * `${name}-logs-key` and `${name}-logs-<instance index>-<log>` (0 is the primary, 1.. the replicas).
 */
export function createDatabaseLogGroups(
  name: string,
  args: DatabaseLogsArgs,
  parent: pulumi.Resource,
): { key: aws.kms.Key; groups: aws.cloudwatch.LogGroup[][] } {
  const key = encryptionKey(
    `${name}-logs-key`,
    {
      description: `PostgreSQL ${stackLabel(name)}: exported logs (pgaudit)`,
      account: args.account,
      statements: [logsKeyStatement(args.account)],
      protect: args.protect,
    },
    parent,
  );
  const groups = args.identifiers.map((identifier, i) =>
    DATABASE_LOG_EXPORTS.map(
      (log) =>
        new aws.cloudwatch.LogGroup(
          `${name}-logs-${i}-${log}`,
          { name: databaseLogGroupName(identifier, log), retentionInDays: args.retentionDays, kmsKeyId: key.arn },
          { parent, protect: args.protect },
        ),
    ),
  );
  return { key, groups };
}

/**
 * The master user secret's rotation schedule, stated. RDS manages the rotation itself (no Lambda); this sets
 * how often. `rotateImmediately: false`: creating the schedule does not change the password there and then,
 * the next rotation follows the schedule.
 */
export function createCredentialsRotation(
  name: string,
  secretArn: pulumi.Input<string>,
  days: number,
  parent: pulumi.Resource,
): aws.secretsmanager.SecretRotation {
  return new aws.secretsmanager.SecretRotation(
    `${name}-credentials-rotation`,
    { secretId: secretArn, rotationRules: { automaticallyAfterDays: days }, rotateImmediately: false },
    { parent },
  );
}
