// Relations between the resources a stack policy sees. A side resource (flow log, public access block,
// network policy) names its subject through an input whose value came from that subject, so the engine
// lists the subject in the input's property dependencies; that is the primary link. Equal literal values
// (a bucket name written twice) are the fallback for programs that pass names rather than outputs.
import { known, type PolicyResource } from "./policy";

/** Resources of the given types. */
export function ofType(resources: readonly PolicyResource[], ...types: string[]): PolicyResource[] {
  return resources.filter((r) => types.includes(r.type));
}

/** True when `from.property` came from `to` (property dependency) or equals one of `to`'s `keys`. */
export function refersTo(from: PolicyResource, property: string, to: PolicyResource, keys: readonly string[] = []): boolean {
  if ((from.propertyDependencies[property] ?? []).some((d) => d.urn === to.urn)) return true;
  const value = known(() => from.props[property] as unknown);
  if (typeof value !== "string" || value === "") return false;
  return keys.some((key) => known(() => to.props[key] as unknown) === value);
}

/** The resources of `types` whose `property` refers to `subject`. */
export function attachedTo(
  resources: readonly PolicyResource[],
  subject: PolicyResource,
  property: string,
  types: readonly string[],
  keys: readonly string[] = [],
): PolicyResource[] {
  return resources.filter((r) => types.includes(r.type) && refersTo(r, property, subject, keys));
}

/** The resource's name and its ancestors' types and names, for matching by role ("backup"). */
export function lineage(resource: PolicyResource): string[] {
  const names: string[] = [];
  for (let at: PolicyResource | undefined = resource; at; at = at.parent) names.push(at.name, at.type);
  return names;
}

/** "aws:s3/bucket:Bucket backups-bucket", for messages that name another resource. */
export const label = (resource: PolicyResource): string => `${resource.type} ${resource.name}`;
