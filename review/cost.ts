// The monthly on-demand cost of a stack, estimated from the resources its review recorded and their inputs,
// with the dated price table of cost-prices.ts. Pure: no Pulumi, no I/O. An estimate, not a quote: what
// depends on traffic (data processing, egress, load balancer capacity units, requests) is left out, and
// what depends on data (log volume, backup size) is an assumption stated below.
import { STACK_RELEASE } from "../components/kubernetes/monitoring";
import type { CostLine } from "./report-types";
import type { RecordedResource } from "./engine";
import {
  AWS_BASE_REGION,
  AWS_PRICES,
  type AwsPrices,
  GCP_BASE_REGION,
  GCP_PRICES,
  type GcpPrices,
  HOURS_PER_MONTH,
  PRICE_TABLE_DATE,
} from "./cost-prices";
import { isGcpZone } from "./deploy-time";

export { PRICE_TABLE_DATE } from "./cost-prices";

/** What the estimate reads of a recorded resource. */
export type PricedResource = Pick<RecordedResource, "type" | "name" | "inputs">;

/** Assumed CloudWatch Logs ingestion per log group (control-plane logs, VPC flow logs), GB a month. */
export const AWS_LOG_GB_PER_GROUP = 10;
/** Assumed Cloud Logging ingestion of a GKE stack (system and workload logs), GB a month. */
export const GCP_LOG_GB = 20;
/** GKE's default for a regional node pool without nodeLocations: three zones of the region. */
export const GKE_REGIONAL_ZONES = 3;

export interface CostEstimate {
  lines: CostLine[];
  monthlyUsd: number;
  /** The region the stack runs in, and the one whose prices were used (the base region when it has none). */
  region: string;
  pricedAs: string;
  priceTableDate: string;
}

type Inputs = Record<string, unknown>;
const num = (value: unknown, fallback: number): number => (typeof value === "number" && Number.isFinite(value) ? value : fallback);
const str = (value: unknown): string => (typeof value === "string" ? value : "");
const cents = (n: number): number => Math.round(n * 100) / 100;

/** One line; an hourly price is passed as `unit * HOURS_PER_MONTH` by the caller. */
export function costLine(item: string, quantity: number, unitUsd: number): CostLine {
  return { item, quantity, unitUsd: cents(unitUsd * 10_000) / 10_000, monthlyUsd: cents(quantity * unitUsd) };
}

const monthly = (hourly: number): number => hourly * HOURS_PER_MONTH;
const ofType = (resources: readonly PricedResource[], type: string) => resources.filter((r) => r.type === type);
/** A price from a table row, or 0 with the line saying the table has none. */
const priced = (table: Readonly<Record<string, number>>, key: string): [number, string] =>
  key in table ? [table[key]!, ""] : [0, " (not in the price table)"];

/** Kubernetes quantities as the Helm values write them ("100Gi", "10G"), in GB; GiB counted as GB. */
export function quantityGb(value: unknown): number {
  const match = /^(\d+(?:\.\d+)?)\s*(Ti|Gi|Mi|T|G|M)?$/.exec(str(value));
  if (!match) return 0;
  const scale = { Ti: 1024, T: 1000, Gi: 1, G: 1, Mi: 1 / 1024, M: 1 / 1000 }[match[2] ?? "G"] ?? 1;
  return Number(match[1]) * scale;
}

const dig = (value: unknown, ...keys: string[]): unknown =>
  keys.reduce<unknown>((at, key) => (at && typeof at === "object" ? (at as Inputs)[key] : undefined), value);

/** GB of the persistent volumes kube-prometheus-stack's values ask for: Prometheus (per replica), Alertmanager, Grafana. */
export function monitoringVolumeGb(resources: readonly PricedResource[]): number {
  const claim = ["volumeClaimTemplate", "spec", "resources", "requests", "storage"];
  return (
    ofType(resources, "kubernetes:helm.sh/v3:Release")
      // Found by its fixed release name, whichever archive of charts/ it installs.
      .filter((r) => r.inputs.name === STACK_RELEASE)
      .reduce((sum, r) => {
        const values = r.inputs.values;
        const prometheus = dig(values, "prometheus", "prometheusSpec");
        const alertmanager = dig(values, "alertmanager", "alertmanagerSpec");
        const grafana = dig(values, "grafana", "persistence");
        return (
          sum +
          quantityGb(dig(prometheus, "storageSpec", ...claim)) * num(dig(prometheus, "replicas"), 1) +
          quantityGb(dig(alertmanager, "storage", ...claim)) * num(dig(alertmanager, "replicas"), 1) +
          (dig(grafana, "enabled") === true ? quantityGb(dig(grafana, "size")) : 0)
        );
      }, 0)
  );
}

/** One load balancer per Gateway: Envoy Gateway fronts each with a Service of type LoadBalancer. */
const gatewayCount = (resources: readonly PricedResource[]): number =>
  ofType(resources, "kubernetes:gateway.networking.k8s.io/v1:Gateway").length;

function awsComputeLines(resources: readonly PricedResource[], p: AwsPrices): CostLine[] {
  const lines: CostLine[] = [];
  const clusters = ofType(resources, "aws:eks/cluster:Cluster").length;
  if (clusters) lines.push(costLine("EKS control plane", clusters, monthly(p.eksClusterHour)));
  const templates = ofType(resources, "aws:ec2/launchTemplate:LaunchTemplate");
  const templateDisk = templates.length === 1 ? num(dig(templates[0]!.inputs, "blockDeviceMappings", "0", "ebs", "volumeSize"), 20) : 20;
  for (const group of ofType(resources, "aws:eks/nodeGroup:NodeGroup")) {
    const nodes = num(dig(group.inputs, "scalingConfig", "desiredSize"), 0);
    const type = str(dig(group.inputs, "instanceTypes", "0"));
    const [hourly, missing] = priced(p.ec2Hour, type);
    const spot = group.inputs.capacityType === "SPOT" ? " (spot, priced on demand: an upper bound)" : "";
    lines.push(costLine(`EC2 ${type} nodes${spot}${missing}`, nodes, monthly(hourly)));
    // EKS managed node groups default to 20 GB; a launch template's root volume overrides it.
    const disk = num(group.inputs.diskSize, templateDisk);
    lines.push(costLine(`EBS gp3 node root volumes, GB (${nodes} x ${disk} GB)`, nodes * disk, p.ebsGp3GbMonth));
  }
  return lines;
}

function awsDataLines(resources: readonly PricedResource[], p: AwsPrices): CostLine[] {
  const lines: CostLine[] = [];
  const instances = ofType(resources, "aws:rds/instance:Instance");
  // A read replica names no storage: it holds as much as its source, and keeps no backups of its own.
  const isReplica = (db: PricedResource) => db.inputs.replicateSourceDb !== undefined;
  const primaries = instances.filter((db) => !isReplica(db));
  const sourceGb = Math.max(20, ...primaries.map((db) => num(db.inputs.allocatedStorage, 20)));
  for (const db of instances) {
    const ha = db.inputs.multiAz === true ? 2 : 1;
    const az = isReplica(db) ? " read replica" : ha === 2 ? " Multi-AZ" : " single-AZ";
    const type = str(db.inputs.instanceClass);
    const [hourly, missing] = priced(p.rdsPostgresHour, type);
    const storage = isReplica(db) ? sourceGb : num(db.inputs.allocatedStorage, 20);
    lines.push(costLine(`RDS PostgreSQL ${type}${az}${missing}`, 1, ha * monthly(hourly)));
    lines.push(costLine(`RDS gp3 storage${az}, GB`, storage, ha * p.rdsGp3GbMonth));
    // Backups up to the provisioned storage are free; retained snapshots and logs are assumed to add as much again.
    if (!isReplica(db))
      lines.push(costLine("RDS backup storage beyond the free allowance, GB (assumed equal to the storage)", storage, p.rdsBackupGbMonth));
  }
  for (const group of ofType(resources, "aws:elasticache/replicationGroup:ReplicationGroup")) {
    const type = str(group.inputs.nodeType);
    const [hourly, missing] = priced(p.elasticacheHour, type);
    const valkey = group.inputs.engine === "valkey";
    const unit = monthly(hourly) * (valkey ? p.valkeyFactor : 1);
    lines.push(
      costLine(`ElastiCache ${valkey ? "Valkey" : "Redis OSS"} ${type} nodes${missing}`, num(group.inputs.numCacheClusters, 1), unit),
    );
  }
  const buckets = ofType(resources, "aws:s3/bucket:Bucket").length;
  const bucketGb = primaries.reduce((gb, db) => gb + num(db.inputs.allocatedStorage, 20), 0);
  if (buckets)
    lines.push(costLine("S3 backup bucket, GB (assumed equal to the database storage)", buckets * bucketGb, p.s3StandardGbMonth));
  return lines;
}

function awsNetworkLines(resources: readonly PricedResource[], p: AwsPrices): CostLine[] {
  const lines: CostLine[] = [];
  const nats = ofType(resources, "aws:ec2/natGateway:NatGateway").length;
  if (nats) lines.push(costLine("NAT gateway hours (data processing excluded)", nats, monthly(p.natGatewayHour)));
  const ips = ofType(resources, "aws:ec2/eip:Eip").length;
  if (ips) lines.push(costLine("Public IPv4 addresses (Elastic IPs)", ips, monthly(p.publicIpv4Hour)));
  const gateways = gatewayCount(resources);
  if (gateways) lines.push(costLine("Network Load Balancer for the gateway (LCUs excluded)", gateways, monthly(p.nlbHour)));
  return lines;
}

function awsOperationsLines(resources: readonly PricedResource[], p: AwsPrices): CostLine[] {
  const lines: CostLine[] = [];
  const keys = ofType(resources, "aws:kms/key:Key").length;
  if (keys) lines.push(costLine("KMS customer managed keys", keys, p.kmsKeyMonth));
  const groups = ofType(resources, "aws:cloudwatch/logGroup:LogGroup");
  if (groups.length) {
    const ingested = groups.length * AWS_LOG_GB_PER_GROUP;
    // Steady state: each group holds what it ingested over its retention (never-expiring groups: a year).
    const stored = groups.reduce((gb, g) => gb + (AWS_LOG_GB_PER_GROUP * num(g.inputs.retentionInDays, 365)) / 30, 0);
    lines.push(
      costLine(`CloudWatch Logs ingestion, GB (assumed ${AWS_LOG_GB_PER_GROUP} GB a month per log group)`, ingested, p.logsIngestGb),
    );
    lines.push(costLine("CloudWatch Logs storage over the retention, GB", cents(stored), p.logsStoreGbMonth));
  }
  const volumes = monitoringVolumeGb(resources);
  if (volumes) lines.push(costLine("EBS gp3 Prometheus, Alertmanager and Grafana volumes, GB", volumes, p.ebsGp3GbMonth));
  return lines;
}

/** VMs a GKE node pool starts with: its per-zone count times its zones (a regional pool spans three by default). */
function gkeNodes(pool: PricedResource): number {
  const perZone = num(pool.inputs.initialNodeCount, num(pool.inputs.nodeCount, 1));
  const locations = pool.inputs.nodeLocations;
  const zones = Array.isArray(locations) && locations.length ? locations.length : isGcpZone(pool.inputs.location) ? 1 : GKE_REGIONAL_ZONES;
  return perZone * zones;
}

function gcpComputeLines(resources: readonly PricedResource[], p: GcpPrices): CostLine[] {
  const lines: CostLine[] = [];
  // The GKE free tier credit covers one zonal or Autopilot cluster per billing account; it does not apply to
  // the regional clusters the platform builds, so the fee is counted whole.
  const clusters = ofType(resources, "gcp:container/cluster:Cluster").length;
  if (clusters) lines.push(costLine("GKE cluster management fee (regional)", clusters, monthly(p.gkeClusterHour)));
  for (const pool of ofType(resources, "gcp:container/nodePool:NodePool")) {
    const nodes = gkeNodes(pool);
    const type = str(dig(pool.inputs, "nodeConfig", "machineType"));
    const [hourly, missing] = priced(p.machineHour, type);
    lines.push(costLine(`Compute Engine ${type} nodes${missing}`, nodes, monthly(hourly)));
    const disk = num(dig(pool.inputs, "nodeConfig", "diskSizeGb"), 100);
    lines.push(costLine(`Persistent Disk balanced node boot disks, GB (${nodes} x ${disk} GB)`, nodes * disk, p.pdBalancedGbMonth));
  }
  return lines;
}

/** Cloud SQL custom tiers name their shape: db-custom-<vCPUs>-<memory MB>. */
export function sqlTierShape(tier: string): { vcpus: number; memoryGb: number } | undefined {
  const match = /^db-custom-(\d+)-(\d+)$/.exec(tier);
  return match ? { vcpus: Number(match[1]), memoryGb: Number(match[2]) / 1024 } : undefined;
}

/** The Memorystore per-GB hourly price of a tier at a capacity: the first capacity band that holds it. */
const memorystoreGbHour = (p: GcpPrices, tier: "BASIC" | "STANDARD_HA", gb: number): number =>
  (p.memorystoreGbHour[tier].find((band) => gb <= band.upToGb) ?? p.memorystoreGbHour[tier].at(-1)!).usd;

function gcpDataLines(resources: readonly PricedResource[], p: GcpPrices): CostLine[] {
  const lines: CostLine[] = [];
  let databaseGb = 0;
  for (const db of ofType(resources, "gcp:sql/databaseInstance:DatabaseInstance")) {
    const settings = (db.inputs.settings ?? {}) as Inputs;
    const regional = settings.availabilityType === "REGIONAL";
    const ha = regional ? 2 : 1;
    const tier = str(settings.tier);
    const shape = sqlTierShape(tier);
    const hourly = shape ? shape.vcpus * p.sqlVcpuHour + shape.memoryGb * p.sqlMemoryGbHour : 0;
    const storage = num(settings.diskSize, 10);
    // Cloud SQL takes no backups of a read replica; its data is in its primary's dumps already.
    const replica = db.inputs.masterInstanceName !== undefined;
    const where = replica ? " read replica" : regional ? " REGIONAL" : " zonal";
    lines.push(costLine(`Cloud SQL PostgreSQL ${tier}${where}${shape ? "" : " (not in the price table)"}`, 1, ha * monthly(hourly)));
    lines.push(costLine(`Cloud SQL SSD storage${where}, GB`, storage, ha * p.sqlSsdGbMonth));
    if (replica) continue;
    databaseGb += storage;
    lines.push(costLine("Cloud SQL backups, GB (assumed equal to the storage)", storage, p.sqlBackupGbMonth));
  }
  for (const cache of ofType(resources, "gcp:redis/instance:Instance")) {
    const tier = cache.inputs.tier === "STANDARD_HA" ? "STANDARD_HA" : "BASIC";
    const gb = num(cache.inputs.memorySizeGb, 1);
    lines.push(costLine(`Memorystore for Redis ${tier}, GB`, gb, monthly(memorystoreGbHour(p, tier, gb))));
  }
  const buckets = ofType(resources, "gcp:storage/bucket:Bucket").length;
  if (buckets)
    lines.push(
      costLine("Cloud Storage backup bucket, GB (assumed equal to the database storage)", buckets * databaseGb, p.gcsStandardGbMonth),
    );
  return lines;
}

function gcpNetworkAndOperationsLines(resources: readonly PricedResource[], p: GcpPrices): CostLine[] {
  const lines: CostLine[] = [];
  const vms = ofType(resources, "gcp:container/nodePool:NodePool").reduce((n, pool) => n + gkeNodes(pool), 0);
  const nats = ofType(resources, "gcp:compute/routerNat:RouterNat").length;
  const natVms = Math.min(Math.max(vms, 1), p.natMaxVms);
  if (nats)
    lines.push(costLine(`Cloud NAT gateway hours for ${natVms} VMs (data processing excluded)`, nats, natVms * monthly(p.natVmHour)));
  const gateways = gatewayCount(resources);
  if (gateways)
    lines.push(costLine("Forwarding rule of the gateway's passthrough Network Load Balancer", gateways, monthly(p.forwardingRuleHour)));
  // Each key is counted with one active version; rotation adds versions that bill until destroyed.
  const keys = ofType(resources, "gcp:kms/cryptoKey:CryptoKey").length;
  if (keys) lines.push(costLine("Cloud KMS key versions (one active version per key)", keys, p.kmsKeyVersionMonth));
  const billable = Math.max(0, GCP_LOG_GB - p.loggingFreeGb);
  lines.push(
    costLine(`Cloud Logging beyond the free ${p.loggingFreeGb} GiB, GB (assumed ${GCP_LOG_GB} GB a month)`, billable, p.loggingGb),
  );
  const volumes = monitoringVolumeGb(resources);
  if (volumes)
    lines.push(costLine("Persistent Disk balanced Prometheus, Alertmanager and Grafana volumes, GB", volumes, p.pdBalancedGbMonth));
  return lines;
}

/** The region a provider of the cloud is configured for, or "" when none is recorded. */
const providerRegion = (resources: readonly PricedResource[], cloud: "aws" | "gcp"): string =>
  str(resources.find((r) => r.type === `pulumi:providers:${cloud}`)?.inputs.region);

/** Prices for a region: its own, or the base region's with every line saying so. */
function pricesFor<P>(table: Readonly<Record<string, P>>, region: string, base: string): { prices: P; pricedAs: string } {
  return region in table ? { prices: table[region]!, pricedAs: region } : { prices: table[base]!, pricedAs: base };
}

/** The monthly estimate of a stack from its recorded resources: one line per item, and their total. */
export function estimateCost(resources: readonly PricedResource[]): CostEstimate {
  const cloud = resources.some((r) => r.type === "pulumi:providers:gcp" || r.type.startsWith("gcp:")) ? "gcp" : "aws";
  const region = providerRegion(resources, cloud) || (cloud === "aws" ? AWS_BASE_REGION : GCP_BASE_REGION);
  let lines: CostLine[];
  let pricedAs: string;
  if (cloud === "aws") {
    const { prices, pricedAs: as } = pricesFor(AWS_PRICES, region, AWS_BASE_REGION);
    pricedAs = as;
    lines = [awsComputeLines, awsDataLines, awsNetworkLines, awsOperationsLines].flatMap((f) => f(resources, prices));
  } else {
    const { prices, pricedAs: as } = pricesFor(GCP_PRICES, region, GCP_BASE_REGION);
    pricedAs = as;
    lines = [gcpComputeLines, gcpDataLines, gcpNetworkAndOperationsLines].flatMap((f) => f(resources, prices));
  }
  if (pricedAs !== region) lines = lines.map((l) => ({ ...l, item: `${l.item} [${region} has no prices here: priced as ${pricedAs}]` }));
  const monthlyUsd = cents(lines.reduce((sum, l) => sum + l.monthlyUsd, 0));
  return { lines, monthlyUsd, region, pricedAs, priceTableDate: PRICE_TABLE_DATE };
}
