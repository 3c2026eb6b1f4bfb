// GIVEN every shipped AWS stack, reviewed as `pulumi up` would run it (as its first cluster admin role, CI's
//       deploy role), and EKS clusters, access entries and Kubernetes providers planted by hand
// WHEN the access entries are checked as EKS would answer the deploy (review/access-entries.ts)
// THEN the shipped stacks bootstrap no creator entry, list each principal once, and their Kubernetes provider
//      waits for every cluster-admin association; a listed entry for a bootstrapped creator (the 409 of
//      terraform-aws-eks#2969/#3293), a principal listed twice, a provider that does not wait and a cluster
//      nobody administers are each one line naming the resources, and stop the review.
import { describe, expect, test } from "@jest/globals";
import { GITHUB_ROLE_NAMES } from "../../bootstrap/aws";
import type { RecordedResource } from "../../review/engine";
import { accessEntryProblems } from "../../review/access-entries";
import { ReviewError } from "../../review/stack-file";
import { linked, resource } from "../policies/harness";
import { reviewWeakened } from "../policies/weakenings";
import { shippedReview } from "../reviews";

const AWS_STACKS = ["dev", "staging", "production"] as const;
const ACCOUNT = { dev: "123456789012", staging: "210987654321", production: "123456789012" };
const DEPLOY = "arn:aws:iam::123456789012:role/platform-github-deploy";
const CREATOR = "arn:aws:sts::123456789012:assumed-role/platform-github-deploy/offline-review";
const ADMIN_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";

describe.each(AWS_STACKS)("the shipped %s stack", (stack) => {
  const resources = () => shippedReview(stack).resources;
  const ofType = (type: string) => resources().filter((r) => r.type === type);

  test("has no access problem as its deploy role runs it", () => {
    const creator = `arn:aws:sts::${ACCOUNT[stack]}:assumed-role/platform-github-deploy/offline-review`;
    expect(accessEntryProblems(resources(), creator)).toEqual([]);
  });

  test("bootstraps no creator entry, and its Kubernetes provider waits for the deploy role's cluster-admin association", () => {
    const [cluster] = ofType("aws:eks/cluster:Cluster");
    expect(cluster!.inputs.accessConfig).toEqual({ authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false });
    const admin = resources().find((r) => r.name === `cluster-admin-${ACCOUNT[stack]}-platform-github-deploy-policy`)!;
    expect(admin.inputs.policyArn).toBe(ADMIN_POLICY);
    const [provider] = ofType("pulumi:providers:kubernetes");
    expect(provider!.dependencies).toContain(admin.urn);
    // The bootstrap project's CI roles of the stack's account: deploys as admin, previews and drift checks as viewer.
    const entries = ofType("aws:eks/accessEntry:AccessEntry").map((e) => [e.name.split("-")[1], e.inputs.principalArn]);
    expect(entries).toEqual(
      expect.arrayContaining([
        ["admin", `arn:aws:iam::${ACCOUNT[stack]}:role/${GITHUB_ROLE_NAMES.deploy}`],
        ["viewer", `arn:aws:iam::${ACCOUNT[stack]}:role/${GITHUB_ROLE_NAMES.preview}`],
      ]),
    );
  });
});

describe("planted mistakes", () => {
  const cluster = (bootstrap?: boolean) =>
    resource("aws:eks/cluster:Cluster", "eks-cluster", {
      name: "platform-test",
      accessConfig: { authenticationMode: "API", ...(bootstrap !== undefined && { bootstrapClusterCreatorAdminPermissions: bootstrap }) },
    });
  const entry = (c: RecordedResource, name: string, principalArn: string) =>
    linked(
      resource("aws:eks/accessEntry:AccessEntry", name, { clusterName: "platform-test", principalArn, type: "STANDARD" }),
      "clusterName",
      c,
    );
  const association = (c: RecordedResource, name: string, principalArn: string, policyArn = ADMIN_POLICY) =>
    linked(
      resource("aws:eks/accessPolicyAssociation:AccessPolicyAssociation", name, {
        clusterName: "platform-test",
        principalArn,
        policyArn,
        accessScope: { type: "cluster" },
      }),
      "clusterName",
      c,
    );
  const provider = (c: RecordedResource, ...waitsFor: RecordedResource[]) =>
    linked(resource("pulumi:providers:kubernetes", "eks-k8s", { kubeconfig: "[secret]" }), "kubeconfig", c, ...waitsFor);

  test("GIVEN the creator bootstrapped (said, or left to the provider's default) and an entry for the same role THEN EKS's 409 is named", () => {
    for (const bootstrap of [true, undefined]) {
      const c = cluster(bootstrap);
      expect(accessEntryProblems([c, entry(c, "eks-admin-deploy-access", DEPLOY)], CREATOR)).toEqual([
        `aws:eks/accessEntry:AccessEntry eks-admin-deploy-access: aws:eks/cluster:Cluster eks-cluster bootstraps an access entry for the identity that creates it (${CREATOR}), the same principal, so EKS refuses this one (409 ResourceInUseException): set accessConfig.bootstrapClusterCreatorAdminPermissions to false, or drop the entry`,
      ]);
    }
  });

  test("GIVEN the creator bootstrapped and entries for other roles only THEN nothing collides", () => {
    const c = cluster(true);
    expect(accessEntryProblems([c, entry(c, "eks-ops-access", "arn:aws:iam::123456789012:role/ops")], CREATOR)).toEqual([]);
  });

  test("GIVEN one SSO role listed with and without its path THEN the second entry is named", () => {
    const c = cluster(false);
    const withPath = "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Ops_1a2b";
    const a = association(c, "eks-admin-deploy-policy", DEPLOY);
    expect(
      accessEntryProblems(
        [
          c,
          entry(c, "eks-admin-deploy-access", DEPLOY),
          a,
          entry(c, "eks-admin-ops-access", withPath),
          entry(c, "eks-viewer-ops-access", "arn:aws:iam::123456789012:role/AWSReservedSSO_Ops_1a2b"),
          provider(c, a),
        ],
        CREATOR,
      ),
    ).toEqual([
      `aws:eks/accessEntry:AccessEntry eks-viewer-ops-access: arn:aws:iam::123456789012:role/AWSReservedSSO_Ops_1a2b already has aws:eks/accessEntry:AccessEntry eks-admin-ops-access on aws:eks/cluster:Cluster eks-cluster; EKS keeps one access entry per principal and refuses the second (409 ResourceInUseException)`,
    ]);
  });

  test("GIVEN no creator bootstrap and a Kubernetes provider that waits for one admin association of two THEN the other is named", () => {
    const c = cluster(false);
    const deploy = association(c, "eks-admin-deploy-policy", DEPLOY);
    const ops = association(c, "eks-admin-ops-policy", "arn:aws:iam::123456789012:role/ops");
    const viewer = association(
      c,
      "eks-viewer-policy",
      "arn:aws:iam::123456789012:role/preview",
      "arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminViewPolicy",
    );
    expect(accessEntryProblems([c, deploy, ops, viewer, provider(c, deploy)], CREATOR)).toEqual([
      "pulumi:providers:kubernetes eks-k8s: does not wait for aws:eks/accessPolicyAssociation:AccessPolicyAssociation eks-admin-ops-policy; the creator of aws:eks/cluster:Cluster eks-cluster has no access of its own, so the provider's first calls would be refused until the association exists (add it to dependsOn)",
    ]);
    expect(accessEntryProblems([c, deploy, ops, viewer, provider(c, deploy, ops)], CREATOR)).toEqual([]);
  });

  test("GIVEN no creator bootstrap and only a viewer's association THEN the cluster has no admin", () => {
    const c = cluster(false);
    const viewer = association(c, "eks-viewer-policy", DEPLOY, "arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminViewPolicy");
    expect(accessEntryProblems([c, viewer, provider(c, viewer)], CREATOR)).toEqual([
      "aws:eks/cluster:Cluster eks-cluster: no access entry has the cluster admin access policy at cluster scope, and the creator gets none (bootstrapClusterCreatorAdminPermissions is false), so nobody can administer the cluster",
    ]);
  });
});

test("GIVEN the production program with the creator bootstrapped again THEN the review stops on the deploy role's colliding entry", async () => {
  const review = reviewWeakened("production", (args) =>
    args.type === "aws:eks/cluster:Cluster"
      ? {
          props: { ...args.props, accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: true } },
          opts: args.opts,
        }
      : undefined,
  );
  await expect(review).rejects.toBeInstanceOf(ReviewError);
  await expect(review).rejects.toThrow(
    `aws:eks/accessEntry:AccessEntry cluster-admin-123456789012-platform-github-deploy-access: aws:eks/cluster:Cluster cluster-cluster bootstraps an access entry for the identity that creates it (${CREATOR}), the same principal, so EKS refuses this one (409 ResourceInUseException)`,
  );
});
