// Platform rules of this project: logs are kept as long as the environment asks on either cloud, stateful
// resources carry `protect` where the environment asks, and no credential is written into the program in
// clear text.
import {
  configSchema,
  eachKnown,
  ENVIRONMENT,
  forTypes,
  known,
  type PlatformResourcePolicy,
  type PlatformStackPolicy,
  type PolicyResource,
  settings,
} from "./lib/policy";
import { containersOf, podSpecOf, WORKLOAD_TYPES } from "./lib/pods";
import { list, record, text } from "./lib/values";

const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const LOG_BUCKET = "gcp:logging/projectBucketConfig:ProjectBucketConfig";
/** The group EKS writes control-plane logs to (api, audit, authenticator): `/aws/eks/<cluster>/cluster`. */
const CONTROL_PLANE_GROUP = /^\/aws\/eks\/[^/]+\/cluster$/;
/** The group an RDS PostgreSQL instance exports its log, pgaudit entries included, to. */
const DATABASE_AUDIT_GROUP = /^\/aws\/rds\/instance\/[^/]+\/postgresql$/;
/** The log bucket the Cloud SQL pgaudit entries are routed into (components/gcp/cloudsql-audit.ts). */
const DATABASE_AUDIT_BUCKET = "database-audit";

/** aws.cloudwatch.LogGroupArgs and gcp.logging.ProjectBucketConfigArgs as far as log-retention reads them. */
interface LogRetentionProps {
  name?: string;
  retentionInDays?: number;
  bucketId?: string;
  retentionDays?: number;
}

const logRetentionConfig = configSchema({
  environment: ENVIRONMENT,
  minimumRetentionDays: {
    type: "integer",
    minimum: 1,
    default: 30,
    description:
      "Days every CloudWatch log group and the GCP _Default log bucket keep logs at least (the profile's cluster.applicationLogRetentionDays).",
  },
  minimumControlPlaneRetentionDays: {
    type: "integer",
    minimum: 1,
    default: 90,
    description: "Days the EKS control-plane log group, audit log included, keeps logs at least (the profile's cluster.logRetentionDays).",
  },
  minimumDatabaseAuditRetentionDays: {
    type: "integer",
    minimum: 1,
    default: 90,
    description:
      "Days the database's audit logs are kept at least: the RDS /aws/rds/instance/<id>/postgresql log groups and the GCP database-audit log bucket (the profile's database.auditLogRetentionDays).",
  },
});

const logRetention: PlatformResourcePolicy = {
  name: "log-retention",
  description:
    "CloudWatch log groups and the GCP project's _Default log bucket keep logs at least as long as the environment asks; the EKS control-plane group and the database's audit logs (RDS postgresql log groups, the GCP database-audit bucket) longer.",
  rationale:
    "Container logs are what an incident is reconstructed from, and the audit logs say who changed the cluster and the database; when they expire before the incident is noticed, neither question can be answered.",
  anchors: ["CKV_AWS_338"],
  remediationSteps:
    "Raise retentionInDays of the log group (platform:cluster.applicationLogRetentionDays for container logs, platform:cluster.logRetentionDays for the EKS control plane, platform:database.auditLogRetentionDays for the database's) or retentionDays of the _Default or database-audit ProjectBucketConfig to the environment's minimum: 30 days (90 for the control plane and the database's audit logs) in production.",
  enforcementLevel: "mandatory",
  configSchema: logRetentionConfig,
  validateResource: forTypes<LogRetentionProps>([LOG_GROUP, LOG_BUCKET], (props, args, report) => {
    const { environment, minimumRetentionDays, minimumControlPlaneRetentionDays, minimumDatabaseAuditRetentionDays } = settings(
      logRetentionConfig,
      args,
    );
    known(() => {
      if (args.type === LOG_BUCKET) {
        const audit = props.bucketId === DATABASE_AUDIT_BUCKET;
        if (props.bucketId !== "_Default" && !audit) return;
        const days = props.retentionDays;
        // GCP reads an unset or zero retention as its 30-day default.
        const kept = typeof days === "number" && days > 0 ? days : 30;
        const minimum = audit ? minimumDatabaseAuditRetentionDays : minimumRetentionDays;
        if (kept < minimum)
          report(
            `the ${props.bucketId} log bucket keeps logs ${kept} days: ${environment} keeps ${audit ? "database audit logs" : "them"} at least ${minimum}, set retentionDays to ${minimum} or more`,
          );
        return;
      }
      const name = typeof props.name === "string" ? props.name : "";
      const kind = CONTROL_PLANE_GROUP.test(name) ? "control-plane" : DATABASE_AUDIT_GROUP.test(name) ? "database" : "other";
      const minimum = {
        "control-plane": minimumControlPlaneRetentionDays,
        database: minimumDatabaseAuditRetentionDays,
        other: minimumRetentionDays,
      }[kind];
      const what = { "control-plane": "EKS control-plane (audit) logs", database: "database (pgaudit) logs", other: "logs" }[kind];
      const days = props.retentionInDays;
      // No retentionInDays (or 0) keeps logs forever.
      if (typeof days === "number" && days > 0 && days < minimum)
        report(
          `log group ${props.name ?? args.name} keeps logs ${days} days: ${environment} keeps ${what} at least ${minimum}, set retentionInDays to ${minimum} or more`,
        );
    });
  }),
};

const protectConfig = configSchema({
  statefulTypes: {
    type: "array",
    items: { type: "string" },
    default: [
      "aws:rds/instance:Instance",
      "aws:rds/cluster:Cluster",
      "aws:elasticache/replicationGroup:ReplicationGroup",
      "aws:s3/bucket:Bucket",
      "aws:s3/bucketV2:BucketV2",
      "aws:kms/key:Key",
      "aws:eks/cluster:Cluster",
      "gcp:sql/databaseInstance:DatabaseInstance",
      "gcp:redis/instance:Instance",
      "gcp:storage/bucket:Bucket",
      "gcp:kms/keyRing:KeyRing",
      "gcp:kms/cryptoKey:CryptoKey",
      "gcp:container/cluster:Cluster",
    ],
    description: "Types of databases, caches, buckets, keys and clusters: losing one loses data or the platform.",
  },
});

const statefulProtected: PlatformResourcePolicy = {
  name: "stateful-protected",
  description:
    "Databases, caches, buckets, keys and clusters carry Pulumi's protect option, so no update or destroy can delete them by accident.",
  rationale:
    "Pulumi deletes what the program stops declaring and replaces what a changed property forces it to; with protect such a deletion fails instead of losing data, and lifting protection is a deliberate step of its own.",
  anchors: [],
  remediationSteps:
    "Create the resource with { protect: true } (components take it from the environment profile's protect setting); to delete it on purpose, first unprotect it with `pulumi state unprotect`.",
  enforcementLevel: "mandatory",
  configSchema: protectConfig,
  validateResource: (args, report) => {
    if (!settings(protectConfig, args).statefulTypes.includes(args.type))
      args.notApplicable("Policy only applies to stateful resource types");
    if (args.opts.protect !== true) report(`${args.type} ${args.name} is not protected: create it with { protect: true }`);
  },
};

/** Key names that hold a credential when their value is text: *password, *token, *secret, *apiKey, ... */
const HOLDER =
  /(password|passwd|passphrase|secret|token|apikey|privatekey|credentials?|authstring|secretstring|secretdata|secretbinary|secretkey)$/;
/** Keys ending like a holder whose value names a secret instead (Helm's existingSecret, ...). */
const REFERENCES = new Set(["existingsecret", "tlssecret", "secretname", "usesecret"]);
/** Values that point into a secret store rather than holding the secret. */
const STORE_REFERENCE = /^(arn:[\w-]+:(secretsmanager|ssm|kms):|projects\/[^/]+\/secrets\/)/;

const normal = (key: string) => key.toLowerCase().replace(/[^a-z0-9]/g, "");
export const holdsCredential = (key: string): boolean => HOLDER.test(normal(key)) && !REFERENCES.has(normal(key));

interface Finding {
  /** Top-level input the value sits in (what additionalSecretOutputs and propertyDependencies are keyed by). */
  input: string;
  path: string;
}

/** Text values under credential-like keys, skipping labels and annotations (their values name things). */
function credentialsIn(props: Record<string, unknown>): Finding[] {
  const found: Finding[] = [];
  const walk = (value: unknown, path: string, input: string, key: string) => {
    if (typeof value === "string") {
      if (value.trim() !== "" && holdsCredential(key) && !STORE_REFERENCE.test(value)) found.push({ input, path });
      return;
    }
    if (value === null || typeof value !== "object") return;
    for (const child of Object.keys(value)) {
      if (child === "labels" || child === "annotations") continue;
      known(() =>
        walk(
          (value as Record<string, unknown>)[child],
          Array.isArray(value) ? `${path}[${child}]` : `${path}.${child}`,
          input,
          Array.isArray(value) ? key : child,
        ),
      );
    }
  };
  for (const input of Object.keys(props)) known(() => walk(props[input], input, input, input));
  return found;
}

/** Credential-like environment variables given as a literal `value` in a pod template. */
function literalEnv(resource: PolicyResource): string[] {
  return containersOf(podSpecOf(resource.type, resource.props)).flatMap((c) =>
    list(c.container.env)
      .map(record)
      .filter((e) => holdsCredential(text(e.name) ?? "") && (text(e.value) ?? "") !== "")
      .map((e) => `${c.kind} ${c.name} env ${text(e.name) ?? ""}`),
  );
}

const noPlaintextSecrets: PlatformStackPolicy = {
  name: "no-plaintext-secrets",
  description:
    "Inputs that hold credentials (passwords, tokens, secrets, keys) are secret outputs or come from a generated or stored secret; pods read credentials from Secrets, and ConfigMaps hold none.",
  rationale:
    "A plain input is stored unencrypted in the Pulumi state and shown in previews and logs, while a secret is encrypted in state and masked; a ConfigMap can be read by anyone allowed to read the namespace's configuration.",
  anchors: [],
  remediationSteps:
    "Generate the value (random.RandomPassword) or read it from Secrets Manager / Secret Manager, keep it an Output marked secret, and list the input in additionalSecretOutputs if the provider does not mark it secret; in pods use env[].valueFrom.secretKeyRef; move credentials out of ConfigMaps into Secrets.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    eachKnown(args.resources, (resource) => {
      if (resource.type === "kubernetes:core/v1:ConfigMap") {
        for (const key of ["data", "binaryData"]) {
          for (const name of Object.keys(record(resource.props[key] as unknown)).filter(holdsCredential)) {
            report(`ConfigMap ${resource.name} holds ${key}.${name}, which looks like a credential: move it to a Secret`, resource.urn);
          }
        }
        return;
      }
      if (WORKLOAD_TYPES.includes(resource.type)) {
        for (const at of literalEnv(resource))
          report(`${resource.name}: ${at} is a literal value in the pod spec: read it with valueFrom.secretKeyRef`, resource.urn);
      }
      for (const { input, path } of credentialsIn(resource.props)) {
        const secretOutput = resource.opts.additionalSecretOutputs.includes(input);
        const fromResource = (resource.propertyDependencies[input] ?? []).length > 0;
        if (!secretOutput && !fromResource) {
          report(
            `${resource.type} ${resource.name} sets ${path} to a value written in the program: generate it or read it from the secret store as a secret Output (or list ${input} in additionalSecretOutputs)`,
            resource.urn,
          );
        }
      }
    });
  },
};

export const platformPolicies = [logRetention, statefulProtected, noPlaintextSecrets];
