// GIVEN the production stack's review record as the previous release registered it: the cluster bootstrapping
//       its creator's admin entry, the read replica passing the database key, no viewer entries, an instance
//       still auto-named
// WHEN this release's production review is diffed against it (`npm run review -- --against`)
// THEN no stateful resource is replaced, deleted or unprotected: the cluster and the replica carry ignoreChanges
//      for what this release stops sending, and a changed identifier renames the instance in place;
// AND GIVEN the same release without those ignoreChanges THEN the diff names the cluster and the replica as
//      replaced, so dropping one would be caught.
import { describe, expect, test } from "@jest/globals";
import { diffReports, statefulRisks } from "../../review/diff";
import type { RecordedResource } from "../../review/engine";
import type { ReviewReport } from "../../review/review";
import { shippedReview } from "../reviews";

const CLUSTER = "cluster-cluster";
const REPLICA = "database-replica-0";
const PRIMARY = "database-instance";

/** The record as the previous release made it, from this one's. */
function previousRelease(current: ReviewReport): ReviewReport {
  const primaryKey = current.resources.find((r) => r.name === PRIMARY)!.inputs.kmsKeyId;
  const resources = current.resources
    .filter((r) => !r.name.startsWith("cluster-viewer-"))
    .map((r): RecordedResource => {
      if (r.name === CLUSTER)
        return {
          ...r,
          inputs: { ...r.inputs, accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: true } },
          ignoreChanges: [],
        };
      if (r.name === REPLICA) return { ...r, inputs: { ...r.inputs, kmsKeyId: primaryKey }, ignoreChanges: [] };
      if (r.name === PRIMARY) return { ...r, inputs: { ...r.inputs, identifier: "database-instance-5c1f0e2" } };
      return r;
    });
  return { ...current, resources };
}

describe("upgrading production to this release", () => {
  test("replaces, deletes and unprotects nothing stateful; the changes are the ones expected", () => {
    const current = shippedReview("production");
    const diff = diffReports(previousRelease(current), current, "previous release");
    expect(statefulRisks(diff)).toEqual([]);
    const changed: Record<string, string[]> = Object.fromEntries(diff.changed.map((c) => [c.urn.split("::").pop()!, c.paths]));
    expect(changed[CLUSTER]).toEqual(["accessConfig.bootstrapClusterCreatorAdminPermissions", "ignoreChanges"]);
    expect(changed[REPLICA]).toEqual(["kmsKeyId", "ignoreChanges"]);
    expect(changed[PRIMARY]).toEqual(["identifier"]);
    expect(diff.added.map((urn) => urn.split("::").pop()).sort()).toEqual([
      "cluster-viewer-123456789012-platform-github-preview-access",
      "cluster-viewer-123456789012-platform-github-preview-policy",
    ]);
  });

  test("GIVEN this release without its ignoreChanges THEN the cluster and the replica would be replaced", () => {
    const current = shippedReview("production");
    const careless = {
      ...current,
      resources: current.resources.map((r) => ([CLUSTER, REPLICA].includes(r.name) ? { ...r, ignoreChanges: [] } : r)),
    };
    const lines = statefulRisks(diffReports(previousRelease(current), careless, "previous release")).map((risk) => risk.line);
    expect(lines).toEqual([
      "aws:eks/cluster:Cluster cluster-cluster is replaced (delete, then create) for accessConfig.bootstrapClusterCreatorAdminPermissions",
      "aws:rds/instance:Instance database-replica-0 is replaced (delete, then create) for kmsKeyId",
    ]);
  });
});
