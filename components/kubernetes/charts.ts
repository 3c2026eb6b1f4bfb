// Every chart the Kubernetes layer installs, pinned to one version, with the upstream repository that
// publishes it. Renovate reads these lines (renovate.json); the archives themselves are in charts/ and
// listed in charts/charts.lock.json, which `npm run charts -- pull` rewrites after a version changes.
import { type ArchivePin, chartPin, crdsPin, type HelmChart } from "../charts";

export const EXTERNAL_SECRETS_CHART: HelmChart = {
  chart: "external-secrets",
  version: "2.9.0",
  repo: "https://charts.external-secrets.io",
};
/**
 * External Secrets' CRDs at the chart's version. Its archive in charts/ is packaged from source, where the
 * CRD templates are generated only at upstream's packaging, so the CRDs come from the release's bundle.
 */
export const EXTERNAL_SECRETS_CRDS: ArchivePin = crdsPin(
  EXTERNAL_SECRETS_CHART,
  `https://raw.githubusercontent.com/external-secrets/external-secrets/helm-chart-${EXTERNAL_SECRETS_CHART.version}/deploy/crds/bundle.yaml`,
);

export const KUBE_PROMETHEUS_STACK_CHART: HelmChart = {
  chart: "kube-prometheus-stack",
  version: "88.5.3",
  repo: "https://prometheus-community.github.io/helm-charts",
};
/** The operator's CRDs at the operator version of that chart (v0.93.1), templated so upgrades apply. */
export const PROMETHEUS_CRDS_CHART: HelmChart = {
  chart: "prometheus-operator-crds",
  version: "31.0.1",
  repo: "https://prometheus-community.github.io/helm-charts",
};

export const CERT_MANAGER_CHART: HelmChart = { chart: "oci://quay.io/jetstack/charts/cert-manager", version: "v1.21.1" };

const ENVOY_GATEWAY_VERSION = "v1.9.0";
export const ENVOY_GATEWAY_CHART: HelmChart = { chart: "oci://docker.io/envoyproxy/gateway-helm", version: ENVOY_GATEWAY_VERSION };
/** Gateway API and Envoy Gateway CRDs, templated (so upgrades update them), one release each. */
export const GATEWAY_CRDS_CHART: HelmChart = { chart: "oci://docker.io/envoyproxy/gateway-crds-helm", version: ENVOY_GATEWAY_VERSION };

/** The archives of charts/ the Kubernetes layer installs. */
export const KUBERNETES_ARCHIVES: readonly ArchivePin[] = [
  ...[
    CERT_MANAGER_CHART,
    ENVOY_GATEWAY_CHART,
    GATEWAY_CRDS_CHART,
    EXTERNAL_SECRETS_CHART,
    KUBE_PROMETHEUS_STACK_CHART,
    PROMETHEUS_CRDS_CHART,
  ].map(chartPin),
  EXTERNAL_SECRETS_CRDS,
];
