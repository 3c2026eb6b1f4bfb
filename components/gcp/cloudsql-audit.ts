// Where Cloud SQL's pgaudit entries go and how long they stay. Cloud SQL writes them to Cloud Logging as Data
// Access audit logs (log `cloudaudit.googleapis.com/data_access`, payload type PgAuditEntry), which GCP records
// only for services whose Data Access logs the project turns on, and which the `_Default` sink keeps only as
// long as the `_Default` bucket (the container logs' 30 days). So: Data Access logs on for Cloud SQL, and a sink
// copying the pgaudit entries into a log bucket of their own that keeps them for the audit retention.
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

/**
 * pgaudit through Cloud SQL's flags: `cloudsql.enable_pgaudit` loads it (Cloud SQL restarts the instance when
 * the flag changes), `pgaudit.log=ddl,role` records every schema change and every role, grant and password
 * change with who ran it (passwords of CREATE/ALTER ROLE written as `<REDACTED>`), and no row reads or writes.
 */
export const PGAUDIT_FLAGS: ReadonlyArray<{ name: string; value: string }> = [
  { name: "cloudsql.enable_pgaudit", value: "on" },
  { name: "pgaudit.log", value: "ddl,role" },
];

/** The log bucket's id within the project. */
export const AUDIT_LOG_BUCKET = "database-audit";

/** Data Access log types turned on for Cloud SQL: its data reads and writes, where the pgaudit entries are filed. */
export const CLOUD_SQL_DATA_ACCESS_LOG_TYPES = ["DATA_READ", "DATA_WRITE"] as const;

/** The Logging filter selecting the project's Cloud SQL pgaudit entries. */
export function pgauditFilter(projectId: string): string {
  return [
    'resource.type="cloudsql_database"',
    `logName="projects/${projectId}/logs/cloudaudit.googleapis.com%2Fdata_access"`,
    'protoPayload.request.@type="type.googleapis.com/google.cloud.sql.audit.v1.PgAuditEntry"',
  ].join(" AND ");
}

export interface DatabaseAuditLogsArgs {
  /** The region of the instance: the bucket keeps its entries there. */
  region: string;
  /** Days the bucket keeps entries, 1-3650, already validated. */
  retentionDays: number;
  /** Sink name, unique in the project. */
  sinkName: string;
  /** Pulumi `protect` on the bucket, which holds the audit record. */
  protect: boolean;
}

/**
 * Data Access logs for Cloud SQL, the bucket and the sink. Children are `${name}-data-access-audit`,
 * `${name}-audit-log-bucket` and `${name}-audit-log-sink`. The IAMAuditConfig is authoritative for
 * cloudsql.googleapis.com in the project: one made elsewhere for that service is replaced by this one.
 */
export function keepDatabaseAuditLogs(
  name: string,
  args: DatabaseAuditLogsArgs,
  parent: pulumi.Resource,
): { auditConfig: gcp.projects.IAMAuditConfig; bucket: gcp.logging.ProjectBucketConfig; sink: gcp.logging.ProjectSink } {
  const projectId = gcp.organizations.getProjectOutput({}, { parent }).apply((p) => p.projectId ?? "");
  const auditConfig = new gcp.projects.IAMAuditConfig(
    `${name}-data-access-audit`,
    {
      project: projectId,
      service: "cloudsql.googleapis.com",
      auditLogConfigs: CLOUD_SQL_DATA_ACCESS_LOG_TYPES.map((logType) => ({ logType })),
    },
    { parent },
  );
  const bucket = new gcp.logging.ProjectBucketConfig(
    `${name}-audit-log-bucket`,
    {
      project: projectId,
      location: args.region,
      bucketId: AUDIT_LOG_BUCKET,
      retentionDays: args.retentionDays,
      description: "Cloud SQL pgaudit entries (Data Access audit logs)",
    },
    { parent, protect: args.protect },
  );
  const sink = new gcp.logging.ProjectSink(
    `${name}-audit-log-sink`,
    {
      name: args.sinkName,
      project: projectId,
      // A bucket of the sink's own project: the Logging service writes to it without a grant.
      destination: pulumi.interpolate`logging.googleapis.com/projects/${projectId}/locations/${args.region}/buckets/${AUDIT_LOG_BUCKET}`,
      filter: projectId.apply(pgauditFilter),
      description: "Cloud SQL pgaudit entries into the database-audit bucket",
      uniqueWriterIdentity: true,
    },
    { parent, dependsOn: [bucket] },
  );
  return { auditConfig, bucket, sink };
}
