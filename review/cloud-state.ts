// What a provider computes when it creates a resource: ids in the cloud's format, ARNs, endpoints,
// auto-generated names. Values are derived from the resource's name and the stack's facts, so every
// review of the same program prints the same state. Attributes not listed stay as the inputs gave them.
import { createHash } from "node:crypto";
import { serviceAgentEmail } from "../components/gcp/service-agents";

interface StateContext {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  region: string;
  accountId: string;
  project: string;
  /** GCP project number: Google service agents and Secret Manager names carry it. */
  projectNumber?: string;
  partition: string;
}

interface ComputedState {
  id: string;
  state: Record<string, unknown>;
}

/** Hex digest of the resource's identity, to make ids that look real and never change between runs. */
function digest(...parts: string[]): string {
  return createHash("sha256").update(parts.join("\u0000")).digest("hex");
}

/** Pulumi auto-naming: `<name>-<7 hex>` (or `<namePrefix><hex>`), for properties the program left unset. */
function autoName(c: StateContext, property: string, lower = false): string {
  const given = c.inputs[property];
  if (typeof given === "string") return given;
  const prefix = typeof c.inputs.namePrefix === "string" ? c.inputs.namePrefix : `${c.name}-`;
  const generated = `${prefix}${digest(c.type, c.name).slice(0, 7)}`;
  return lower ? generated.toLowerCase() : generated;
}

const str = (v: unknown, fallback = ""): string => (typeof v === "string" ? v : fallback);

/** Documentation range addresses (TEST-NET-3), one per resource. */
function publicIp(c: StateContext): string {
  return `203.0.113.${(parseInt(digest(c.type, c.name).slice(0, 2), 16) % 254) + 1}`;
}

type Computer = (c: StateContext, arn: (service: string, resource: string, global?: boolean) => string, h: string) => ComputedState;

/** An EC2-style id (`vpc-0a1b2c3d4e5f60718`) with an ARN on the same id. */
const ec2 =
  (prefix: string, arnKind?: string, extra: (c: StateContext, id: string, h: string) => Record<string, unknown> = () => ({})): Computer =>
  (c, arn, h) => {
    const id = `${prefix}-${h.slice(0, 17)}`;
    return { id, state: { ...(arnKind && { arn: arn("ec2", `${arnKind}/${id}`) }), ...extra(c, id, h) } };
  };

/** A resource whose id is a name the provider generates when the program gives none. */
const named =
  (
    property: string,
    arnOf?: (arn: Parameters<Computer>[1], name: string, c: StateContext) => string,
    options: { lower?: boolean } = {},
  ): Computer =>
  (c, arn) => {
    const value = autoName(c, property, options.lower);
    return { id: value, state: { [property]: value, ...(arnOf && { arn: arnOf(arn, value, c) }) } };
  };

/** A child resource identified by its parent's id (S3 bucket settings, policy attachments). */
const byInput =
  (property: string): Computer =>
  (c, _arn, h) => ({ id: str(c.inputs[property], `${c.name}-${h.slice(0, 8)}`), state: {} });

const AWS: Record<string, Computer> = {
  "aws:ec2/vpc:Vpc": ec2("vpc", "vpc", (c, _id, h) => ({
    defaultSecurityGroupId: `sg-${digest(h, "default").slice(0, 17)}`,
    defaultRouteTableId: `rtb-${digest(h, "main").slice(0, 17)}`,
    mainRouteTableId: `rtb-${digest(h, "main").slice(0, 17)}`,
    defaultNetworkAclId: `acl-${digest(h, "acl").slice(0, 17)}`,
    ownerId: c.accountId,
  })),
  "aws:ec2/subnet:Subnet": ec2("subnet", "subnet", (c) => ({ ownerId: c.accountId })),
  "aws:ec2/internetGateway:InternetGateway": ec2("igw", "internet-gateway"),
  "aws:ec2/eip:Eip": ec2("eipalloc", "elastic-ip", (c, id) => ({ allocationId: id, publicIp: publicIp(c), domain: "vpc" })),
  "aws:ec2/natGateway:NatGateway": ec2("nat", undefined, (c) => ({ publicIp: publicIp(c), privateIp: "10.255.0.10" })),
  "aws:ec2/routeTable:RouteTable": ec2("rtb", "route-table"),
  "aws:ec2/route:Route": (c, _arn, h) => ({ id: `r-${str(c.inputs.routeTableId)}${h.slice(0, 8)}`, state: {} }),
  "aws:ec2/routeTableAssociation:RouteTableAssociation": ec2("rtbassoc"),
  "aws:ec2/securityGroup:SecurityGroup": (c, arn, h) => {
    const id = `sg-${h.slice(0, 17)}`;
    return { id, state: { arn: arn("ec2", `security-group/${id}`), name: autoName(c, "name"), ownerId: c.accountId } };
  },
  "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": ec2("sg", "security-group"),
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ec2("sgr", "security-group-rule", (_c, id) => ({ securityGroupRuleId: id })),
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": ec2("sgr", "security-group-rule", (_c, id) => ({ securityGroupRuleId: id })),
  "aws:ec2/vpcEndpoint:VpcEndpoint": ec2("vpce", "vpc-endpoint", (_c, _id, h) => ({ prefixListId: `pl-${h.slice(0, 8)}` })),
  "aws:ec2/flowLog:FlowLog": ec2("fl", "vpc-flow-log"),
  "aws:ec2/launchTemplate:LaunchTemplate": (c, arn, h) => {
    const id = `lt-${h.slice(0, 17)}`;
    return { id, state: { arn: arn("ec2", `launch-template/${id}`), name: autoName(c, "name"), latestVersion: 1, defaultVersion: 1 } };
  },
  "aws:cloudwatch/logGroup:LogGroup": named("name", (arn, name) => arn("logs", `log-group:${name}`)),
  "aws:kms/key:Key": (c, arn, h) => {
    const keyId = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
    return { id: keyId, state: { keyId, arn: arn("kms", `key/${keyId}`) } };
  },
  "aws:kms/alias:Alias": named("name", (arn, name) => arn("kms", name)),
  "aws:iam/role:Role": (c, arn, h) => {
    const name = autoName(c, "name");
    const path = str(c.inputs.path, "/");
    return { id: name, state: { name, arn: arn("iam", `role${path}${name}`, true), uniqueId: `AROA${h.slice(0, 17).toUpperCase()}` } };
  },
  "aws:iam/policy:Policy": (c, arn) => {
    const name = autoName(c, "name");
    const policyArn = arn("iam", `policy${str(c.inputs.path, "/")}${name}`, true);
    return { id: policyArn, state: { name, arn: policyArn, policyId: `ANPA${digest(policyArn).slice(0, 17).toUpperCase()}` } };
  },
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": (c, _arn, h) => ({ id: `${str(c.inputs.role)}-${h.slice(0, 20)}`, state: {} }),
  "aws:iam/rolePolicy:RolePolicy": (c) => ({ id: `${str(c.inputs.role)}:${autoName(c, "name")}`, state: { name: autoName(c, "name") } }),
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": (c, arn) => {
    const providerArn = arn("iam", `oidc-provider/${str(c.inputs.url).replace(/^https:\/\//, "")}`, true);
    return { id: providerArn, state: { arn: providerArn } };
  },
  "aws:eks/cluster:Cluster": (c, arn, h) => {
    const name = autoName(c, "name");
    const key = h.slice(0, 32).toUpperCase();
    const vpcConfig = (c.inputs.vpcConfig ?? {}) as Record<string, unknown>;
    return {
      id: name,
      state: {
        name,
        arn: arn("eks", `cluster/${name}`),
        endpoint: `https://${key}.gr7.${c.region}.eks.amazonaws.com`,
        certificateAuthority: { data: Buffer.from(`offline review CA for ${name}`).toString("base64") },
        identities: [{ oidcs: [{ issuer: `https://oidc.eks.${c.region}.amazonaws.com/id/${key}` }] }],
        vpcConfig: {
          ...vpcConfig,
          clusterSecurityGroupId: `sg-${digest(h, "cluster").slice(0, 17)}`,
          vpcId: `vpc-${digest(h, "vpc").slice(0, 17)}`,
        },
        platformVersion: "eks.1",
        status: "ACTIVE",
        clusterId: `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`,
      },
    };
  },
  "aws:eks/nodeGroup:NodeGroup": (c, arn, h) => {
    const nodeGroupName = autoName(c, "nodeGroupName");
    const cluster = str(c.inputs.clusterName);
    return {
      id: `${cluster}:${nodeGroupName}`,
      state: {
        nodeGroupName,
        arn: arn("eks", `nodegroup/${cluster}/${nodeGroupName}/${h.slice(0, 8)}`),
        status: "ACTIVE",
        resources: [{ autoscalingGroups: [{ name: `eks-${nodeGroupName}-${h.slice(0, 8)}` }], remoteAccessSecurityGroupId: "" }],
      },
    };
  },
  "aws:eks/addon:Addon": (c, arn) => ({
    id: `${str(c.inputs.clusterName)}:${str(c.inputs.addonName)}`,
    state: { arn: arn("eks", `addon/${str(c.inputs.clusterName)}/${str(c.inputs.addonName)}`) },
  }),
  "aws:eks/accessEntry:AccessEntry": (c, arn) => ({
    id: `${str(c.inputs.clusterName)}:${str(c.inputs.principalArn)}`,
    state: { accessEntryArn: arn("eks", `access-entry/${str(c.inputs.clusterName)}`) },
  }),
  "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": (c) => ({
    id: `${str(c.inputs.clusterName)}#${str(c.inputs.principalArn)}#${str(c.inputs.policyArn)}`,
    state: {},
  }),
  "aws:eks/podIdentityAssociation:PodIdentityAssociation": (c, arn, h) => ({
    id: `a-${h.slice(0, 17)}`,
    state: {
      associationId: `a-${h.slice(0, 17)}`,
      associationArn: arn("eks", `podidentityassociation/${str(c.inputs.clusterName)}/a-${h.slice(0, 17)}`),
    },
  }),
  "aws:rds/instance:Instance": (c, arn, h) => {
    const identifier = autoName(c, "identifier", true);
    const address = `${identifier}.${h.slice(0, 12)}.${c.region}.rds.amazonaws.com`;
    const port = typeof c.inputs.port === "number" ? c.inputs.port : 5432;
    const resourceId = `db-${h.slice(0, 26).toUpperCase()}`;
    const masterUserSecrets =
      c.inputs.manageMasterUserPassword === true
        ? [
            {
              secretArn: arn("secretsmanager", `secret:rds!${resourceId.toLowerCase()}-${h.slice(26, 32)}`),
              kmsKeyId: str(c.inputs.masterUserSecretKmsKeyId, arn("kms", "alias/aws/secretsmanager")),
              secretStatus: "active",
            },
          ]
        : [];
    return {
      id: resourceId,
      state: {
        identifier,
        address,
        port,
        endpoint: `${address}:${port}`,
        resourceId,
        arn: arn("rds", `db:${identifier}`),
        masterUserSecrets,
        hostedZoneId: "Z29XKXDKYMONMX",
      },
    };
  },
  "aws:rds/subnetGroup:SubnetGroup": named("name", (arn, name) => arn("rds", `subgrp:${name}`), { lower: true }),
  "aws:rds/parameterGroup:ParameterGroup": named("name", (arn, name) => arn("rds", `pg:${name}`), { lower: true }),
  "aws:elasticache/subnetGroup:SubnetGroup": named("name", (arn, name) => arn("elasticache", `subnetgroup:${name}`), { lower: true }),
  "aws:elasticache/replicationGroup:ReplicationGroup": (c, arn, h) => {
    const id = autoName(c, "replicationGroupId", true).slice(0, 40);
    const suffix = `${h.slice(0, 6)}.${c.region.replace(/-/g, "").slice(0, 4)}.cache.amazonaws.com`;
    const count = typeof c.inputs.numCacheClusters === "number" ? c.inputs.numCacheClusters : 1;
    return {
      id,
      state: {
        replicationGroupId: id,
        arn: arn("elasticache", `replicationgroup:${id}`),
        primaryEndpointAddress: `master.${id}.${suffix}`,
        readerEndpointAddress: `replica.${id}.${suffix}`,
        memberClusters: Array.from({ length: count }, (_, i) => `${id}-00${i + 1}`),
        port: typeof c.inputs.port === "number" ? c.inputs.port : 6379,
      },
    };
  },
  "aws:secretsmanager/secret:Secret": (c, arn, h) => {
    const name = autoName(c, "name");
    const secretArn = arn("secretsmanager", `secret:${name}-${h.slice(0, 6)}`);
    return { id: secretArn, state: { name, arn: secretArn } };
  },
  "aws:secretsmanager/secretVersion:SecretVersion": (c, _arn, h) => ({
    id: `${str(c.inputs.secretId)}|${h.slice(0, 32)}`,
    state: { versionId: h.slice(0, 32), arn: str(c.inputs.secretId) },
  }),
  "aws:s3/bucket:Bucket": (c) => {
    const bucket = autoName(c, "bucket", true);
    return {
      id: bucket,
      state: {
        bucket,
        arn: `arn:${c.partition}:s3:::${bucket}`,
        bucketDomainName: `${bucket}.s3.amazonaws.com`,
        bucketRegionalDomainName: `${bucket}.s3.${c.region}.amazonaws.com`,
        region: c.region,
      },
    };
  },
  "aws:s3/bucketVersioning:BucketVersioning": byInput("bucket"),
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": byInput("bucket"),
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": byInput("bucket"),
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": byInput("bucket"),
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": byInput("bucket"),
  "aws:s3/bucketPolicy:BucketPolicy": byInput("bucket"),
};

/** A GCP resource addressed by its path: the id is the path, the self link the path under the Compute API. */
const gcpPath =
  (
    scope: "global" | "regional",
    collection: string,
    extra: (c: StateContext, name: string) => Record<string, unknown> = () => ({}),
  ): Computer =>
  (c) => {
    const name = autoName(c, "name", true);
    const project = str(c.inputs.project, c.project);
    const where = scope === "global" ? "global" : `regions/${str(c.inputs.region, c.region)}`;
    const id = `projects/${project}/${where}/${collection}/${name}`;
    return { id, state: { name, project, selfLink: `https://www.googleapis.com/compute/v1/${id}`, ...extra(c, name) } };
  };

const GCP: Record<string, Computer> = {
  "gcp:compute/network:Network": gcpPath("global", "networks"),
  "gcp:compute/subnetwork:Subnetwork": gcpPath("regional", "subnetworks", (c) => ({
    gatewayAddress: gatewayOf(str(c.inputs.ipCidrRange)),
  })),
  "gcp:compute/router:Router": gcpPath("regional", "routers"),
  "gcp:compute/firewall:Firewall": gcpPath("global", "firewalls"),
  "gcp:compute/globalAddress:GlobalAddress": gcpPath("global", "addresses"),
  "gcp:compute/routerNat:RouterNat": (c) => {
    const name = autoName(c, "name", true);
    return {
      id: `${str(c.inputs.project, c.project)}/${str(c.inputs.region, c.region)}/${str(c.inputs.router)}/${name}`,
      state: { name },
    };
  },
  // The provider's id is the network and the service, each query-escaped, joined by a colon.
  "gcp:servicenetworking/connection:Connection": (c) => ({
    id: `${encodeURIComponent(str(c.inputs.network))}:${encodeURIComponent(str(c.inputs.service))}`,
    state: { peering: str(c.inputs.service).replace(/\./g, "-") },
  }),
};

type Collection = (c: StateContext) => string;
/** A resource whose id is its path under the project, e.g. `projects/<p>/locations/<l>/keyRings/<name>`. */
const gcpLocated =
  (
    collection: Collection,
    extra: (c: StateContext, id: string, name: string, h: string) => Record<string, unknown> = () => ({}),
  ): Computer =>
  (c, _arn, h) => {
    const name = autoName(c, "name", true);
    const id = `projects/${str(c.inputs.project, c.project)}/${collection(c)}/${name}`;
    return { id, state: { name, ...extra(c, id, name, h) } };
  };
const inLocation =
  (kind: string, property: string): Collection =>
  (c) =>
    `locations/${str(c.inputs[property], c.region)}/${kind}`;

/** A private address for a service reached through private service access (the review cannot know the range Google picks). */
function privateServiceIp(h: string): string {
  return `10.255.${parseInt(h.slice(0, 2), 16) % 16}.${(parseInt(h.slice(2, 4), 16) % 250) + 3}`;
}

const OFFLINE_CERT = "-----BEGIN CERTIFICATE-----\nb2ZmbGluZSByZXZpZXc=\n-----END CERTIFICATE-----\n";

/** Cloud resources the GCP data services, keys, secrets and cluster are made of. */
const GCP_SERVICES: Record<string, Computer> = {
  "gcp:kms/keyRing:KeyRing": gcpLocated(inLocation("keyRings", "location")),
  "gcp:kms/cryptoKey:CryptoKey": (c) => {
    const name = autoName(c, "name", true);
    return { id: `${str(c.inputs.keyRing)}/cryptoKeys/${name}`, state: { name } };
  },
  "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember": (c, _arn, h) => ({
    id: `${str(c.inputs.cryptoKeyId)}/${str(c.inputs.role)}/${str(c.inputs.member)}`,
    state: { etag: `BwY${h.slice(0, 9)}=` },
  }),
  "gcp:projects/iAMMember:IAMMember": (c, _arn, h) => ({
    id: `${str(c.inputs.project, c.project)}/${str(c.inputs.role)}/${str(c.inputs.member)}`,
    state: { etag: `BwY${h.slice(0, 9)}=` },
  }),
  "gcp:projects/iAMCustomRole:IAMCustomRole": (c) => {
    const name = `projects/${str(c.inputs.project, c.project)}/roles/${str(c.inputs.roleId)}`;
    return { id: name, state: { name, deleted: false } };
  },
  // The agent's address as Google's service agents reference gives it (components/gcp/service-agents.ts), or
  // the common `gcp-sa-<service>` form for a service that table does not list.
  "gcp:projects/serviceIdentity:ServiceIdentity": (c) => {
    const service = str(c.inputs.service);
    const number = c.projectNumber ?? "";
    const email = serviceAgentEmail(number, service) ?? `service-${number}@gcp-sa-${service.split(".")[0]}.iam.gserviceaccount.com`;
    return { id: `projects/${c.project}/services/${service}`, state: { email, member: `serviceAccount:${email}` } };
  },
  // The provider's id is the project and the service (google/services/resourcemanager/resource_google_project_service.go).
  "gcp:projects/service:Service": (c) => ({
    id: `${str(c.inputs.project, c.project)}/${str(c.inputs.service)}`,
    state: { project: str(c.inputs.project, c.project) },
  }),
  "gcp:serviceaccount/account:Account": (c, _arn, h) => {
    const email = `${str(c.inputs.accountId)}@${c.project}.iam.gserviceaccount.com`;
    return {
      id: `projects/${c.project}/serviceAccounts/${email}`,
      state: {
        email,
        member: `serviceAccount:${email}`,
        name: `projects/${c.project}/serviceAccounts/${email}`,
        uniqueId: BigInt(`0x${h.slice(0, 15)}`).toString(),
      },
    };
  },
  "gcp:secretmanager/secret:Secret": (c) => ({
    id: `projects/${c.project}/secrets/${str(c.inputs.secretId)}`,
    state: { name: `projects/${c.projectNumber ?? c.project}/secrets/${str(c.inputs.secretId)}` },
  }),
  "gcp:secretmanager/secretVersion:SecretVersion": (c) => {
    const name = `${str(c.inputs.secret)}/versions/1`;
    return { id: name, state: { name, version: "1" } };
  },
  "gcp:sql/databaseInstance:DatabaseInstance": (c, _arn, h) => {
    const name = autoName(c, "name", true);
    const address = privateServiceIp(h);
    return {
      id: name,
      state: {
        name,
        connectionName: `${c.project}:${str(c.inputs.region, c.region)}:${name}`,
        privateIpAddress: address,
        ipAddresses: [{ type: "PRIVATE", ipAddress: address }],
        selfLink: `https://sqladmin.googleapis.com/sql/v1beta4/projects/${c.project}/instances/${name}`,
        serverCaCerts: [{ cert: OFFLINE_CERT }],
      },
    };
  },
  "gcp:sql/database:Database": (c) => ({
    id: `projects/${c.project}/instances/${str(c.inputs.instance)}/databases/${str(c.inputs.name)}`,
    state: {},
  }),
  "gcp:sql/user:User": (c) => ({ id: `${str(c.inputs.name)}//${str(c.inputs.instance)}`, state: {} }),
  "gcp:redis/instance:Instance": gcpLocated(inLocation("instances", "region"), (c, _id, _name, h) => ({
    host: privateServiceIp(digest(h, "redis")),
    port: 6378,
    authString: `review-${h.slice(0, 24)}`,
    serverCaCerts: [{ cert: OFFLINE_CERT }],
    currentLocationId: `${str(c.inputs.region, c.region)}-b`,
  })),
  // Pools and their providers are named by project number, which is how GitHub workflows and IAM members name them.
  "gcp:iam/workloadIdentityPool:WorkloadIdentityPool": (c) => {
    const id = `projects/${c.project}/locations/global/workloadIdentityPools/${str(c.inputs.workloadIdentityPoolId)}`;
    return { id, state: { name: id.replace(`projects/${c.project}/`, `projects/${c.projectNumber ?? c.project}/`), state: "ACTIVE" } };
  },
  "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider": (c) => {
    const path = `locations/global/workloadIdentityPools/${str(c.inputs.workloadIdentityPoolId)}/providers/${str(c.inputs.workloadIdentityPoolProviderId)}`;
    return { id: `projects/${c.project}/${path}`, state: { name: `projects/${c.projectNumber ?? c.project}/${path}`, state: "ACTIVE" } };
  },
  "gcp:storage/bucket:Bucket": (c) => {
    const name = autoName(c, "name", true);
    return { id: name, state: { name, url: `gs://${name}`, selfLink: `https://www.googleapis.com/storage/v1/b/${name}` } };
  },
  "gcp:container/cluster:Cluster": (c, _arn, h) => {
    const name = autoName(c, "name", true);
    const location = str(c.inputs.location, c.region);
    const endpoints = (c.inputs.controlPlaneEndpointsConfig ?? {}) as Record<string, Record<string, unknown> | undefined>;
    return {
      id: `projects/${c.project}/locations/${location}/clusters/${name}`,
      state: {
        name,
        endpoint: `172.16.${parseInt(h.slice(0, 2), 16)}.2`,
        masterAuth: { clusterCaCertificate: Buffer.from(`offline review CA for ${name}`).toString("base64") },
        controlPlaneEndpointsConfig: {
          ...endpoints,
          dnsEndpointConfig: {
            ...endpoints.dnsEndpointConfig,
            endpoint: `gke-${h.slice(0, 32)}-${c.projectNumber ?? ""}.${location}.gke.goog`,
          },
        },
        selfLink: `https://container.googleapis.com/v1/projects/${c.project}/locations/${location}/clusters/${name}`,
      },
    };
  },
  "gcp:container/nodePool:NodePool": (c) => {
    const name = autoName(c, "name", true);
    return {
      id: `projects/${c.project}/locations/${str(c.inputs.location, c.region)}/clusters/${str(c.inputs.cluster)}/nodePools/${name}`,
      state: { name },
    };
  },
};

/** A subnet's gateway: the first host address of its primary range. */
function gatewayOf(cidr: string): string {
  const [address] = cidr.split("/");
  const octets = (address ?? "").split(".").map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o))) return "";
  return [...octets.slice(0, 3), octets[3]! + 1].join(".");
}

const RANDOM: Record<string, Computer> = {
  // Not a usable secret: the review never deploys, and its output only ever shows "[secret]".
  "random:index/randomPassword:RandomPassword": (c, _arn, h) => ({
    id: "none",
    state: { result: `review-${h.slice(0, Math.max(1, Number(c.inputs.length ?? 16) - 7))}` },
  }),
  "random:index/randomId:RandomId": (_c, _arn, h) => ({
    id: h.slice(0, 16),
    state: {
      hex: h.slice(0, 16),
      b64Url: Buffer.from(h.slice(0, 12), "hex").toString("base64url"),
      dec: BigInt(`0x${h.slice(0, 12)}`).toString(),
    },
  }),
};

/** The provider-computed id and state of a new resource. */
export function computedState(c: StateContext): ComputedState {
  const h = digest(c.type, c.name);
  const arn = (service: string, resource: string, global = false) =>
    `arn:${c.partition}:${service}:${global ? "" : c.region}:${c.accountId}:${resource}`;
  const computer = AWS[c.type] ?? GCP[c.type] ?? GCP_SERVICES[c.type] ?? RANDOM[c.type];
  if (computer) return computer(c, arn, h);
  if (c.type.startsWith("aws:")) {
    const service = c.type.split(":")[1]!.split("/")[0]!;
    return { id: `${c.name}-id`, state: { arn: arn(service, c.name) } };
  }
  return { id: `${c.name}-id`, state: {} };
}
