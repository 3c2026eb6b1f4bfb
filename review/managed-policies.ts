// AWS managed policies are named by ARN, and a wrong path (`policy/AmazonEBSCSIDriverPolicy` instead of
// `policy/service-role/AmazonEBSCSIDriverPolicy`) is only found by AWS, as NoSuchEntity, in the middle
// of a deploy. The provider SDK lists every AWS managed policy; the review refuses any ARN it lacks.
import { iam } from "@pulumi/aws/types/enums";
import { childPath, type RecordedResource } from "./engine";
import { ReviewError } from "./stack-file";

const MANAGED_POLICY_ARN = /arn:[a-z-]+:iam::aws:policy\/[\w+=,.@/-]+/g;
const KNOWN: ReadonlySet<string> = new Set(Object.values(iam.ManagedPolicy));

// EKS access policies are named by ARN too, and the SDK has no list of them: an unknown name is found by EKS,
// at AssociateAccessPolicy, after the access entry exists. These are the names `aws eks list-access-policies`
// returns, as the EKS User Guide lists them ("Review access policy permissions": awsdocs/amazon-eks-user-guide
// latest/ug/manage-access/k8s-access/access-policy-reference.adoc@c88259ae, and the list-access-policies sample
// of docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html, read 2026-12).
const EKS_ACCESS_POLICY_ARN = /arn:[a-z-]+:eks::aws:cluster-access-policy\/[\w+=,.@-]+/g;
export const EKS_ACCESS_POLICIES: ReadonlySet<string> = new Set([
  "AmazonAIOpsAssistantPolicy",
  "AmazonARCRegionSwitchScalingPolicy",
  "AmazonEKSAdminPolicy",
  "AmazonEKSAdminViewPolicy",
  "AmazonEKSAutoNodePolicy",
  "AmazonEKSBlockStorageClusterPolicy",
  "AmazonEKSBlockStoragePolicy",
  "AmazonEKSClusterAdminPolicy",
  "AmazonEKSComputeClusterPolicy",
  "AmazonEKSComputePolicy",
  "AmazonEKSEditPolicy",
  "AmazonEKSHybridPolicy",
  "AmazonEKSLoadBalancingClusterPolicy",
  "AmazonEKSLoadBalancingPolicy",
  "AmazonEKSNetworkingClusterPolicy",
  "AmazonEKSNetworkingPolicy",
  "AmazonEKSViewPolicy",
]);

/** The ARN as the SDK writes it: the commercial partition. */
const commercial = (arn: string) => arn.replace(/^arn:[a-z-]+:/, "arn:aws:");

/** Every string inside a value (JSON policy documents stay text here, so ARNs inside them are found too). */
function* strings(value: unknown, path: string): Generator<[string, string]> {
  if (typeof value === "string") yield [path, value];
  else if (Array.isArray(value)) for (const [i, v] of value.entries()) yield* strings(v, childPath(path, i));
  else if (value !== null && typeof value === "object") for (const [k, v] of Object.entries(value)) yield* strings(v, childPath(path, k));
}

/** A listed policy of the same name under another path, for the error's hint. */
function listedAs(arn: string): string | undefined {
  const name = arn.split("/").pop();
  return [...KNOWN].find((known) => known.split("/").pop() === name);
}

/** An EKS access policy of the same name up to case, for the error's hint. */
function accessPolicyLike(name: string): string | undefined {
  return [...EKS_ACCESS_POLICIES].find((known) => known.toLowerCase() === name.toLowerCase());
}

/**
 * One line per AWS managed policy ARN the provider SDK does not list, and per EKS access policy ARN the EKS
 * User Guide does not list, naming the resource and input.
 */
export function unknownManagedPolicies(resources: readonly RecordedResource[]): string[] {
  const problems: string[] = [];
  for (const resource of resources) {
    for (const [path, text] of strings(resource.inputs, "")) {
      for (const arn of text.match(EKS_ACCESS_POLICY_ARN) ?? []) {
        const name = arn.split("/").pop()!;
        if (EKS_ACCESS_POLICIES.has(name)) continue;
        const hint = accessPolicyLike(name);
        problems.push(
          `${resource.type} ${resource.name}: ${path} names ${arn}, which is not an EKS access policy the EKS User Guide lists` +
            (hint ? ` (did you mean ${arn.replace(/[^/]+$/, hint)}?)` : ""),
        );
      }
      for (const arn of text.match(MANAGED_POLICY_ARN) ?? []) {
        if (KNOWN.has(commercial(arn))) continue;
        const hint = listedAs(commercial(arn));
        problems.push(
          `${resource.type} ${resource.name}: ${path} names ${arn}, which is not an AWS managed policy the provider SDK lists` +
            (hint ? ` (did you mean ${hint.replace(/^arn:aws:/, `arn:${arn.split(":")[1]}:`)}?)` : ""),
        );
      }
    }
  }
  return problems;
}

/** Throws a ReviewError listing every unknown AWS managed or EKS access policy ARN; AWS would refuse it mid-deploy. */
export function checkManagedPolicies(resources: readonly RecordedResource[]): void {
  const problems = unknownManagedPolicies(resources);
  if (problems.length > 0) throw new ReviewError(problems.join("\n"));
}
