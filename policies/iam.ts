// IAM and KMS: no Allow of every action on every resource, web-identity trust scoped to one subject, and
// rotating keys. Anchors: CKV_AWS_7/62/63/355/358, @pulumi/awsguard, compliance-policies.
import { forTypes, type PlatformResourcePolicy, type ReportViolation } from "./lib/policy";
import { list, record, type Statement, statementLabel, statements, strings, text } from "./lib/values";

const POLICY_DOCUMENT_TYPES = [
  "aws:iam/policy:Policy",
  "aws:iam/rolePolicy:RolePolicy",
  "aws:iam/userPolicy:UserPolicy",
  "aws:iam/groupPolicy:GroupPolicy",
];
const ROLE = "aws:iam/role:Role";
const ATTACHMENT_TYPES = [
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  "aws:iam/userPolicyAttachment:UserPolicyAttachment",
  "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
  "aws:iam/policyAttachment:PolicyAttachment",
];

/** Inputs holding IAM documents (JSON text, as components/aws/iam.ts writes every document). */
export interface PolicyDocumentProps {
  policy?: string;
}
export interface RoleProps {
  assumeRolePolicy?: string;
  inlinePolicies?: { name?: string; policy?: string }[];
  managedPolicyArns?: string[];
}
export interface PolicyAttachmentProps {
  policyArn?: string;
}

const isAdministratorAccess = (arn: unknown) => typeof arn === "string" && /^arn:[\w-]+:iam::aws:policy\/AdministratorAccess$/.test(arn);

/** Reports each statement of `document` that allows every action (or all but some) on every resource. */
function checkDocument(document: unknown, where: string, report: ReportViolation) {
  statements(document).forEach((s: Statement, index) => {
    if (s.Effect !== "Allow") return;
    const everyResource = strings(s.Resource).includes("*") || s.NotResource !== undefined;
    if (!everyResource) return;
    const actions = strings(s.Action);
    if (actions.some((a) => a === "*" || a === "*:*")) {
      report(`${where} ${statementLabel(s, index)} allows "*" on "*": list the actions the principal needs and the ARNs it needs them on`);
    } else if (s.NotAction !== undefined) {
      report(
        `${where} ${statementLabel(s, index)} allows every action except ${strings(s.NotAction).join(", ")} on "*": replace NotAction with the actions the principal needs`,
      );
    }
  });
}

const iamNoStar: PlatformResourcePolicy = {
  name: "iam-no-star",
  description: "No IAM policy allows every action on every resource, and no one is given AdministratorAccess.",
  rationale:
    "A principal allowed everything turns any leak of its credentials, or any flaw in what runs as it, into a takeover of the whole account.",
  anchors: ["CKV_AWS_62", "CKV_AWS_63", "CKV_AWS_355"],
  remediationSteps:
    "Write statements that name the actions and resource ARNs the principal needs (grant() in components/aws/iam.ts), and do not attach arn:aws:iam::aws:policy/AdministratorAccess.",
  enforcementLevel: "mandatory",
  validateResource: forTypes<PolicyDocumentProps & PolicyAttachmentProps & RoleProps>(
    [...POLICY_DOCUMENT_TYPES, ...ATTACHMENT_TYPES, ROLE],
    (props, args, report) => {
      if (POLICY_DOCUMENT_TYPES.includes(args.type)) return checkDocument(props.policy, "policy", report);
      if (ATTACHMENT_TYPES.includes(args.type)) {
        if (isAdministratorAccess(props.policyArn))
          report("attaches AdministratorAccess: attach a policy that grants only what the principal needs");
        return;
      }
      list(props.inlinePolicies).forEach((p, i) =>
        checkDocument(record(p).policy, `inline policy ${text(record(p).name) ?? i + 1}`, report),
      );
      if (strings(props.managedPolicyArns).some(isAdministratorAccess))
        report("managedPolicyArns includes AdministratorAccess: attach a policy that grants only what the role needs");
    },
  ),
};

const WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity";

/** The `<provider>:sub` condition values of a statement, from StringEquals or StringLike (any ...IfExists excluded). */
function subjectConditions(s: Statement): string[] {
  const conditions = record(s.Condition);
  return ["StringEquals", "StringLike", "ForAnyValue:StringEquals", "ForAnyValue:StringLike"].flatMap((operator) =>
    Object.entries(record(conditions[operator]))
      .filter(([key]) => key.endsWith(":sub"))
      .flatMap(([, value]) => strings(value)),
  );
}

const iamTrustScoped: PlatformResourcePolicy = {
  name: "iam-trust-scoped",
  description:
    "A role trusted by an OIDC provider (IRSA, CI) can only be assumed by the one subject named in a `sub` condition; no role trusts everyone.",
  rationale:
    "An OIDC trust without a `sub` condition lets every service account of the cluster, or every repository of the CI provider, assume the role.",
  anchors: ["CKV_AWS_358"],
  remediationSteps:
    'In the trust policy of a web-identity role add Condition { StringEquals: { "<issuer>:sub": "system:serviceaccount:<namespace>:<name>", "<issuer>:aud": "sts.amazonaws.com" } } (for CI, the repository and branch), and never use Principal "*".',
  enforcementLevel: "mandatory",
  validateResource: forTypes<RoleProps>([ROLE], (props, _args, report) => {
    statements(props.assumeRolePolicy).forEach((s, index) => {
      if (s.Effect !== "Allow") return;
      const principal = s.Principal;
      const anyone = principal === "*" || strings(record(principal).AWS).includes("*");
      if (anyone && Object.keys(record(s.Condition)).length === 0)
        report(`trust ${statementLabel(s, index)} lets any AWS principal assume the role: name the account, role or service that may`);
      const federated = strings(record(principal).Federated);
      if (!strings(s.Action).includes(WEB_IDENTITY) && federated.length === 0) return;
      const subjects = subjectConditions(s);
      if (subjects.length === 0)
        report(
          `trust ${statementLabel(s, index)} lets any identity of ${federated.join(", ") || "the OIDC provider"} assume the role: add a StringEquals condition on <issuer>:sub naming the one subject`,
        );
      else if (subjects.some((v) => v === "*"))
        report(`trust ${statementLabel(s, index)} matches sub "*": name the subject (system:serviceaccount:<namespace>:<name>)`);
    });
  }),
};

/** aws.kms.KeyArgs and gcp.kms.CryptoKeyArgs as far as kms-rotation reads them. */
export interface KmsKeyProps {
  enableKeyRotation?: boolean;
  rotationPeriodInDays?: number;
  customerMasterKeySpec?: string;
}
export interface CryptoKeyProps {
  rotationPeriod?: string;
  purpose?: string;
}

const kmsRotation: PlatformResourcePolicy = {
  name: "kms-rotation",
  description: "Symmetric KMS keys rotate their key material at least yearly.",
  rationale:
    "Rotation bounds how much data one version of a key protects and how long a leaked version stays useful; old versions still decrypt, so rotation breaks nothing.",
  anchors: ["CKV_AWS_7", "@pulumi/awsguard", "Pulumi compliance-policies"],
  remediationSteps:
    'AWS: set enableKeyRotation to true (rotationPeriodInDays 365 or less). GCP: set rotationPeriod, e.g. "7776000s" (90 days).',
  enforcementLevel: "mandatory",
  validateResource: forTypes<KmsKeyProps & CryptoKeyProps>(["aws:kms/key:Key", "gcp:kms/cryptoKey:CryptoKey"], (props, args, report) => {
    if (args.type === "gcp:kms/cryptoKey:CryptoKey") {
      if ((props.purpose ?? "ENCRYPT_DECRYPT") !== "ENCRYPT_DECRYPT") return;
      const seconds = Number(/^(\d+)s$/.exec(props.rotationPeriod ?? "")?.[1] ?? NaN);
      if (!(seconds <= 365 * 86400)) report(`rotationPeriod is ${props.rotationPeriod ?? "unset"}: set it to at most "31536000s" (a year)`);
      return;
    }
    // Only symmetric encryption keys support automatic rotation.
    if ((props.customerMasterKeySpec ?? "SYMMETRIC_DEFAULT") !== "SYMMETRIC_DEFAULT") return;
    if (props.enableKeyRotation !== true) report("enableKeyRotation is not true: set it to true");
    else if (typeof props.rotationPeriodInDays === "number" && props.rotationPeriodInDays > 365)
      report(`rotationPeriodInDays is ${props.rotationPeriodInDays}: set it to 365 or less`);
  }),
};

export const iamPolicies = [iamNoStar, iamTrustScoped, kmsRotation];
