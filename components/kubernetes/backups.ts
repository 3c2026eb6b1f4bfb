// Logical backups of the platform's Postgres, beside the cloud's own snapshots: a daily CronJob streams a
// compressed pg_dump straight into the backup bucket, and a weekly CronJob restores the newest complete
// dump into a throwaway Postgres inside its own pod and checks it, so a broken backup raises an alert
// long before anyone needs it. Credentials arrive through External Secrets; the bucket through workload
// identity (the writer cannot read or delete, the verifier cannot write).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { BackupStore, KubernetesCluster, PostgresEndpoint } from "../types";
import { PlatformNamespace, type PodSecurity } from "./namespace";
import { dnsEgress, internetHttpsEgress, type Labels } from "./network-policy";
import { restrictedContainerSecurity, restrictedPodSecurity, scratchVolume } from "./pod-security";
import type { SecretsSync } from "./secrets";

/** Postgres images by server major, pinned: pg_dump must be at least as new as the server. */
export const POSTGRES_IMAGES: Readonly<Record<string, string>> = {
  "17": "docker.io/library/postgres:17.11-bookworm",
  "18": "docker.io/library/postgres:18.6-bookworm",
};
export const RCLONE_IMAGE = "docker.io/rclone/rclone:1.75.0";
/** The postgres user of the Debian-based image: the throwaway server must run as it. */
export const POSTGRES_IMAGE_UID = 999;
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
  /** @default DEFAULT_MAX_DUMP_AGE_HOURS */
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

export class PostgresBackups extends pulumi.ComponentResource {
  readonly namespace: string;
  readonly backup: k8s.batch.v1.CronJob;
  readonly restoreVerification: k8s.batch.v1.CronJob;

  constructor(name: string, args: PostgresBackupsArgs, opts?: pulumi.ComponentResourceOptions) {
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
    super("platform:kubernetes:PostgresBackups", name, {}, opts);
    const namespaceName = args.namespace ?? "backups";
    this.namespace = namespaceName;
    const db = args.database;
    const dumpPods = { ...JOB_LABELS, "app.kubernetes.io/name": BACKUP_CRONJOB };
    const restorePods = { ...JOB_LABELS, "app.kubernetes.io/name": RESTORE_CRONJOB };
    const ns = new PlatformNamespace(
      `${name}-ns`,
      {
        name: namespaceName,
        podSecurity: args.podSecurity,
        allowances: [
          dnsEgress(),
          { name: "to-postgres", direction: "Egress", pods: dumpPods, peers: [{ cidrs: db.privateCidrs }], ports: [{ port: db.port }] },
          // The storage API (S3 or GCS) and the cloud's token service for workload identity.
          internetHttpsEgress("to-storage"),
        ],
      },
      { parent: this },
    );
    const namespace = ns.ready;

    const writer = args.cluster.bindServiceAccount("backup-writer", { namespace: namespaceName, name: BACKUP_CRONJOB });
    args.store.grantWrite(writer);
    const reader = args.cluster.bindServiceAccount("backup-reader", { namespace: namespaceName, name: RESTORE_CRONJOB });
    args.store.grantRead(reader);
    const account = (id: string, identity: typeof writer) =>
      new k8s.core.v1.ServiceAccount(
        `${name}-${id}-sa`,
        {
          metadata: { name: identity.serviceAccount.name, namespace, labels: JOB_LABELS, annotations: identity.serviceAccountAnnotations },
          automountServiceAccountToken: false,
        },
        { parent: this },
      );
    const writerAccount = account("writer", writer);
    const readerAccount = account("reader", reader);

    const credentials = "postgres-credentials";
    const synced = args.secrets.sync(
      `${name}-credentials`,
      namespace,
      credentials,
      [
        { secretKey: "username", remoteKey: db.credentialsSecret, property: "username" },
        { secretKey: "password", remoteKey: db.credentialsSecret, property: "password" },
      ],
      this,
    );

    const postgresImage = POSTGRES_IMAGES[db.engineMajor]!;
    const storeEnv = pulumi
      .all([args.store.rcloneEnv, args.store.bucketName])
      .apply(([env, bucket]) => [
        ...Object.entries(env).map(([envName, value]) => ({ name: envName, value })),
        { name: "BUCKET", value: bucket },
        { name: "SSL_CERT_FILE", value: "/tools/ca-certificates.crt" },
      ]);
    const container = (c: Omit<k8s.types.input.core.v1.Container, "securityContext">): k8s.types.input.core.v1.Container => ({
      ...c,
      securityContext: restrictedContainerSecurity(),
      resources: c.resources ?? { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "512Mi" } },
    });
    // The rclone binary (static) is copied next to the Postgres tools, so one shell pipes one into the other,
    // with the CA bundle of its image: the Postgres image keeps none for rclone's HTTPS calls.
    const tools = container({
      name: "tools",
      image: RCLONE_IMAGE,
      command: ["cp", "/usr/local/bin/rclone", "/etc/ssl/certs/ca-certificates.crt", "/tools/"],
      volumeMounts: [{ name: "tools", mountPath: "/tools" }],
      resources: { requests: { cpu: "50m", memory: "32Mi" }, limits: { memory: "64Mi" } },
    });
    const jobSpec = (
      pods: Labels,
      serviceAccountName: string,
      podSpec: Partial<k8s.types.input.core.v1.PodSpec>,
      deadlineSeconds: number,
    ): k8s.types.input.batch.v1.JobTemplateSpec => ({
      metadata: { labels: pods },
      spec: {
        backoffLimit: 2,
        activeDeadlineSeconds: deadlineSeconds,
        template: {
          metadata: { labels: pods },
          spec: {
            restartPolicy: "Never",
            serviceAccountName,
            // The projected web identity token still mounts; no Kubernetes API token is needed.
            automountServiceAccountToken: false,
            securityContext: restrictedPodSecurity(POSTGRES_IMAGE_UID),
            ...podSpec,
          } as k8s.types.input.core.v1.PodSpec,
        },
      },
    });
    const cronSpec = (schedule: string) => ({
      schedule,
      timeZone: "Etc/UTC",
      // A slow run is never overlapped by the next one.
      concurrencyPolicy: "Forbid",
      startingDeadlineSeconds: 3600,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 5,
    });

    this.backup = new k8s.batch.v1.CronJob(
      `${name}-backup`,
      {
        metadata: { name: BACKUP_CRONJOB, namespace, labels: dumpPods },
        spec: {
          ...cronSpec(args.schedule),
          jobTemplate: jobSpec(
            dumpPods,
            BACKUP_CRONJOB,
            {
              initContainers: [tools],
              containers: [
                container({
                  name: "dump",
                  image: postgresImage,
                  command: ["bash", "-c", BACKUP_SCRIPT],
                  env: pulumi
                    .all([storeEnv, db.host])
                    .apply(([store, host]) => [
                      { name: "PGHOST", value: host },
                      { name: "PGPORT", value: String(db.port) },
                      { name: "PGDATABASE", value: db.databaseName },
                      { name: "PGSSLMODE", value: "require" },
                      { name: "PGUSER", valueFrom: { secretKeyRef: { name: credentials, key: "username" } } },
                      { name: "PGPASSWORD", valueFrom: { secretKeyRef: { name: credentials, key: "password" } } },
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
            },
            5 * 3600,
          ),
        },
      },
      { parent: this, dependsOn: [writerAccount, synced] },
    );

    const serverData = [
      { name: "pgdata", mountPath: "/var/lib/postgresql/data" },
      { name: "pgrun", mountPath: "/var/run/postgresql" },
      { name: "scratch", mountPath: "/tmp" },
    ];
    this.restoreVerification = new k8s.batch.v1.CronJob(
      `${name}-restore-verification`,
      {
        metadata: { name: RESTORE_CRONJOB, namespace, labels: restorePods },
        spec: {
          ...cronSpec(args.restoreVerificationSchedule),
          jobTemplate: jobSpec(
            restorePods,
            RESTORE_CRONJOB,
            {
              initContainers: [
                tools,
                // The throwaway server: a native sidecar (restartPolicy Always) that stops when the check ends.
                // It listens on localhost only and trusts local connections; nothing outside the pod reaches it.
                container({
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
                  volumeMounts: serverData,
                }),
              ],
              containers: [
                container({
                  name: "verify",
                  image: postgresImage,
                  command: ["bash", "-c", RESTORE_SCRIPT],
                  env: storeEnv.apply((store) => [
                    { name: "SOURCE_DATABASE", value: db.databaseName },
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
                      metadata: { labels: restorePods },
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
            },
            5 * 3600,
          ),
        },
      },
      { parent: this, dependsOn: [readerAccount] },
    );
    this.registerOutputs({ namespace: this.namespace });
  }
}
