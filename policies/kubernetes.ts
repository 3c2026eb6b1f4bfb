// Kubernetes workloads and namespaces: restricted pods, read-only root filesystems, resources, probes,
// pinned images, Pod Security labels, default-deny network policies, TLS on every public route, no cloud
// load balancer but the gateway's, nothing in `default`, and replicas with a disruption budget. Objects
// are matched by type token, so custom resources (Gateway API) need no SDK class.
// Anchors: PSS restricted, CKV_K8S_*, CKV2_K8S_6, Polaris.
import {
  configSchema,
  eachKnown,
  ENVIRONMENT,
  forTypes,
  known,
  type PlatformResourcePolicy,
  type PlatformStackPolicy,
  type PolicyResource,
  propsOf,
  settings,
} from "./lib/policy";
import {
  containersOf,
  type KubernetesObject,
  LONG_RUNNING_TYPES,
  parseImage,
  podLabelsOf,
  podSpecOf,
  where,
  WORKLOAD_TYPES,
} from "./lib/pods";
import { ofType, refersTo } from "./lib/stack";
import { isSet, list, record, sentence, strings, text } from "./lib/values";
import {
  attaches,
  GATEWAY_TYPES,
  HTTP_ROUTE_TYPES,
  INGRESS_TYPE,
  listenersOf,
  redirectsToHttps,
  tlsListenerProblem,
  uncoveredHosts,
} from "./lib/routes";

const NAMESPACE = "kubernetes:core/v1:Namespace";
/** A server-side apply patch of a namespace something else made (an EKS add-on's): its labels count as the namespace's. */
const NAMESPACE_PATCH = "kubernetes:core/v1:NamespacePatch";
const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const PDB = "kubernetes:policy/v1:PodDisruptionBudget";
const HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler";

/** Volume types the restricted Pod Security Standard allows. */
const RESTRICTED_VOLUMES = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];
const SECCOMP = ["RuntimeDefault", "Localhost"];

const pssRestricted: PlatformResourcePolicy = {
  name: "pss-restricted",
  description:
    "Pod templates meet the restricted Pod Security Standard: non-root, no privilege escalation, all capabilities dropped, a seccomp profile, no host namespaces, ports or paths, no privileged containers.",
  rationale:
    "A container running as root, with extra capabilities, privilege escalation or the host's namespaces is one kernel or runtime flaw away from the node, and from there from every pod on it; the restricted standard closes those paths.",
  anchors: ["Pod Security Standards (restricted)", "CKV_K8S_*", "Kyverno"],
  remediationSteps:
    'Give the pod securityContext { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } } and every container securityContext { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, privileged: false }; remove hostNetwork, hostPID, hostIPC, hostPort and hostPath volumes.',
  enforcementLevel: "mandatory",
  validateResource: forTypes<KubernetesObject>(WORKLOAD_TYPES, (props, args, report) => {
    const spec = podSpecOf(args.type, props);
    for (const host of ["hostNetwork", "hostPID", "hostIPC"] as const) if (spec[host] === true) report(`${host} is true: remove it`);
    for (const volume of list(spec.volumes).map(record)) {
      const kind = Object.keys(volume).find((k) => k !== "name");
      if (kind !== undefined && !RESTRICTED_VOLUMES.includes(kind))
        report(`volume ${text(volume.name) ?? "?"} is a ${kind} volume: use one of ${RESTRICTED_VOLUMES.join(", ")}`);
    }
    const pod = spec.securityContext ?? {};
    if (pod.runAsUser === 0) report("the pod's securityContext.runAsUser is 0: run as a non-zero user");
    if (pod.seccompProfile?.type !== undefined && !SECCOMP.includes(pod.seccompProfile.type))
      report(`the pod's seccompProfile.type is ${pod.seccompProfile.type}: set it to RuntimeDefault`);
    for (const c of containersOf(spec)) {
      const sc = c.container.securityContext ?? {};
      if (sc.privileged === true) report(`${where(c)} is privileged: set securityContext.privileged to false`);
      if (sc.allowPrivilegeEscalation !== false)
        report(`${where(c)} does not set securityContext.allowPrivilegeEscalation to false: set it`);
      if (!strings(sc.capabilities?.drop).includes("ALL"))
        report(`${where(c)} does not drop ALL capabilities: set securityContext.capabilities.drop to ["ALL"]`);
      const added = strings(sc.capabilities?.add).filter((cap) => cap !== "NET_BIND_SERVICE");
      if (added.length > 0) report(`${where(c)} adds capabilities ${added.join(", ")}: only NET_BIND_SERVICE may be added`);
      if (sc.runAsNonRoot === false || (sc.runAsNonRoot !== true && pod.runAsNonRoot !== true))
        report(`${where(c)} may run as root: set runAsNonRoot to true on the pod or the container`);
      if (sc.runAsUser === 0) report(`${where(c)} sets runAsUser 0: run as a non-zero user`);
      const seccomp = sc.seccompProfile?.type ?? pod.seccompProfile?.type;
      if (!SECCOMP.includes(seccomp ?? ""))
        report(`${where(c)} has no seccomp profile: set seccompProfile.type to RuntimeDefault on the pod`);
      for (const port of list(c.container.ports).map(record)) {
        if (typeof port.hostPort === "number" && port.hostPort !== 0)
          report(`${where(c)} binds hostPort ${port.hostPort}: remove it and expose the port through a Service`);
      }
    }
  }),
};

const readOnlyRootfs: PlatformResourcePolicy = {
  name: "read-only-rootfs",
  description: "Containers run with a read-only root filesystem; anything they write goes to a mounted volume.",
  rationale:
    "Code an attacker gets to run cannot drop tools into, or change, a read-only root filesystem; writes go to volumes that disappear with the pod.",
  anchors: ["CKV_K8S_22"],
  remediationSteps:
    "Set securityContext.readOnlyRootFilesystem to true on every container and mount an emptyDir where the process writes (/tmp, caches).",
  enforcementLevel: "mandatory",
  validateResource: forTypes<KubernetesObject>(WORKLOAD_TYPES, (props, args, report) => {
    for (const c of containersOf(podSpecOf(args.type, props), ["container", "init container"])) {
      if (c.container.securityContext?.readOnlyRootFilesystem !== true)
        report(`${where(c)} has a writable root filesystem: set securityContext.readOnlyRootFilesystem to true`);
    }
  }),
};

const resources: PlatformResourcePolicy = {
  name: "resources",
  description: "Containers request CPU and memory and are limited in memory, so the scheduler can place them and one cannot starve a node.",
  rationale:
    "Without requests the scheduler places pods blindly and the autoscaler cannot plan; without a memory limit one leaking container can run its node out of memory and get its neighbours evicted.",
  anchors: ["CKV_K8S_10", "CKV_K8S_11", "CKV_K8S_12", "CKV_K8S_13"],
  remediationSteps:
    "Set resources.requests.cpu, resources.requests.memory and resources.limits.memory on every container (platform:apps[].cpuRequest, memoryRequest, memoryLimit).",
  enforcementLevel: "mandatory",
  validateResource: forTypes<KubernetesObject>(WORKLOAD_TYPES, (props, args, report) => {
    for (const c of containersOf(podSpecOf(args.type, props), ["container", "init container"])) {
      const r = c.container.resources ?? {};
      const missing = [
        ["requests", "cpu"],
        ["requests", "memory"],
        ["limits", "memory"],
      ]
        .filter(([group, key]) => !isSet(record(record(r)[group!])[key!]))
        .map(([g, k]) => `${g!}.${k!}`);
      if (missing.length > 0) report(`${where(c)} sets no resources.${sentence(missing)}: set ${missing.length === 1 ? "it" : "them"}`);
    }
  }),
};

const probes: PlatformResourcePolicy = {
  name: "probes",
  description:
    "Long-running containers have liveness and readiness probes, so Kubernetes restarts hung pods and routes traffic only to ready ones.",
  rationale:
    "Without a liveness probe a hung process keeps its pod forever; without a readiness probe traffic reaches pods that are starting or overloaded, and a rollout carries on past a broken version.",
  anchors: ["CKV_K8S_8", "CKV_K8S_9"],
  remediationSteps:
    "Add livenessProbe and readinessProbe (httpGet on platform:apps[].healthPath and readyPath) to every container of Deployments, StatefulSets and DaemonSets.",
  enforcementLevel: "mandatory",
  validateResource: forTypes<KubernetesObject>(LONG_RUNNING_TYPES, (props, args, report) => {
    for (const c of containersOf(podSpecOf(args.type, props), ["container"])) {
      const missing = [
        c.container.livenessProbe === undefined && "livenessProbe",
        c.container.readinessProbe === undefined && "readinessProbe",
      ].filter((x): x is string => x !== false);
      if (missing.length > 0) report(`${where(c)} has no ${sentence(missing)}: add ${missing.length === 1 ? "it" : "them"}`);
    }
  }),
};

const imagePinning: PlatformResourcePolicy = {
  name: "image-pinning",
  description: "Every container image names a tag other than latest, or a digest, so each deploy runs the image that was reviewed.",
  rationale:
    "`latest`, or no tag, runs whatever was pushed last: deploys cannot be reproduced, rollbacks do not roll back, and an image nobody reviewed can reach production.",
  anchors: ["CKV_K8S_14"],
  remediationSteps: "Pin the image: registry/repository:<version> (platform:apps[].image), or better registry/repository@sha256:<digest>.",
  enforcementLevel: "mandatory",
  validateResource: forTypes<KubernetesObject>(WORKLOAD_TYPES, (props, args, report) => {
    for (const c of containersOf(podSpecOf(args.type, props))) {
      const image = text(c.container.image);
      if (!image) {
        report(`${where(c)} names no image: set image to a pinned reference`);
        continue;
      }
      const { tag, digest } = parseImage(image);
      if (digest !== undefined) continue;
      if (tag === undefined) report(`${where(c)} image ${image} has no tag (pulls latest): pin a version tag or a digest`);
      else if (tag === "latest") report(`${where(c)} image ${image} uses the latest tag: pin a version tag or a digest`);
    }
  }),
};

const imageDigest: PlatformResourcePolicy = {
  name: "image-digest",
  description: "Container images are pinned by digest: a tag can be moved to other content, a digest cannot.",
  rationale:
    "A tag can be moved, by mistake or by someone with push access to the registry, to content nobody reviewed; a digest names the content itself.",
  anchors: ["CKV_K8S_43"],
  remediationSteps:
    "Append the digest of the reviewed image: registry/repository:<version>@sha256:<digest> (`crane digest` or `docker buildx imagetools inspect` prints it).",
  enforcementLevel: "advisory",
  validateResource: forTypes<KubernetesObject>(WORKLOAD_TYPES, (props, args, report) => {
    for (const c of containersOf(podSpecOf(args.type, props))) {
      const image = text(c.container.image);
      if (image && parseImage(image).digest === undefined)
        report(`${where(c)} image ${image} is not pinned by digest: append @sha256:<digest>`);
    }
  }),
};

const PSS_LEVELS = ["privileged", "baseline", "restricted"];

const pssLabelsConfig = configSchema({
  environment: ENVIRONMENT,
  minimumLevel: {
    type: "string",
    enum: PSS_LEVELS,
    default: "restricted",
    description:
      "Lowest Pod Security level a namespace may enforce: restricted in staging and production, baseline in dev (the environment's pod security profile).",
  },
  allowedBelowRestricted: {
    type: "array",
    items: { type: "string" },
    default: [],
    description: "Namespaces that may enforce a level below minimumLevel, each declared here in review.",
  },
});

const namespacePssLabels: PlatformResourcePolicy = {
  name: "namespace-pss-labels",
  description:
    "Every namespace states the Pod Security level the API server enforces in it, and the version of that standard; no namespace enforces less than the environment's level (restricted in staging and production) unless it is a declared exception.",
  rationale:
    "A namespace without the label gets the cluster's default level, privileged unless the API server is configured otherwise, so its pods are not checked at all; a namespace enforcing baseline admits pods running as root; the version label keeps a cluster upgrade from changing what is enforced unnoticed.",
  anchors: ["Pod Security admission"],
  remediationSteps:
    "Label the namespace pod-security.kubernetes.io/enforce: restricted and pod-security.kubernetes.io/enforce-version: latest (or the cluster's minor, e.g. v1.35). A namespace whose workload cannot run restricted is added to the policy's allowedBelowRestricted, in review.",
  enforcementLevel: "mandatory",
  configSchema: pssLabelsConfig,
  validateResource: forTypes<KubernetesObject>([NAMESPACE, NAMESPACE_PATCH], (props, args, report) => {
    const { environment, minimumLevel, allowedBelowRestricted } = settings(pssLabelsConfig, args);
    const labels = record(props.metadata?.labels);
    const level = text(labels["pod-security.kubernetes.io/enforce"]);
    const name = text(props.metadata?.name) ?? args.name;
    // A patch that leaves the enforce label alone changes no level; one that sets it is held to the same rules.
    if (args.type === NAMESPACE_PATCH && level === undefined) return;
    if (level === undefined) report(`the label pod-security.kubernetes.io/enforce is missing: set it to ${minimumLevel}`);
    else if (!PSS_LEVELS.includes(level)) report(`pod-security.kubernetes.io/enforce is ${level}: use privileged, baseline or restricted`);
    else if (PSS_LEVELS.indexOf(level) < PSS_LEVELS.indexOf(minimumLevel) && !allowedBelowRestricted.includes(name))
      report(
        `namespace ${name} enforces ${level}: ${environment} enforces at least ${minimumLevel}; set pod-security.kubernetes.io/enforce to ${minimumLevel}, or declare ${name} in allowedBelowRestricted`,
      );
    if (!isSet(labels["pod-security.kubernetes.io/enforce-version"]))
      report("the label pod-security.kubernetes.io/enforce-version is missing: set it to latest or the cluster's minor (v1.35)");
  }),
};

const denyConfig = configSchema({
  exemptNamespaces: {
    type: "array",
    items: { type: "string" },
    default: ["kube-system", "kube-public", "kube-node-lease"],
    description: "Namespaces that need no default-deny policy.",
  },
});

/** The policy types a NetworkPolicy denies for every pod of its namespace: empty podSelector, no rules. */
function deniedDirections(policy: PolicyResource): string[] {
  const spec = record(propsOf<KubernetesObject>(policy).spec);
  const selector = record(spec.podSelector);
  if (Object.keys(record(selector.matchLabels)).length > 0 || list(selector.matchExpressions).length > 0) return [];
  return strings(spec.policyTypes).filter((t) =>
    t === "Ingress" ? list(spec.ingress).length === 0 : t === "Egress" ? list(spec.egress).length === 0 : false,
  );
}

/** True when the namespaced object lives in `namespace` (by name, or because its metadata came from it). */
function inNamespace(object: PolicyResource, namespace: PolicyResource): boolean {
  const name = text(propsOf<KubernetesObject>(namespace).metadata?.name);
  const own = text(propsOf<KubernetesObject>(object).metadata?.namespace);
  return (name !== undefined && own === name) || refersTo(object, "metadata", namespace);
}

const namespaceDefaultDeny: PlatformStackPolicy = {
  name: "namespace-default-deny",
  description:
    "Every namespace the stack creates has a default-deny NetworkPolicy for ingress and egress; traffic is then allowed rule by rule.",
  rationale:
    "Kubernetes lets every pod reach every other until a policy selects it; denying by default means a compromised pod reaches only what it was allowed, not the database of every other app.",
  anchors: ["CKV2_K8S_6"],
  remediationSteps:
    'Create a NetworkPolicy in the namespace with podSelector {} and policyTypes ["Ingress", "Egress"] and no rules, then add narrow allowances (DNS, the gateway, the database).',
  enforcementLevel: "mandatory",
  configSchema: denyConfig,
  validateStack: (args, report) => {
    const { exemptNamespaces } = settings(denyConfig, args);
    const policies = ofType(args.resources, NETWORK_POLICY);
    const patchesWithLevel = ofType(args.resources, NAMESPACE_PATCH).filter((p) =>
      isSet(record(propsOf<KubernetesObject>(p).metadata?.labels)["pod-security.kubernetes.io/enforce"]),
    );
    // Namespaces the stack creates, and those it sets a Pod Security level on by patch: both are the stack's to guard.
    eachKnown([...ofType(args.resources, NAMESPACE), ...patchesWithLevel], (namespace) => {
      const name = text(propsOf<KubernetesObject>(namespace).metadata?.name) ?? namespace.name;
      if (exemptNamespaces.includes(name)) return;
      const denied = new Set(policies.filter((p) => inNamespace(p, namespace)).flatMap(deniedDirections));
      const missing = ["Ingress", "Egress"].filter((d) => !denied.has(d));
      if (missing.length > 0)
        report(
          `namespace ${name} has no default-deny NetworkPolicy for ${missing.join(" and ")}: add one with podSelector {} and policyTypes [${missing.map((m) => `"${m}"`).join(", ")}]`,
          namespace.urn,
        );
    });
  },
};

const tlsOnRoutes: PlatformStackPolicy = {
  name: "tls-on-routes",
  description: "Every externally reachable listener and route serves HTTPS with a certificate; plain HTTP only redirects to HTTPS.",
  rationale:
    "Anything served over plain HTTP can be read and changed on the way, session cookies and credentials included; the HTTP listener only redirects, so old links keep working.",
  anchors: ["Polaris"],
  remediationSteps:
    "Give each Gateway listener protocol HTTPS with tls.certificateRefs (from cert-manager), attach HTTPRoutes to it by parentRefs[].sectionName, and let the only route on the HTTP listener be a RequestRedirect to scheme https. Ingresses list every host under spec.tls with a secretName.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const routes = ofType(args.resources, ...HTTP_ROUTE_TYPES);
    eachKnown(ofType(args.resources, ...GATEWAY_TYPES), (gateway) => {
      for (const listener of listenersOf(gateway)) {
        const at = `gateway ${gateway.name} listener ${listener.name ?? "?"}`;
        const problem = tlsListenerProblem(listener);
        if (problem) report(`${at} ${problem}`, gateway.urn);
        if (listener.protocol === "TCP" || listener.protocol === "UDP")
          report(`${at} serves plain ${listener.protocol}: use protocol TLS with a certificate`, gateway.urn);
        if (listener.protocol !== "HTTP") continue;
        for (const route of routes.filter(
          (r) => known(() => attaches(r, gateway, listener)) === true && known(() => redirectsToHttps(r)) === false,
        )) {
          report(
            `HTTPRoute ${route.name} serves plain HTTP on ${at}: attach it to the HTTPS listener with parentRefs[].sectionName, and only redirect to https on HTTP`,
            route.urn,
          );
        }
      }
    });
    eachKnown(ofType(args.resources, INGRESS_TYPE), (ingress) => {
      const hosts = uncoveredHosts(ingress);
      if (hosts.length > 0)
        report(
          `Ingress ${ingress.name} serves ${hosts.join(", ")} without TLS: list ${hosts.length === 1 ? "it" : "them"} in spec.tls with a secretName`,
          ingress.urn,
        );
    });
  },
};

const SERVICE = "kubernetes:core/v1:Service";
const ENVOY_PROXY = "kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy";

/** core/v1 Service, as far as load-balancer-services reads it. */
export interface ServiceProps {
  metadata?: { name?: string; namespace?: string };
  spec?: { type?: string };
}

/** Envoy Gateway's EnvoyProxy: how the proxies of the Gateways that use it are deployed and exposed. */
interface EnvoyProxyProps {
  metadata?: { name?: string; namespace?: string };
  spec?: { provider?: { type?: string; kubernetes?: { envoyService?: { type?: string } } } };
}

const loadBalancerConfig = configSchema({
  allowedNamespaces: {
    type: "array",
    items: { type: "string" },
    default: ["gateway"],
    description: "Namespaces whose Services and Envoy Gateway proxies may have a cloud load balancer: the gateway's.",
  },
});

const loadBalancerServices: PlatformResourcePolicy = {
  name: "load-balancer-services",
  description:
    "Only the gateway is exposed through a cloud load balancer: no Service of type LoadBalancer, and no Envoy Gateway proxy exposed by one, outside the gateway's namespace.",
  rationale:
    "Each LoadBalancer Service is a new entry point from the internet that bypasses the gateway's TLS, rate limit and HSTS; with one gateway there is one place to secure and to watch.",
  anchors: [],
  remediationSteps:
    "Keep the Service's type ClusterIP and reach it through the gateway: an HTTPRoute on the gateway's HTTPS listener (platform:apps[].hostname). An EnvoyProxy outside the gateway's namespace sets spec.provider.kubernetes.envoyService.type to ClusterIP. A namespace that must have a load balancer of its own is added to the policy's allowedNamespaces, in review.",
  enforcementLevel: "mandatory",
  configSchema: loadBalancerConfig,
  validateResource: forTypes<ServiceProps & EnvoyProxyProps>([SERVICE, ENVOY_PROXY], (props, args, report) => {
    const { allowedNamespaces } = settings(loadBalancerConfig, args);
    // Without a namespace the object lands in the provider's namespace, or in `default`.
    const namespace = text(props.metadata?.namespace) ?? text(args.provider?.props.namespace as unknown) ?? "default";
    if (allowedNamespaces.includes(namespace)) return;
    const name = text(props.metadata?.name) ?? args.name;
    if (args.type === SERVICE) {
      if (props.spec?.type === "LoadBalancer")
        report(
          `Service ${name} in namespace ${namespace} is of type LoadBalancer, a cloud load balancer of its own: make it ClusterIP and route to it through the gateway`,
        );
      return;
    }
    const provider = props.spec?.provider;
    if ((provider?.type ?? "Kubernetes") !== "Kubernetes") return;
    const type = provider?.kubernetes?.envoyService?.type;
    if (type === undefined)
      report(
        `EnvoyProxy ${name} in namespace ${namespace} leaves spec.provider.kubernetes.envoyService.type unset, so Envoy Gateway exposes its proxies through a LoadBalancer Service: set it to ClusterIP`,
      );
    else if (type === "LoadBalancer")
      report(
        `EnvoyProxy ${name} in namespace ${namespace} exposes its proxies through a LoadBalancer Service: set spec.provider.kubernetes.envoyService.type to ClusterIP`,
      );
  }),
};

/** Kinds that are not namespaced; custom ones follow the Cluster* naming convention (ClusterIssuer, ...). */
const CLUSTER_SCOPED = new Set([
  "Namespace",
  "Node",
  "PersistentVolume",
  "CustomResourceDefinition",
  "StorageClass",
  "CSIDriver",
  "CSINode",
  "VolumeAttachment",
  "PriorityClass",
  "RuntimeClass",
  "IngressClass",
  "GatewayClass",
  "ValidatingWebhookConfiguration",
  "MutatingWebhookConfiguration",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
  "MutatingAdmissionPolicy",
  "MutatingAdmissionPolicyBinding",
  "APIService",
  "CertificateSigningRequest",
  "FlowSchema",
  "PriorityLevelConfiguration",
  "IPAddress",
  "ServiceCIDR",
  "DeviceClass",
]);

const noDefaultNamespace: PlatformResourcePolicy = {
  name: "no-default-namespace",
  description: "Nothing is created in the default namespace, which has no network policies or Pod Security labels of the platform.",
  rationale:
    "The default namespace has none of the platform's network policies or Pod Security labels, so anything in it runs unguarded; it is also where objects land when their namespace is forgotten.",
  anchors: ["CKV_K8S_21"],
  remediationSteps: "Set metadata.namespace (a Helm release's namespace) to the namespace the platform created for the workload.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    const match = /^kubernetes:([^/]+)\/[^:]+:(\w+)$/.exec(args.type);
    const [group = "", kind = ""] = match ? [match[1], match[2]] : [];
    // Helm charts and releases name their namespace in a `namespace` input; YAML and kustomize
    // components are not objects (their children are checked one by one).
    const helm = group === "helm.sh";
    const notAnObject = group === "yaml" || group === "kustomize" || kind.endsWith("List");
    if (!match || notAnObject || CLUSTER_SCOPED.has(kind.replace(/Patch$/, "")) || /^Cluster/.test(kind))
      args.notApplicable("Policy only applies to namespaced Kubernetes objects");
    // Without a namespace the object goes to the provider's namespace (a default provider has none): `default`.
    const providerNamespace = text(args.provider?.props.namespace as unknown);
    const own = helm ? text(args.props.namespace as unknown) : text((args.props as KubernetesObject).metadata?.namespace);
    const namespace = own ?? providerNamespace ?? "default";
    if (namespace === "default")
      report(
        `${own === undefined ? "no namespace is set, so it lands in" : "it is created in"} the default namespace: set ${helm ? "namespace" : "metadata.namespace"} to the workload's own namespace`,
      );
  },
};

const availabilityConfig = configSchema({
  minimumReplicas: {
    type: "integer",
    minimum: 1,
    default: 2,
    description: "Fewest replicas of a Deployment or StatefulSet (HorizontalPodAutoscaler minReplicas when it owns the count).",
  },
});

/** True when the label selector (matchLabels and simple matchExpressions) selects pods with `labels`. */
function selects(selector: Record<string, unknown>, labels: Record<string, string>): boolean {
  const matchLabels = Object.entries(record(selector.matchLabels));
  const expressions = list(selector.matchExpressions).map(record);
  if (matchLabels.length === 0 && expressions.length === 0) return true;
  return (
    matchLabels.every(([k, v]) => labels[k] === v) &&
    expressions.every((e) => {
      const value = labels[text(e.key) ?? ""];
      const values = strings(e.values);
      return e.operator === "In"
        ? value !== undefined && values.includes(value)
        : e.operator === "NotIn"
          ? value === undefined || !values.includes(value)
          : e.operator === "Exists"
            ? value !== undefined
            : value === undefined;
    })
  );
}

const availability: PlatformStackPolicy = {
  name: "availability",
  description:
    "Deployments and StatefulSets run at least two replicas and have a PodDisruptionBudget, so a node drain or a crash does not take the service down.",
  rationale:
    "With one replica every node drain, upgrade or crash is an outage; a PodDisruptionBudget keeps a voluntary disruption, such as a node upgrade, from taking all replicas at once.",
  anchors: ["Pulumi compliance-policies", "Polaris"],
  remediationSteps:
    "Run 2 or more replicas (platform:apps[].minReplicas, or the HorizontalPodAutoscaler's minReplicas) and add a PodDisruptionBudget with maxUnavailable 1 selecting the pods.",
  enforcementLevel: "advisory",
  configSchema: availabilityConfig,
  validateStack: (args, report) => {
    const { minimumReplicas } = settings(availabilityConfig, args);
    const budgets = ofType(args.resources, PDB);
    const scalers = ofType(args.resources, HPA);
    eachKnown(ofType(args.resources, "kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet"), (workload) => {
      const object = propsOf<KubernetesObject>(workload);
      const name = text(object.metadata?.name);
      const namespace = text(object.metadata?.namespace);
      const scaler = scalers.find((s) => {
        const target = record(record(propsOf<KubernetesObject>(s).spec).scaleTargetRef);
        return (
          refersTo(s, "spec", workload) ||
          (name !== undefined && target.name === name && text(propsOf<KubernetesObject>(s).metadata?.namespace) === namespace)
        );
      });
      const replicas = scaler ? (record(propsOf<KubernetesObject>(scaler).spec).minReplicas ?? 1) : (record(object.spec).replicas ?? 1);
      if (typeof replicas === "number" && replicas < minimumReplicas) {
        report(
          `${workload.type.split(":")[2]!} ${name ?? workload.name} runs ${replicas} replica${replicas === 1 ? "" : "s"}${scaler ? " at the autoscaler's minimum" : ""}: run at least ${minimumReplicas}`,
          workload.urn,
        );
      }
      const labels = podLabelsOf(workload.type, object);
      const budgeted = budgets.some(
        (b) =>
          text(propsOf<KubernetesObject>(b).metadata?.namespace) === namespace &&
          selects(record(record(propsOf<KubernetesObject>(b).spec).selector), labels),
      );
      if (!budgeted)
        report(`${name ?? workload.name} has no PodDisruptionBudget: add one selecting its pods with maxUnavailable 1`, workload.urn);
    });
  },
};

export const kubernetesPolicies = [
  pssRestricted,
  readOnlyRootfs,
  resources,
  probes,
  imagePinning,
  imageDigest,
  namespacePssLabels,
  namespaceDefaultDeny,
  tlsOnRoutes,
  loadBalancerServices,
  noDefaultNamespace,
  availability,
];
