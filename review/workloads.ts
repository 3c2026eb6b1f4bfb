// Reading pods and Services out of Kubernetes objects, for the reachability check: the pods each workload's
// template makes (and those the Prometheus operator makes for its Prometheus and Alertmanager objects), with
// their labels and named container ports, and how a Service port leads to a container port.
import { kindOf, type KubeObject } from "./check-types";
import type { Labels } from "./netpol";

/** The pods one object makes: where, with which labels, serving which named container ports. */
export interface PodTemplate {
  /** `<namespace>/<Kind>/<name>` of the object that makes the pods. */
  object: string;
  namespace: string;
  labels: Labels;
  /** Container port name -> number and protocol. */
  ports: Record<string, { port: number; protocol: string }>;
}

export interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  protocol?: string;
}

export interface Service {
  metadata: { name: string; namespace: string; labels?: Labels };
  spec?: { selector?: Labels; ports?: ServicePort[] };
}

type Metadata = { name?: string; namespace?: string; labels?: Labels };
type PodSpec = { containers?: Container[]; initContainers?: Container[] };
type Container = { ports?: { name?: string; containerPort: number; protocol?: string }[] };
type Template = { metadata?: Metadata; spec?: PodSpec };

/** The object's kind: from its manifest, else from its type token `kubernetes:<group>/<version>:<Kind>`. */
export const objectsOfKind = (objects: KubeObject[], kind: string) => objects.filter((o) => kindOf(o) === kind);

const metadataOf = (o: KubeObject) => (o.inputs.metadata ?? {}) as Metadata;

function portsOf(spec: PodSpec | undefined): PodTemplate["ports"] {
  // Sidecars (init containers that keep running) serve ports too.
  const ports = [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])].flatMap((c) => c.ports ?? []);
  return Object.fromEntries(
    ports.filter((p) => p.name !== undefined).map((p) => [p.name!, { port: p.containerPort, protocol: p.protocol ?? "TCP" }]),
  );
}

/** The pod template of a workload object, or none for other kinds. */
function templateOf(o: KubeObject): Template | undefined {
  const spec = o.inputs.spec as { template?: Template; jobTemplate?: { spec?: { template?: Template } } } | undefined;
  switch (kindOf(o)) {
    case "Deployment":
    case "StatefulSet":
    case "DaemonSet":
    case "ReplicaSet":
    case "Job":
      return spec?.template;
    case "CronJob":
      return spec?.jobTemplate?.spec?.template;
    case "Pod":
      return { metadata: metadataOf(o), spec: o.inputs.spec as PodSpec };
    default:
      return undefined;
  }
}

/**
 * The pods the Prometheus operator runs for a Prometheus or Alertmanager object: the labels it gives its
 * StatefulSet's pods (with the object's `podMetadata.labels`) and the ports of the server and its config reloader.
 */
function operatorPods(o: KubeObject): Omit<PodTemplate, "object" | "namespace"> | undefined {
  const name = metadataOf(o).name ?? o.name;
  const spec = (o.inputs.spec ?? {}) as { podMetadata?: { labels?: Labels }; portName?: string };
  const app = { Prometheus: "prometheus", Alertmanager: "alertmanager" }[kindOf(o)];
  if (app === undefined || !(typeof o.inputs.apiVersion === "string" ? o.inputs.apiVersion : o.type).includes("monitoring.coreos.com"))
    return undefined;
  const server = { prometheus: 9090, alertmanager: 9093 }[app]!;
  return {
    labels: {
      ...spec.podMetadata?.labels,
      "app.kubernetes.io/name": app,
      "app.kubernetes.io/instance": name,
      "app.kubernetes.io/managed-by": "prometheus-operator",
      "operator.prometheus.io/name": name,
      [app]: name,
    },
    ports: { [spec.portName ?? "web"]: { port: server, protocol: "TCP" }, "reloader-web": { port: 8080, protocol: "TCP" } },
  };
}

/** The pods every workload (and every Prometheus or Alertmanager object) among the objects makes. */
export function podTemplates(objects: KubeObject[]): PodTemplate[] {
  return objects.flatMap((o): PodTemplate[] => {
    const namespace = metadataOf(o).namespace ?? "default";
    const object = `${namespace}/${kindOf(o)}/${metadataOf(o).name ?? o.name}`;
    const operated = operatorPods(o);
    if (operated) return [{ object, namespace, ...operated }];
    const template = templateOf(o);
    if (!template) return [];
    return [{ object, namespace, labels: template.metadata?.labels ?? {}, ports: portsOf(template.spec) }];
  });
}

export function servicesOf(objects: KubeObject[]): Service[] {
  return objectsOfKind(objects, "Service").map((o) => {
    const metadata = metadataOf(o);
    return {
      ...(o.inputs as unknown as Service),
      metadata: { ...metadata, name: metadata.name ?? o.name, namespace: metadata.namespace ?? "default" },
    };
  });
}

/**
 * The container port of `pod` behind a Service port named `name` (as ServiceMonitors name them) or numbered
 * `number` (as webhooks and routes do), through its targetPort (a number, or a container port's name);
 * undefined when the Service has no such port or the pod no such named port.
 */
export function resolveServicePort(
  service: Service,
  wanted: { name?: string; number?: number },
  pod: PodTemplate,
): { port: number; portName?: string } | undefined {
  const servicePort = (service.spec?.ports ?? []).find((p) =>
    wanted.name !== undefined ? p.name === wanted.name : p.port === wanted.number,
  );
  return servicePort ? containerPort(pod, servicePort.targetPort ?? servicePort.port) : undefined;
}

/** A container port of the pod by number (named when the pod names it) or by name; undefined for a name it lacks. */
export function containerPort(pod: PodTemplate, target: number | string): { port: number; portName?: string } | undefined {
  if (typeof target === "string") {
    const named = pod.ports[target];
    return named ? { port: named.port, portName: target } : undefined;
  }
  const portName = Object.entries(pod.ports).find(([, p]) => p.port === target)?.[0];
  return { port: target, ...(portName !== undefined && { portName }) };
}
