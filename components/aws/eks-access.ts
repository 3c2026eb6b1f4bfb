// Who may use an EKS cluster, as pure rules: the EKS access policies the platform associates, the role an
// ARN names, and whether the identity running `pulumi up` is one the cluster's access entries admit. No
// Pulumi resources, so the rules are tested directly (components/aws/eks-access-entries.ts makes the entries).

/**
 * The EKS access policies the platform associates, by name. Their ARN is
 * `arn:<partition>:eks::aws:cluster-access-policy/<name>` (EKS User Guide, "Review access policy permissions",
 * awsdocs/amazon-eks-user-guide latest/ug/manage-access/k8s-access/access-policy-reference.adoc).
 */
export const EKS_ACCESS_POLICY = {
  /** `*` on every API group, resource and non-resource URL: Kubernetes' cluster-admin. */
  clusterAdmin: "AmazonEKSClusterAdminPolicy",
  /** get, list and watch on every resource of every API group, Secrets included; no write, no exec. */
  adminView: "AmazonEKSAdminViewPolicy",
} as const;

/** An IAM role as access entries and callers name it: its account and its name (paths aside, names are unique per account). */
export interface RoleName {
  partition: string;
  account: string;
  name: string;
}

const IAM_ROLE = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/;
const ASSUMED_ROLE = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([\w+=,.@-]+)\/[^/]+$/;

/**
 * The role an IAM role ARN (`arn:aws:iam::<account>:role/<path/><name>`) or an assumed-role session ARN (what
 * `sts get-caller-identity` returns, `arn:aws:sts::<account>:assumed-role/<name>/<session>`) names; undefined
 * for anything else (an IAM user, the account root, a federated user).
 */
export function roleOf(arn: string): RoleName | undefined {
  const match = IAM_ROLE.exec(arn) ?? ASSUMED_ROLE.exec(arn);
  return match ? { partition: match[1]!, account: match[2]!, name: match[3]! } : undefined;
}

/** Whether two ARNs name the same IAM role (an SSO role's ARN carries a path its session ARN does not). */
export function sameRole(a: string, b: string): boolean {
  const [x, y] = [roleOf(a), roleOf(b)];
  return x !== undefined && y !== undefined && x.partition === y.partition && x.account === y.account && x.name === y.name;
}

/** The two lists of roles access entries are made from, by their config and argument names. */
export type AccessList = "adminRoleArns" | "viewerRoleArns";

/** A place in an access list whose role EKS would refuse a second entry for. */
export interface AccessListConflict {
  list: AccessList;
  index: number;
  /** `repeated`: an earlier place of the same list names the role; `admin`: adminRoleArns names it too. */
  kind: "repeated" | "admin";
}

/**
 * Each role once across the access lists: EKS refuses a second access entry for a principal (409
 * ResourceInUseException; EKS User Guide, "Create access entries": an IAM principal can't be included in more
 * than one access entry). Roles are compared by sameRole, so an SSO role's ARN with and without its path is one.
 * Repeats come first, list by list, then viewers that are admins already.
 */
export function accessListConflicts(admins: readonly string[], viewers: readonly string[]): AccessListConflict[] {
  const conflicts: AccessListConflict[] = [];
  const lists: [AccessList, readonly string[]][] = [
    ["adminRoleArns", admins],
    ["viewerRoleArns", viewers],
  ];
  for (const [list, arns] of lists) {
    arns.forEach((arn, index) => {
      if (arns.findIndex((other) => sameRole(other, arn)) < index) conflicts.push({ list, index, kind: "repeated" });
    });
  }
  viewers.forEach((arn, index) => {
    if (admins.some((admin) => sameRole(admin, arn))) conflicts.push({ list: "viewerRoleArns", index, kind: "admin" });
  });
  return conflicts;
}

/** The roles given access through the cluster's access entries. */
export interface ClusterAccess {
  /** Roles with the cluster admin access policy: `pulumi up` must run as one of them. */
  admins: readonly string[];
  /** Roles with the admin view access policy: enough for `pulumi preview` and a refresh. */
  viewers: readonly string[];
}

/**
 * Why the identity `callerArn` cannot do what it is about to, or undefined when it can. A deploy needs a role
 * with cluster admin; a preview (or a drift check, which previews) reads the cluster, so a viewer will do. The
 * cluster gives the identity that creates it no implicit access, so an identity listed nowhere would create a
 * cluster it cannot then reach, and the Kubernetes half of the deploy would fail. The sentence starts with
 * the key to change (`platform:cluster.adminRoleArns ...`), as config errors do.
 */
export function callerAccessProblem(callerArn: string, access: ClusterAccess, previewOnly: boolean): string | undefined {
  const role = roleOf(callerArn);
  const listed = (roles: readonly string[]) => roles.some((arn) => sameRole(arn, callerArn));
  if (role !== undefined && (listed(access.admins) || (previewOnly && listed(access.viewers)))) return undefined;
  const needed = previewOnly ? "platform:cluster.adminRoleArns or platform:cluster.viewerRoleArns" : "platform:cluster.adminRoleArns";
  const why = "the cluster's API admits only the roles these keys list (the identity that creates the cluster gets no access of its own)";
  if (role === undefined) {
    return `${needed} must list the IAM role ${previewOnly ? "pulumi preview" : "pulumi up"} runs as, and it runs as ${callerArn}, which is not a role: assume one of the listed roles (an SSO permission set, AWS_PROFILE, or CI's role), because ${why}`;
  }
  const viewerOnly = !previewOnly && listed(access.viewers);
  return (
    `${needed} must list the role ${previewOnly ? "pulumi preview" : "pulumi up"} runs as, ${role.name} in account ${role.account} (${callerArn})` +
    (viewerOnly ? ", which platform:cluster.viewerRoleArns lists for reading only" : "") +
    `: add its ARN (aws iam get-role --role-name ${role.name} --query Role.Arn) to ${previewOnly ? "one of them" : "it"}, or run as a listed role, because ${why}`
  );
}
