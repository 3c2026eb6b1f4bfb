// GIVEN the DNS suffix of each AWS partition the platform deploys to, and a region in it
// WHEN the name of a service's VPC endpoint service is derived from them
// THEN it is the reversed suffix, the region and the service, as AWS names them in that partition.
import { describe, expect, test } from "@jest/globals";
import { endpointServiceName } from "../../components/aws/account";

describe("endpointServiceName", () => {
  test.each([
    ["aws", "amazonaws.com", "eu-west-1", "com.amazonaws.eu-west-1.s3"],
    ["aws-cn", "amazonaws.com.cn", "cn-north-1", "cn.com.amazonaws.cn-north-1.s3"],
    ["aws-us-gov", "amazonaws.com", "us-gov-west-1", "com.amazonaws.us-gov-west-1.s3"],
  ])("%s: %s in %s", (_partition, dnsSuffix, region, expected) => {
    expect(endpointServiceName(dnsSuffix, region, "s3")).toBe(expected);
  });

  test("names other services the same way", () => {
    expect(endpointServiceName("amazonaws.com.cn", "cn-northwest-1", "ecr.dkr")).toBe("cn.com.amazonaws.cn-northwest-1.ecr.dkr");
  });
});
