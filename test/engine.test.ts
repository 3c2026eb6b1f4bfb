// GIVEN a small program that uses every registration feature
// WHEN the recording engine runs it under mocks
// THEN each field of each registration is exactly what the SDK sent the engine.
import { describe, expect, test } from "@jest/globals";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import fc from "fast-check";
import * as path from "node:path";
import { type Answers, answerState, mockInputs, record, type Recording } from "../review/engine";

const program = path.join(__dirname, "fixtures", "engine-program.ts");
const answers: Answers = {
  invoke(token) {
    throw new Error(`no answer for ${token}`);
  },
  resource: (_type, name) => ({ id: `${name}-id`, state: { arn: `arn:fixture:${name}` } }),
};
const run = (mode?: string, extra: Partial<Parameters<typeof record>[0]> = {}) =>
  record({
    project: "fixture",
    stack: "test",
    config: mode ? { "fixture:mode": mode } : {},
    secretKeys: [],
    program,
    answers,
    disabledDefaultProviders: ["fixture"],
    ...extra,
  });

const urn = (qualifiedType: string, name: string) => `urn:pulumi:test::fixture::${qualifiedType}::${name}`;
const STACK = urn("pulumi:pulumi:Stack", "fixture-test");
const PROVIDER = urn("pulumi:providers:fixture", "explicit");
const STORE = urn("fixture:index:Store", "store");
const KEY = urn("fixture:index:Store$fixture:index:Key", "store-key");
const BUCKET = urn("fixture:index:Store$fixture:index:Bucket", "store-bucket");
const LOG = urn("fixture:index:Log", "log");

describe("the recording engine", () => {
  let recording: Recording;
  const byName = (name: string) => recording.resources.find((r) => r.name === name)!;

  test("records every registration once, in order, under the engine's URNs", async () => {
    recording = await run();
    const urns = recording.resources.map((r) => r.urn);
    // Registration order follows the program's promises; the log waits for the store's children.
    expect(urns.slice(0, 5)).toEqual([STACK, PROVIDER, STORE, KEY, BUCKET]);
    expect(urns.slice(5).sort()).toEqual([LOG, urn("fixture:index:Late", "late")].sort());
  });

  test("the stack is the root; everything else has its parent", () => {
    expect(byName("fixture-test")).toMatchObject({ type: "pulumi:pulumi:Stack", custom: false, parent: null });
    expect(byName("explicit").parent).toBe(STACK);
    expect(byName("store")).toMatchObject({ custom: false, parent: STACK, provider: null });
    expect(byName("store-key").parent).toBe(STORE);
    expect(byName("store-bucket").parent).toBe(STORE);
    expect(byName("late").parent).toBe(STACK);
  });

  test("a component's providers reach its children; explicit providers are recorded by URN", () => {
    expect(byName("store-key").provider).toBe(PROVIDER);
    expect(byName("store-bucket").provider).toBe(PROVIDER);
    expect(byName("log").provider).toBe(PROVIDER);
    expect(byName("explicit").provider).toBeNull();
  });

  test("inputs keep their values and secrets are written as [secret] with their paths", () => {
    expect(byName("store-bucket").inputs).toEqual({
      kmsKeyArn: "arn:fixture:store-key",
      password: "[secret]",
      tags: { "team.name": "[secret]", plain: "yes" },
      sizes: [1, 2],
    });
    expect(byName("store-bucket").secretInputs.sort()).toEqual(["password", 'tags["team.name"]']);
    expect(byName("store-key").inputs).toEqual({ rotation: true });
    expect(byName("store-key").secretInputs).toEqual([]);
    expect(byName("explicit").inputs).toEqual({ region: "r1" });
  });

  test("dependencies: implicit from inputs, explicit from dependsOn (the SDK expands a component to its children)", () => {
    expect(byName("store-bucket").dependencies).toEqual([KEY]);
    expect(byName("store-bucket").propertyDependencies).toEqual({ kmsKeyArn: [KEY] });
    expect(byName("store-key").dependencies).toEqual([]);
    expect(byName("store-key").propertyDependencies).toEqual({});
    expect(byName("log").propertyDependencies).toEqual({ target: [BUCKET] });
    expect(byName("log").dependencies).toEqual([BUCKET, KEY].sort());
  });

  test("resource options: protect, retainOnDelete, deleteBeforeReplace, ignoreChanges, customTimeouts", () => {
    expect(byName("store-key")).toMatchObject({
      protect: true,
      retainOnDelete: false,
      deleteBeforeReplace: false,
      ignoreChanges: [],
      customTimeouts: { create: "30m", update: "", delete: "1h" },
    });
    expect(byName("store-bucket")).toMatchObject({
      protect: false,
      retainOnDelete: true,
      deleteBeforeReplace: true,
      ignoreChanges: ["tags"],
      customTimeouts: null,
    });
  });

  test("aliases: each former URN, with the parts an alias leaves out taken from the resource", () => {
    expect(byName("store-bucket").aliases).toEqual([
      urn("fixture:index:Store$fixture:index:Bucket", "store-old-bucket"),
      urn("fixture:index:Bucket", "store-bucket"),
    ]);
    expect(byName("store-key").aliases).toEqual([]);
  });

  test("stack outputs are recorded with secret outputs hidden", () => {
    expect(recording.outputs).toEqual({ bucketArn: "arn:fixture:store-bucket", logId: "log-id", token: "[secret]" });
    expect(recording.secretOutputs).toEqual(["token"]);
  });

  test("the same program can be run again in one process", async () => {
    const again = await run();
    expect(again.resources.map((r) => r.urn)).toEqual(recording.resources.map((r) => r.urn));
  });
});

describe("the recording engine fails loudly", () => {
  test.each([
    ["throws", "the program failed on purpose"],
    ["duplicate", "duplicate resource URN urn:pulumi:test::fixture::fixture:index:Key::same"],
    ["invoke", "no answer for fixture:index:getNothing"],
    [
      "duplicate-and-invoke",
      "duplicate resource URN urn:pulumi:test::fixture::fixture:index:Key::same: two resources share the type fixture:index:Key and the name same\nno answer for fixture:index:getNothing",
    ],
    ["default-provider", "fixture:index:Key ambient uses the default fixture provider, which Pulumi.yaml disables"],
  ])("when the program %s", async (mode, message) => {
    await expect(run(mode)).rejects.toThrow(message);
  });

  test("an invoke on a disabled default provider is refused like the engine refuses it", async () => {
    const answering: Answers = { ...answers, invoke: () => ({}) };
    const invokeWithoutProvider = path.join(__dirname, "fixtures", "invoke-default-provider.ts");
    await expect(run(undefined, { program: invokeWithoutProvider, answers: answering })).rejects.toThrow(
      "invoke fixture:index:getThing uses the default fixture provider, which Pulumi.yaml disables: pass { provider }",
    );
  });
});

describe("the engine's answer to a custom resource is the SDK mock's answer", () => {
  // The SDK's mock turns a request's inputs into values and back before answering; the engine answers from
  // the wire form. What the program then reads (the SDK deserializes the answer) must be the same.
  const SIG_KEY = "4dabf18193072939515e22adb298388d";
  const SECRET = "1b47061264138c4ac30d75fd1eb44270";
  const secret = (value: unknown) => ({ [SIG_KEY]: SECRET, value });
  const leaf = fc.oneof(fc.string(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null));
  const { wire } = fc.letrec((tie) => ({
    wire: fc.oneof({ depthSize: "small" }, leaf, tie("array"), tie("object"), tie("secret")),
    array: fc.array(tie("wire"), { maxLength: 3 }),
    object: fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), tie("wire"), { maxKeys: 4 }),
    secret: tie("wire").map(secret),
  }));
  const props = fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), wire, { maxKeys: 5 });
  const computed = fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), fc.oneof(leaf, fc.constant(undefined), fc.array(leaf)), {
    maxKeys: 3,
  });
  const read = (state: Record<string, unknown>) => rpc.deserializeProperties({ toJavaScript: () => state } as never);
  const mockWay = async (inputs: Record<string, unknown>, state: Record<string, unknown>) =>
    (await rpc.serializeProperties("", { ...mockInputs(inputs), ...state })) as Record<string, unknown>;

  test("for plain values and secrets at any depth (a secret inside a secret too), with computed values added, replaced or unset", async () => {
    await fc.assert(
      fc.asyncProperty(props, computed, async (inputs, state) => {
        expect(read(await answerState(inputs, state, mockInputs(inputs)))).toEqual(read(await mockWay(inputs, state)));
      }),
      { numRuns: 300 },
    );
  });

  test("anything else (a resource reference, an asset, an unknown) is answered the mock's way", async () => {
    const inputs = {
      role: { [SIG_KEY]: "5cf8f73096256a8f31e491e813e4eb8e", urn: "urn:pulumi:test::fixture::fixture:index:Role::r", id: "r-id" },
      code: { [SIG_KEY]: "c44067f5952c0a294b673a41bacd8c17", path: "./index.js" },
      later: "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
      plain: "value",
    };
    const answer = await answerState(inputs, { arn: "arn:x" }, mockInputs(inputs));
    expect(answer).toEqual(await mockWay(inputs, { arn: "arn:x" }));
    expect([answer.role, "later" in answer, answer.plain, answer.arn]).toEqual(["r-id", false, "value", "arn:x"]);
  });
});
