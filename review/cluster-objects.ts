// What the review's checks read from a recording: the stack's Kubernetes objects (each typed resource the
// program registers, and what each helm Release rendered when the review rendered it) and the facts about
// the cluster that no object holds (where the API server calls webhooks from, the cluster DNS pods, the pods
// the gateway controller and the Prometheus operator run), read off the recorded cloud resources.
import { KONNECTIVITY_AGENTS } from "../components/gcp/konnectivity";
import { PROXY_PODS, PROXY_PORTS } from "../components/kubernetes/gateway";
import { STACK_RELEASE } from "../components/kubernetes/monitoring";
import { checkLevel, type KubeObject } from "./check-types";
import type { RecordedResource } from "./engine";
import { addressIn } from "./netpol";
import { type AddressService, checkReachability, type ClusterFacts, type ReachabilityResult } from "./reachability";
import type { PolicySettings } from "./policy-config";
import { RELEASE_TYPE } from "./render";

/** Recorded kubernetes: types that are no Kubernetes object of their own: a chart release, a YAML file of objects. */
const NOT_OBJECTS = [RELEASE_TYPE, "kubernetes:yaml/v2:ConfigFile", "kubernetes:yaml/v2:ConfigGroup", "kubernetes:helm.sh/v4:Chart"];
/** The policy whose enforcement level the reachability check takes: the one that asks for network policies at all. */
export const NETWORK_POLICY_POLICY = "namespace-default-deny";
/** The Prometheus operator's flag naming the Service it keeps pointed at every node's kubelet. */
const KUBELET_SERVICE_FLAG = "--kubelet-service=";

/** Every Kubernetes object of the recording: the typed ones, then what each Release rendered (`rendered.objects`), if it was rendered. */
export function kubeObjects(resources: readonly RecordedResource[]): KubeObject[] {
  const typed = resources
    .filter((r) => r.type.startsWith("kubernetes:") && !NOT_OBJECTS.includes(r.type))
    .map((r): KubeObject => ({ type: r.type, name: r.name, inputs: r.inputs }));
  const rendered = resources
    .filter((r) => r.type === RELEASE_TYPE)
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

type CloudFacts = Pick<ClusterFacts, "apiServerAddresses" | "webhookCallers" | "dns"> & { nodeAddresses: string[] };

/** The cluster DNS pods: `k8s-app: kube-dns` in kube-system on EKS and GKE, with the server's DNS and metrics ports. */
function dnsPods(name: string, metrics: Record<string, number>): ClusterFacts["dns"] {
  return {
    object: `kube-system/Deployment/${name}`,
    namespace: "kube-system",
    labels: { "k8s-app": "kube-dns" },
    ports: {
      dns: { port: 53, protocol: "UDP" },
      "dns-tcp": { port: 53, protocol: "TCP" },
      ...Object.fromEntries(Object.entries(metrics).map(([n, port]) => [n, { port, protocol: "TCP" }])),
    },
  };
}

/**
 * Where the API server is and calls webhooks from, where the nodes are, and which DNS server the cluster
 * runs. EKS: the control plane's network interfaces sit in the cluster's subnets, and call webhooks from
 * there; the nodes are in the node groups' (AWS keeps each subnet's first four addresses and its last); its
 * DNS is the CoreDNS add-on. GKE: the control plane's private endpoint and the nodes take addresses in the
 * node subnet's primary range (GCP keeps the first two and the last two); webhook calls arrive through the
 * Konnectivity agents in kube-system, and may come from the endpoint's range; its DNS is kube-dns. Each range
 * is represented by its usable ends.
 */
function cloudFacts(resources: readonly RecordedResource[]): CloudFacts {
  const subnetEnds = (type: string, input: string, subnet: string, cidr: string, reserved: [number, number]) =>
    resources
      .filter((r) => r.type === type)
      .flatMap((r) => inputSources(resources, r, input, subnet))
      .flatMap((s) => usableEnds(s.inputs[cidr] as string, ...reserved));
  if (resources.some((r) => r.type === "aws:eks/cluster:Cluster")) {
    const aws = (type: string, input: string) => subnetEnds(type, input, "aws:ec2/subnet:Subnet", "cidrBlock", [4, 1]);
    const apiServerAddresses = aws("aws:eks/cluster:Cluster", "vpcConfig");
    return {
      apiServerAddresses,
      webhookCallers: apiServerAddresses.map((address) => ({ address })),
      nodeAddresses: aws("aws:eks/nodeGroup:NodeGroup", "subnetIds"),
      dns: dnsPods("coredns", { metrics: 9153 }),
    };
  }
  const nodeSubnet = subnetEnds("gcp:container/cluster:Cluster", "subnetwork", "gcp:compute/subnetwork:Subnetwork", "ipCidrRange", [2, 2]);
  const agents = resources.some((r) => r.type === "gcp:container/cluster:Cluster")
    ? [{ namespace: KONNECTIVITY_AGENTS.namespace, labels: { ...KONNECTIVITY_AGENTS.pods } }]
    : [];
  return {
    apiServerAddresses: nodeSubnet,
    webhookCallers: [...agents, ...nodeSubnet.map((address) => ({ address }))],
    nodeAddresses: nodeSubnet,
    dns: dnsPods("kube-dns", { metrics: 10054, "metrics-skydns": 10055 }),
  };
}

/**
 * The Services the cluster runs whose endpoints are addresses: `default/kubernetes` at the API server, and the
 * kubelets' Service the Prometheus operator keeps (named by its `--kubelet-service` flag) at the nodes.
 */
function addressServices(objects: KubeObject[], facts: CloudFacts): AddressService[] {
  const apiServer: AddressService = {
    metadata: { name: "kubernetes", namespace: "default", labels: { component: "apiserver", provider: "kubernetes" } },
    spec: { ports: [{ name: "https", port: 443, targetPort: 443 }] },
    addresses: facts.apiServerAddresses,
  };
  const kubeletServices = objects.flatMap((o) => {
    const template = (o.inputs.spec as { template?: { spec?: { containers?: { args?: unknown[] }[] } } } | undefined)?.template;
    const args = (template?.spec?.containers ?? []).flatMap((c) => c.args ?? []).filter((a): a is string => typeof a === "string");
    return args.flatMap((a) => (a.startsWith(KUBELET_SERVICE_FLAG) ? [a.slice(KUBELET_SERVICE_FLAG.length).split("/")] : []));
  });
  const kubelets = [...new Map(kubeletServices.map(([namespace, name]) => [`${namespace}/${name}`, { namespace, name }])).values()].map(
    ({ namespace, name }): AddressService => ({
      metadata: {
        name: name!,
        namespace: namespace!,
        labels: { "app.kubernetes.io/name": "kubelet", "k8s-app": "kubelet", "app.kubernetes.io/managed-by": "prometheus-operator" },
      },
      spec: {
        ports: [
          { name: "https-metrics", port: 10250 },
          { name: "http-metrics", port: 10255 },
          { name: "cadvisor", port: 4194 },
        ],
      },
      addresses: facts.nodeAddresses,
    }),
  );
  return facts.apiServerAddresses.length > 0 ? [apiServer, ...kubelets] : kubelets;
}

/**
 * The cluster facts of a recording. Prometheus, when its chart is not rendered, is the pod the operator runs
 * for kube-prometheus-stack's Prometheus (`<release>-prometheus`) in the release's namespace.
 */
export function clusterFacts(resources: readonly RecordedResource[]): ClusterFacts {
  const prometheus = resources
    .filter((r) => r.type === RELEASE_TYPE && r.inputs.name === STACK_RELEASE && typeof r.inputs.namespace === "string")
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
  const { nodeAddresses, ...cloud } = cloudFacts(resources);
  return {
    ...cloud,
    addressServices: addressServices(kubeObjects(resources), { nodeAddresses, ...cloud }),
    proxies: { labels: PROXY_PODS, ports: { metrics: { port: PROXY_PORTS.metrics, protocol: "TCP" } } },
    prometheus,
  };
}

/** The reachability check over a recording, mandatory where the environment's policy config makes network policies mandatory. */
export function reachabilityOf(resources: readonly RecordedResource[], settings: ReadonlyMap<string, PolicySettings>): ReachabilityResult {
  return checkReachability(kubeObjects(resources), clusterFacts(resources), checkLevel(settings, NETWORK_POLICY_POLICY));
}
