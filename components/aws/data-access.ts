// Network and secret access shared by the private data services (PostgresDatabase, RedisCache): a
// security group that admits one TCP port from named security groups only, and the IAM statements that
// let a workload read one Secrets Manager secret.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AccountInfo } from "./account";
import type { Statement } from "./iam";

export interface ServiceSecurityGroupArgs {
  vpcId: pulumi.Input<string>;
  /** Shown in the console. Changing it replaces the group, so it names the purpose, not values. */
  description: string;
  port: number;
  allowedSecurityGroupIds: pulumi.Input<string>[];
}

export interface ServiceSecurityGroup {
  securityGroup: aws.ec2.SecurityGroup;
  ingress: aws.vpc.SecurityGroupIngressRule[];
}

/**
 * `<name>-sg` with no inline rules (so separate rule resources are the only source of truth), and one
 * `<name>-ingress-<i>` rule per allowed group. No egress rule: the service initiates no connections, and
 * the provider removes the allow-all egress rule AWS adds to new groups.
 */
export function serviceSecurityGroup(name: string, args: ServiceSecurityGroupArgs, parent: pulumi.Resource): ServiceSecurityGroup {
  const securityGroup = new aws.ec2.SecurityGroup(`${name}-sg`, { vpcId: args.vpcId, description: args.description }, { parent });
  const ingress = args.allowedSecurityGroupIds.map(
    (source, i) =>
      new aws.vpc.SecurityGroupIngressRule(
        `${name}-ingress-${i}`,
        {
          securityGroupId: securityGroup.id,
          referencedSecurityGroupId: source,
          ipProtocol: "tcp",
          fromPort: args.port,
          toPort: args.port,
          description: `TCP ${args.port} from an allowed security group`,
        },
        { parent },
      ),
  );
  return { securityGroup, ingress };
}

/**
 * Read access to exactly one secret, plus kms:Decrypt on its key only when Secrets Manager asks on the
 * caller's behalf (kms:ViaService), so the grant cannot decrypt anything else the key protects.
 */
export function secretReadStatements(
  secretArn: pulumi.Input<string>,
  keyArn: pulumi.Input<string>,
  account: AccountInfo,
): pulumi.Input<Statement>[] {
  return [
    { Sid: "ReadSecret", Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], Resource: secretArn },
    {
      Sid: "DecryptSecret",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: keyArn,
      Condition: { StringEquals: { "kms:ViaService": pulumi.interpolate`secretsmanager.${account.region}.${account.dnsSuffix}` } },
    },
  ];
}

/**
 * `<project>-<stack>-<name>`, as KMS aliases are written: descriptions carry it because they are all a
 * console user sees of two stacks' databases or caches sharing an account.
 */
export function stackLabel(name: string): string {
  return `${pulumi.getProject()}-${pulumi.getStack()}-${name}`;
}
