// NetworkPolicies as data: one default-deny per namespace, then one policy per allowance, each naming who
// may talk to whom on which ports. Pure: no Pulumi resources, so every rule is tested directly
// (test/kubernetes/network-policy.test.ts) and the namespaces only register what this module builds.
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { failer } from "../args";
import type { IdentityEndpoint } from "../types";

export type Labels = Record<string, string>;

export interface Port {
  port: number;
  /** @default "TCP" */
  protocol?: "TCP" | "UDP";
}

/** Pods selected by labels, in a namespace named here or in the policy's own namespace. */
export interface PodPeer {
  /** Namespace of the pods, matched by its `kubernetes.io/metadata.name` label. @default the policy's own namespace */
  namespace?: string;
  /** Pod labels. @default every pod of the namespace */
  pods?: Labels;
}

/** Addresses outside the cluster's pod network (a managed database's subnets, the API server, the internet). */
export interface CidrPeer {
  cidrs: pulumi.Input<string[]>;
  /** Ranges inside `cidrs` that stay closed. @default none */
  except?: string[];
}

export type Peer = PodPeer | CidrPeer;

export interface Allowance {
  /** kebab-case purpose; the policy is named `allow-<name>`. */
  name: string;
  direction: "Ingress" | "Egress";
  /** The namespace's pods the allowance is for. @default every pod of the namespace */
  pods?: Labels;
  /** Who they may be reached from (Ingress) or may reach (Egress); at least one. */
  peers: Peer[];
  /** At least one: an allowance never opens every port. */
  ports: Port[];
}

/** A NetworkPolicy's metadata and spec, as the resource takes them. */
export interface NetworkPolicyManifest {
  metadata: { name: string; namespace: pulumi.Input<string>; labels: Labels };
  spec: k8s.types.input.networking.v1.NetworkPolicySpec;
}

/** The label Kubernetes sets on every namespace to its own name (1.22+), so peers can name namespaces. */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";
/** RFC 1918: what "the internet" excludes, so an internet allowance never opens the VPC. */
export const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];
const DEFAULT_DENY = "default-deny";
const NAME = /^[a-z0-9]([-a-z0-9]{0,40}[a-z0-9])?$/;

/** Denies all ingress and egress to every pod of the namespace; allowances then open what is needed. */
export function defaultDeny(namespace: string): NetworkPolicyManifest {
  return {
    metadata: { name: DEFAULT_DENY, namespace, labels: { "app.kubernetes.io/managed-by": "pulumi" } },
    spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
  };
}

type PeerArgs = k8s.types.input.networking.v1.NetworkPolicyPeer;

const isCidrPeer = (p: Peer): p is CidrPeer => "cidrs" in p;

function podPeer(p: PodPeer): PeerArgs {
  return {
    ...(p.namespace !== undefined && { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: p.namespace } } }),
    podSelector: p.pods ? { matchLabels: p.pods } : {},
  };
}

const block = (cidr: string, except?: string[]): PeerArgs => ({ ipBlock: { cidr, ...(except && { except }) } });

/**
 * Pod peers first, then one ipBlock peer per block (NetworkPolicyPeer takes a single ipBlock). Block lists
 * may be outputs (subnets the cloud reports); plain lists give plain peers.
 */
function peersOf(a: Allowance): pulumi.Input<PeerArgs[]> {
  const pods = a.peers.filter((p): p is PodPeer => !isCidrPeer(p)).map(podPeer);
  const cidrPeers = a.peers.filter(isCidrPeer);
  const known = (cidrs: pulumi.Input<string[]>): cidrs is string[] => Array.isArray(cidrs) && cidrs.every((c) => typeof c === "string");
  if (cidrPeers.every((p) => known(p.cidrs)))
    return [...pods, ...cidrPeers.flatMap((p) => (p.cidrs as string[]).map((c) => block(c, p.except)))];
  return pulumi
    .all(cidrPeers.map((p) => p.cidrs))
    .apply((lists) => [...pods, ...lists.flatMap((cidrs, i) => cidrs.map((c) => block(c, cidrPeers[i]!.except)))]);
}

/** Checks an allowance; throws naming the namespace, the allowance and the field. */
function checkAllowance(namespace: string, a: Allowance): void {
  const fail = failer("network policy", `${namespace}/allow-${a.name}`);
  if (!NAME.test(a.name)) fail(`name must be kebab-case, at most 42 characters (got ${JSON.stringify(a.name)})`);
  if (a.peers.length === 0) fail("peers must name at least one peer; an allowance from or to everyone is not narrow");
  if (a.ports.length === 0) fail("ports must list at least one port; an allowance never opens every port");
  for (const p of a.ports) {
    if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535) fail(`ports must be 1-65535 (got ${JSON.stringify(p.port)})`);
  }
}

/** The policy for one allowance: `allow-<name>`, selecting the allowance's pods, for its one direction. */
export function allowancePolicy(namespace: string, a: Allowance): NetworkPolicyManifest {
  checkAllowance(namespace, a);
  const ports = a.ports.map((p) => ({ port: p.port, protocol: p.protocol ?? "TCP" }));
  const peers = peersOf(a);
  return {
    metadata: { name: `allow-${a.name}`, namespace, labels: { "app.kubernetes.io/managed-by": "pulumi" } },
    spec: {
      podSelector: a.pods ? { matchLabels: a.pods } : {},
      policyTypes: [a.direction],
      ...(a.direction === "Ingress" ? { ingress: [{ from: peers, ports }] } : { egress: [{ to: peers, ports }] }),
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// The allowances every platform namespace reuses.

/** DNS to the cluster's resolver (CoreDNS or kube-dns, both labelled k8s-app=kube-dns in kube-system). */
export function dnsEgress(pods?: Labels): Allowance {
  return {
    name: "dns",
    direction: "Egress",
    ...(pods && { pods }),
    peers: [{ namespace: "kube-system", pods: { "k8s-app": "kube-dns" } }],
    ports: [
      { port: 53, protocol: "UDP" },
      { port: 53, protocol: "TCP" },
    ],
  };
}

/** The Kubernetes API server, for controllers, at the addresses its endpoints live on. */
export function apiServerEgress(cidrs: pulumi.Input<string[]>, pods?: Labels): Allowance {
  return { name: "kube-api", direction: "Egress", ...(pods && { pods }), peers: [{ cidrs }], ports: [{ port: 443 }] };
}

/** HTTPS to addresses outside private space (ACME, cloud APIs, webhooks), never into the VPC. */
export function internetHttpsEgress(name: string, pods?: Labels, ports: Port[] = [{ port: 443 }]): Allowance {
  return { name, direction: "Egress", ...(pods && { pods }), peers: [{ cidrs: ["0.0.0.0/0"], except: PRIVATE_RANGES }], ports };
}

/**
 * The cluster's workload identity credentials endpoint (KubernetesCluster.identityEndpoint: GKE's metadata
 * server), for pods that act as a cloud identity; none where the credentials come over HTTPS.
 */
export function identityEgress(endpoint: IdentityEndpoint | undefined, pods?: Labels): Allowance[] {
  if (!endpoint) return [];
  return [
    {
      name: "workload-identity",
      direction: "Egress",
      ...(pods && { pods }),
      peers: [{ cidrs: endpoint.cidrs }],
      ports: [{ port: endpoint.port }],
    },
  ];
}
