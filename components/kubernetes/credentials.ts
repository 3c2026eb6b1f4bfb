// Data-service credentials for a workload: an ExternalSecret copies them from the cloud's secret store into
// a Kubernetes Secret beside the workload, and the workload reads them as environment variables that
// reference that Secret, never as values. One place for the keys, the remote references and the env
// wiring, so the apps, the backups and the exporters cannot drift.
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { PostgresEndpoint, RedisEndpoint } from "../types";
import type { SecretsSync } from "./secrets";

/** Where a synced Secret goes and who owns its ExternalSecret. */
export interface SecretTarget {
  secrets: SecretsSync;
  /** Pulumi name of the ExternalSecret. */
  resourceName: string;
  namespace: pulumi.Input<string>;
  /** Name of the Kubernetes Secret (and of its ExternalSecret). */
  secretName: string;
  parent: pulumi.Resource;
}

/** A synced Secret as a workload uses it. */
export interface SyncedCredentials {
  /** The ExternalSecret: a workload reading the Secret should depend on it. */
  sync: k8s.apiextensions.CustomResource;
  /** The environment variables that read the Secret's keys, in the order their names were given. */
  env: k8s.types.input.core.v1.EnvVar[];
  /** Name of the Kubernetes Secret, which the workload restarts on (credential-rollout.ts). */
  secretName: string;
}

/** An environment variable read from one key of a Secret. */
export function secretEnv(name: string, secretName: string, key: string): k8s.types.input.core.v1.EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: secretName, key } } };
}

/**
 * The database's credentials (`username` and `password` of its credentials secret) synced into
 * `target.secretName`, read as the environment variables `env.user` and `env.password`.
 */
export function syncPostgresCredentials(
  target: SecretTarget,
  database: Pick<PostgresEndpoint, "credentialsSecret">,
  env: { user: string; password: string },
): SyncedCredentials {
  const sync = target.secrets.sync(
    target.resourceName,
    target.namespace,
    target.secretName,
    [
      { secretKey: "username", remoteKey: database.credentialsSecret, property: "username" },
      { secretKey: "password", remoteKey: database.credentialsSecret, property: "password" },
    ],
    target.parent,
  );
  return {
    sync,
    env: [secretEnv(env.user, target.secretName, "username"), secretEnv(env.password, target.secretName, "password")],
    secretName: target.secretName,
  };
}

/** The cache's AUTH token (the whole stored value) synced into `target.secretName` as `password`, read as `env.password`. */
export function syncRedisAuth(
  target: SecretTarget,
  cache: Pick<RedisEndpoint, "authSecret">,
  env: { password: string },
): SyncedCredentials {
  const sync = target.secrets.sync(
    target.resourceName,
    target.namespace,
    target.secretName,
    [{ secretKey: "password", remoteKey: cache.authSecret }],
    target.parent,
  );
  return { sync, env: [secretEnv(env.password, target.secretName, "password")], secretName: target.secretName };
}
