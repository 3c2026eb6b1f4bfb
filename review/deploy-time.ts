// How long a first `pulumi up` takes: a typical create duration per resource type, and the longest chain of
// creations the engine must wait through (the critical path) over the recorded dependency graph. Pure: no
// Pulumi, no I/O. The durations are typical figures, not guarantees; the result is an estimate.
import type { RecordedResource } from "./engine";

/** What the critical path reads of a recorded resource. */
export type TimedResource = Pick<
  RecordedResource,
  "urn" | "type" | "custom" | "parent" | "provider" | "dependencies" | "propertyDependencies" | "inputs"
>;

/** Minutes a resource of no listed type takes: one or two API calls. */
export const DEFAULT_MINUTES = 0.1;

type Inputs = Record<string, unknown>;
const settings = (inputs: Inputs): Inputs => (inputs.settings ?? {}) as Inputs;

/** A GCP location is a zone (`europe-west1-b`) or a region (`europe-west1`). */
export const isGcpZone = (location: unknown): boolean => typeof location === "string" && /-[a-z]$/.test(location);

/**
 * Typical create duration in minutes per resource type; a range is taken at its midpoint.
 * Types not listed take DEFAULT_MINUTES; components and providers take 0 (see createMinutes).
 */
export const CREATE_MINUTES: Readonly<Record<string, (inputs: Inputs) => number>> = {
  // EKS user guide, "Create an Amazon EKS cluster": the control plane takes about 10 minutes (AWS cut it to
  // that in 2023; independent timings per region run 13-16 min).
  "aws:eks/cluster:Cluster": () => 10,
  // EKS user guide, "Create a managed node group": 2-5 minutes for the instances to launch and join.
  "aws:eks/nodeGroup:NodeGroup": () => 3.5,
  // EKS add-ons (vpc-cni, coredns, kube-proxy, ebs-csi, pod identity agent) become ACTIVE in 1-2 minutes.
  "aws:eks/addon:Addon": () => 1.5,
  // RDS user guide, "Creating a DB instance": Multi-AZ about 20 minutes (a standby is built and synchronised);
  // a single-AZ instance 5-8 minutes.
  "aws:rds/instance:Instance": (inputs) => (inputs.multiAz === true ? 20 : 6.5),
  // ElastiCache user guide, "Creating a replication group": 6-9 minutes until available.
  "aws:elasticache/replicationGroup:ReplicationGroup": () => 7.5,
  // VPC user guide, "NAT gateways": pending to available in about 2 minutes.
  "aws:ec2/natGateway:NatGateway": () => 2,
  // GKE docs, "Creating a regional cluster": 10-15 minutes (three control-plane replicas). The platform
  // builds regional clusters only; a zonal one is taken at the same figure.
  "gcp:container/cluster:Cluster": () => 12.5,
  // GKE docs, "Add and manage node pools": about 5 minutes for the VMs to boot and register.
  "gcp:container/nodePool:NodePool": () => 5,
  // Cloud SQL docs, "Create instances": a zonal instance about 10 minutes, a REGIONAL (HA) one 15-20.
  "gcp:sql/databaseInstance:DatabaseInstance": (inputs) => (settings(inputs).availabilityType === "REGIONAL" ? 17.5 : 10),
  // Memorystore for Redis docs, "Creating instances": BASIC about 5 minutes; STANDARD_HA builds a replica
  // in a second zone and takes longer, about 8.
  "gcp:redis/instance:Instance": (inputs) => (inputs.tier === "STANDARD_HA" ? 8 : 5),
  // Private service access, "Creating a private connection": the peering takes about 2 minutes.
  "gcp:servicenetworking/connection:Connection": () => 2,
  // Service Usage, services.enable: a long-running operation, typically done within a minute (a no-op for an
  // API that is on already).
  "gcp:projects/service:Service": () => 1,
  // A Helm release waits for its chart's workloads to be ready (atomic): 1-3 minutes for the charts here.
  "kubernetes:helm.sh/v3:Release": () => 2,
};

/** Minutes to create one resource: 0 for components (done when their children are) and providers. */
export function createMinutes(resource: Pick<TimedResource, "type" | "custom" | "inputs">): number {
  if (!resource.custom || resource.type.startsWith("pulumi:providers:")) return 0;
  const row = CREATE_MINUTES[resource.type];
  return row ? row(resource.inputs) : DEFAULT_MINUTES;
}

export interface DeployTime {
  /** The longest chain of creations, in minutes. */
  criticalPathMinutes: number;
  /** Every creation one after another, in minutes. */
  serialMinutes: number;
  /** URNs of the critical path's resources, first created first (components, which take no time, left out); of chains
   * that tie, the one ending with the resource registered last. */
  criticalPath: string[];
}

/** What one resource waits for directly, before its parent components' waits are added. */
function ownWaits(r: TimedResource): string[] {
  return [...r.dependencies, ...Object.values(r.propertyDependencies).flat(), ...(r.provider ? [r.provider] : [])];
}

/**
 * The URNs each resource waits for: its dependencies, property dependencies and provider, what each of its
 * ancestor components waits for, and, for a component, its children (it is done when they are). URNs not
 * recorded (a default provider) and a resource's own ancestors (which finish after it) are left out.
 */
export function waitsFor(resources: readonly TimedResource[]): Map<string, string[]> {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const children = new Map<string, string[]>();
  for (const r of resources) {
    if (!r.parent || !byUrn.has(r.parent)) continue;
    const siblings = children.get(r.parent) ?? [];
    siblings.push(r.urn);
    children.set(r.parent, siblings);
  }
  const waits = new Map<string, string[]>();
  for (const r of resources) {
    const ancestors: TimedResource[] = [];
    for (let p = r.parent ? byUrn.get(r.parent) : undefined; p; p = p.parent ? byUrn.get(p.parent) : undefined) ancestors.push(p);
    const excluded = new Set([r.urn, ...ancestors.map((a) => a.urn)]);
    const all = [...ownWaits(r), ...ancestors.filter((a) => !a.custom).flatMap(ownWaits), ...(r.custom ? [] : (children.get(r.urn) ?? []))];
    waits.set(
      r.urn,
      [...new Set(all)].filter((urn) => byUrn.has(urn) && !excluded.has(urn)),
    );
  }
  return waits;
}

/**
 * The critical path (longest chain, each resource starting once everything it waits for is done) and the
 * serial sum. `minutes` gives each resource's duration. Throws on a dependency cycle, which the engine
 * would refuse too.
 */
export function deployTime(resources: readonly TimedResource[], minutes: (r: TimedResource) => number = createMinutes): DeployTime {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const waits = waitsFor(resources);
  const finish = new Map<string, number>();
  const via = new Map<string, string | undefined>();
  const visiting = new Set<string>();
  const visit = (urn: string): number => {
    const known = finish.get(urn);
    if (known !== undefined) return known;
    if (visiting.has(urn)) throw new Error(`dependency cycle through ${urn}`);
    visiting.add(urn);
    let start = 0;
    let before: string | undefined;
    for (const w of waits.get(urn)!) {
      const done = visit(w);
      if (before === undefined || done > start) {
        start = done;
        before = w;
      }
    }
    visiting.delete(urn);
    const end = start + minutes(byUrn.get(urn)!);
    finish.set(urn, end);
    via.set(urn, before);
    return end;
  };
  let last: string | undefined;
  for (const r of resources) {
    const end = visit(r.urn);
    if (last === undefined || end >= finish.get(last)!) last = r.urn;
  }
  const path: string[] = [];
  for (let at = last; at !== undefined; at = via.get(at)) if (byUrn.get(at)!.custom) path.unshift(at);
  return {
    criticalPathMinutes: round(last === undefined ? 0 : finish.get(last)!),
    serialMinutes: round(resources.reduce((sum, r) => sum + minutes(r), 0)),
    criticalPath: path,
  };
}

/** Minutes to two decimals, so sums of tenths print as they should. */
const round = (n: number): number => Math.round(n * 100) / 100;
