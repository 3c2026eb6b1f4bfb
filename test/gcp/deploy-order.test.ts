// GIVEN the review record of every shipped stack
// WHEN the deploy-order checks of test/gcp/record-checks.ts read it
// THEN every Workload Identity grant waits for the cluster that creates its pool, every GCP resource waits for
//      the gcp.projects.Service of the API it calls, every grant to a Google service agent waits for what makes
//      the agent exist, and no read replica carries a primary-only setting; and each check reports the mistake
//      it guards against when that mistake is planted in gcp-production's record.
import { describe, expect, test } from "@jest/globals";
import type { RecordedResource } from "../../review/engine";
import { type ShippedStack, SHIPPED_STACKS, shippedReview } from "../reviews";
import { apiProblems, replicaProblems, serviceAgentProblems, workloadPoolProblems } from "./record-checks";

const CHECKS = { workloadPoolProblems, apiProblems, serviceAgentProblems, replicaProblems };

describe.each(SHIPPED_STACKS)("stack %s", (stack: ShippedStack) => {
  test.each(Object.entries(CHECKS))("%s finds nothing", (_name, check) => {
    expect(check(shippedReview(stack).resources)).toEqual([]);
  });
});

test("the GCP stacks hold what the checks read: Workload Identity grants, services, agent grants, a replica", () => {
  const resources = shippedReview("gcp-production").resources;
  const count = (f: (r: RecordedResource) => boolean) => resources.filter(f).length;
  expect({
    workloadIdentityGrants: count((r) => String(r.inputs.member).includes(".svc.id.goog[")),
    services: count((r) => r.type === "gcp:projects/service:Service"),
    agentGrants: count((r) => /^serviceAccount:service-\d+@/.test(String(r.inputs.member))),
    replicas: count((r) => r.inputs.masterInstanceName !== undefined),
  }).toEqual({ workloadIdentityGrants: 4, services: 12, agentGrants: 4, replicas: 1 });
});

/** gcp-production's record with `change` applied to the resource named `name`. */
function planted(name: string, change: (r: RecordedResource) => RecordedResource): RecordedResource[] {
  const resources = shippedReview("gcp-production").resources;
  expect(resources.filter((r) => r.name === name)).toHaveLength(1);
  return resources.map((r) => (r.name === name ? change(r) : r));
}

/** The resource without the URNs `drop` matches among its dependencies and property dependencies. */
function without(drop: (urn: string) => boolean): (r: RecordedResource) => RecordedResource {
  return (r) => ({
    ...r,
    dependencies: r.dependencies.filter((u) => !drop(u)),
    propertyDependencies: Object.fromEntries(Object.entries(r.propertyDependencies).map(([k, urns]) => [k, urns.filter((u) => !drop(u))])),
  });
}

const WI = "cluster-backup-writer-workload-identity";
const WI_LABEL = `gcp:serviceaccount/iAMMember:IAMMember ${WI}`;

describe("each check reports its mistake", () => {
  test("a Workload Identity grant naming the pool by the project, not the cluster, is reported", () => {
    const resources = planted(
      WI,
      without((urn) => urn.endsWith("::cluster-cluster")),
    );
    expect(workloadPoolProblems(resources)).toEqual([
      `${WI_LABEL} grants to serviceAccount:example-platform-prod.svc.id.goog[backups/postgres-backup] without waiting for gcp:container/cluster:Cluster cluster-cluster, which creates the pool: GCP refuses the grant until then`,
    ]);
  });

  test("a Workload Identity grant to a pool no cluster of the stack creates is reported", () => {
    const resources = planted(WI, (r) => ({ ...r, inputs: { ...r.inputs, member: "serviceAccount:other-project.svc.id.goog[a/b]" } }));
    expect(workloadPoolProblems(resources)).toEqual([
      `${WI_LABEL} grants to serviceAccount:other-project.svc.id.goog[a/b], a Workload Identity pool no cluster of the stack creates`,
    ]);
  });

  test("a resource that does not wait for its API, an API the stack does not enable, and an unmapped type are reported", () => {
    // The stack before its APIs were managed: the network waited for nothing.
    const noWait = planted(
      "network-network",
      without((urn) => urn.includes("gcp:projects/service:Service")),
    );
    expect(apiProblems(noWait)).toEqual([
      "gcp:compute/network:Network network-network does not wait for gcp:projects/service:Service apis-compute, which enables compute.googleapis.com",
    ]);
    const notEnabled = shippedReview("gcp-production").resources.filter((r) => r.name !== "apis-binaryauthorization");
    expect(apiProblems(notEnabled)).toEqual([
      "gcp:container/cluster:Cluster cluster-cluster calls binaryauthorization.googleapis.com, which no gcp.projects.Service of the stack enables",
    ]);
    const unmapped = planted("network-router", (r) => ({ ...r, type: "gcp:dns/managedZone:ManagedZone" }));
    expect(apiProblems(unmapped)).toEqual([
      "gcp:dns/managedZone:ManagedZone network-router is of a type components/gcp/apis.ts does not map to the API it calls: add it to RESOURCE_APIS",
    ]);
  });

  test("an API that destroying the stack would disable is reported", () => {
    const resources = planted("apis-compute", (r) => ({
      ...r,
      inputs: { ...r.inputs, disableOnDestroy: true, disableDependentServices: true },
    }));
    expect(apiProblems(resources)).toEqual([
      "gcp:projects/service:Service apis-compute does not set disableOnDestroy to false: destroying the stack would disable the API for the whole project",
      "gcp:projects/service:Service apis-compute sets disableDependentServices: removing it would disable every API that depends on it",
    ]);
  });

  test("a grant to the Cloud Storage agent by its name, not its lookup, is reported", () => {
    // What the stack did before: the member built from the project number, so it carries no dependency.
    const resources = planted("backups-key-user-0", (r) => ({
      ...r,
      propertyDependencies: { cryptoKeyId: r.propertyDependencies.cryptoKeyId! },
    }));
    expect(serviceAgentProblems(resources)).toEqual([
      "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember backups-key-user-0 grants to service-123456789013@gs-project-accounts.iam.gserviceaccount.com by a name rather than through storage.googleapis.com's lookup, which makes that agent once the API is on",
    ]);
  });

  test("a grant to the GKE agent that does not wait for its ServiceIdentity, and one to an unlisted agent, are reported", () => {
    const noAgent = planted(
      "cluster-secrets-key-user-0",
      without((urn) => urn.endsWith("::cluster-gke-agent")),
    );
    expect(serviceAgentProblems(noAgent)).toEqual([
      "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember cluster-secrets-key-user-0 grants to service-123456789013@container-engine-robot.iam.gserviceaccount.com without waiting for a gcp.projects.ServiceIdentity of container.googleapis.com, which makes that agent",
    ]);
    const unlisted = planted("cache-key-user-0", (r) => ({
      ...r,
      inputs: { ...r.inputs, member: "serviceAccount:service-123456789013@gcp-sa-secretmanager.iam.gserviceaccount.com" },
    }));
    expect(serviceAgentProblems(unlisted)).toEqual([
      "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember cache-key-user-0 grants to service-123456789013@gcp-sa-secretmanager.iam.gserviceaccount.com, a service agent components/gcp/service-agents.ts does not list: say how it is made to exist",
    ]);
  });

  test("a read replica that copies the primary's maintenance window is reported", () => {
    const resources = planted("database-replica-0", (r) => ({
      ...r,
      inputs: {
        ...r.inputs,
        settings: { ...(r.inputs.settings as object), maintenanceWindow: { day: 7, hour: 4, updateTrack: "stable" } },
      },
    }));
    expect(replicaProblems(resources)).toEqual([
      "gcp:sql/databaseInstance:DatabaseInstance database-replica-0 is a read replica with settings.maintenanceWindow, which Cloud SQL takes on the primary alone",
    ]);
  });
});
