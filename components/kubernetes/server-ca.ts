// The CA a workload must trust for the cache's TLS certificate, where the system trust store cannot verify
// it (Memorystore signs with a per-instance CA): a ConfigMap beside the workload holds the bundle, the
// container mounts it read-only, and one environment variable names the file. One place for the name,
// key, mount and path, so the apps and the exporter cannot drift.
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { RedisEndpoint } from "../types";

/** The ConfigMap key, and so the file name, of the bundle. */
export const SERVER_CA_KEY = "ca.crt";
/** The pod volume that reads the ConfigMap. */
export const SERVER_CA_VOLUME = "redis-ca";
/** Where the container sees the bundle's folder. */
export const SERVER_CA_DIR = "/etc/redis-ca";
/** The bundle's path inside the container. */
export const SERVER_CA_FILE = `${SERVER_CA_DIR}/${SERVER_CA_KEY}`;

/** Where the ConfigMap goes and who owns it. */
export interface ServerCaTarget {
  /** Pulumi name of the ConfigMap. */
  resourceName: string;
  namespace: pulumi.Input<string>;
  /** Name of the Kubernetes ConfigMap. */
  configMapName: string;
  labels: Record<string, string>;
  parent: pulumi.Resource;
}

/** The bundle as a workload uses it. */
export interface TrustedServerCa {
  /** The ConfigMap: the workload should depend on it. */
  configMap: k8s.core.v1.ConfigMap;
  /** The pod volume reading the ConfigMap. */
  volume: k8s.types.input.core.v1.Volume;
  /** Its read-only mount in the client's container. */
  volumeMount: k8s.types.input.core.v1.VolumeMount;
  /** The environment variable that names the bundle's file. */
  env: k8s.types.input.core.v1.EnvVar;
}

/**
 * The cache's server CA certificates (joined by newlines) in the ConfigMap `target.configMapName` under
 * `ca.crt`, mounted read-only at /etc/redis-ca and named by the variable `envName`; undefined when the
 * cache has none, as the system trust store verifies its certificate then.
 */
export function trustServerCa(
  target: ServerCaTarget,
  cache: Pick<RedisEndpoint, "serverCaCertificates">,
  envName: string,
): TrustedServerCa | undefined {
  if (cache.serverCaCertificates === undefined) return undefined;
  const configMap = new k8s.core.v1.ConfigMap(
    target.resourceName,
    {
      metadata: { name: target.configMapName, namespace: target.namespace, labels: target.labels },
      data: { [SERVER_CA_KEY]: cache.serverCaCertificates.apply((certificates) => certificates.join("\n")) },
    },
    { parent: target.parent },
  );
  return {
    configMap,
    volume: { name: SERVER_CA_VOLUME, configMap: { name: target.configMapName } },
    volumeMount: { name: SERVER_CA_VOLUME, mountPath: SERVER_CA_DIR, readOnly: true },
    env: { name: envName, value: SERVER_CA_FILE },
  };
}
