// What a review record (review/out/<stack>.json) carries beyond the resources and the policy results: the
// estimate of a first deploy's duration and of the monthly cost, and, when reviewed against another
// version, what changes. Types only, shared by the estimate, the diff and the reports.

/** One line of the monthly cost estimate. */
export interface CostLine {
  /** What is paid for, e.g. "EKS control plane" or "RDS db.m7g.large Multi-AZ". */
  item: string;
  /** How many of the unit (hours are folded into the unit price: a node is one unit a month). */
  quantity: number;
  /** Monthly price of one unit, USD. */
  unitUsd: number;
  monthlyUsd: number;
}

/** A first deploy's duration and the monthly on-demand cost, from dated tables: an estimate, not a quote. */
export interface Estimate {
  /** The longest chain of creations a first `pulumi up` must wait for, in minutes. */
  criticalPathMinutes: number;
  /** Every creation one after another, in minutes. */
  serialMinutes: number;
  /** URNs of the critical path, first created first. */
  criticalPath: string[];
  monthlyCostUsd: number;
  costLines: CostLine[];
  /** The date of the price table (YYYY-MM-DD). */
  priceTableDate: string;
}

/** One resource present on both sides whose inputs or options differ. */
export interface ResourceChange {
  urn: string;
  /** Input paths that differ, e.g. `settings.tier`, and `protect` when the option changed. */
  paths: string[];
  /** The changed paths that make the provider replace the resource (delete and create). */
  replaces: string[];
  /** The resource was protected and no longer is. */
  unprotects: boolean;
}

/** What reviewing against another version (`--against`) found. */
export interface ReviewDiff {
  /** The git ref or record file compared against. */
  against: string;
  added: string[];
  removed: string[];
  changed: ResourceChange[];
  /** This version's monthly estimate minus the other's. */
  monthlyCostDeltaUsd: number;
}
