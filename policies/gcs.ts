// GCS: no public buckets (public access prevention enforced, no allUsers or allAuthenticatedUsers grant
// or ACL), and backup buckets with uniform access, versioning and a delete rule at the environment's
// retention. Anchors: compliance-policies, CKV_GCP_29/62/78/114.
import {
  configSchema,
  ENVIRONMENT,
  forTypes,
  type PlatformResourcePolicy,
  type ResourceValidationArgs,
  type ReportViolation,
  settings,
} from "./lib/policy";
import { json, list, record, strings, text } from "./lib/values";

const BUCKET = "gcp:storage/bucket:Bucket";
const IAM_MEMBER = "gcp:storage/bucketIAMMember:BucketIAMMember";
const IAM_BINDING = "gcp:storage/bucketIAMBinding:BucketIAMBinding";
const IAM_POLICY = "gcp:storage/bucketIAMPolicy:BucketIAMPolicy";
const ACL_TYPES = [
  "gcp:storage/bucketAccessControl:BucketAccessControl",
  "gcp:storage/defaultObjectAccessControl:DefaultObjectAccessControl",
  "gcp:storage/objectAccessControl:ObjectAccessControl",
];
const BUCKET_ACL = "gcp:storage/bucketACL:BucketACL";
const PUBLIC = ["allUsers", "allAuthenticatedUsers"];

/** gcp.storage.BucketArgs as far as these policies read it. */
export interface GcsBucketProps {
  name?: string;
  publicAccessPrevention?: string;
  uniformBucketLevelAccess?: boolean;
  versioning?: { enabled?: boolean };
  lifecycleRules?: {
    action?: { type?: string };
    condition?: { age?: number; daysSinceNoncurrentTime?: number; numNewerVersions?: number; withState?: string };
  }[];
}
export interface GcsIamProps {
  member?: string;
  members?: string[];
  policyData?: string;
  entity?: string;
  roleEntities?: string[];
  predefinedAcl?: string;
}

const isPublicMember = (member: string) => PUBLIC.some((p) => member === p || member.endsWith(`:${p}`));

function checkGrants(args: ResourceValidationArgs, props: GcsIamProps, report: ReportViolation) {
  const members =
    args.type === IAM_POLICY
      ? list(record(json(props.policyData)).bindings).flatMap((b) => strings(record(b).members))
      : args.type === BUCKET_ACL
        ? strings(props.roleEntities).map((e) => e.split(":").slice(1).join(":"))
        : ACL_TYPES.includes(args.type)
          ? strings([props.entity])
          : strings([props.member, ...strings(props.members)]);
  const open = members.filter(isPublicMember);
  if (open.length > 0) report(`grants access to ${[...new Set(open)].join(" and ")}: grant a named service account or group instead`);
  if (args.type === BUCKET_ACL && /^public/i.test(props.predefinedAcl ?? ""))
    report(`predefinedAcl is ${props.predefinedAcl ?? ""}: use "private" or IAM grants to named principals`);
}

const gcsNoPublic: PlatformResourcePolicy = {
  name: "gcs-no-public",
  description: "Buckets enforce public access prevention, and nothing grants allUsers or allAuthenticatedUsers.",
  rationale:
    "One allUsers grant publishes a whole bucket; with public access prevention enforced such a grant fails, so the backups cannot be made public by mistake.",
  anchors: ["CKV_GCP_114", "Pulumi compliance-policies"],
  remediationSteps: 'Set publicAccessPrevention to "enforced" on the bucket and grant access only to named service accounts or groups.',
  enforcementLevel: "mandatory",
  validateResource: forTypes<GcsBucketProps & GcsIamProps>(
    [BUCKET, IAM_MEMBER, IAM_BINDING, IAM_POLICY, BUCKET_ACL, ...ACL_TYPES],
    (props, args, report) => {
      if (args.type !== BUCKET) return checkGrants(args, props, report);
      if (props.publicAccessPrevention !== "enforced")
        report(`publicAccessPrevention is ${props.publicAccessPrevention ?? "unset (inherited)"}: set it to "enforced"`);
    },
  ),
};

const postureConfig = configSchema({
  environment: ENVIRONMENT,
  retentionDays: {
    type: "integer",
    minimum: 1,
    default: 30,
    description: "Days a backup is kept (the environment profile's backups.retentionDays).",
  },
  backupBucketPattern: {
    type: "string",
    default: "backup",
    description: "Case-insensitive pattern; a bucket whose resource name or bucket name matches it holds backups.",
  },
});

const gcsBackupPosture: PlatformResourcePolicy = {
  name: "gcs-backup-posture",
  description:
    "Backup buckets use uniform bucket-level access, keep object versions, and delete objects after the environment's retention.",
  rationale:
    "Uniform access removes object ACLs, so IAM alone says who reads the backups; versions recover an overwritten or deleted dump; lifecycle deletion keeps dumps for the promised window and no longer.",
  anchors: ["CKV_GCP_29", "CKV_GCP_78", "CKV_GCP_62"],
  remediationSteps:
    "Set uniformBucketLevelAccess to true, versioning.enabled to true, and lifecycleRules with a Delete action at condition.age equal to the backup retention (platform:backups.retentionDays) plus one for noncurrent versions.",
  enforcementLevel: "mandatory",
  configSchema: postureConfig,
  validateResource: forTypes<GcsBucketProps>([BUCKET], (props, args, report) => {
    const { environment, retentionDays, backupBucketPattern } = settings(postureConfig, args);
    const pattern = new RegExp(backupBucketPattern, "i");
    if (!pattern.test(args.name) && !pattern.test(text(props.name) ?? "")) return;
    if (props.uniformBucketLevelAccess !== true)
      report("uniformBucketLevelAccess is not true: set it to true so access is governed by IAM alone");
    if (props.versioning?.enabled !== true)
      report("versioning.enabled is not true: set it to true so an overwritten or deleted dump can be recovered");
    const deletes = list(props.lifecycleRules)
      .map((r) => record(r))
      .filter((r) => record(r.action).type === "Delete")
      .map((r) => record(r.condition));
    const ages = deletes.map((c) => c.age).filter((a): a is number => typeof a === "number");
    if (ages.length === 0)
      report(`no lifecycle rule deletes objects: add a Delete rule with condition.age ${retentionDays} (${environment} retention)`);
    else if (!ages.includes(retentionDays))
      report(
        `objects are deleted after ${ages.join(", ")} days: ${environment} keeps backups ${retentionDays} days, set condition.age to ${retentionDays}`,
      );
    if (
      props.versioning?.enabled === true &&
      !deletes.some((c) => c.daysSinceNoncurrentTime !== undefined || c.numNewerVersions !== undefined || c.withState === "ARCHIVED")
    ) {
      report("noncurrent versions are kept forever: add a Delete rule with condition.daysSinceNoncurrentTime");
    }
  }),
};

export const gcsPolicies = [gcsNoPublic, gcsBackupPosture];
