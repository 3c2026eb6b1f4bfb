// The estimate a review carries: how long a first deploy takes (deploy-time.ts) and what the stack costs a
// month (cost.ts), both from dated tables and the recorded resources. A few milliseconds per stack.
import { estimateCost } from "./cost";
import { deployTime } from "./deploy-time";
import type { RecordedResource } from "./engine";
import type { Estimate } from "./report-types";

export function estimateStack(resources: readonly RecordedResource[]): Estimate {
  const time = deployTime(resources);
  const cost = estimateCost(resources);
  return {
    criticalPathMinutes: time.criticalPathMinutes,
    serialMinutes: time.serialMinutes,
    criticalPath: time.criticalPath,
    monthlyCostUsd: cost.monthlyUsd,
    costLines: cost.lines,
    priceTableDate: cost.priceTableDate,
  };
}

const usd = (n: number): string => `$${n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/** The two summary lines: deploy time and monthly cost, each labelled an estimate. */
export function estimateLines(estimate: Estimate): string[] {
  return [
    `  first deploy (estimate): critical path ${estimate.criticalPathMinutes} min, ${estimate.serialMinutes} min if created one by one`,
    `  monthly cost (estimate, on-demand prices of ${estimate.priceTableDate}): ${usd(estimate.monthlyCostUsd)} a month`,
  ];
}
