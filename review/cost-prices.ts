// The dated on-demand price table the monthly estimate reads. USD, Linux, no commitments, no free tiers
// unless a row says so. Sources: the public pricing pages of each service, read for the regions the
// shipped stacks use (eu-west-1, europe-west1):
//   aws.amazon.com/eks/pricing, /ec2/pricing/on-demand, /rds/postgresql/pricing, /elasticache/pricing,
//   /vpc/pricing (NAT gateway, public IPv4), /elasticloadbalancing/pricing, /kms/pricing,
//   /cloudwatch/pricing (Logs), /ebs/pricing, /s3/pricing;
//   cloud.google.com/kubernetes-engine/pricing, /compute/vm-instance-pricing, /compute/disks-image-pricing,
//   /sql/pricing, /memorystore/docs/redis/pricing, /nat/pricing, /vpc/network-pricing (forwarding rules),
//   /kms/pricing, /stackdriver/pricing (Cloud Logging), /storage/pricing.
// Prices change: re-read the pages and move PRICE_TABLE_DATE when a figure is updated.
export const PRICE_TABLE_DATE = "2026-12-02";

/** Hours in a month, as both clouds' calculators count them. */
export const HOURS_PER_MONTH = 730;

export interface AwsPrices {
  /** EKS cluster in standard support, per hour. */
  eksClusterHour: number;
  /** EC2 on-demand Linux, per instance hour. */
  ec2Hour: Readonly<Record<string, number>>;
  /** RDS for PostgreSQL single-AZ, per instance hour (Multi-AZ is twice this). */
  rdsPostgresHour: Readonly<Record<string, number>>;
  /** RDS gp3 storage single-AZ, per GB-month (Multi-AZ is twice this). */
  rdsGp3GbMonth: number;
  /** RDS backup storage beyond the free allowance (100% of provisioned storage), per GB-month. */
  rdsBackupGbMonth: number;
  /** ElastiCache node-based Redis OSS, per node hour. */
  elasticacheHour: Readonly<Record<string, number>>;
  /** Valkey nodes cost this fraction of the Redis OSS price (ElastiCache pricing: 20% lower). */
  valkeyFactor: number;
  natGatewayHour: number;
  /** Public IPv4 address in use (the NAT gateways' Elastic IPs), per hour. */
  publicIpv4Hour: number;
  /** Network Load Balancer, per hour (LCUs excluded). */
  nlbHour: number;
  /** Customer managed KMS key, per month. */
  kmsKeyMonth: number;
  /** CloudWatch Logs standard ingestion, per GB. */
  logsIngestGb: number;
  /** CloudWatch Logs storage (archived), per GB-month. */
  logsStoreGbMonth: number;
  ebsGp3GbMonth: number;
  s3StandardGbMonth: number;
}

export interface GcpPrices {
  /** GKE cluster management fee, per cluster hour. */
  gkeClusterHour: number;
  /** Compute Engine on-demand, per VM hour. */
  machineHour: Readonly<Record<string, number>>;
  /** Cloud SQL Enterprise zonal, per vCPU hour and per GB of memory hour (REGIONAL is twice). */
  sqlVcpuHour: number;
  sqlMemoryGbHour: number;
  /** Cloud SQL SSD storage zonal, per GB-month (REGIONAL is twice). */
  sqlSsdGbMonth: number;
  /** Cloud SQL backups, per GB-month (no free allowance). */
  sqlBackupGbMonth: number;
  /** Memorystore for Redis per GB hour, by tier, for capacity up to `upToGb` (the M1.. M5 capacity tiers). */
  memorystoreGbHour: Readonly<Record<"BASIC" | "STANDARD_HA", readonly { upToGb: number; usd: number }[]>>;
  /** Cloud NAT gateway, per VM using it per hour, up to `natMaxVms` VMs. */
  natVmHour: number;
  natMaxVms: number;
  /** Forwarding rule (the passthrough Network Load Balancer), per hour, first five rules. */
  forwardingRuleHour: number;
  /** Cloud KMS software key, per active key version per month. */
  kmsKeyVersionMonth: number;
  /** Cloud Logging ingestion beyond the free allotment, per GiB, and the allotment per project per month. */
  loggingGb: number;
  loggingFreeGb: number;
  pdBalancedGbMonth: number;
  gcsStandardGbMonth: number;
}

export const AWS_BASE_REGION = "eu-west-1";
export const GCP_BASE_REGION = "europe-west1";

/** Per region; a region missing here is priced as AWS_BASE_REGION, and the lines say so. */
export const AWS_PRICES: Readonly<Record<string, AwsPrices>> = {
  "eu-west-1": {
    eksClusterHour: 0.1,
    // The instance types the profiles use (infra/profiles.ts).
    ec2Hour: { "t3.large": 0.0912, "m7i.large": 0.1124, "m7i.xlarge": 0.2247 },
    rdsPostgresHour: { "db.t4g.small": 0.036, "db.m7g.large": 0.186 },
    rdsGp3GbMonth: 0.127,
    rdsBackupGbMonth: 0.095,
    elasticacheHour: { "cache.t4g.micro": 0.018, "cache.m7g.large": 0.176 },
    valkeyFactor: 0.8,
    natGatewayHour: 0.048,
    publicIpv4Hour: 0.005,
    nlbHour: 0.0252,
    kmsKeyMonth: 1,
    logsIngestGb: 0.57,
    logsStoreGbMonth: 0.03,
    ebsGp3GbMonth: 0.088,
    s3StandardGbMonth: 0.023,
  },
};

/** Per region; a region missing here is priced as GCP_BASE_REGION, and the lines say so. */
export const GCP_PRICES: Readonly<Record<string, GcpPrices>> = {
  "europe-west1": {
    gkeClusterHour: 0.1,
    machineHour: { "e2-standard-2": 0.0737, "e2-standard-4": 0.1474, "n2-standard-4": 0.2137 },
    sqlVcpuHour: 0.0454,
    sqlMemoryGbHour: 0.0077,
    sqlSsdGbMonth: 0.187,
    sqlBackupGbMonth: 0.088,
    memorystoreGbHour: {
      BASIC: [
        { upToGb: 4, usd: 0.054 },
        { upToGb: 10, usd: 0.03 },
        { upToGb: 35, usd: 0.025 },
        { upToGb: 100, usd: 0.021 },
        { upToGb: 300, usd: 0.018 },
      ],
      STANDARD_HA: [
        { upToGb: 4, usd: 0.07 },
        { upToGb: 10, usd: 0.059 },
        { upToGb: 35, usd: 0.051 },
        { upToGb: 100, usd: 0.042 },
        { upToGb: 300, usd: 0.035 },
      ],
    },
    natVmHour: 0.0014,
    natMaxVms: 32,
    forwardingRuleHour: 0.025,
    kmsKeyVersionMonth: 0.06,
    loggingGb: 0.5,
    loggingFreeGb: 50,
    pdBalancedGbMonth: 0.11,
    gcsStandardGbMonth: 0.02,
  },
};
