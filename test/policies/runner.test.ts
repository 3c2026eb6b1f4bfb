// GIVEN recorded registrations and probe policies that keep the arguments they are called with
// WHEN the offline runner runs them
// THEN the arguments have the shape @pulumi/policy's server builds (props behind unknownCheckingProxy,
//      secrets unwrapped, opts, provider, isType/asType, getConfig, notApplicable; stack resources with
//      parent, dependencies and propertyDependencies), and results count and attribute as the CLI does.
import { describe, expect, test } from "@jest/globals";
import * as aws from "@pulumi/aws";
import type { PolicyResource, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import { UnknownValueError } from "@pulumi/policy";
import type { PlatformResourcePolicy, PlatformStackPolicy } from "../../policies/lib/policy";
import { ReviewError } from "../../review/stack-file";
import { resolvePolicyConfig } from "../../review/policy-config";
import { durationSeconds, runPolicies, UNKNOWN } from "../../review/policy-runner";
import { linked, PACK, resource, stack, STACK_URN } from "./harness";

const meta = { description: "probe", remediationSteps: "none", enforcementLevel: "mandatory" as const };
const probe = (
  validate: PlatformResourcePolicy["validateResource"],
  extra: Partial<PlatformResourcePolicy> = {},
): PlatformResourcePolicy => ({ name: "probe", ...meta, validateResource: validate, ...extra });
const stackProbe = (validate: PlatformStackPolicy["validateStack"]): PlatformStackPolicy => ({
  name: "stack-probe",
  ...meta,
  validateStack: validate,
});
const run = (
  policy: PlatformResourcePolicy | PlatformStackPolicy,
  resources: Parameters<typeof runPolicies>[0],
  config: Record<string, unknown> = {},
) => runPolicies([stack, ...resources], [policy], resolvePolicyConfig([policy], config, "test.json"), PACK);

const provider = resource(
  "pulumi:providers:aws",
  "aws",
  { region: "eu-west-1", defaultTags: '{"tags":{"stack":"test"}}' },
  { custom: true },
);
const database = resource(
  "aws:rds/instance:Instance",
  "db",
  { password: "[secret]", endpoint: "[unknown]", port: UNKNOWN, tags: { team: "data" }, instanceClass: "db.m7g.large" },
  {
    provider: provider.urn,
    secretInputs: ["password"],
    protect: true,
    ignoreChanges: ["tags"],
    deleteBeforeReplace: true,
    customTimeouts: { create: "1h30m", update: "10m", delete: "" },
  },
);

describe("validateResource arguments", () => {
  const seen: ResourceValidationArgs[] = [];
  const results = run(
    probe((args) => void seen.push(args)),
    [provider, database],
  );

  test("GIVEN the stack, a provider and a database THEN each registration is validated once", async () => {
    await results;
    expect(seen.map((a) => a.type)).toEqual(["pulumi:pulumi:Stack", "pulumi:providers:aws", "aws:rds/instance:Instance"]);
    expect(seen[2]).toMatchObject({ urn: database.urn, name: "db" });
  });

  test("GIVEN a secret input THEN the policy reads it as a plain value, the placeholder the recording keeps", async () => {
    await results;
    expect(seen[2]!.props.password).toBe("[secret]");
    expect(seen[2]!.props.tags).toEqual({ team: "data" });
  });

  test.each([["endpoint"], ["port"]])(
    "GIVEN an unknown input (%s) THEN reading it throws UnknownValueError, as in a preview",
    async (key) => {
      await results;
      expect(() => seen[2]!.props[key] as unknown).toThrow(new UnknownValueError(UNKNOWN, [key]));
      expect(() => seen[2]!.props[key] as unknown).toThrow(`string value at .${key} can't be known during preview`);
    },
  );

  test("GIVEN resource options THEN opts carries them as the server's getResourceOptions does", async () => {
    await results;
    expect(seen[2]!.opts).toEqual({
      protect: true,
      ignoreChanges: ["tags"],
      aliases: [],
      customTimeouts: { createSeconds: 5400, updateSeconds: 600, deleteSeconds: 0 },
      additionalSecretOutputs: ["password"],
      deleteBeforeReplace: true,
      parent: STACK_URN,
    });
  });

  test("GIVEN an explicit provider THEN provider is that resource with its inputs as recorded (JSON text)", async () => {
    await results;
    const { props, ...rest } = seen[2]!.provider!;
    expect(rest).toEqual({ type: "pulumi:providers:aws", urn: provider.urn, name: "aws" });
    expect(props.defaultTags).toBe('{"tags":{"stack":"test"}}');
  });

  test("GIVEN a resource on a default provider (provider null under mocks) THEN the engine's default_<version> provider is passed", async () => {
    const onDefault: ResourceValidationArgs[] = [];
    await run(
      probe((args) => void onDefault.push(args)),
      [resource("aws:s3/bucket:Bucket", "b", {})],
    );
    const { props, ...rest } = onDefault[1]!.provider!;
    expect(rest).toEqual({
      type: "pulumi:providers:aws",
      name: "default_7_48_0",
      urn: "urn:pulumi:test::platform::pulumi:providers:aws::default_7_48_0",
    });
    expect({ ...props }).toEqual({});
    expect(onDefault[0]!.provider).toBeUndefined();
  });

  test("GIVEN an SDK class THEN isType and asType compare its type token", async () => {
    await results;
    expect([seen[2]!.isType(aws.rds.Instance), seen[2]!.isType(aws.s3.Bucket)]).toEqual([true, false]);
    expect(seen[2]!.asType(aws.rds.Instance)?.instanceClass).toBe("db.m7g.large");
    expect(seen[2]!.asType(aws.s3.Bucket)).toBeUndefined();
  });
});

describe("getConfig, notApplicable and levels", () => {
  const configurable = (validate: PlatformResourcePolicy["validateResource"]) =>
    probe(validate, {
      configSchema: { properties: { days: { type: "integer", default: 30 }, mode: { type: "string", default: "strict" } } },
    });

  test("GIVEN a config file setting one property THEN getConfig returns it over the schema defaults, without enforcementLevel", async () => {
    const configs: unknown[] = [];
    await run(
      configurable((args) => void configs.push(args.getConfig())),
      [],
      { probe: { enforcementLevel: "advisory", days: 7 } },
    );
    expect(configs).toEqual([{ days: 7, mode: "strict" }]);
  });

  test("GIVEN a policy that calls notApplicable for some resources THEN only the others are evaluated", async () => {
    const [result] = await run(
      probe((args, report) => (args.type === "aws:s3/bucket:Bucket" ? report("bucket") : args.notApplicable("not a bucket"))),
      [resource("aws:s3/bucket:Bucket", "b", {}), database],
    );
    expect(result).toEqual({
      name: "probe",
      enforcementLevel: "mandatory",
      evaluated: 1,
      violations: [{ urn: "urn:pulumi:test::platform::aws:s3/bucket:Bucket::b", message: "bucket" }],
    });
  });

  test("GIVEN the policy disabled THEN it does not run", async () => {
    let calls = 0;
    const [result] = await run(
      probe(() => void calls++),
      [database],
      { probe: "disabled" },
    );
    expect({ calls, result }).toEqual({ calls: 0, result: { name: "probe", enforcementLevel: "disabled", evaluated: 0, violations: [] } });
  });

  test("GIVEN remediate THEN violations count as mandatory, as the server downgrades them", async () => {
    const [result] = await run(
      probe((_args, report) => report("x")),
      [],
      { probe: "remediate" },
    );
    expect(result!.enforcementLevel).toBe("mandatory");
  });

  test("GIVEN a policy that reads an unknown value THEN it is skipped with the server's preview message, not failed", async () => {
    const [result] = await run(
      probe((args, report) => (args.props.endpoint === "x" ? report("no") : undefined)),
      [database],
    );
    expect(result).toEqual({
      name: "probe",
      enforcementLevel: "mandatory",
      // The stack ran; the database, whose check could not run, is not counted.
      evaluated: 1,
      violations: [],
      skipped: [
        {
          urn: database.urn,
          message:
            "can't run policy 'probe' from policy pack 'platform-policies@v0.1.0' during preview: string value at .endpoint can't be known during preview",
        },
      ],
    });
  });

  test("GIVEN a policy with a bug THEN the run fails naming the policy and the resource", async () => {
    const broken = probe((args) => void (args.props.missing as { x: number }).x);
    await expect(run(broken, [])).rejects.toThrow(
      `Error validating ${STACK_URN} with policy 'probe' from policy pack 'platform-policies@v0.1.0': TypeError`,
    );
  });
});

describe("validateStack arguments", () => {
  const component = resource("platform:aws:Database", "db", {}, { custom: false });
  const group = resource("aws:rds/parameterGroup:ParameterGroup", "db-pg", {}, { parent: component.urn, provider: provider.urn });
  const instance = linked({ ...database, parent: component.urn, dependencies: [provider.urn] }, "parameterGroupName", group);

  test("GIVEN providers, a component and its children THEN resources leave out providers and resolve references to objects", async () => {
    let args: StackValidationArgs | undefined;
    const [result] = await run(
      stackProbe((a) => void (args = a)),
      [provider, component, group, instance],
    );
    expect(result).toMatchObject({ evaluated: 1, violations: [] });
    expect(args!.resources.map((r) => r.name)).toEqual(["platform-test", "db", "db-pg", "db"]);
    const [, parent, pg, db] = args!.resources as [PolicyResource, PolicyResource, PolicyResource, PolicyResource];
    expect(db.parent).toBe(parent);
    expect(parent.parent?.urn).toBe(STACK_URN);
    expect(db.dependencies).toEqual([pg]);
    expect(db.propertyDependencies).toEqual({ parameterGroupName: [pg] });
    expect(db.provider).toMatchObject({ urn: provider.urn, name: "aws" });
    expect(db.opts.protect).toBe(true);
    expect(() => db.props.endpoint as unknown).toThrow(UnknownValueError);
  });

  test("GIVEN violations reported with and without a URN THEN they go to that resource, or to the stack", async () => {
    const [result] = await run(
      stackProbe((_a, report) => {
        report("on db", database.urn);
        report("on the stack");
        report("elsewhere", "urn:pulumi:test::platform::x::gone");
      }),
      [database],
    );
    expect(result!.violations).toEqual([
      { urn: database.urn, message: "on db" },
      { urn: STACK_URN, message: "on the stack" },
      { urn: STACK_URN, message: "elsewhere" },
    ]);
  });
});

test.each<[string, number]>([
  ["1h30m", 5400],
  ["10m", 600],
  ["45s", 45],
  ["1.5h", 5400],
  ["", 0],
])("durationSeconds(%j) is %d", (text, seconds) => {
  expect(durationSeconds(text)).toBe(seconds);
});

describe("policy config files", () => {
  const policy = probe(() => undefined, {
    configSchema: {
      properties: {
        days: { type: "integer", minimum: 1, default: 30 },
        env: { type: "string", enum: ["dev", "production"], default: "production" },
        types: { type: "array", items: { type: "string" }, default: [] },
      },
    },
  });
  const other = { ...probe(() => undefined), name: "other", enforcementLevel: "advisory" as const };
  const resolve = (config: unknown) => resolvePolicyConfig([policy, other], config, "policies/config/x.json");

  test("GIVEN a level shorthand, an all entry and settings THEN levels and properties resolve as the CLI does", () => {
    expect([...resolve({ all: "advisory", probe: { enforcementLevel: "mandatory", days: 7 } })]).toEqual([
      ["probe", { enforcementLevel: "mandatory", properties: { days: 7, env: "production", types: [] } }],
      ["other", { enforcementLevel: "advisory", properties: {} }],
    ]);
    expect(resolve({ other: "disabled" }).get("other")!.enforcementLevel).toBe("disabled");
  });

  test("GIVEN every kind of mistake THEN each is one line naming the file and the key", () => {
    expect(() =>
      resolve({
        probes: "mandatory",
        probe: { enforcementLevel: "strict", days: 0, env: "prod", types: [1], extra: true },
        other: { days: 1 },
      }),
    ).toThrow(
      new ReviewError(
        [
          "policies/config/x.json: probes is not a policy of the pack",
          'policies/config/x.json: probe.enforcementLevel must be one of advisory, mandatory, remediate, disabled (got "strict")',
          "policies/config/x.json: probe.days must be a whole number >= 1 (got 0)",
          'policies/config/x.json: probe.env must be one of "dev", "production" (got "prod")',
          "policies/config/x.json: probe.types[0] must be a string (got 1)",
          "policies/config/x.json: probe.extra is not a setting of probe (settings: days, env, types)",
          "policies/config/x.json: other.days is not a setting of other, which takes none",
        ].join("\n"),
      ),
    );
  });

  test("GIVEN something other than an object THEN it is refused", () => {
    expect(() => resolve([])).toThrow(
      "policies/config/x.json: must be a JSON object mapping policy names to an enforcement level or settings",
    );
  });
});
