// GIVEN GkeCluster's argument checks, run before anything is registered
// WHEN each argument is given a value GKE or the platform's rules refuse
// THEN resolveGkeClusterArgs throws naming the component, the argument, the rule and the value given;
//      valid arguments get the documented defaults, and a weekly window becomes GKE's recurring window.
import { describe, expect, test } from "@jest/globals";
import {
  DEFAULT_APPLICATION_LOG_RETENTION_DAYS,
  DEFAULT_AUTHORIZED_NETWORKS_WIDEST_PREFIX,
  DEFAULT_MAINTENANCE_WINDOW,
  DEFAULT_RELEASE_CHANNEL,
  type GkeClusterArgs,
  recurringWindowOf,
  regionOf,
  resolveGkeClusterArgs,
} from "../../components/gcp/gke-args";
import { documentedDefaults } from "../documented-defaults";

const BASE: GkeClusterArgs = {
  location: "europe-west1",
  network: "projects/example-platform/global/networks/platform",
  subnetwork: "projects/example-platform/regions/europe-west1/subnetworks/nodes",
  nodesCidr: "10.0.0.0/20",
  podsRangeName: "pods",
  servicesRangeName: "services",
  deletionProtection: true,
  protect: true,
  nodes: { machineType: "e2-standard-4", diskSizeGb: 100, initialNodesPerZone: 1, minNodes: 2, maxNodes: 10 },
};

const resolve = (overrides: Partial<GkeClusterArgs>, name = "gke") =>
  resolveGkeClusterArgs(name, { ...BASE, ...overrides }, "platform", "test");
const nodes = (n: Partial<GkeClusterArgs["nodes"]>) => ({ nodes: { ...BASE.nodes, ...n } });

describe("resolveGkeClusterArgs", () => {
  test("applies the documented defaults", () => {
    const resolved = resolve({});
    expect(resolved).toEqual({
      ...BASE,
      clusterName: "platform-test-gke",
      serviceAccountPrefix: "gke",
      region: "europe-west1",
      authorizedNetworks: [],
      releaseChannel: "REGULAR",
      maintenance: [6 * 1440 + 22 * 60, 7 * 1440 + 10 * 60],
      adminMembers: [],
      managedPrometheus: false,
      binaryAuthorization: true,
      applicationLogRetentionDays: DEFAULT_APPLICATION_LOG_RETENTION_DAYS,
    });
    expect(documentedDefaults("components/gcp/gke-args.ts", "GkeClusterArgs")).toEqual({
      authorizedNetworks: "[] (DNS-based endpoint, IP endpoint private)",
      authorizedNetworksWidestPrefix: DEFAULT_AUTHORIZED_NETWORKS_WIDEST_PREFIX,
      allowWorldOpenEndpoint: "false (refused)",
      releaseChannel: DEFAULT_RELEASE_CHANNEL,
      maintenanceWindow: DEFAULT_MAINTENANCE_WINDOW,
      adminMembers: "[] (only those the project already grants)",
      managedPrometheus: "false",
      binaryAuthorization: "true",
      applicationLogRetentionDays: DEFAULT_APPLICATION_LOG_RETENTION_DAYS,
      clusterName: "`<project>-<stack>-<component name>`",
      serviceAccountPrefix: "the component name",
    });
  });

  test("a zone is a location, its region is where the key lives", () => {
    expect(resolve({ location: "europe-west1-b" }).region).toBe("europe-west1");
    expect(regionOf("us-central1")).toBe("us-central1");
    expect(regionOf("Europe")).toBeUndefined();
  });

  test("admits an allow-list of narrow blocks, and 0.0.0.0/0 only when told", () => {
    expect(resolve({ authorizedNetworks: ["203.0.113.0/24", "198.51.100.7/32"] }).authorizedNetworks).toEqual([
      "203.0.113.0/24",
      "198.51.100.7/32",
    ]);
    expect(
      resolve({ authorizedNetworks: ["0.0.0.0/0"], allowWorldOpenEndpoint: true, authorizedNetworksWidestPrefix: 0 }).authorizedNetworks,
    ).toEqual(["0.0.0.0/0"]);
  });

  const P = "GkeCluster gke: ";
  test.each<[string, Partial<GkeClusterArgs>, string]>([
    [
      "container logs kept no days",
      { applicationLogRetentionDays: 0 },
      "args.applicationLogRetentionDays must be a whole number of days from 1 to 3650 (got 0)",
    ],
    [
      "container logs kept longer than Cloud Logging allows",
      { applicationLogRetentionDays: 3651 },
      "args.applicationLogRetentionDays must be a whole number of days from 1 to 3650 (got 3651)",
    ],
    [
      "a cluster name GKE refuses",
      { clusterName: "Platform_Prod" },
      'args.clusterName must be 1-40 lower-case letters, digits and hyphens, starting with a letter and ending with a letter or digit (got "Platform_Prod")',
    ],
    [
      "a location that is neither region nor zone",
      { location: "europe" },
      'args.location must be a region such as europe-west1 or a zone such as europe-west1-b (got "europe")',
    ],
    [
      "a nodes range that is no CIDR",
      { nodesCidr: "10.0.0.0" },
      'args.nodesCidr must be an IPv4 CIDR block such as 10.0.0.0/20 (got "10.0.0.0")',
    ],
    [
      "a range name with capitals",
      { podsRangeName: "Pods" },
      'args.podsRangeName must be a secondary range name such as "pods" (got "Pods")',
    ],
    [
      "one range for pods and Services",
      { servicesRangeName: "pods" },
      'args.servicesRangeName must differ from args.podsRangeName (got "pods" for both)',
    ],
    [
      "the whole internet",
      { authorizedNetworks: ["0.0.0.0/0"] },
      'args.authorizedNetworks must not include 0.0.0.0/0 or ::/0 unless args.allowWorldOpenEndpoint is true (got ["0.0.0.0/0"])',
    ],
    [
      "the whole internet in halves",
      { authorizedNetworks: ["0.0.0.0/1", "128.0.0.0/1"], authorizedNetworksWidestPrefix: 0 },
      'args.authorizedNetworks must not cover the whole internet, whole or in pieces, unless args.allowWorldOpenEndpoint is true (got ["0.0.0.0/1","128.0.0.0/1"])',
    ],
    [
      "a block wider than the widest prefix",
      { authorizedNetworks: ["10.0.0.0/7"] },
      'args.authorizedNetworks must not hold blocks wider than /8, the widest args.authorizedNetworksWidestPrefix admits (got ["10.0.0.0/7"])',
    ],
    [
      "a block that is no CIDR",
      { authorizedNetworks: ["203.0.113.0"] },
      'args.authorizedNetworks must hold IPv4 CIDR blocks such as 203.0.113.0/24 (got "203.0.113.0")',
    ],
    [
      "a block twice",
      { authorizedNetworks: ["203.0.113.0/24", "203.0.113.0/24"] },
      'args.authorizedNetworks must not repeat a block (got ["203.0.113.0/24","203.0.113.0/24"])',
    ],
    [
      "a widest prefix past 32",
      { authorizedNetworksWidestPrefix: 33 },
      "args.authorizedNetworksWidestPrefix must be a prefix length from 0 to 32 (got 33)",
    ],
    [
      "an unknown release channel",
      { releaseChannel: "UNSPECIFIED" as "REGULAR" },
      'args.releaseChannel must be one of RAPID, REGULAR, STABLE, EXTENDED (got "UNSPECIFIED")',
    ],
    [
      "a window in another format",
      { maintenanceWindow: "Sun 02:00-14:00" },
      'args.maintenanceWindow must be a weekly UTC window such as "sat:22:00-sun:10:00" (got "Sun 02:00-14:00")',
    ],
    [
      "a window too short for GKE",
      { maintenanceWindow: "sun:02:00-sun:06:00" },
      'args.maintenanceWindow must last at least 12 hours, for GKE\'s 48 hours of maintenance in any 32 days (got "sun:02:00-sun:06:00")',
    ],
    [
      "an admin that is no IAM member",
      { adminMembers: ["alice@example.com"] },
      'args.adminMembers must hold IAM members such as group:platform-admins@example.com (got "alice@example.com")',
    ],
    [
      "an admin twice",
      { adminMembers: ["user:alice@example.com", "user:alice@example.com"] },
      'args.adminMembers must not repeat a member (got ["user:alice@example.com","user:alice@example.com"])',
    ],
    [
      "a machine type that is none",
      nodes({ machineType: "xlarge" }),
      'args.nodes.machineType must be a Compute Engine machine type such as e2-standard-4 (got "xlarge")',
    ],
    ["a disk too small for COS", nodes({ diskSizeGb: 10 }), "args.nodes.diskSizeGb must be a whole number >= 20 (got 10)"],
    ["no node per zone to start", nodes({ initialNodesPerZone: 0 }), "args.nodes.initialNodesPerZone must be a whole number >= 1 (got 0)"],
    ["a negative minimum", nodes({ minNodes: -1 }), "args.nodes.minNodes must be a whole number >= 0 (got -1)"],
    ["no node at most", nodes({ minNodes: 0, maxNodes: 0 }), "args.nodes.maxNodes must be at least 1 (got 0)"],
    [
      "a minimum over the maximum",
      nodes({ minNodes: 5, maxNodes: 3 }),
      "args.nodes.minNodes must not exceed args.nodes.maxNodes (got 5 > 3)",
    ],
  ])("refuses %s", (_case, overrides, message) => {
    expect(() => resolve(overrides)).toThrow(new Error(P + message));
  });

  test("service account ids take the prefix given, or the component name", () => {
    expect(resolve({ serviceAccountPrefix: "prod-gke" }).serviceAccountPrefix).toBe("prod-gke");
    expect(() => resolve({ clusterName: "platform-prod" }, "a-very-long-cluster-component")).toThrow(
      new Error(
        'GkeCluster a-very-long-cluster-component: args.serviceAccountPrefix must make a service account id "<prefix>-nodes" of 6-30 lower-case letters, digits and hyphens, from a letter (got "a-very-long-cluster-component")',
      ),
    );
    expect(() => resolve({ serviceAccountPrefix: "1gke" })).toThrow(
      new Error(
        'GkeCluster gke: args.serviceAccountPrefix must make a service account id "<prefix>-nodes" of 6-30 lower-case letters, digits and hyphens, from a letter (got "1gke")',
      ),
    );
  });
});

describe("recurringWindowOf", () => {
  test("a weekly window becomes a first occurrence of its length and a weekly RRULE on its start day", () => {
    expect(recurringWindowOf(resolve({}).maintenance)).toEqual({
      startTime: "2025-01-11T22:00:00Z",
      endTime: "2025-01-12T10:00:00Z",
      recurrence: "FREQ=WEEKLY;BYDAY=SA",
    });
    expect(recurringWindowOf(resolve({ maintenanceWindow: "sun:00:00-sun:12:00" }).maintenance)).toEqual({
      startTime: "2025-01-05T00:00:00Z",
      endTime: "2025-01-05T12:00:00Z",
      recurrence: "FREQ=WEEKLY;BYDAY=SU",
    });
  });
});
