// The CrossGuard policy pack: `pulumi preview --policy-pack policies --policy-pack-config
// policies/config/<environment>.json`, or `pulumi policy publish policies`. Constructing the pack starts
// the analyzer's gRPC server, so nothing else may import this file; the policies live in policies.ts.
import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, policies } from "./policies";

new PolicyPack(PACK_NAME, {
  policies,
  // Each policy sets its own level (the production column of the catalogue); the config file of the
  // environment overrides it.
  enforcementLevel: "mandatory",
  description: "Guard rails of the platform: network, Kubernetes clusters, databases, caches, buckets, IAM and workloads on AWS and GCP.",
});
