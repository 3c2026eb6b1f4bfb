// GIVEN the pack's policies
// WHEN the types each declares through forTypes are read
// THEN every resource policy of one cloud says so, so a report can leave out another cloud's policies, and a
//      pattern declares its provider as a list does.
import { describe, expect, test } from "@jest/globals";
import { forTypes, providersOf, type PlatformResourcePolicy } from "../../policies/lib/policy";
import { policies } from "../../policies/policies";
import { resolvePolicyConfig } from "../../review/policy-config";
import { runPolicies } from "../../review/policy-runner";
import { AWS_ONLY_POLICIES, GCP_ONLY_POLICIES } from "../cloud-policies";
import { check, PACK, resource, stack } from "./harness";

const grouped = () => {
  const groups: Record<string, string[]> = {};
  for (const policy of policies) (groups[(providersOf(policy) ?? ["(none declared)"]).join(",")] ??= []).push(policy.name);
  return groups;
};

describe("the providers a policy declares", () => {
  test("every policy of the pack, grouped by the providers of the types it declares", () => {
    expect(grouped()).toEqual({
      "(none declared)": [
        "vpc-flow-logs",
        "default-sg-closed",
        "sg-no-world-ingress",
        "private-subnet-no-public-ip",
        "rds-encrypted",
        "rds-force-ssl",
        "s3-public-access-block",
        "s3-encryption",
        "s3-versioning",
        "s3-lifecycle",
        "namespace-default-deny",
        "tls-on-routes",
        "no-default-namespace",
        "availability",
        "stateful-protected",
        "no-plaintext-secrets",
      ],
      aws: AWS_ONLY_POLICIES,
      "aws,gcp": ["kms-rotation", "log-retention"],
      gcp: GCP_ONLY_POLICIES,
      kubernetes: [
        "pss-restricted",
        "read-only-rootfs",
        "resources",
        "probes",
        "image-pinning",
        "image-digest",
        "namespace-pss-labels",
        "load-balancer-services",
      ],
    });
  });

  test("a pattern names its provider by its anchored start; a validation written by hand declares nothing", async () => {
    const probe: PlatformResourcePolicy = {
      name: "iam-no-star",
      description: "probe",
      remediationSteps: "none",
      enforcementLevel: "mandatory",
      validateResource: forTypes([/^gcp:\w+\/iAMMember:IAMMember$/, "kubernetes:core/v1:Namespace"], (_props, args, report) =>
        report(args.type),
      ),
    };
    expect(providersOf(probe)).toEqual(["gcp", "kubernetes"]);
    expect(providersOf({ ...probe, validateResource: (_args, report) => report("x") })).toBeUndefined();
    const [result] = await runPolicies(
      [stack, resource("gcp:pubsub/iAMMember:IAMMember", "m", {}), resource("gcp:pubsub/topic:Topic", "t", {})],
      [probe],
      resolvePolicyConfig([probe], {}, "test.json"),
      PACK,
    );
    expect(result!.evaluated).toBe(1);
    expect(result!.violations.map((v) => v.message)).toEqual(["gcp:pubsub/iAMMember:IAMMember"]);
  });
});

describe("the policies rewritten on forTypes keep their findings", () => {
  test("iam-no-star: a policy document, an attachment and a role each", async () => {
    const r = await check("iam-no-star", [
      resource("aws:iam/policy:Policy", "p", { policy: '{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}' }),
      resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "a", { policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }),
      resource("aws:iam/role:Role", "r", { managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"] }),
      resource("aws:s3/bucket:Bucket", "b", {}),
    ]);
    expect(r.evaluated).toBe(3);
    expect(r.messages).toEqual([
      'policy statement 1 allows "*" on "*": list the actions the principal needs and the ARNs it needs them on',
      "attaches AdministratorAccess: attach a policy that grants only what the principal needs",
      "managedPolicyArns includes AdministratorAccess: attach a policy that grants only what the role needs",
    ]);
  });

  test("gcp-no-basic-roles: a grant of any module's IAM and an instance on the default account", async () => {
    const r = await check("gcp-no-basic-roles", [
      resource("gcp:projects/iAMMember:IAMMember", "owner", { role: "roles/owner", member: "user:a@example.com" }),
      resource("gcp:compute/instance:Instance", "vm", { serviceAccount: { email: "default" } }),
      resource("gcp:storage/bucket:Bucket", "b", {}),
    ]);
    expect(r.evaluated).toBe(2);
    expect(r.messages).toEqual([
      "grants the basic role roles/owner: grant a predefined or custom role with only the permissions needed",
      "serviceAccount.email is default: run the instance as a dedicated service account",
    ]);
  });
});
