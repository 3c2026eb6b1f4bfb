// IAM documents as typed values, serialised once: every policy the platform writes goes through here,
// so the engine (and the policy pack) always sees JSON text.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { WorkloadIdentity } from "../types";

export type Statement = aws.iam.PolicyStatement;

export function policyDocument(statements: pulumi.Input<Statement>[]): pulumi.Output<string> {
  return pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements });
}

/** Trust policy letting one AWS service assume a role. */
export function serviceTrustPolicy(service: string): pulumi.Output<string> {
  return policyDocument([{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }]);
}

/** An ARN written for the commercial partition (`arn:aws:`), moved into the deployment's partition. */
export function inPartition(arn: string, partition: string): string {
  return arn.replace(/^arn:aws:/, `arn:${partition}:`);
}

/**
 * An AWS managed policy's ARN in the deployment's partition. The policy comes from the provider SDK's list
 * (`aws.iam.ManagedPolicy`), so its path (`service-role/`, `job-function/`) is never guessed.
 */
export function managedPolicyArn(policy: aws.iam.ManagedPolicy, partition: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.output(partition).apply((p) => inPartition(policy, p));
}

/**
 * Grants a workload identity the statements, as an inline policy on its role: the grant lives and
 * dies with the resource that granted it.
 */
export function grant(
  name: string,
  identity: WorkloadIdentity,
  statements: pulumi.Input<Statement>[],
  opts: pulumi.CustomResourceOptions,
): aws.iam.RolePolicy {
  return new aws.iam.RolePolicy(name, { role: identity.principalId, policy: policyDocument(statements) }, opts);
}
