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

/**
 * Grants a workload identity the statements, as an inline policy on its role: the grant lives and
 * dies with the resource that granted it.
 */
export function grant(name: string, identity: WorkloadIdentity, statements: pulumi.Input<Statement>[], opts: pulumi.CustomResourceOptions): aws.iam.RolePolicy {
  return new aws.iam.RolePolicy(name, { role: identity.principalId, policy: policyDocument(statements) }, opts);
}
