// A small, pure NetworkPolicy evaluator for the review's reachability check (review/reachability.ts) and the
// tests: given the policies of a cluster, may this pod (or an address outside the pod network, such as the
// API server calling a webhook) open a connection to that pod or address on that port? It follows the
// semantics of networking.k8s.io/v1:
//   - a pod is isolated for a direction only when some policy of its own namespace selects it and lists
//     that direction in policyTypes (defaulted as the API server does when left out);
//   - traffic in an isolated direction is allowed only when a rule of one of those policies matches the
//     peer and the port; a rule without peers matches every peer, one without ports every port;
//   - a connection needs both sides: egress from the source and ingress at the destination (an address has
//     no policies of its own, so only the pod end of a connection from or to one is decided);
//   - pod peers are matched by podSelector and namespaceSelector (a peer without namespaceSelector means
//     the policy's own namespace; namespaces carry `kubernetes.io/metadata.name`); ipBlock peers match
//     addresses only, so pod-to-pod traffic is decided by selectors alone.
// IPv4 only, which is all the platform's subnets use.

export type Labels = Record<string, string>;

export interface LabelSelector {
  matchLabels?: Labels;
  matchExpressions?: { key: string; operator: "In" | "NotIn" | "Exists" | "DoesNotExist"; values?: string[] }[];
}

export interface PolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}

export interface PolicyPort {
  /** A number, or the name of a container port. @default every port */
  port?: number | string;
  endPort?: number;
  /** @default "TCP" */
  protocol?: string;
}

export interface PolicyRule {
  from?: PolicyPeer[];
  to?: PolicyPeer[];
  ports?: PolicyPort[];
}

export interface NetworkPolicy {
  metadata: { name: string; namespace: string };
  spec: { podSelector: LabelSelector; policyTypes?: string[]; ingress?: PolicyRule[]; egress?: PolicyRule[] };
}

export interface PodEndpoint {
  namespace: string;
  labels: Labels;
}

export interface AddressEndpoint {
  address: string;
}

export type Endpoint = PodEndpoint | AddressEndpoint;

export interface Connection {
  from: Endpoint;
  to: Endpoint;
  port: number;
  /** The destination container port's name, for policies that name ports. @default none */
  portName?: string;
  /** @default "TCP" */
  protocol?: string;
}

export interface Side {
  allowed: boolean;
  /** Why, for a failing test's message: who isolates the pod and which policy (if any) lets the traffic through. */
  why: string;
}

export interface Verdict {
  allowed: boolean;
  egress: Side;
  ingress: Side;
}

export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

const isAddress = (e: Endpoint): e is AddressEndpoint => "address" in e;

export function selects(selector: LabelSelector | undefined, labels: Labels): boolean {
  if (selector === undefined) return true;
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  return (
    byLabel &&
    (selector.matchExpressions ?? []).every((e) => {
      const value = labels[e.key];
      const values = e.values ?? [];
      switch (e.operator) {
        case "In":
          return value !== undefined && values.includes(value);
        case "NotIn":
          return value === undefined || !values.includes(value);
        case "Exists":
          return value !== undefined;
        case "DoesNotExist":
          return value === undefined;
      }
    })
  );
}

function ipv4(address: string): number {
  const parts = address.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`not an IPv4 address: ${address}`);
  return parts.reduce((n, p) => n * 256 + p, 0);
}

function parseCidr(cidr: string): { base: number; size: number } {
  const [address, bits] = cidr.split("/");
  const prefix = Number(bits);
  if (address === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) throw new Error(`not an IPv4 CIDR: ${cidr}`);
  const size = 2 ** (32 - prefix);
  return { base: ipv4(address) - (ipv4(address) % size), size };
}

export function cidrContains(cidr: string, address: string): boolean {
  const { base, size } = parseCidr(cidr);
  const n = ipv4(address);
  return n >= base && n < base + size;
}

/** The address `offset` places into `cidr`, e.g. a node's or an ENI's address inside its subnet. */
export function addressIn(cidr: string, offset: number): string {
  const { base, size } = parseCidr(cidr);
  if (offset < 0 || offset >= size) throw new Error(`offset ${offset} is outside ${cidr}`);
  const n = base + offset;
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}

/** The policy types a policy applies to, defaulted as the API server does when the field is left out. */
export function policyTypesOf(policy: NetworkPolicy): string[] {
  return policy.spec.policyTypes ?? ["Ingress", ...(policy.spec.egress !== undefined ? ["Egress"] : [])];
}

export class NetworkPolicies {
  /**
   * @param policies every NetworkPolicy of the cluster
   * @param namespaceLabels labels of the namespaces that have any besides their name label
   */
  constructor(
    readonly policies: readonly NetworkPolicy[],
    private readonly namespaceLabels: Readonly<Record<string, Labels>> = {},
  ) {}

  private labelsOfNamespace(name: string): Labels {
    return { ...this.namespaceLabels[name], [NAMESPACE_NAME_LABEL]: name };
  }

  private peerMatches(peer: PolicyPeer, policyNamespace: string, endpoint: Endpoint): boolean {
    if (peer.ipBlock) {
      if (!isAddress(endpoint)) return false;
      return (
        cidrContains(peer.ipBlock.cidr, endpoint.address) && !(peer.ipBlock.except ?? []).some((c) => cidrContains(c, endpoint.address))
      );
    }
    if (peer.podSelector === undefined && peer.namespaceSelector === undefined)
      throw new Error(`a peer of ${policyNamespace} names neither pods, namespaces nor addresses: the API server refuses it`);
    if (isAddress(endpoint)) return false;
    const namespaceOk = peer.namespaceSelector
      ? selects(peer.namespaceSelector, this.labelsOfNamespace(endpoint.namespace))
      : endpoint.namespace === policyNamespace;
    return namespaceOk && selects(peer.podSelector, endpoint.labels);
  }

  private portMatches(ports: PolicyPort[] | undefined, c: Connection): boolean {
    if (ports === undefined || ports.length === 0) return true;
    return ports.some((p) => {
      if ((p.protocol ?? "TCP") !== (c.protocol ?? "TCP")) return false;
      if (p.port === undefined) return true;
      if (typeof p.port === "string") return p.port === c.portName;
      return p.endPort === undefined ? p.port === c.port : c.port >= p.port && c.port <= p.endPort;
    });
  }

  /** The policies of the pod's namespace that select it for `direction`: none means that direction is open. */
  private isolating(direction: "Ingress" | "Egress", pod: PodEndpoint): NetworkPolicy[] {
    return this.policies.filter(
      (p) => p.metadata.namespace === pod.namespace && selects(p.spec.podSelector, pod.labels) && policyTypesOf(p).includes(direction),
    );
  }

  /** Whether some policy isolates the pod for `direction`, so only what a rule allows gets through. */
  isolates(direction: "Ingress" | "Egress", pod: PodEndpoint): boolean {
    return this.isolating(direction, pod).length > 0;
  }

  /** Whether `pod` may send (Egress) to or receive (Ingress) from `peer` on the connection's port. */
  private side(direction: "Ingress" | "Egress", pod: PodEndpoint, peer: Endpoint, c: Connection): Side {
    const isolating = this.isolating(direction, pod);
    if (isolating.length === 0) return { allowed: true, why: `${direction.toLowerCase()} not isolated` };
    const allowing = isolating.filter((p) =>
      ((direction === "Ingress" ? p.spec.ingress : p.spec.egress) ?? []).some((rule) => {
        const peers = direction === "Ingress" ? rule.from : rule.to;
        return (
          (peers === undefined || peers.length === 0 || peers.some((x) => this.peerMatches(x, p.metadata.namespace, peer))) &&
          this.portMatches(rule.ports, c)
        );
      }),
    );
    const names = (ps: NetworkPolicy[]) => ps.map((p) => `${p.metadata.namespace}/${p.metadata.name}`).join(", ");
    return allowing.length > 0
      ? { allowed: true, why: `${direction.toLowerCase()} allowed by ${names(allowing)}` }
      : { allowed: false, why: `${direction.toLowerCase()} denied: isolated by ${names(isolating)}, none of which allows it` };
  }

  /** Egress from the source and ingress at the destination (addresses outside the pod network have no policies). */
  decide(c: Connection): Verdict {
    const egress = isAddress(c.from) ? { allowed: true, why: "egress from an address, not a pod" } : this.side("Egress", c.from, c.to, c);
    const ingress = isAddress(c.to) ? { allowed: true, why: "ingress at an address, not a pod" } : this.side("Ingress", c.to, c.from, c);
    return { allowed: egress.allowed && ingress.allowed, egress, ingress };
  }
}
