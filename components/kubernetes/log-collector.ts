// The one namespace allowed below the restricted Pod Security level: the one where the cloud's add-on runs
// its log collector (EKS: amazon-cloudwatch). The cloud makes the namespace and its objects; the platform
// labels it privileged on purpose, as a declared exception (the collector's DaemonSets read every node's
// container logs through hostPath and the host network), warns and audits at restricted so the API server's
// audit log records what runs below it, and gives the add-on's pods that are not on the host network a
// default-deny with the few paths they use. The policy pack's namespace-pss-labels admits no other namespace
// below the environment's level.
import type * as pulumi from "@pulumi/pulumi";
import type { LogCollectorNamespace, WebhookCaller } from "../types";
import { PlatformNamespace } from "./namespace";
import { type Allowance, apiServerEgress, dnsEgress } from "./network-policy";

/** The label naming why a namespace runs below restricted; the policy config's allowedBelowRestricted lists the same namespace. */
export const POD_SECURITY_EXCEPTION_LABEL = "platform/pod-security-exception";

export interface LogCollectorArgs {
  collector: LogCollectorNamespace;
  /** Release of the Pod Security standard, e.g. "v1.35" (the cluster's minor). */
  podSecurityVersion: string;
  /** Where the nodes (and their host-network agents) live. */
  nodeCidrs: pulumi.Input<string[]>;
  /** Where the API server's calls to the add-on's webhooks arrive from (ClusterServices.webhookCallers). */
  webhookCallers: readonly WebhookCaller[];
  /** The API server's addresses, for the operator's watches and updates. */
  apiServerCidrs: pulumi.Input<string[]>;
}

/** What the collector's pods off the host network may receive and send. */
export function logCollectorAllowances(args: Omit<LogCollectorArgs, "podSecurityVersion">): Allowance[] {
  const { webhook, nodeScrapedPorts } = args.collector;
  const pods = { ...webhook.pods };
  return [
    { name: "webhook", direction: "Ingress", pods, peers: [...args.webhookCallers], ports: [{ port: webhook.port }] },
    apiServerEgress(args.apiServerCidrs, pods),
    dnsEgress(pods),
    ...(nodeScrapedPorts.length > 0
      ? [
          {
            name: "node-scrapes",
            direction: "Ingress" as const,
            peers: [{ cidrs: args.nodeCidrs }],
            ports: nodeScrapedPorts.map((port) => ({ port })),
          },
        ]
      : []),
  ];
}

/** Labels the collector's namespace (made by the cloud) privileged as the declared exception, with its default-deny and allowances. */
export function logCollectorNamespace(name: string, args: LogCollectorArgs, opts: pulumi.ComponentResourceOptions): PlatformNamespace {
  return new PlatformNamespace(
    name,
    {
      name: args.collector.name,
      podSecurity: { enforce: "privileged", warn: "restricted", version: args.podSecurityVersion },
      labels: { [POD_SECURITY_EXCEPTION_LABEL]: "log-collector" },
      allowances: logCollectorAllowances(args),
      patchExisting: true,
    },
    opts,
  );
}
