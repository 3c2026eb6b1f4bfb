// Helm charts as one `helm.v3.Release` each, for every component that installs one: the Kubernetes
// layer's and each cloud's cluster services. A deploy waits on the release (Helm's own readiness wait),
// not on each object inside it, and a failed install or upgrade rolls back instead of half-applying.
// Each release installs the chart's archive kept in charts/ (components/charts.ts), never a download.
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { chartPin, type HelmChart, localArchive } from "./charts";

export type { HelmChart } from "./charts";

export interface HelmReleaseArgs {
  /** The pinned chart; its archive in charts/ is what gets installed. */
  chart: HelmChart;
  /** Helm release name; fixed, because charts name their objects (and Prometheus selects them) by it. */
  name: string;
  namespace: pulumi.Input<string>;
  values: pulumi.Input<Record<string, unknown>>;
  /** Seconds Helm waits for the release's workloads to become ready. @default 600 */
  timeoutSeconds?: number;
  /** Leave the chart's crds/ folder alone (another release manages those CRDs). @default false */
  skipCrds?: boolean;
  /** Resources the release waits for, such as the CRD releases its objects need. @default [] */
  dependsOn?: pulumi.Input<pulumi.Resource>[];
}

export function helmRelease(name: string, args: HelmReleaseArgs, parent: pulumi.Resource): k8s.helm.v3.Release {
  let chart: string;
  try {
    chart = localArchive(chartPin(args.chart));
  } catch (e) {
    throw new Error(`helm release ${name}: ${(e as Error).message}`);
  }
  return new k8s.helm.v3.Release(
    name,
    {
      name: args.name,
      chart,
      // Helm reads the version from the archive; the lock and the check above make the two the same.
      version: args.chart.version,
      namespace: args.namespace,
      values: args.values,
      atomic: true,
      cleanupOnFail: true,
      timeout: args.timeoutSeconds ?? 600,
      ...(args.skipCrds && { skipCrds: true }),
    },
    { parent, ...(args.dependsOn && { dependsOn: args.dependsOn }) },
  );
}
