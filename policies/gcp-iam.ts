// GCP IAM: no basic roles (owner, editor, viewer) and no use of the default Compute Engine or App Engine
// service accounts. Anchors: CKV_GCP_41/42/117.
import { forTypes, type PlatformResourcePolicy } from "./lib/policy";
import { json, list, record, strings, text } from "./lib/values";

const BASIC_ROLES = ["roles/owner", "roles/editor", "roles/viewer"];

/** Every `gcp:<module>/iAMMember|iAMBinding|iAMPolicy` resource, plus instances that run as a service account. */
const GRANTS = /^gcp:[\w]+\/iAM(Member|Binding|Policy):IAM(Member|Binding|Policy)$/;
const INSTANCES = ["gcp:compute/instance:Instance", "gcp:compute/instanceTemplate:InstanceTemplate"];

export interface GcpIamProps {
  role?: string;
  member?: string;
  members?: string[];
  policyData?: string;
}
export interface ComputeInstanceProps {
  serviceAccount?: { email?: string };
}

const isDefaultServiceAccount = (member: string) =>
  /-compute@developer\.gserviceaccount\.com$|@appspot\.gserviceaccount\.com$/.test(member);

const gcpNoBasicRoles: PlatformResourcePolicy = {
  name: "gcp-no-basic-roles",
  description: "No grant of the basic roles owner, editor or viewer, and nothing granted to or run as a default service account.",
  rationale:
    "Owner, editor and viewer span every service of the project, and the default compute service account holds Editor, so anything granted them, or running as it, reaches far beyond its task.",
  anchors: ["CKV_GCP_41", "CKV_GCP_42", "CKV_GCP_117"],
  remediationSteps:
    "Grant predefined or custom roles that cover only what the member needs, to a dedicated service account; never use <number>-compute@developer.gserviceaccount.com or <project>@appspot.gserviceaccount.com.",
  enforcementLevel: "mandatory",
  validateResource: forTypes<GcpIamProps & ComputeInstanceProps>([...INSTANCES, GRANTS], (props, args, report) => {
    if (INSTANCES.includes(args.type)) {
      const email = text(props.serviceAccount?.email);
      if (email !== undefined && (email === "default" || isDefaultServiceAccount(email)))
        report(`serviceAccount.email is ${email}: run the instance as a dedicated service account`);
      return;
    }
    const bindings = args.type.endsWith(":IAMPolicy")
      ? list(record(json(props.policyData)).bindings).map((b) => ({ role: text(record(b).role), members: strings(record(b).members) }))
      : [{ role: props.role, members: strings([props.member, ...strings(props.members)]) }];
    for (const { role, members } of bindings) {
      if (role !== undefined && BASIC_ROLES.includes(role))
        report(`grants the basic role ${role}: grant a predefined or custom role with only the permissions needed`);
      const defaults = members.filter(isDefaultServiceAccount);
      if (defaults.length > 0)
        report(`grants ${role ?? "a role"} to the default service account ${defaults.join(", ")}: grant it to a dedicated service account`);
    }
  }),
};

export const gcpIamPolicies = [gcpNoBasicRoles];
