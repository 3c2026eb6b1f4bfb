// Secret Manager for the GCP data services (CloudSqlPostgres, MemorystoreRedis): one secret per credential,
// replicated only in the service's region, holding one version written from a Pulumi secret, and read access
// to exactly that secret for a workload identity.
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { WorkloadIdentity } from "../types";
import { stackName } from "./private-service";

export interface StoredSecret {
  secret: gcp.secretmanager.Secret;
  version: gcp.secretmanager.SecretVersion;
}

/**
 * The secret `<project>-<stack>-<name>` (Secret Manager ids are unique per project, which two stacks may
 * share), with a user-managed replica in `region` only, and one version holding `value`.
 */
export function storeSecret(name: string, args: { region: string; value: pulumi.Output<string> }, parent: pulumi.Resource): StoredSecret {
  const secret = new gcp.secretmanager.Secret(
    name,
    {
      secretId: stackName(pulumi.getProject(), pulumi.getStack(), name),
      replication: { userManaged: { replicas: [{ location: args.region }] } },
    },
    { parent },
  );
  // `value` stays a secret output, so the version's data is encrypted in the state and masked in previews.
  const version = new gcp.secretmanager.SecretVersion(
    `${name}-version`,
    { secret: secret.id, secretData: pulumi.secret(args.value) },
    { parent },
  );
  return { secret, version };
}

/** roles/secretmanager.secretAccessor on `secret` alone for the identity's Google service account. */
export function grantSecretRead(
  name: string,
  secret: gcp.secretmanager.Secret,
  identity: WorkloadIdentity,
  parent: pulumi.Resource,
): gcp.secretmanager.SecretIamMember {
  return new gcp.secretmanager.SecretIamMember(
    name,
    { secretId: secret.id, role: "roles/secretmanager.secretAccessor", member: pulumi.interpolate`serviceAccount:${identity.principal}` },
    { parent },
  );
}
