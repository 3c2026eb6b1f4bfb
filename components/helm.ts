// Helm charts as one `helm.v3.Release` each, for every component that installs one: the Kubernetes
// layer's and each cloud's cluster services. A deploy waits on the release (Helm's own readiness wait),
// not on each object inside it, and a failed install or upgrade rolls back instead of half-applying.
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

/** A chart pinned to one version, from an HTTP repository or an OCI registry (`oci://...` in `chart`). */
export interface HelmChart {
  chart: string;
  version: string;
  /** HTTP(S) chart repository; left out for OCI charts. @default - none: `chart` is an `oci://` reference */
  repo?: string;
}

export interface HelmReleaseArgs {
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

const VERSION = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

export function helmRelease(name: string, args: HelmReleaseArgs, parent: pulumi.Resource): k8s.helm.v3.Release {
  if (!VERSION.test(args.chart.version))
    throw new Error(
      `helm release ${name}: chart ${args.chart.chart} must be pinned to an exact version (got ${JSON.stringify(args.chart.version)})`,
    );
  if (!args.chart.chart.startsWith("oci://") && args.chart.repo === undefined)
    throw new Error(`helm release ${name}: chart ${args.chart.chart} needs a repository or an oci:// reference`);
  return new k8s.helm.v3.Release(
    name,
    {
      name: args.name,
      chart: args.chart.chart,
      version: args.chart.version,
      ...(args.chart.repo !== undefined && { repositoryOpts: { repo: args.chart.repo } }),
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
