// Gateway API and Ingress objects as tls-on-routes reads them: a Gateway's listeners, the HTTPRoutes
// attached to each listener (by parentRefs name, namespace, sectionName and port, as the Gateway API
// spec attaches them), and whether a route only redirects to HTTPS.
import type { PolicyResource } from "./policy";
import { propsOf } from "./policy";
import { refersTo } from "./stack";
import { list, record, strings, text } from "./values";

export const GATEWAY_TYPES = ["kubernetes:gateway.networking.k8s.io/v1:Gateway", "kubernetes:gateway.networking.k8s.io/v1beta1:Gateway"];
export const HTTP_ROUTE_TYPES = [
  "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
  "kubernetes:gateway.networking.k8s.io/v1beta1:HTTPRoute",
];
export const INGRESS_TYPE = "kubernetes:networking.k8s.io/v1:Ingress";

/** gateway.networking.k8s.io/v1 Listener. */
interface Listener {
  name?: string;
  protocol?: string;
  port?: number;
  hostname?: string;
  tls?: { mode?: string; certificateRefs?: { name?: string; kind?: string }[] };
}
interface GatewayObject {
  metadata?: { name?: string; namespace?: string };
  spec?: { listeners?: Listener[] };
}
interface HttpRouteObject {
  metadata?: { name?: string; namespace?: string };
  spec?: {
    parentRefs?: { name?: string; namespace?: string; sectionName?: string; port?: number; kind?: string }[];
    rules?: { filters?: { type?: string; requestRedirect?: { scheme?: string } }[]; backendRefs?: unknown[] }[];
  };
}
interface IngressObject {
  metadata?: { name?: string };
  spec?: { tls?: { hosts?: string[]; secretName?: string }[]; rules?: { host?: string }[] };
}

export const listenersOf = (gateway: PolicyResource): Listener[] =>
  list(propsOf<GatewayObject>(gateway).spec?.listeners).map((l) => record(l) as Listener);

/** Why a TLS-carrying listener does not terminate with a certificate, if it does not. */
export function tlsListenerProblem(listener: Listener): string | undefined {
  const protocol = listener.protocol ?? "";
  const mode = listener.tls?.mode ?? "Terminate";
  if (protocol === "TLS" && mode === "Passthrough") return undefined;
  if (protocol !== "HTTPS" && protocol !== "TLS") return undefined;
  if (mode !== "Terminate") return `is ${protocol} with tls.mode ${mode}: use Terminate with a certificate`;
  if (list(listener.tls?.certificateRefs).length === 0)
    return `is ${protocol} without a certificate: set tls.certificateRefs to the cert-manager certificate's Secret`;
  return undefined;
}

/** True when `route` attaches to `listener` of `gateway` (a parentRef with no sectionName attaches to every listener). */
export function attaches(route: PolicyResource, gateway: PolicyResource, listener: Listener): boolean {
  const routeObject = propsOf<HttpRouteObject>(route);
  const gatewayObject = propsOf<GatewayObject>(gateway);
  const gatewayName = text(gatewayObject.metadata?.name) ?? gateway.name;
  const gatewayNamespace = text(gatewayObject.metadata?.namespace) ?? "default";
  return list(routeObject.spec?.parentRefs)
    .map(record)
    .some((ref) => {
      if (ref.kind !== undefined && ref.kind !== "Gateway") return false;
      const sameGateway = ref.name === gatewayName || refersTo(route, "spec", gateway);
      const namespace = text(ref.namespace) ?? text(routeObject.metadata?.namespace) ?? "default";
      if (!sameGateway || namespace !== gatewayNamespace) return false;
      if (ref.sectionName !== undefined && ref.sectionName !== listener.name) return false;
      return ref.port === undefined || ref.port === listener.port;
    });
}

/** True when every rule of the route answers with a redirect to https (the HTTP-to-HTTPS route). */
export function redirectsToHttps(route: PolicyResource): boolean {
  const rules = list(propsOf<HttpRouteObject>(route).spec?.rules).map(record);
  return (
    rules.length > 0 &&
    rules.every((rule) =>
      list(rule.filters)
        .map(record)
        .some((f) => f.type === "RequestRedirect" && record(f.requestRedirect).scheme === "https"),
    )
  );
}

/** Hosts of an Ingress's rules that no TLS entry (with a Secret) covers; "*" stands for rules without a host. */
export function uncoveredHosts(ingress: PolicyResource): string[] {
  const spec = propsOf<IngressObject>(ingress).spec ?? {};
  const tls = list(spec.tls)
    .map(record)
    .filter((t) => typeof t.secretName === "string" && t.secretName !== "");
  const covered = tls.flatMap((t) => strings(t.hosts));
  const hosts = list(spec.rules).map((r) => text(record(r).host) ?? "*");
  return hosts.filter((h) => (h === "*" ? tls.length === 0 : !covered.includes(h)));
}
