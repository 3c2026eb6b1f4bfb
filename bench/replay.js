// The floor under a review's program: `node bench/replay.js <record.json> <sdk>...` loads the SDKs a stack
// needs, then registers every resource of a review record (review/out/<stack>.json) through the Pulumi
// SDK's own mock runtime, as a plain resource with the recorded type, name, parent, inputs and protect
// flag. No config, no components, no policies, no report: only what any Pulumi program that registers
// those resources pays the SDK offline. npm run bench compares the review to it.
"use strict";
const [record, ...sdks] = process.argv.slice(2);
if (!record || sdks.length === 0) {
  console.error("usage: node bench/replay.js <review record .json> <sdk>...");
  process.exit(2);
}
for (const sdk of sdks) require(sdk);
const pulumi = require("@pulumi/pulumi");
const { waitForRPCs } = require("@pulumi/pulumi/runtime/settings");
const { resources } = JSON.parse(require("node:fs").readFileSync(record, "utf8"));
const [, stack, project] = /^urn:pulumi:([^:]+)::([^:]+)::/.exec(resources[0].urn);

async function main() {
  await pulumi.runtime.setMocks(
    { newResource: (args) => ({ id: args.custom ? `${args.name}-id` : undefined, state: args.inputs }), call: () => ({}) },
    project,
    stack,
    false,
  );
  await pulumi.runtime.runInPulumiStack(async () => {
    const registered = new Map();
    for (const r of resources) {
      if (r.type === pulumi.runtime.rootPulumiStackTypeName) continue;
      const opts = { parent: r.parent ? registered.get(r.parent) : undefined, protect: r.protect };
      registered.set(
        r.urn,
        r.custom ? new pulumi.CustomResource(r.type, r.name, r.inputs, opts) : new pulumi.ComponentResource(r.type, r.name, {}, opts),
      );
    }
    if (registered.size !== resources.length - 1) throw new Error(`registered ${registered.size} of ${resources.length - 1} resources`);
    return {};
  });
  await waitForRPCs();
}
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
