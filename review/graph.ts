// The resource graph of a review, one node per top-level component: a stack registers some 230 resources,
// too many to read as one graph, but fewer than twenty components. An edge runs from a component to one
// whose resources wait for it (the recorded dependencies); the components and edges of the estimate's
// critical path are marked. Pure: the DOT text is laid out by Graphviz (review/html-report.ts).
import type { RecordedResource } from "./engine";
import { byUrnOf, counted, ownerOf } from "./inventory";

export interface ComponentNode {
  /** An id safe in DOT, HTML and URLs: "c0", "c1", ... in the order of the names. */
  id: string;
  /** "platform:aws:Network network", or "(stack)" for what the program creates itself. */
  name: string;
  resources: RecordedResource[];
  critical: boolean;
}

export interface ComponentEdge {
  from: string;
  to: string;
  /** How many resource dependencies this edge stands for. */
  count: number;
  critical: boolean;
}

export interface ComponentGraph {
  nodes: ComponentNode[];
  edges: ComponentEdge[];
}

/** Components as nodes and their resources' dependencies as edges; `criticalPath` (URNs, first created first) marks both. */
export function componentGraph(resources: readonly RecordedResource[], criticalPath: readonly string[] = []): ComponentGraph {
  const byUrn = byUrnOf(resources);
  const members = new Map<string, RecordedResource[]>();
  for (const r of counted(resources)) {
    const owner = ownerOf(r, byUrn);
    members.set(owner, [...(members.get(owner) ?? []), r]);
  }
  const names = [...members.keys()].sort((a, b) => a.localeCompare(b));
  const idOf = new Map(names.map((name, i) => [name, `c${i}`]));
  const ownerId = (urn: string) => {
    const resource = byUrn.get(urn);
    return resource && resource.parent !== null ? idOf.get(ownerOf(resource, byUrn)) : undefined;
  };
  const path = criticalPath.map(ownerId).filter((id): id is string => id !== undefined);
  const criticalEdges = new Set(path.slice(1).flatMap((to, i) => (path[i] === to ? [] : [`${path[i]}->${to}`])));
  const edges = new Map<string, ComponentEdge>();
  for (const r of counted(resources)) {
    const to = ownerId(r.urn)!;
    for (const dependency of r.dependencies) {
      const from = ownerId(dependency);
      if (from === undefined || from === to) continue;
      const key = `${from}->${to}`;
      const edge = edges.get(key) ?? { from, to, count: 0, critical: criticalEdges.has(key) };
      edges.set(key, { ...edge, count: edge.count + 1 });
    }
  }
  // A critical step the recorded dependencies do not show (an estimate from another record) still gets its edge.
  for (const key of criticalEdges) {
    const [from, to] = key.split("->") as [string, string];
    if (!edges.has(key)) edges.set(key, { from, to, count: 0, critical: true });
  }
  const critical = new Set(path);
  const nodes = names.map((name) => ({
    id: idOf.get(name)!,
    name,
    resources: members.get(name)!,
    critical: critical.has(idOf.get(name)!),
  }));
  return { nodes, edges: [...edges.values()].sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to)) };
}

/** A DOT string literal. */
const quoted = (value: string) => `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\r?\n/g, "\\n")}"`;

/** Resources named in a node's tooltip; the page lists them all under the graph. */
const TOOLTIP_RESOURCES = 25;

function nodeLine(node: ComponentNode): string {
  const [type = node.name, ...name] = node.name.split(" ");
  const shortType = type.split(":").pop() ?? type;
  const label = [shortType, ...(name.length > 0 ? [name.join(" ")] : []), `${node.resources.length} resources`].join("\n");
  const listed = node.resources.slice(0, TOOLTIP_RESOURCES).map((r) => `${r.type} ${r.name}`);
  const more = node.resources.length - listed.length;
  const tooltip = [...listed, ...(more > 0 ? [`... and ${more} more`] : [])].join("\n");
  const style = node.critical ? ', fillcolor="#fde4e1", color="#c62828", penwidth=2' : "";
  return `  ${node.id} [label=${quoted(label)}, tooltip=${quoted(tooltip)}, href=${quoted(`#resources-${node.id}`)}, id=${quoted(`component_${node.id}`)}${style}];`;
}

function edgeLine(edge: ComponentEdge): string {
  const tooltip = edge.count > 0 ? `${edge.count} dependencies` : "critical path";
  const style = edge.critical ? ', color="#c62828", penwidth=2.5' : "";
  return `  ${edge.from} -> ${edge.to} [tooltip=${quoted(tooltip)}${style}];`;
}

/** The graph in DOT, left to right in creation order. */
export function toDot(graph: ComponentGraph): string {
  return [
    "digraph components {",
    '  graph [rankdir=LR, bgcolor="transparent", nodesep=0.25, ranksep=0.7, fontname="Helvetica,Arial,sans-serif"];',
    '  node [shape=box, style="rounded,filled", fillcolor="#f4f6fa", color="#7b8794", fontname="Helvetica,Arial,sans-serif", fontsize=11];',
    '  edge [color="#9aa5b1", arrowsize=0.6];',
    ...graph.nodes.map(nodeLine),
    ...graph.edges.map(edgeLine),
    "}",
    "",
  ].join("\n");
}
