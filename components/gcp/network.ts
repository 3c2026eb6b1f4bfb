// The GCP network: a custom-mode VPC with one regional subnet for the cluster's nodes, its pods and services
// secondary ranges planned by subnet-plan.ts, flow logs and Private Google Access; a Cloud Router with Cloud
// NAT for the nodes' egress; an explicit, logged deny of all other ingress; and private service access, the
// reserved range and the service networking peering through which Cloud SQL and Memorystore get private
// addresses in this network.
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { GCP_REGION } from "../formats";
import { planSubnet, type SubnetPlan, SubnetPlanError } from "./subnet-plan";

export interface NetworkArgs {
  /** The network's address block: a private (RFC 1918) /16 to /20, e.g. 10.0.0.0/16. Every range of the plan lies inside it. */
  cidr: string;
  /** Region of the subnet, the router and the NAT, e.g. europe-west1: the cluster's, the database's and the cache's. */
  region: string;
  /**
   * The most nodes the cluster may run at once, across its zones and with upgrade surge counted. The pods
   * range must hold them at 110 pods (a /24) a node: up to 128 in a /16, 8 in a /20.
   */
  maxNodes: number;
  /**
   * Share of the subnet's flows the flow logs record, from 0.5 to 1: less leaves too few to investigate an
   * incident with. @default 0.5
   */
  flowLogSampling?: number;
  /**
   * Pulumi `protect` on the network, the private service range and the service networking connection: the
   * database and cache are reached only through them, and deleting one cuts every client off.
   */
  protect: boolean;
}

/** Secondary range names of the node subnet, for the cluster's ipAllocationPolicy. */
export const PODS_RANGE_NAME = "pods";
export const SERVICES_RANGE_NAME = "services";
/** Share of flows recorded when `flowLogSampling` is left out: Google's default. */
export const DEFAULT_FLOW_LOG_SAMPLING = 0.5;
/** The service producer network of Cloud SQL, Memorystore and the other private-services-access services. */
export const SERVICE_NETWORKING = "servicenetworking.googleapis.com";
/** Below every rule GKE creates (1000) and above only the implied deny (65535), so the deny is logged. */
export const DENY_ALL_PRIORITY = 65534;

/** The resource names GCP accepts (RFC 1035), short enough for the longest child name plus Pulumi's suffix. */
const NAME = /^[a-z](?:[-a-z0-9]{0,28}[a-z0-9])?$/;

export interface ResolvedNetworkArgs extends Required<NetworkArgs> {
  plan: SubnetPlan;
}

/** Checks every argument before anything is registered; returns them with defaults applied and the plan. */
export function validateNetworkArgs(name: string, args: NetworkArgs): ResolvedNetworkArgs {
  const fail = (argument: string, problem: string) => new Error(`Network ${name}: args.${argument} ${problem}`);
  if (!NAME.test(name)) {
    throw new Error(
      `Network ${name}: the name must be 1 to 30 lower-case letters, digits and hyphens, starting with a letter and not ending with a hyphen: GCP names the network's resources after it (got ${JSON.stringify(name)})`,
    );
  }
  let plan: SubnetPlan;
  try {
    plan = planSubnet({ cidr: args.cidr, maxNodes: args.maxNodes });
  } catch (err) {
    if (err instanceof SubnetPlanError) throw fail(err.argument, err.problem);
    throw err;
  }
  if (typeof args.region !== "string" || !GCP_REGION.test(args.region)) {
    throw fail("region", `must be a GCP region such as europe-west1 (got ${JSON.stringify(args.region)})`);
  }
  const flowLogSampling = args.flowLogSampling ?? DEFAULT_FLOW_LOG_SAMPLING;
  if (typeof flowLogSampling !== "number" || !(flowLogSampling >= 0.5 && flowLogSampling <= 1)) {
    throw fail(
      "flowLogSampling",
      `must be a number from 0.5 to 1, the share of flows recorded; fewer leave too little to investigate an incident with (got ${JSON.stringify(args.flowLogSampling)})`,
    );
  }
  if (typeof args.protect !== "boolean") throw fail("protect", `must be true or false (got ${JSON.stringify(args.protect)})`);
  return { ...args, flowLogSampling, plan };
}

/** What every step shares: the names' prefix, the component as parent, the validated arguments and the network. */
interface Scope {
  /** The component's name, the prefix of every resource name. */
  name: string;
  /** `<project>-<stack>-<name>`, for descriptions. */
  label: string;
  parent: pulumi.Resource;
  args: ResolvedNetworkArgs;
  network: gcp.compute.Network;
}

/**
 * Custom mode (no subnet in every region) and regional dynamic routing. The default route to the internet
 * stays: Cloud NAT and Private Google Access both leave through it.
 */
function createNetwork(name: string, label: string, protect: boolean, parent: pulumi.Resource): gcp.compute.Network {
  return new gcp.compute.Network(
    `${name}-network`,
    { description: `Network of ${label}`, autoCreateSubnetworks: false, routingMode: "REGIONAL" },
    { parent, protect },
  );
}

/**
 * The node subnet: nodes on the primary range, pods and ClusterIPs on the two secondary ranges (VPC-native),
 * Google APIs reached without public addresses, and flow logs of every connection with all metadata.
 */
function createSubnet(scope: Scope): gcp.compute.Subnetwork {
  const { plan, region, flowLogSampling } = scope.args;
  return new gcp.compute.Subnetwork(
    `${scope.name}-nodes`,
    {
      description: `Nodes, pods and services of ${scope.label}`,
      network: scope.network.id,
      region,
      stackType: "IPV4_ONLY",
      ipCidrRange: plan.nodes,
      secondaryIpRanges: [
        { rangeName: PODS_RANGE_NAME, ipCidrRange: plan.pods },
        { rangeName: SERVICES_RANGE_NAME, ipCidrRange: plan.services },
      ],
      privateIpGoogleAccess: true,
      logConfig: {
        // Google's default, stated: a record every 5 seconds of a connection, the finest there is.
        aggregationInterval: "INTERVAL_5_SEC",
        flowSampling: flowLogSampling,
        metadata: "INCLUDE_ALL_METADATA",
      },
    },
    { parent: scope.parent },
  );
}

/**
 * The nodes have no public addresses: a Cloud Router and Cloud NAT give the subnet (nodes and pods, every
 * range) egress on addresses Google allocates as needed, with errors logged. Ports per node are allocated
 * dynamically, from 64 up to 65536, so a node whose pods open many connections is not starved.
 */
function createNat(scope: Scope, subnet: gcp.compute.Subnetwork): void {
  const { region } = scope.args;
  const router = new gcp.compute.Router(
    `${scope.name}-router`,
    { description: `Cloud NAT of ${scope.label}`, network: scope.network.id, region },
    { parent: scope.parent },
  );
  new gcp.compute.RouterNat(
    `${scope.name}-nat`,
    {
      router: router.name,
      region,
      natIpAllocateOption: "AUTO_ONLY",
      sourceSubnetworkIpRangesToNat: "LIST_OF_SUBNETWORKS",
      subnetworks: [{ name: subnet.id, sourceIpRangesToNats: ["ALL_IP_RANGES"] }],
      enableDynamicPortAllocation: true,
      // Dynamic port allocation requires it off.
      enableEndpointIndependentMapping: false,
      minPortsPerVm: 64,
      maxPortsPerVm: 65536,
      logConfig: { enable: true, filter: "ERRORS_ONLY" },
    },
    { parent: scope.parent },
  );
}

/**
 * Ingress is denied unless a rule above allows it, and the denial is logged. GKE creates the rules its
 * control plane, nodes, pods and load balancer health checks need (at priority 1000), so nothing more is
 * opened here: no SSH, no RDP, nothing from the internet.
 */
function denyAllIngress(scope: Scope): void {
  new gcp.compute.Firewall(
    `${scope.name}-deny-all-ingress`,
    {
      description: `Denies and logs all ingress to ${scope.label} that no higher-priority rule allows`,
      network: scope.network.id,
      direction: "INGRESS",
      priority: DENY_ALL_PRIORITY,
      sourceRanges: ["0.0.0.0/0"],
      denies: [{ protocol: "all" }],
      logConfig: { metadata: "INCLUDE_ALL_METADATA" },
    },
    { parent: scope.parent },
  );
}

/**
 * Private service access: the planned range reserved for service producers, and the peering with their
 * network through which Cloud SQL and Memorystore get addresses from it. Both are protected with the network.
 */
function privateServiceAccess(scope: Scope): { range: gcp.compute.GlobalAddress; connection: gcp.servicenetworking.Connection } {
  const { plan, protect } = scope.args;
  const [address, prefixLength] = plan.privateServices.split("/");
  const range = new gcp.compute.GlobalAddress(
    `${scope.name}-private-services`,
    {
      description: `Private service access range of ${scope.label}: Cloud SQL and Memorystore`,
      network: scope.network.id,
      purpose: "VPC_PEERING",
      addressType: "INTERNAL",
      ipVersion: "IPV4",
      address: address!,
      prefixLength: Number(prefixLength),
    },
    { parent: scope.parent, protect },
  );
  const connection = new gcp.servicenetworking.Connection(
    `${scope.name}-private-service-connection`,
    { network: scope.network.id, service: SERVICE_NETWORKING, reservedPeeringRanges: [range.name] },
    { parent: scope.parent, protect },
  );
  return { range, connection };
}

/**
 * One VPC network per environment, in one region. The cluster's nodes live on the subnet, its pods and
 * Services on the subnet's secondary ranges; Cloud SQL and Memorystore live in Google's producer network,
 * peered through private service access, and must depend on `privateServiceConnection`. Pass the GCP
 * provider through `{ providers: [provider] }`.
 *
 * Teardown: Cloud SQL keeps its producer resources for some days after an instance is deleted, and until
 * then the connection cannot be deleted. Remove the peering by hand (`gcloud compute networks peerings
 * delete servicenetworking-googleapis-com --network <network>`) and destroy again.
 */
export class Network extends pulumi.ComponentResource {
  /** `projects/<project>/global/networks/<name>`: the form Cloud SQL's privateNetwork and Memorystore's authorizedNetwork take. */
  readonly networkId: pulumi.Output<string>;
  readonly networkName: pulumi.Output<string>;
  readonly networkSelfLink: pulumi.Output<string>;
  readonly subnetId: pulumi.Output<string>;
  readonly subnetName: pulumi.Output<string>;
  readonly subnetSelfLink: pulumi.Output<string>;
  readonly region: string;
  /** The whole block the plan lies in. */
  readonly networkCidr: string;
  readonly nodesCidr: string;
  readonly podsCidr: string;
  readonly servicesCidr: string;
  /** Where Cloud SQL and Memorystore take their addresses: the destination of the apps' network policies to them. */
  readonly privateServicesCidr: string;
  /** Secondary range names, for the cluster's ipAllocationPolicy. */
  readonly podsRangeName: string;
  readonly servicesRangeName: string;
  /**
   * The reserved range's name, for Cloud SQL's allocatedIpRange and Memorystore's reservedIpRange; known
   * only once the connection exists, so whatever takes it waits for the peering.
   */
  readonly privateServiceRangeName: pulumi.Output<string>;
  /** The service networking peering: Cloud SQL and Memorystore must depend on it. */
  readonly privateServiceConnection: gcp.servicenetworking.Connection;
  /** The address plan, with the space kept free. */
  readonly plan: SubnetPlan;

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    const resolved = validateNetworkArgs(name, args);
    super("platform:gcp:Network", name, {}, opts);
    const label = `${pulumi.getProject()}-${pulumi.getStack()}-${name}`;
    const network = createNetwork(name, label, resolved.protect, this);
    const scope: Scope = { name, label, parent: this, args: resolved, network };
    const subnet = createSubnet(scope);
    createNat(scope, subnet);
    denyAllIngress(scope);
    const { range, connection } = privateServiceAccess(scope);

    const { plan } = resolved;
    this.networkId = network.id;
    this.networkName = network.name;
    this.networkSelfLink = network.selfLink;
    this.subnetId = subnet.id;
    this.subnetName = subnet.name;
    this.subnetSelfLink = subnet.selfLink;
    this.region = resolved.region;
    this.networkCidr = plan.network;
    this.nodesCidr = plan.nodes;
    this.podsCidr = plan.pods;
    this.servicesCidr = plan.services;
    this.privateServicesCidr = plan.privateServices;
    this.podsRangeName = PODS_RANGE_NAME;
    this.servicesRangeName = SERVICES_RANGE_NAME;
    this.privateServiceRangeName = pulumi.all([range.name, connection.id]).apply(([rangeName]) => rangeName);
    this.privateServiceConnection = connection;
    this.plan = plan;
    this.registerOutputs({
      networkId: this.networkId,
      networkName: this.networkName,
      networkSelfLink: this.networkSelfLink,
      subnetId: this.subnetId,
      subnetName: this.subnetName,
      subnetSelfLink: this.subnetSelfLink,
      region: this.region,
      networkCidr: this.networkCidr,
      nodesCidr: this.nodesCidr,
      podsCidr: this.podsCidr,
      servicesCidr: this.servicesCidr,
      privateServicesCidr: this.privateServicesCidr,
      podsRangeName: this.podsRangeName,
      servicesRangeName: this.servicesRangeName,
      privateServiceRangeName: this.privateServiceRangeName,
    });
  }
}
