// The network reachability check: over every NetworkPolicy among the stack's Kubernetes objects (the typed
// ones and what the charts render), can each connection the platform depends on get through? Prometheus to
// every ServiceMonitor and PodMonitor target, the API server to every webhook's pods, the gateway's proxies
// to every route backend, and every pod whose egress is isolated to the cluster DNS. A path is open when
// the source's egress and the destination's ingress both admit it (review/netpol.ts); each closed one is a
// finding naming the namespace, the pods, the port and the allowance to add. Pure: objects and cluster
// facts in, a CheckResult out.
import { isTestHook } from "./chart-checks";
import { type CheckFinding, type CheckResult, kindOf, type KubeObject, objectId } from "./check-types";
import { type Endpoint, type Labels, type LabelSelector, type NetworkPolicy, NetworkPolicies, type PodEndpoint, selects } from "./netpol";
import { containerPort, objectsOfKind, podTemplates, type PodTemplate, resolveServicePort, type Service, servicesOf } from "./workloads";

export const REACHABILITY_CHECK = "network-reachability";
export const REACHABILITY_DESCRIPTION =
  "Every ServiceMonitor and PodMonitor target is reachable from Prometheus on its port, every webhook's pods from the API server, every route backend from the gateway's proxies, and the cluster DNS from every pod whose egress is isolated: the source's egress and the destination's ingress both admit it.";

/** What the cluster runs besides the objects: the API server, the DNS pods, and the pods controllers make. */
export interface ClusterFacts {
  /** Addresses the API server is reached at (the ends of each range), behind `default/kubernetes`. */
  apiServerAddresses: string[];
  /**
   * Where the API server's calls to webhooks arrive from: addresses (the ends of each range), or the pods that
   * relay them. A webhook must admit every one.
   */
  webhookCallers: Endpoint[];
  /** The cluster DNS pods (kube-system, `k8s-app: kube-dns` on EKS and GKE), with their container ports. */
  dns: PodTemplate;
  /** Labels and named ports of the proxy pods the gateway controller runs in each Gateway's namespace. */
  proxies: { labels: Labels; ports: PodTemplate["ports"] };
  /** The Prometheus pods scrapes leave from, when no Prometheus object is among the objects (its chart not rendered). */
  prometheus: PodTemplate[];
  /** Services the cluster runs whose endpoints are addresses, not pods: `default/kubernetes` (the API server), the kubelets'. */
  addressServices: AddressService[];
}

/** A Service without a selector whose endpoints are addresses outside the pod network. */
export interface AddressService extends Service {
  addresses: string[];
}

/** Where a path leads: the pods of one object, or the addresses behind a Service. */
interface Target {
  /** `<ns>/<Kind>/<name>` of the object that makes the pods, or of the Service in front of the addresses. */
  object: string;
  endpoints: Endpoint[];
  /** The pods' template, when the target is pods. */
  pods?: PodTemplate;
}

export type PathKind = "scrape" | "webhook" | "route" | "dns";

interface Source {
  /** What the source is, as a finding names it. */
  name: string;
  endpoints: Endpoint[];
}

interface Path {
  kind: PathKind;
  /** `<ns>/<Kind>/<name>` of the object that asks for the path (monitor, webhook configuration, route, workload). */
  by: string;
  from: Source;
  to: Target;
  port: number;
  portName?: string;
  protocol: string;
}

/** The check's result, with the paths it decided and the requests it could not follow to pods. */
export interface ReachabilityResult extends CheckResult {
  /** Every path checked, as `<kind> <by>: <source> -> <target> <protocol> <port>`. */
  paths: string[];
  /** Monitors, webhooks and routes whose targets no object describes (a chart not rendered, a typo). */
  unresolved: string[];
}

const labelText = (labels: Labels) =>
  Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
const endpointText = (e: Endpoint) => ("address" in e ? e.address : `${e.namespace}/${labelText(e.labels)}`);
const pathText = (p: Path) => `${p.kind} ${p.by}: ${p.from.name} -> ${p.to.object} ${p.protocol} ${p.port}`;
const podOf = (t: PodTemplate): PodEndpoint => ({ namespace: t.namespace, labels: t.labels });
const podsTarget = (t: PodTemplate): Target => ({ object: t.object, endpoints: [podOf(t)], pods: t });
const metadataOf = (o: KubeObject) => (o.inputs.metadata ?? {}) as { name?: string; namespace?: string; labels?: Labels };

/** The Prometheus pods: those the operator runs for each Prometheus object, else the facts'. */
function prometheusPods(objects: KubeObject[], facts: ClusterFacts): PodTemplate[] {
  const found = podTemplates(objects).filter((t) => t.object.split("/")[1] === "Prometheus");
  return found.length > 0 ? found : facts.prometheus;
}

/** Pods by template, plus those controllers run: the gateway's proxies and the cluster DNS. */
function allPods(objects: KubeObject[], facts: ClusterFacts): PodTemplate[] {
  const proxies = objectsOfKind(objects, "Gateway").map((g): PodTemplate => ({
    object: objectId(g),
    namespace: metadataOf(g).namespace ?? "default",
    labels: facts.proxies.labels,
    ports: facts.proxies.ports,
  }));
  // Helm test hooks run only under `helm test`, which a Release never runs.
  const templates = podTemplates(objects.filter((o) => !isTestHook(o)));
  const prometheus = templates.some((t) => t.object.split("/")[1] === "Prometheus") ? [] : facts.prometheus;
  return [...templates, ...prometheus, ...proxies, facts.dns];
}

/**
 * The pods behind a Service, each with the container port reached: through the Service port named `port` or
 * numbered `number`, or straight at the pods' `targetPort` (a ServiceMonitor endpoint may name one instead).
 */
function behindService(
  service: Service | AddressService,
  wanted: { port?: string; number?: number; targetPort?: string | number },
  pods: PodTemplate[],
): { to: Target; port: number; portName?: string }[] {
  const byTargetPort = wanted.port === undefined && wanted.number === undefined && wanted.targetPort !== undefined;
  if ("addresses" in service) {
    const { name, namespace } = service.metadata;
    const servicePort = (service.spec?.ports ?? []).find((p) =>
      wanted.port !== undefined ? p.name === wanted.port : p.port === wanted.number,
    );
    const port = byTargetPort ? wanted.targetPort : (servicePort?.targetPort ?? servicePort?.port);
    if (typeof port !== "number") return [];
    return [{ to: { object: `${namespace}/Service/${name}`, endpoints: service.addresses.map((address) => ({ address })) }, port }];
  }
  const selector = service.spec?.selector;
  if (selector === undefined || Object.keys(selector).length === 0) return [];
  return pods
    .filter((p) => p.namespace === service.metadata.namespace && selects({ matchLabels: selector }, p.labels))
    .flatMap((pod) => {
      const resolved = byTargetPort
        ? containerPort(pod, wanted.targetPort!)
        : resolveServicePort(service, { name: wanted.port, number: wanted.number }, pod);
      return resolved ? [{ to: podsTarget(pod), ...resolved }] : [];
    });
}

/** The Services among the objects, and those the cluster runs that no object describes. */
function allServices(objects: KubeObject[], facts: ClusterFacts): (Service | AddressService)[] {
  const services = servicesOf(objects);
  const key = (s: Service) => `${s.metadata.namespace}/${s.metadata.name}`;
  const described = new Set(services.map(key));
  return [...services, ...facts.addressServices.filter((s) => !described.has(key(s)))];
}

type Monitor = {
  metadata: { name: string; namespace: string };
  spec: {
    selector?: LabelSelector;
    namespaceSelector?: { any?: boolean; matchNames?: string[] };
    endpoints?: { port?: string; targetPort?: string | number }[];
    podMetricsEndpoints?: { port?: string; portNumber?: number; targetPort?: string | number }[];
  };
};

const inMonitorNamespaces = (m: Monitor, namespace: string) =>
  m.spec.namespaceSelector?.any === true || (m.spec.namespaceSelector?.matchNames ?? [m.metadata.namespace]).includes(namespace);

/** Prometheus to each target of each ServiceMonitor (through its Services) and PodMonitor (its pods). */
function scrapePaths(objects: KubeObject[], facts: ClusterFacts, pods: PodTemplate[], unresolved: string[]): Path[] {
  const prometheus = prometheusPods(objects, facts);
  const monitors = objects.filter((o) => ["ServiceMonitor", "PodMonitor"].includes(kindOf(o)));
  if (prometheus.length === 0) {
    unresolved.push(...monitors.map((o) => `${objectId(o)}: no Prometheus among the objects or the cluster facts scrapes it`));
    return [];
  }
  const from: Source = { name: `Prometheus ${prometheus.map((p) => p.object).join(", ")}`, endpoints: prometheus.map(podOf) };
  const services = allServices(objects, facts);
  const paths: Path[] = [];
  for (const o of objectsOfKind(objects, "ServiceMonitor")) {
    const m = o.inputs as unknown as Monitor;
    const before = paths.length;
    for (const service of services.filter(
      (s) => inMonitorNamespaces(m, s.metadata.namespace) && selects(m.spec.selector ?? {}, s.metadata.labels ?? {}),
    )) {
      for (const e of m.spec.endpoints ?? []) {
        for (const t of behindService(service, e, pods))
          paths.push({ kind: "scrape", by: objectId(o), from, to: t.to, port: t.port, portName: t.portName, protocol: "TCP" });
      }
    }
    if (paths.length === before)
      unresolved.push(
        `${objectId(o)}: no Service among the objects or the cluster facts leads to pods or addresses on its endpoints' ports`,
      );
  }
  for (const o of objectsOfKind(objects, "PodMonitor")) {
    const m = o.inputs as unknown as Monitor;
    const before = paths.length;
    for (const pod of pods.filter((p) => inMonitorNamespaces(m, p.namespace) && selects(m.spec.selector ?? {}, p.labels))) {
      for (const e of m.spec.podMetricsEndpoints ?? []) {
        const named = e.port ?? (typeof e.targetPort === "string" ? e.targetPort : undefined);
        const number = e.portNumber ?? (typeof e.targetPort === "number" ? e.targetPort : undefined);
        const container = named !== undefined ? pod.ports[named] : undefined;
        const portNumber = container?.port ?? number;
        if (portNumber !== undefined)
          paths.push({ kind: "scrape", by: objectId(o), from, to: podsTarget(pod), port: portNumber, portName: named, protocol: "TCP" });
      }
    }
    if (paths.length === before) unresolved.push(`${objectId(o)}: selects no pods among the objects with its endpoints' ports`);
  }
  return paths;
}

type ServiceRef = { namespace?: string; name?: string; port?: number };

/** Every webhook's Service: admission webhooks' `clientConfig.service` and CRD conversion webhooks'. */
function webhookRefs(objects: KubeObject[]): { by: string; service: ServiceRef }[] {
  const admission = objects
    .filter((o) => ["ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"].includes(kindOf(o)))
    .flatMap((o) =>
      ((o.inputs.webhooks ?? []) as { clientConfig?: { service?: ServiceRef } }[]).flatMap((w) =>
        w.clientConfig?.service ? [{ by: objectId(o), service: w.clientConfig.service }] : [],
      ),
    );
  const conversion = objectsOfKind(objects, "CustomResourceDefinition").flatMap((o) => {
    const service = (o.inputs.spec as { conversion?: { webhook?: { clientConfig?: { service?: ServiceRef } } } } | undefined)?.conversion
      ?.webhook?.clientConfig?.service;
    return service ? [{ by: objectId(o), service }] : [];
  });
  return [...admission, ...conversion];
}

/** The API server to each webhook's pods, on the container port behind the Service port it calls (443 unless named). */
function webhookPaths(objects: KubeObject[], facts: ClusterFacts, pods: PodTemplate[], unresolved: string[]): Path[] {
  const from: Source = {
    name: `the API server (${facts.webhookCallers.map((e) => ("address" in e ? e.address : `via ${peerText(e)}`)).join(", ")})`,
    endpoints: facts.webhookCallers,
  };
  const services = servicesOf(objects);
  return webhookRefs(objects).flatMap(({ by, service: ref }) => {
    const service = services.find((s) => s.metadata.namespace === ref.namespace && s.metadata.name === ref.name);
    const targets = service ? behindService(service, { number: ref.port ?? 443 }, pods) : [];
    const what = `${by}: the API server calls Service ${ref.namespace}/${ref.name} port ${ref.port ?? 443}`;
    if (targets.length === 0) unresolved.push(`${what}, which leads to no pods among the objects`);
    else if (from.endpoints.length === 0) unresolved.push(`${what}, but where the API server calls from is not known`);
    if (from.endpoints.length === 0) return [];
    return targets.map((t): Path => ({ kind: "webhook", by, from, to: t.to, port: t.port, portName: t.portName, protocol: "TCP" }));
  });
}

type Route = {
  metadata: { namespace: string };
  spec: {
    parentRefs?: { kind?: string; namespace?: string; name: string }[];
    rules?: { backendRefs?: { group?: string; kind?: string; namespace?: string; name: string; port?: number }[] }[];
  };
};

/** Each parent Gateway's proxies to each Service backend of each HTTPRoute and GRPCRoute. */
function routePaths(objects: KubeObject[], pods: PodTemplate[], unresolved: string[]): Path[] {
  const services = servicesOf(objects);
  const gateways = objectsOfKind(objects, "Gateway");
  const paths: Path[] = [];
  for (const o of objects.filter((x) => ["HTTPRoute", "GRPCRoute"].includes(kindOf(x)))) {
    const route = o.inputs as unknown as Route;
    const ns = route.metadata.namespace;
    const proxies = (route.spec.parentRefs ?? [])
      .filter((p) => (p.kind ?? "Gateway") === "Gateway")
      .flatMap((p) => gateways.filter((g) => metadataOf(g).namespace === (p.namespace ?? ns) && metadataOf(g).name === p.name))
      .flatMap((g) => pods.filter((p) => p.object === objectId(g)));
    const backends = (route.spec.rules ?? []).flatMap((r) => r.backendRefs ?? []);
    for (const b of backends.filter((x) => (x.group ?? "") === "" && (x.kind ?? "Service") === "Service")) {
      const service = services.find((s) => s.metadata.namespace === (b.namespace ?? ns) && s.metadata.name === b.name);
      const targets = service && b.port !== undefined ? behindService(service, { number: b.port }, pods) : [];
      if (targets.length === 0 || proxies.length === 0) {
        unresolved.push(
          `${objectId(o)}: backend Service ${b.namespace ?? ns}/${b.name} port ${b.port} or its Gateway is not among the objects`,
        );
        continue;
      }
      for (const proxy of proxies) {
        const from: Source = { name: `the proxies of ${proxy.object}`, endpoints: [podOf(proxy)] };
        for (const t of targets)
          paths.push({ kind: "route", by: objectId(o), from, to: t.to, port: t.port, portName: t.portName, protocol: "TCP" });
      }
    }
  }
  return paths;
}

/** Every pod whose egress a policy isolates, to the cluster DNS on UDP and TCP 53. */
function dnsPaths(facts: ClusterFacts, pods: PodTemplate[], policies: NetworkPolicies): Path[] {
  return pods
    .filter((p) => p !== facts.dns && policies.isolates("Egress", podOf(p)))
    .flatMap((p) =>
      ["UDP", "TCP"].map((protocol): Path => ({
        kind: "dns",
        by: p.object,
        from: { name: `pods of ${p.object}`, endpoints: [podOf(p)] },
        to: podsTarget(facts.dns),
        port: 53,
        portName: Object.entries(facts.dns.ports).find(([, x]) => x.port === 53 && x.protocol === protocol)?.[0],
        protocol,
      })),
    );
}

const peerText = (e: Endpoint) => ("address" in e ? e.address : `namespace ${e.namespace} pods ${labelText(e.labels)}`);

interface Blocked {
  from: Endpoint;
  to: Endpoint;
  /** Why the source's egress denies it, or undefined when it admits it; likewise the destination's ingress. */
  egress?: string;
  ingress?: string;
}

/** The finding for a closed path: who cannot reach what, why, and the allowance (or allowances) to add. */
function finding(p: Path, blocked: Blocked[]): CheckFinding {
  const on = `${p.protocol} ${p.port}${p.portName ? ` (${p.portName})` : ""}`;
  const unique = (texts: string[]) => [...new Set(texts)];
  const toPods = p.to.pods;
  const destination = toPods
    ? `pods ${labelText(toPods.labels)} in namespace ${toPods.namespace}`
    : `addresses ${unique(blocked.map((b) => endpointText(b.to))).join(", ")} (${p.to.object})`;
  const egress = blocked.filter((b) => b.egress !== undefined && !("address" in b.from));
  const sources = [...new Map(egress.map((b) => [endpointText(b.from), b.from as PodEndpoint])).values()];
  const egressPeer = toPods
    ? `namespace ${toPods.namespace} pods ${labelText(toPods.labels)}`
    : unique(egress.map((b) => endpointText(b.to))).join(", ");
  const ingressFrom = unique(blocked.filter((b) => b.ingress !== undefined).map((b) => peerText(b.from)));
  const add = [
    ...sources.map((source) => `an Egress allowance in ${source.namespace} for pods ${labelText(source.labels)} to ${egressPeer} on ${on}`),
    ...(toPods && ingressFrom.length > 0
      ? [`an Ingress allowance in ${toPods.namespace} for pods ${labelText(toPods.labels)} from ${ingressFrom.join(", ")} on ${on}`]
      : []),
  ];
  const why = unique(blocked.flatMap((b) => [b.egress, b.ingress].filter((w): w is string => w !== undefined))).join("; ");
  return {
    object: p.to.object,
    message: `${p.kind} ${p.by}: ${p.from.name} cannot reach ${destination} on ${on}: ${why}; add ${add.join(" and ")}`,
  };
}

/** Every source and destination pair of the path that the policies refuse. */
function blockedPairs(p: Path, policies: NetworkPolicies): Blocked[] {
  return p.from.endpoints.flatMap((from) =>
    p.to.endpoints.flatMap((to): Blocked[] => {
      const v = policies.decide({ from, to, port: p.port, portName: p.portName, protocol: p.protocol });
      if (v.allowed) return [];
      return [{ from, to, ...(!v.egress.allowed && { egress: v.egress.why }), ...(!v.ingress.allowed && { ingress: v.ingress.why }) }];
    }),
  );
}

/** Runs the check over the objects; findings carry `enforcementLevel`. */
export function checkReachability(
  objects: KubeObject[],
  facts: ClusterFacts,
  enforcementLevel: CheckResult["enforcementLevel"],
): ReachabilityResult {
  const namespaceLabels = Object.fromEntries(
    objectsOfKind(objects, "Namespace").map((n) => [metadataOf(n).name ?? n.name, metadataOf(n).labels ?? {}]),
  );
  const policies = new NetworkPolicies(
    objectsOfKind(objects, "NetworkPolicy").map((o) => o.inputs as unknown as NetworkPolicy),
    namespaceLabels,
  );
  const pods = allPods(objects, facts);
  const unresolved: string[] = [];
  const all = [
    ...scrapePaths(objects, facts, pods, unresolved),
    ...webhookPaths(objects, facts, pods, unresolved),
    ...routePaths(objects, pods, unresolved),
    ...dnsPaths(facts, pods, policies),
  ];
  const paths = [...new Map(all.map((p) => [pathText(p), p])).values()];
  const findings = paths.flatMap((p) => {
    const blocked = blockedPairs(p, policies);
    return blocked.length > 0 ? [finding(p, blocked)] : [];
  });
  return {
    name: REACHABILITY_CHECK,
    description: REACHABILITY_DESCRIPTION,
    enforcementLevel,
    checked: paths.length,
    findings,
    paths: paths.map(pathText),
    unresolved: [...new Set(unresolved)],
  };
}
