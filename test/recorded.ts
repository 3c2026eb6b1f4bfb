// A resource as the recording engine writes it (review/engine.ts), for tests that build records by hand:
// every field the engine always writes, at the value it has when the program sets nothing.
import type { RecordedResource } from "../review/engine";

export function recordedResource(fields: Pick<RecordedResource, "urn" | "type" | "name"> & Partial<RecordedResource>): RecordedResource {
  return {
    custom: true,
    parent: null,
    provider: null,
    inputs: {},
    secretInputs: [],
    dependencies: [],
    propertyDependencies: {},
    protect: false,
    retainOnDelete: false,
    deleteBeforeReplace: false,
    ignoreChanges: [],
    customTimeouts: null,
    aliases: [],
    ...fields,
  };
}
