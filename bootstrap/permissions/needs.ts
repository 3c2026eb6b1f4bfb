// The shape of the permission tables: what one resource type (or data source, or provider) asks of the
// identity that runs Pulumi, per operation. Pure data; coverage.ts compares it with what the CI identities
// hold.

/** Permissions (GCP) or IAM actions (AWS) per operation the engine drives on a resource. */
export interface Needs {
  /** `pulumi up` creating it: the provider's create call, the operations it polls, the read that follows. */
  readonly create: readonly string[];
  /** `pulumi refresh` / `preview --refresh`: the provider's Read, which fails when any of these is refused. */
  readonly read: readonly string[];
  readonly update: readonly string[];
  readonly delete: readonly string[];
}

/** Nothing in the cloud: local resources (random passwords), or calls the provider answers itself. */
export const NOTHING: Needs = { create: [], read: [], update: [], delete: [] };

/** Every operation needs the same: a provider's configuration, an invoke. */
export const always = (...needs: string[]): Needs => ({ create: needs, read: needs, update: needs, delete: needs });

/** What `pulumi up` may call on a resource: every operation's needs together. */
export const deployNeeds = (n: Needs): string[] => [...new Set([...n.create, ...n.read, ...n.update, ...n.delete])];

/** One uncovered need: what asked for it and why it matters, as the tests report it. */
export interface Gap {
  /** The resource type, invoke token or provider type whose table line asks for the permission. */
  readonly source: string;
  readonly permission: string;
}
