// GIVEN the shipped production stack, reviewed as `pulumi up` would run it, and CredentialRollout given no
//       targets or a target without Secrets
// WHEN the exporters' rollout is read off the recording
// THEN the monitoring namespace has one job that may read only the exporters' synced Secrets and patch only
//      their Deployments, targets each exporter with its own Secret, and bad targets are refused by name.
import { describe, expect, test } from "@jest/globals";
import { CredentialRollout } from "../../components/kubernetes/credential-rollout";
import { shippedReview } from "../reviews";

describe("the exporters' credential rollout in production", () => {
  const named = (name: string) => shippedReview("production").resources.find((r) => r.name === name)!;

  test("may read the exporters' Secrets and patch the exporters, nothing else", () => {
    expect(named("monitoring-rollout-role").inputs).toMatchObject({
      metadata: { name: "credential-rollout", namespace: "monitoring" },
      rules: [
        {
          apiGroups: [""],
          resources: ["secrets"],
          resourceNames: ["postgres-exporter-credentials", "redis-exporter-credentials"],
          verbs: ["get"],
        },
        {
          apiGroups: ["apps"],
          resources: ["deployments"],
          resourceNames: ["postgres-exporter", "redis-exporter"],
          verbs: ["get", "patch"],
        },
      ],
    });
    const cron = named("monitoring-rollout-cronjob").inputs as {
      spec: { jobTemplate: { spec: { template: { spec: { containers: { env: unknown }[] } } } } };
    };
    expect(cron.spec.jobTemplate.spec.template.spec.containers[0]!.env).toEqual([
      { name: "TARGETS", value: "postgres-exporter=postgres-exporter-credentials redis-exporter=redis-exporter-credentials" },
    ]);
  });
});

describe("CredentialRollout arguments", () => {
  test.each<[string, { deployment: string; secrets: string[] }[], string]>([
    ["no targets", [], "CredentialRollout r: args.targets must name at least one Deployment"],
    ["a target without Secrets", [{ deployment: "shop", secrets: [] }], "CredentialRollout r: every target must name at least one Secret"],
  ])("%s is refused by name", (_, targets, message) => {
    expect(() => new CredentialRollout("r", { namespace: "shop", targets })).toThrow(message);
  });
});
