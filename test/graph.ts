// Walks of a review record's graph for the stack tests: what a resource waits for, and what a component holds.
import type { RecordedResource } from "../review/engine";
import type { ReviewReport } from "../review/review";

/**
 * Every URN a resource waits for (dependencies and property dependencies), directly or through what it waits for.
 * A URN the record does not hold is listed and not followed.
 */
export function reach(report: { resources: readonly RecordedResource[] }, from: RecordedResource): Set<string> {
  const byUrn = new Map(report.resources.map((r) => [r.urn, r]));
  const seen = new Set<string>();
  const todo = [from];
  while (todo.length > 0) {
    const r = todo.pop()!;
    for (const urn of [...r.dependencies, ...Object.values(r.propertyDependencies).flat()]) {
      if (seen.has(urn)) continue;
      seen.add(urn);
      const next = byUrn.get(urn);
      if (next) todo.push(next);
    }
  }
  return seen;
}

/** The URNs of every resource below `root` in the parent tree. */
export function descendants(report: ReviewReport, root: string): Set<string> {
  const found = new Set<string>();
  const visit = (urn: string) => report.resources.filter((r) => r.parent === urn).forEach((r) => (found.add(r.urn), visit(r.urn)));
  visit(root);
  return found;
}
