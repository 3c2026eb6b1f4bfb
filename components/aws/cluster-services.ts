// What EKS needs beyond the control plane before the platform's Kubernetes layer can run on it: the AWS
// Load Balancer Controller (so the gateway's Service becomes an internet-facing NLB), an encrypted gp3
// StorageClass, and the Secrets Manager store the External Secrets controller reads through IRSA.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { helmRelease } from "../helm";
import type { ClusterDns, ClusterServices, LoadBalancerClass, LogCollectorNamespace, LogDatasource, WebhookCaller } from "../types";
import { CLOUDWATCH_AGENT_SERVICE_ACCOUNT, type EksCluster } from "./eks-cluster";
import { cloudWatchLogDatasource } from "./log-datasource";
import { LB_CONTROLLER_CHART, LB_CONTROLLER_SERVICE_ACCOUNT } from "./eks-lb-controller";

/**
 * An internet-facing NLB reconciled by the controller (not the in-tree cloud provider), targeting pod IPs
 * directly. TLS passes through to the gateway, which terminates it with the cert-manager certificates.
 */
const NLB_SERVICE_ANNOTATIONS: Readonly<Record<string, string>> = {
  "service.beta.kubernetes.io/aws-load-balancer-type": "external",
  "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
  "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
  // Spread over every zone's public subnet even when a zone has no gateway pod yet.
  "service.beta.kubernetes.io/aws-load-balancer-attributes": "load_balancing.cross_zone.enabled=true",
  // With IP targets the NLB does not keep the client's address; PROXY protocol v2 carries it to the gateway.
  "service.beta.kubernetes.io/aws-load-balancer-proxy-protocol": "*",
};

export interface AwsClusterServicesArgs {
  cluster: EksCluster;
  /** Private subnets' CIDRs: where nodes (and the API server's ENIs) live. */
  nodeCidrs: string[];
  /** Public subnets' CIDRs: where the NLB's nodes connect to the gateway pods from. */
  loadBalancerCidrs: string[];
  /** Keep EBS volumes when their claim is deleted (staging, production): a deleted PVC never loses data. */
  retainVolumes: boolean;
  /** Controller replicas; two keep load balancers reconciled through a node drain. @default 2 */
  controllerReplicas?: number;
}

export class AwsClusterServices extends pulumi.ComponentResource implements ClusterServices {
  readonly loadBalancer: LoadBalancerClass;
  readonly storageClassName: pulumi.Output<string>;
  readonly secretStoreProvider: pulumi.Output<Record<string, unknown>>;
  readonly nodeCidrs: string[];
  /** The EKS control plane calls webhooks from its network interfaces in the cluster's (the nodes') subnets. */
  readonly webhookCallers: WebhookCaller[];
  /** EKS runs CoreDNS (the coredns add-on), serving its metrics on 9153. */
  readonly clusterDns: ClusterDns = { server: "coredns", metricsPorts: [9153] };
  /** CloudWatch Logs, through Grafana's built-in CloudWatch datasource. */
  readonly logDatasource: LogDatasource;
  readonly controller: k8s.helm.v3.Release;
  /**
   * `amazon-cloudwatch`, made by the amazon-cloudwatch-observability add-on. What runs there, read off the
   * add-on's chart (aws-observability/helm-charts amazon-cloudwatch-observability 4.5.0, the chart of add-on
   * v4.5.0-eksbuild.1, rendered with Helm 4.1.4):
   * - DaemonSets fluent-bit and cloudwatch-agent, on the host network (hostPath to every container log), so
   *   NetworkPolicies do not select them;
   * - the operator, Deployment amazon-cloudwatch-observability-controller-manager, serving the admission
   *   webhooks (Service 443 to pod port 9443, failurePolicy Ignore, on every namespace's pods and workloads);
   * - dcgm-exporter (9400) and neuron-monitor (8000), only on GPU and Neuron instance types, scraped by the
   *   host-network agent.
   */
  readonly logCollector: LogCollectorNamespace = {
    name: CLOUDWATCH_AGENT_SERVICE_ACCOUNT.namespace,
    webhook: { pods: { "app.kubernetes.io/name": "amazon-cloudwatch-observability", "control-plane": "controller-manager" }, port: 9443 },
    nodeScrapedPorts: [9400, 8000],
  };

  constructor(name: string, args: AwsClusterServicesArgs, opts?: pulumi.ComponentResourceOptions) {
    const replicas = args.controllerReplicas ?? 2;
    if (!Number.isInteger(replicas) || replicas < 1 || replicas > 5)
      throw new Error(
        `AwsClusterServices ${name}: args.controllerReplicas must be a whole number from 1 to 5 (got ${JSON.stringify(replicas)})`,
      );
    super("platform:aws:ClusterServices", name, {}, { ...opts, providers: [args.cluster.provider] });
    const { cluster } = args;
    const lb = cluster.loadBalancerController;

    this.controller = helmRelease(
      `${name}-lb-controller`,
      {
        // The chart of the release whose IAM policy the cluster granted.
        chart: { ...LB_CONTROLLER_CHART, version: lb.chartVersion },
        name: "aws-load-balancer-controller",
        namespace: LB_CONTROLLER_SERVICE_ACCOUNT.namespace,
        values: {
          clusterName: cluster.clusterName,
          region: cluster.region,
          // Nodes block IMDS for pods (hop limit 1), so the controller cannot discover these itself.
          vpcId: cluster.vpcId,
          replicaCount: replicas,
          serviceAccount: { create: true, name: LB_CONTROLLER_SERVICE_ACCOUNT.name, annotations: lb.identity.serviceAccountAnnotations },
          // Only Services that ask for it (the gateway's, by annotation) get an NLB from the controller.
          enableServiceMutatorWebhook: false,
          podDisruptionBudget: { maxUnavailable: 1 },
          resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
        },
      },
      this,
    );
    this.loadBalancer = {
      serviceAnnotations: { ...NLB_SERVICE_ANNOTATIONS },
      dependsOn: [this.controller],
      proxyProtocol: true,
      sourceCidrs: [...args.loadBalancerCidrs],
    };

    const storageClass = new k8s.storage.v1.StorageClass(
      `${name}-gp3`,
      {
        metadata: { name: "gp3-encrypted", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
        provisioner: "ebs.csi.aws.com",
        parameters: { type: "gp3", encrypted: "true", "csi.storage.k8s.io/fstype": "ext4" },
        // The volume is made in the zone the pod is scheduled to, not in a zone picked beforehand.
        volumeBindingMode: "WaitForFirstConsumer",
        allowVolumeExpansion: true,
        reclaimPolicy: args.retainVolumes ? "Retain" : "Delete",
      },
      { parent: this },
    );
    this.storageClassName = storageClass.metadata.name;
    this.secretStoreProvider = cluster.region.apply((region): Record<string, unknown> => ({ aws: { service: "SecretsManager", region } }));
    this.nodeCidrs = [...args.nodeCidrs];
    this.webhookCallers = [{ cidrs: this.nodeCidrs }];
    this.logDatasource = cloudWatchLogDatasource(cluster);
    this.registerOutputs({ storageClassName: this.storageClassName, nodeCidrs: this.nodeCidrs });
  }
}
