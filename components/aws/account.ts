// The account, partition and region a component is deployed into, read through its own provider
// (invokes inherit the provider of `parent`), for ARNs and key policies.
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

export interface AccountInfo {
  accountId: pulumi.Output<string>;
  partition: pulumi.Output<string>;
  region: pulumi.Output<string>;
  /** amazonaws.com, or amazonaws.com.cn in China. */
  dnsSuffix: pulumi.Output<string>;
}

export function accountInfo(parent: pulumi.Resource): AccountInfo {
  const opts = { parent };
  const partition = aws.getPartitionOutput({}, opts);
  return {
    accountId: aws.getCallerIdentityOutput({}, opts).accountId,
    partition: partition.partition,
    region: aws.getRegionOutput({}, opts).region,
    dnsSuffix: partition.dnsSuffix,
  };
}

/**
 * The name of an AWS service's VPC endpoint service: the partition's DNS suffix reversed, then the region,
 * then the service (`com.amazonaws.eu-west-1.s3`; `cn.com.amazonaws.cn-north-1.s3` in China, whose suffix
 * is amazonaws.com.cn).
 */
export function endpointServiceName(dnsSuffix: string, region: string, service: string): string {
  return [...dnsSuffix.split(".").reverse(), region, service].join(".");
}
