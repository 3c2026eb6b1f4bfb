// What the review's checks read from a recording: the stack's Kubernetes objects (each typed resource the
// program registers, and what each helm Release rendered when the review rendered it) and the facts about
// the cluster that no object holds (where the API server calls webhooks from, the cluster DNS pods, the pods
// the gateway controller and the Prometheus operator run), read off the recorded cloud resources.
import { PROXY_PODS, PROXY_PORTS } from "../components/kubernetes/gateway";
import { STACK_RELEASE } from "../components/kubernetes/monitoring";
import type { CheckResult, KubeObject } from "./check-types";
import type { RecordedResource } from "./engine";
import { addressIn } from "./netpol";
import { checkReachability, type ClusterFacts, type ReachabilityResult } from "./reachability";
import type { PolicySettings } from "./policy-config";

const RELEASE = "kubernetes:helm.sh/v3:Release";
/** Recorded kubernetes: types that are no Kubernetes object of their own: a chart release, a YAML file of objects. */
const NOT_OBJECTS = [RELEASE, "kubernetes:yaml/v2:ConfigFile", "kubernetes:yaml/v2:ConfigGroup", "kubernetes:helm.sh/v4:Chart"];
/** The policy whose enforcement level the reachability check takes: the one that asks for network policies at all. */
export const NETWORK_POLICY_POLICY = "namespace-default-deny";

/** Every Kubernetes object of the recording: the typed ones, then what each Release rendered (`rendered.objects`), if it was rendered. */
export function kubeObjects(resources: readonly RecordedResource[]): KubeObject[] {
  const typed = resources
    .filter((r) => r.type.startsWith("kubernetes:") && !NOT_OBJECTS.includes(r.type))
    .map((r): KubeObject => ({ type: r.type, name: r.name, inputs: r.inputs }));
  const rendered = resources
    .filter((r) => r.type === RELEASE)
    .flatMap((r) =>
      ((r as { rendered?: { objects?: KubeObject[] } }).rendered?.objects ?? []).map((o) => ({ ...o, release: o.release ?? r.urn })),
    );
  return [...typed, ...rendered];
}

/** The usable ends of a range: `reservedLow` addresses at its start and `reservedHigh` at its end are the cloud's. */
function usableEnds(cidr: string, reservedLow: number, reservedHigh: number): string[] {
  const size = 2 ** (32 - Number(cidr.split("/")[1]));
  return [addressIn(cidr, reservedLow), addressIn(cidr, size - 1 - reservedHigh)];
}

/** The recorded resources an input of `r` came from, of one type. */
const inputSources = (resources: readonly RecordedResource[], r: RecordedResource, input: string, type: string) =>
  (r.propertyDependencies[input] ?? []).flatMap((urn) => resources.filter((x) => x.urn === urn && x.type === type));

/**
 * Where the API server calls webhooks from, and which DNS server the cluster runs. EKS: the control plane's
 * network interfaces sit in the cluster's subnets (AWS keeps each subnet's first four addresses and its last);
 * its DNS is the CoreDNS add-on. GKE: the control plane's private endpoint takes an address in the node
 * subnet's primary range (GCP keeps the first two and the last two); its DNS is kube-dns.
 */
function cloudFacts(resources: readonly RecordedResource[]): { apiServerAddresses: string[]; dns: ClusterFacts["dns"] } {
  const dns = (name: string, metrics: Record<string, number>): ClusterFacts["dns"] => ({
    object: `kube-system/Deployment/${name}`,
    namespace: "kube-system",
    labels: { "k8s-app": "kube-dns" },
    ports: {
      dns: { port: 53, protocol: "UDP" },
      "dns-tcp": { port: 53, protocol: "TCP" },
      ...Object.fromEntries(Object.entries(metrics).map(([n, port]) => [n, { port, protocol: "TCP" }])),
    },
  });
  const eks = resources.filter((r) => r.type === "aws:eks/cluster:Cluster");
  if (eks.length > 0)
    return {
      apiServerAddresses: eks
        .flatMap((c) => inputSources(resources, c, "vpcConfig", "aws:ec2/subnet:Subnet"))
        .flatMap((s) => usableEnds(s.inputs.cidrBlock as string, 4, 1)),
      dns: dns("coredns", { metrics: 9153 }),
    };
  const gke = resources.filter((r) => r.type === "gcp:container/cluster:Cluster");
  return {
    apiServerAddresses: gke
      .flatMap((c) => inputSources(resources, c, "subnetwork", "gcp:compute/subnetwork:Subnetwork"))
      .flatMap((s) => usableEnds(s.inputs.ipCidrRange as string, 2, 2)),
    dns: dns("kube-dns", { metrics: 10054, "metrics-skydns": 10055 }),
  };
}

/**
 * The cluster facts of a recording. Prometheus, when its chart is not rendered, is the pod the operator runs
 * for kube-prometheus-stack's Prometheus (`<release>-prometheus`) in the release's namespace.
 */
export function clusterFacts(resources: readonly RecordedResource[]): ClusterFacts {
  const prometheus = resources
    .filter((r) => r.type === RELEASE && r.inputs.name === STACK_RELEASE && typeof r.inputs.namespace === "string")
    .map((r) => {
      const namespace = r.inputs.namespace as string;
      const name = `${STACK_RELEASE}-prometheus`;
      return {
        object: `${namespace}/Prometheus/${name}`,
        namespace,
        labels: {
          "app.kubernetes.io/name": "prometheus",
          "app.kubernetes.io/instance": name,
          "app.kubernetes.io/managed-by": "prometheus-operator",
        },
        ports: { web: { port: 9090, protocol: "TCP" }, "reloader-web": { port: 8080, protocol: "TCP" } },
      };
    });
  return {
    ...cloudFacts(resources),
    proxies: { labels: PROXY_PODS, ports: { metrics: { port: PROXY_PORTS.metrics, protocol: "TCP" } } },
    prometheus,
  };
}

/** The reachability check over a recording, mandatory where the environment's policy config makes network policies mandatory. */
export function reachabilityOf(resources: readonly RecordedResource[], settings: ReadonlyMap<string, PolicySettings>): ReachabilityResult {
  const level = settings.get(NETWORK_POLICY_POLICY)?.enforcementLevel;
  const enforcementLevel: CheckResult["enforcementLevel"] = level === "mandatory" || level === "remediate" ? "mandatory" : "advisory";
  return checkReachability(kubeObjects(resources), clusterFacts(resources), enforcementLevel);
}
