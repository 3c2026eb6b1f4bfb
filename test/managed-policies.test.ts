// GIVEN what a program registered, with AWS managed policy ARNs in attachments, role lists and documents
// WHEN the review checks them against the provider SDK's list (aws.iam.ManagedPolicy)
// THEN an ARN AWS would answer NoSuchEntity for stops the review before the policies run, naming the
//      resource, the input and the listed ARN of the same name; listed ARNs pass in every partition.
import { describe, expect, test } from "@jest/globals";
import { unknownManagedPolicies } from "../review/managed-policies";
import { ReviewError } from "../review/stack-file";
import { resource } from "./policies/harness";
import { reviewWeakened } from "./policies/weakenings";

const ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";

describe("AWS managed policy ARNs", () => {
  test("listed ARNs pass, in the commercial, China and GovCloud partitions, wherever they appear", () => {
    expect(
      unknownManagedPolicies([
        resource(ATTACHMENT, "ebs", { role: "r", policyArn: "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy" }),
        resource(ATTACHMENT, "cn", { role: "r", policyArn: "arn:aws-cn:iam::aws:policy/AmazonEKSWorkerNodePolicy" }),
        resource("aws:iam/role:Role", "gov", { managedPolicyArns: ["arn:aws-us-gov:iam::aws:policy/AmazonEKS_CNI_Policy"] }),
        resource(ATTACHMENT, "own", { role: "r", policyArn: "arn:aws:iam::123456789012:policy/platform-own" }),
      ]),
    ).toEqual([]);
  });

  test.each<[string, ReturnType<typeof resource>, string]>([
    [
      "the EBS CSI policy without its service-role/ path",
      resource(ATTACHMENT, "ebs", { role: "r", policyArn: "arn:aws:iam::aws:policy/AmazonEBSCSIDriverPolicy" }),
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment ebs: policyArn names arn:aws:iam::aws:policy/AmazonEBSCSIDriverPolicy, which is not an AWS managed policy the provider SDK lists (did you mean arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy?)",
    ],
    [
      "a misspelt policy in another partition, in a role's list",
      resource("aws:iam/role:Role", "nodes", {
        managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy", "arn:aws-cn:iam::aws:policy/AmazonEKSWorkerNodesPolicy"],
      }),
      "aws:iam/role:Role nodes: managedPolicyArns[1] names arn:aws-cn:iam::aws:policy/AmazonEKSWorkerNodesPolicy, which is not an AWS managed policy the provider SDK lists",
    ],
    [
      "a path guessed wrong for a listed name, inside a JSON policy document",
      resource("aws:iam/policy:Policy", "boundary", {
        policy: JSON.stringify({
          Statement: [
            { Effect: "Deny", Action: "iam:DetachRolePolicy", Resource: "arn:aws-us-gov:iam::aws:policy/AmazonRDSEnhancedMonitoringRole" },
          ],
        }),
      }),
      "aws:iam/policy:Policy boundary: policy names arn:aws-us-gov:iam::aws:policy/AmazonRDSEnhancedMonitoringRole, which is not an AWS managed policy the provider SDK lists (did you mean arn:aws-us-gov:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole?)",
    ],
  ])("%s is refused", (_what, planted, line) => {
    expect(unknownManagedPolicies([planted])).toEqual([line]);
  });
});

// GIVEN access policy associations as the EKS cluster registers them (EKS access policies are named by ARN
//       too, and EKS finds a wrong name only at AssociateAccessPolicy, mid-deploy)
// WHEN the review checks them against the EKS User Guide's list
// THEN listed names pass in every partition; a misspelt or invented name is refused, with the listed name
//      of the same spelling when there is one.
describe("EKS access policy ARNs", () => {
  const ASSOCIATION = "aws:eks/accessPolicyAssociation:AccessPolicyAssociation";
  const association = (name: string, policyArn: string) =>
    resource(ASSOCIATION, name, {
      clusterName: "c",
      principalArn: "arn:aws:iam::123456789012:role/r",
      policyArn,
      accessScope: { type: "cluster" },
    });

  test("the cluster admin and admin view policies pass, in the commercial and China partitions", () => {
    expect(
      unknownManagedPolicies([
        association("admin", "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"),
        association("viewer", "arn:aws-cn:eks::aws:cluster-access-policy/AmazonEKSAdminViewPolicy"),
      ]),
    ).toEqual([]);
  });

  test.each<[string, string, string]>([
    [
      "a name in the wrong case",
      "arn:aws:eks::aws:cluster-access-policy/AmazonEksAdminViewPolicy",
      "aws:eks/accessPolicyAssociation:AccessPolicyAssociation viewer: policyArn names arn:aws:eks::aws:cluster-access-policy/AmazonEksAdminViewPolicy, which is not an EKS access policy the EKS User Guide lists (did you mean arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminViewPolicy?)",
    ],
    [
      "an invented read-only policy",
      "arn:aws:eks::aws:cluster-access-policy/AmazonEKSReadOnlyPolicy",
      "aws:eks/accessPolicyAssociation:AccessPolicyAssociation viewer: policyArn names arn:aws:eks::aws:cluster-access-policy/AmazonEKSReadOnlyPolicy, which is not an EKS access policy the EKS User Guide lists",
    ],
  ])("%s is refused", (_what, policyArn, line) => {
    expect(unknownManagedPolicies([association("viewer", policyArn)])).toEqual([line]);
  });
});

describe("the review", () => {
  test("a planted unknown managed policy stops the production review before the policy pack runs", async () => {
    const review = reviewWeakened("production", (args) =>
      args.type === ATTACHMENT && args.name === "cluster-ebs-csi-policy"
        ? { props: { ...args.props, policyArn: "arn:aws:iam::aws:policy/AmazonEBSCSIDriverPolicy" }, opts: args.opts }
        : undefined,
    );
    await expect(review).rejects.toBeInstanceOf(ReviewError);
    await expect(review).rejects.toThrow(
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment cluster-ebs-csi-policy: policyArn names arn:aws:iam::aws:policy/AmazonEBSCSIDriverPolicy, which is not an AWS managed policy the provider SDK lists (did you mean arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy?)",
    );
  });
});
