// Logical backups of the platform's Postgres, beside the cloud's own snapshots: a daily CronJob streams a
// compressed pg_dump straight into the backup bucket, and a weekly CronJob restores the newest complete
// dump into a throwaway Postgres inside its own pod and checks it, so a broken backup raises an alert
// long before anyone needs it. Credentials arrive through External Secrets; the bucket through workload
// identity (the writer cannot read or delete, the verifier cannot write).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { BackupStore, KubernetesCluster, PostgresEndpoint, WorkloadIdentity } from "../types";
import { syncPostgresCredentials } from "./credentials";
import { PlatformNamespace, type PodSecurity } from "./namespace";
import { dnsEgress, identityEgress, internetHttpsEgress, type Labels } from "./network-policy";
import { restrictedContainerSecurity, restrictedPodSecurity, scratchVolume } from "./pod-security";
import type { SecretsSync } from "./secrets";

/** Postgres images by server major, pinned: pg_dump must be at least as new as the server. */
const POSTGRES_IMAGES: Readonly<Record<string, string>> = {
  "17": "docker.io/library/postgres:17.11-bookworm",
  "18": "docker.io/library/postgres:18.6-bookworm",
};
const RCLONE_IMAGE = "docker.io/rclone/rclone:1.75.0";
/** The postgres user of the Debian-based image: the throwaway server must run as it. */
const POSTGRES_IMAGE_UID = 999;
export const BACKUP_CRONJOB = "postgres-backup";
export const RESTORE_CRONJOB = "restore-verification";
/** A dump older than this fails verification (and alerts): one missed daily run plus slack. */
export const DEFAULT_MAX_DUMP_AGE_HOURS = 26;

export interface PostgresBackupsArgs {
  cluster: KubernetesCluster;
  /** Namespace created for the jobs. @default "backups" */
  namespace?: string;
  podSecurity: PodSecurity;
  database: PostgresEndpoint;
  store: BackupStore;
  secrets: SecretsSync;
  /** Cron schedule (UTC) of the dump. */
  schedule: string;
  /** Cron schedule (UTC) of the restore verification. */
  restoreVerificationSchedule: string;
  /** StorageClass of the throwaway server's volume. */
  storageClassName: pulumi.Input<string>;
  /** Size of that volume in GiB: room for the restored database (its allocated storage). */
  restoreStorageGb: number;
  /** Age in hours past which the newest dump fails verification. @default 26 (DEFAULT_MAX_DUMP_AGE_HOURS) */
  maxDumpAgeHours?: number;
}

/**
 * The dump: pg_dump's custom format (compressed, restorable table by table) piped into `rclone rcat`, so
 * nothing is staged on disk whatever the database's size. A `.complete` marker is written only after both
 * ends of the pipe succeeded: a dump cut short is never taken for a backup (the writer may not delete it).
 */
export const BACKUP_SCRIPT = `set -euo pipefail
stamp="$(date -u +%Y-%m-%dT%H%M%SZ)"
target="backup:\${BUCKET}/postgres/\${PGDATABASE}/\${stamp}.dump"
echo "dumping \${PGDATABASE} from \${PGHOST} to \${target}"
pg_dump --format=custom --compress=6 --no-password | /tools/rclone rcat "\${target}"
echo "\${stamp}" | /tools/rclone rcat "\${target}.complete"
echo "backup \${stamp} complete"
`;

/**
 * The verification: the newest dump with a `.complete` marker, no older than MAX_AGE_HOURS, restored into
 * the pod's own Postgres (localhost only), then sanity queries. Any failure exits non-zero with a reason.
 */
export const RESTORE_SCRIPT = `set -euo pipefail
fail() { echo "restore verification FAILED: $*" >&2; exit 1; }
prefix="backup:\${BUCKET}/postgres/\${SOURCE_DATABASE}"
# A prefix nothing was written to yet is "directory not found" (exit 3) on some remotes: no dump either.
listing="$(/tools/rclone lsf --files-only --include '*.dump.complete' "\${prefix}/")" || [ "$?" -eq 3 ] || fail "cannot list \${prefix}"
newest="$(printf '%s\\n' "\${listing}" | sort | tail -n 1)"
[ -n "\${newest}" ] || fail "no complete dump under \${prefix}"
dump="\${newest%.complete}"
stamp="\${dump%.dump}"
taken="$(date -u -d "$(echo "\${stamp}" | sed -E 's/T([0-9]{2})([0-9]{2})([0-9]{2})Z/ \\1:\\2:\\3/')" +%s)" || fail "cannot read the time of \${dump}"
age_hours=$(( ($(date -u +%s) - taken) / 3600 ))
[ "\${age_hours}" -le "\${MAX_AGE_HOURS}" ] || fail "newest dump \${dump} is \${age_hours} hours old (limit \${MAX_AGE_HOURS})"
echo "restoring \${dump} (\${age_hours} hours old)"
until pg_isready --host=127.0.0.1 --quiet; do sleep 2; done
createdb --host=127.0.0.1 --username=postgres restored
/tools/rclone cat "\${prefix}/\${dump}" | pg_restore --host=127.0.0.1 --username=postgres --dbname=restored --no-owner --no-privileges --exit-on-error || fail "pg_restore of \${dump} failed"
tables="$(psql --host=127.0.0.1 --username=postgres --dbname=restored --tuples-only --no-align --set=ON_ERROR_STOP=1 --command="select count(*) from information_schema.tables where table_schema not in ('pg_catalog', 'information_schema')")" || fail "sanity query failed"
psql --host=127.0.0.1 --username=postgres --dbname=restored --set=ON_ERROR_STOP=1 --command="select pg_size_pretty(pg_database_size('restored')) as restored_size" || fail "size query failed"
echo "restore verification passed: \${dump} restored with \${tables} tables"
`;

const JOB_LABELS: Labels = { "app.kubernetes.io/part-of": "platform", "app.kubernetes.io/component": "backup" };
const DUMP_PODS: Labels = { ...JOB_LABELS, "app.kubernetes.io/name": BACKUP_CRONJOB };
const RESTORE_PODS: Labels = { ...JOB_LABELS, "app.kubernetes.io/name": RESTORE_CRONJOB };
/** The Secret the dump reads the database credentials from. */
export const CREDENTIALS_SECRET = "postgres-credentials";
/** Longest a dump or a verification may run. */
const RUN_DEADLINE_SECONDS = 5 * 3600;

type Container = k8s.types.input.core.v1.Container;
type EnvVar = k8s.types.input.core.v1.EnvVar;
type PodSpec = k8s.types.input.core.v1.PodSpec;

/** What both CronJobs are built from. */
interface JobInputs {
  database: PostgresEndpoint;
  /** The Postgres image of the server's major: pg_dump, pg_restore and the throwaway server. */
  postgresImage: string;
  /** The rclone remote of the backup store, the bucket and the CA bundle the tools bring. */
  storeEnv: pulumi.Output<EnvVar[]>;
}

/** The arguments' checks, before anything is registered; returns the dump age limit in hours. */
function checkPostgresBackupsArgs(name: string, args: PostgresBackupsArgs): number {
  const maxAge = args.maxDumpAgeHours ?? DEFAULT_MAX_DUMP_AGE_HOURS;
  if (!Number.isInteger(maxAge) || maxAge < 1)
    throw new Error(`PostgresBackups ${name}: args.maxDumpAgeHours must be a whole number of hours (got ${JSON.stringify(maxAge)})`);
  if (POSTGRES_IMAGES[args.database.engineMajor] === undefined) {
    throw new Error(
      `PostgresBackups ${name}: args.database.engineMajor must be one of ${Object.keys(POSTGRES_IMAGES).join(", ")} (got ${JSON.stringify(args.database.engineMajor)})`,
    );
  }
  if (!Number.isInteger(args.restoreStorageGb) || args.restoreStorageGb < 1)
    throw new Error(
      `PostgresBackups ${name}: args.restoreStorageGb must be a whole number of GiB (got ${JSON.stringify(args.restoreStorageGb)})`,
    );
  return maxAge;
}

/** A container of the jobs: restricted, with modest requests and limits unless it sets its own. */
function jobContainer(c: Omit<Container, "securityContext">): Container {
  return {
    ...c,
    securityContext: restrictedContainerSecurity(),
    resources: c.resources ?? { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "512Mi" } },
  };
}

/**
 * The rclone binary (static) copied next to the Postgres tools, so one shell pipes one into the other,
 * with the CA bundle of its image: the Postgres image keeps none for rclone's HTTPS calls.
 */
function toolsContainer(): Container {
  return jobContainer({
    name: "tools",
    image: RCLONE_IMAGE,
    command: ["cp", "/usr/local/bin/rclone", "/etc/ssl/certs/ca-certificates.crt", "/tools/"],
    volumeMounts: [{ name: "tools", mountPath: "/tools" }],
    resources: { requests: { cpu: "50m", memory: "32Mi" }, limits: { memory: "64Mi" } },
  });
}

/** The store's rclone remote, its bucket and the tools' CA bundle, as environment variables. */
function storeEnv(store: BackupStore): pulumi.Output<EnvVar[]> {
  return pulumi
    .all([store.rcloneEnv, store.bucketName])
    .apply(([env, bucket]) => [
      ...Object.entries(env).map(([envName, value]) => ({ name: envName, value })),
      { name: "BUCKET", value: bucket },
      { name: "SSL_CERT_FILE", value: "/tools/ca-certificates.crt" },
    ]);
}

/** A run of one job: a restricted pod under the job's own service account, retried twice, with a deadline. */
function jobTemplate(pods: Labels, serviceAccountName: string, podSpec: Partial<PodSpec>): k8s.types.input.batch.v1.JobTemplateSpec {
  return {
    metadata: { labels: pods },
    spec: {
      backoffLimit: 2,
      activeDeadlineSeconds: RUN_DEADLINE_SECONDS,
      template: {
        metadata: { labels: pods },
        spec: {
          restartPolicy: "Never",
          serviceAccountName,
          // The projected web identity token still mounts; no Kubernetes API token is needed.
          automountServiceAccountToken: false,
          securityContext: restrictedPodSecurity(POSTGRES_IMAGE_UID),
          ...podSpec,
        } as PodSpec,
      },
    },
  };
}

/** When a job runs, in UTC; a slow run is never overlapped by the next one. */
function cronSchedule(schedule: string) {
  return {
    schedule,
    timeZone: "Etc/UTC",
    concurrencyPolicy: "Forbid",
    startingDeadlineSeconds: 3600,
    successfulJobsHistoryLimit: 3,
    failedJobsHistoryLimit: 5,
  };
}

/** The dump's pod: the tools, then pg_dump piped into the bucket. */
function dumpPodSpec(inputs: JobInputs, credentialsEnv: EnvVar[]): Partial<PodSpec> {
  const db = inputs.database;
  return {
    initContainers: [toolsContainer()],
    containers: [
      jobContainer({
        name: "dump",
        image: inputs.postgresImage,
        command: ["bash", "-c", BACKUP_SCRIPT],
        env: pulumi
          .all([inputs.storeEnv, db.host])
          .apply(([store, host]) => [
            { name: "PGHOST", value: host },
            { name: "PGPORT", value: String(db.port) },
            { name: "PGDATABASE", value: db.databaseName },
            { name: "PGSSLMODE", value: "require" },
            ...credentialsEnv,
            { name: "HOME", value: "/scratch" },
            ...store,
          ]),
        resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { memory: "1Gi" } },
        volumeMounts: [
          { name: "tools", mountPath: "/tools" },
          { name: "scratch", mountPath: "/scratch" },
        ],
      }),
    ],
    volumes: [scratchVolume("tools", "128Mi"), scratchVolume("scratch", "256Mi")],
  };
}

/**
 * The throwaway server: a native sidecar (restartPolicy Always) that stops when the check ends. It listens
 * on localhost only and trusts local connections; nothing outside the pod reaches it.
 */
function throwawayServer(postgresImage: string): Container {
  return jobContainer({
    name: "postgres",
    image: postgresImage,
    restartPolicy: "Always",
    args: ["postgres", "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "full_page_writes=off"],
    env: [
      { name: "POSTGRES_HOST_AUTH_METHOD", value: "trust" },
      { name: "PGDATA", value: "/var/lib/postgresql/data/pgdata" },
    ],
    startupProbe: { exec: { command: ["pg_isready", "--host=127.0.0.1"] }, periodSeconds: 2, failureThreshold: 60 },
    resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "2Gi" } },
    volumeMounts: [
      { name: "pgdata", mountPath: "/var/lib/postgresql/data" },
      { name: "pgrun", mountPath: "/var/run/postgresql" },
      { name: "scratch", mountPath: "/tmp" },
    ],
  });
}

/** The verification's pod: the tools and the throwaway server, then the restore and its checks. */
function restorePodSpec(inputs: JobInputs, args: PostgresBackupsArgs, maxAge: number): Partial<PodSpec> {
  return {
    initContainers: [toolsContainer(), throwawayServer(inputs.postgresImage)],
    containers: [
      jobContainer({
        name: "verify",
        image: inputs.postgresImage,
        command: ["bash", "-c", RESTORE_SCRIPT],
        env: inputs.storeEnv.apply((store) => [
          { name: "SOURCE_DATABASE", value: inputs.database.databaseName },
          { name: "MAX_AGE_HOURS", value: String(maxAge) },
          { name: "HOME", value: "/tmp" },
          ...store,
        ]),
        resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "512Mi" } },
        volumeMounts: [
          { name: "tools", mountPath: "/tools" },
          { name: "scratch", mountPath: "/tmp" },
        ],
      }),
    ],
    volumes: [
      scratchVolume("tools", "128Mi"),
      // A volume made for the run and deleted with the pod: room for the whole database, off the node's disk.
      {
        name: "pgdata",
        ephemeral: {
          volumeClaimTemplate: {
            metadata: { labels: RESTORE_PODS },
            spec: {
              accessModes: ["ReadWriteOnce"],
              storageClassName: args.storageClassName,
              resources: { requests: { storage: `${args.restoreStorageGb}Gi` } },
            },
          },
        },
      },
      scratchVolume("pgrun", "16Mi", "Memory"),
      scratchVolume("scratch", "1Gi"),
    ],
  };
}

export class PostgresBackups extends pulumi.ComponentResource {
  readonly namespace: string;
  readonly backup: k8s.batch.v1.CronJob;
  readonly restoreVerification: k8s.batch.v1.CronJob;

  constructor(name: string, args: PostgresBackupsArgs, opts?: pulumi.ComponentResourceOptions) {
    const maxAge = checkPostgresBackupsArgs(name, args);
    super("platform:kubernetes:PostgresBackups", name, {}, opts);
    this.namespace = args.namespace ?? "backups";
    const namespace = this.createNamespace(name, args);
    const { writer, reader } = this.serviceAccounts(name, args, namespace);
    const credentials = syncPostgresCredentials(
      { secrets: args.secrets, resourceName: `${name}-credentials`, namespace, secretName: CREDENTIALS_SECRET, parent: this },
      args.database,
      { user: "PGUSER", password: "PGPASSWORD" },
    );
    const inputs: JobInputs = {
      database: args.database,
      postgresImage: POSTGRES_IMAGES[args.database.engineMajor]!,
      storeEnv: storeEnv(args.store),
    };
    this.backup = this.cronJob(`${name}-backup`, BACKUP_CRONJOB, DUMP_PODS, args.schedule, dumpPodSpec(inputs, credentials.env), {
      namespace,
      dependsOn: [writer, credentials.sync],
    });
    this.restoreVerification = this.cronJob(
      `${name}-restore-verification`,
      RESTORE_CRONJOB,
      RESTORE_PODS,
      args.restoreVerificationSchedule,
      restorePodSpec(inputs, args, maxAge),
      { namespace, dependsOn: [reader] },
    );
    this.registerOutputs({ namespace: this.namespace });
  }

  /** The jobs' namespace: DNS, the database and the storage API (S3 or GCS, and the cloud's token service) out. */
  private createNamespace(name: string, args: PostgresBackupsArgs): pulumi.Output<string> {
    const db = args.database;
    const ns = new PlatformNamespace(
      `${name}-ns`,
      {
        name: this.namespace,
        podSecurity: args.podSecurity,
        allowances: [
          dnsEgress(),
          { name: "to-postgres", direction: "Egress", pods: DUMP_PODS, peers: [{ cidrs: db.privateCidrs }], ports: [{ port: db.port }] },
          // The storage API (S3 or GCS) and the cloud's token service for workload identity.
          internetHttpsEgress("to-storage"),
          ...identityEgress(args.cluster.identityEndpoint),
        ],
      },
      { parent: this },
    );
    return ns.ready;
  }

  /** One service account per job, bound to a cloud identity: the dump's may only write, the verification's only read. */
  private serviceAccounts(name: string, args: PostgresBackupsArgs, namespace: pulumi.Output<string>) {
    const writer = args.cluster.bindServiceAccount("backup-writer", { namespace: this.namespace, name: BACKUP_CRONJOB });
    args.store.grantWrite(writer);
    const reader = args.cluster.bindServiceAccount("backup-reader", { namespace: this.namespace, name: RESTORE_CRONJOB });
    args.store.grantRead(reader);
    const account = (id: string, identity: WorkloadIdentity) =>
      new k8s.core.v1.ServiceAccount(
        `${name}-${id}-sa`,
        {
          metadata: { name: identity.serviceAccount.name, namespace, labels: JOB_LABELS, annotations: identity.serviceAccountAnnotations },
          automountServiceAccountToken: false,
        },
        { parent: this },
      );
    return { writer: account("writer", writer), reader: account("reader", reader) };
  }

  /** A CronJob whose job runs under the service account of its own name. */
  private cronJob(
    resourceName: string,
    jobName: string,
    pods: Labels,
    schedule: string,
    podSpec: Partial<PodSpec>,
    { namespace, dependsOn }: { namespace: pulumi.Output<string>; dependsOn: pulumi.Resource[] },
  ): k8s.batch.v1.CronJob {
    return new k8s.batch.v1.CronJob(
      resourceName,
      {
        metadata: { name: jobName, namespace, labels: pods },
        spec: { ...cronSchedule(schedule), jobTemplate: jobTemplate(pods, jobName, podSpec) },
      },
      { parent: this, dependsOn },
    );
  }
}
