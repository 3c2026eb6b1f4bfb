// Runs a Pulumi program under the SDK's mock runtime and records every registration the way the engine
// receives it: type, name, parent, provider, inputs with their secret markers, dependencies, property
// dependencies and resource options. Tests and the review CLI both run programs through here.
import * as pulumi from "@pulumi/pulumi";
import * as debuggable from "@pulumi/pulumi/runtime/debuggable";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import * as settings from "@pulumi/pulumi/runtime/settings";
import type * as resproto from "@pulumi/pulumi/proto/resource_pb";
import type { KubeObject } from "./check-types";
import { ReviewError } from "./stack-file";

interface CustomTimeouts {
  create: string;
  update: string;
  delete: string;
}

/** One registration. The field names are a documented format (README, "Review output"). */
export interface RecordedResource {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  /** URN of the parent; null for the stack itself. */
  parent: string | null;
  /** URN of the explicit provider; null when the resource would use a default provider. */
  provider: string | null;
  /** Inputs as sent, with secret values written as "[secret]". */
  inputs: Record<string, unknown>;
  /** Paths (`a.b[0]["c.d"]`) of inputs marked secret. */
  secretInputs: string[];
  /** URNs this resource waits for: explicit dependsOn plus every resource its inputs came from. */
  dependencies: string[];
  /** Input name -> URNs its value came from; inputs without dependencies are left out. */
  propertyDependencies: Record<string, string[]>;
  protect: boolean;
  retainOnDelete: boolean;
  deleteBeforeReplace: boolean;
  ignoreChanges: string[];
  customTimeouts: CustomTimeouts | null;
  /** URNs the resource was known by before (its `aliases`), which the engine carries over instead of replacing. */
  aliases: string[];
  /** For a `kubernetes:helm.sh/v3:Release`: what its chart renders with its values (review/render.ts). */
  rendered?: { count: number; kinds: Record<string, number>; objects: KubeObject[] };
}

export interface Recording {
  resources: RecordedResource[];
  /** The stack's outputs, secrets written as "[secret]". */
  outputs: Record<string, unknown>;
  /** Paths of the outputs that are secret. */
  secretOutputs: string[];
}

/** Answers data-source invokes and supplies the state providers would compute for new resources. */
export interface Answers {
  /** Returns the invoke's result, or throws for an invoke the review does not know. */
  invoke(token: string, inputs: Record<string, unknown>): Record<string, unknown>;
  /** Returns the provider-computed id and state of a new custom resource. */
  resource(type: string, name: string, inputs: Record<string, unknown>): { id: string; state: Record<string, unknown> };
}

interface RunOptions {
  project: string;
  stack: string;
  /** `namespace:key` -> text, as the engine passes config. */
  config: Record<string, string>;
  secretKeys: string[];
  /** The program: a module path whose export is a function returning the outputs (or the outputs), or the function itself. */
  program: string | (() => unknown);
  answers: Answers;
  /** Packages whose default provider is disabled (`pulumi:disable-default-providers`). */
  disabledDefaultProviders?: string[];
  /** Called for each registration as it is recorded, also when the run later fails. */
  onResource?: (resource: RecordedResource) => void;
}

// Signatures the SDK uses on the wire (sdk/nodejs/runtime/rpc.ts).
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SIG = {
  secret: "1b47061264138c4ac30d75fd1eb44270",
  resource: "5cf8f73096256a8f31e491e813e4eb8e",
  asset: "c44067f5952c0a294b673a41bacd8c17",
  archive: "0def7320c3a5731c473e5ecbe6d01bc7",
  output: "d0e6a833031e9bbcd3f4e8bde6ca49a4",
};
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** The path of a child input, as `secretInputs` writes it: `a.b[0]["c.d"]`. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === "number") return `${parent}[${key}]`;
  if (/^[A-Za-z_$][\w$]*$/.test(key)) return parent ? `${parent}.${key}` : key;
  return `${parent}[${JSON.stringify(key)}]`;
}

/** Turns wire values into plain JSON: secrets become "[secret]" (their paths collected), references their URN. */
function decode(value: unknown, at: string, secrets: string[]): unknown {
  if (value === UNKNOWN) return "[unknown]";
  if (Array.isArray(value)) return value.map((v, i) => decode(v, childPath(at, i), secrets));
  if (value === null || typeof value !== "object") return value;
  const obj = value as Record<string, unknown>;
  switch (obj[SIG_KEY]) {
    case SIG.secret:
      secrets.push(at);
      return "[secret]";
    case SIG.resource:
      return obj.urn;
    case SIG.asset:
    case SIG.archive:
      return { asset: obj.path ?? obj.uri ?? (obj.text !== undefined ? "[text]" : "[assets]") };
    case SIG.output:
      if (obj.secret === true) {
        secrets.push(at);
        return "[secret]";
      }
      return decode(obj.value, at, secrets);
  }
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, decode(v, childPath(at, k), secrets)]));
}

/** `urn::id` provider references name the provider resource by URN. */
function providerUrn(ref: string): string | null {
  if (!ref) return null;
  const cut = ref.lastIndexOf("::");
  return cut > 0 ? ref.slice(0, cut) : ref;
}

/** The URN the engine gives a resource: its type qualified by every ancestor's type below the stack. */
function engineUrn(at: { stack: string; project: string }, parentUrn: string, type: string, name: string): string {
  const qualifiedType = parentUrn ? `${parentUrn.split("::")[2]}$${type}` : type;
  return `urn:pulumi:${at.stack}::${at.project}::${qualifiedType}::${name}`;
}

function packageOf(token: string): string {
  return token.startsWith("pulumi:providers:") ? "pulumi" : token.split(":")[0]!;
}

/** The URNs an alias spec names, resolved as the engine does: left-out parts are the resource's own. */
function aliasUrns(req: resproto.RegisterResourceRequest, at: { stack: string; project: string }, stackUrn: string): string[] {
  return req.getAliasesList().map((alias) => {
    const spec = alias.getSpec();
    if (!spec) return alias.getUrn();
    const parent = spec.getNoparent() ? "" : spec.hasParenturn() ? spec.getParenturn() : req.getParent();
    const where = { stack: spec.getStack() || at.stack, project: spec.getProject() || at.project };
    return engineUrn(where, parent === stackUrn ? "" : parent, spec.getType() || req.getType(), spec.getName() || req.getName());
  });
}

function recordRequest(
  req: resproto.RegisterResourceRequest,
  wire: Record<string, unknown>,
  urn: string,
  aliases: string[],
): RecordedResource {
  const secretInputs: string[] = [];
  const inputs = decode(wire, "", secretInputs) as Record<string, unknown>;
  const propertyDependencies: Record<string, string[]> = {};
  req.getPropertydependenciesMap().forEach((deps, key) => {
    const urns = deps.getUrnsList();
    if (urns.length > 0) propertyDependencies[key] = [...urns].sort();
  });
  const timeouts = req.getCustomtimeouts();
  const customTimeouts =
    timeouts && (timeouts.getCreate() || timeouts.getUpdate() || timeouts.getDelete())
      ? { create: timeouts.getCreate(), update: timeouts.getUpdate(), delete: timeouts.getDelete() }
      : null;
  return {
    urn,
    type: req.getType(),
    name: req.getName(),
    custom: req.getCustom(),
    parent: req.getParent() || null,
    provider: providerUrn(req.getProvider()),
    inputs,
    secretInputs,
    dependencies: [...new Set(req.getDependenciesList())].sort(),
    propertyDependencies,
    protect: req.getProtect() ?? false,
    retainOnDelete: req.getRetainondelete() ?? false,
    deleteBeforeReplace: req.getDeletebeforereplace(),
    ignoreChanges: req.getIgnorechangesList(),
    customTimeouts,
    aliases,
  };
}

type Callback<T> = (err: Error | null, res?: T) => void;
interface Monitor {
  registerResource(req: resproto.RegisterResourceRequest, cb: Callback<resproto.RegisterResourceResponse>): Promise<void>;
  registerResourceOutputs(req: resproto.RegisterResourceOutputsRequest, cb: Callback<unknown>): void;
  /** The mock's table of registered resources, by URN, which its invokes and output registrations read. */
  resources: Map<string, { urn: string; id: string | null; state: Record<string, unknown> }>;
}

// Internal to the SDK: resolves once every outstanding registration has been answered.
const { waitForRPCs } = settings as unknown as { waitForRPCs?: () => Promise<void> };

/**
 * The SDK keeps a stack trace on every promise it makes (debuggablePromise), and prints them only when
 * PULUMI_DEBUG_PROMISE_LEAKS is set. Capturing them is about a third of the CPU a program takes to
 * register its resources here, and keeping them fills the heap. Unless that variable asks for them, the
 * traces are left empty; the SDK's leak check at exit runs as before.
 */
function skipPromiseTraces(sdk: { debugPromiseLeaks?: boolean; debuggablePromise?: <T>(p: Promise<T>, ctx: unknown) => Promise<T> }): void {
  const track = sdk.debuggablePromise;
  if (sdk.debugPromiseLeaks !== false || typeof track !== "function") return;
  sdk.debuggablePromise = <T>(p: Promise<T>, ctx: unknown): Promise<T> => {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return track(p, ctx);
    } finally {
      Error.stackTraceLimit = limit;
    }
  };
}
skipPromiseTraces(debuggable);

/** What one run shares between the mocks, the intercepted monitor and the result. */
interface Run {
  options: RunOptions;
  /** Packages whose default provider is disabled. */
  disabled: Set<string>;
  /**
   * What the engine would refuse (unknown invokes, default providers, duplicate URNs), each message once.
   * It is reported once the program has finished, so one run shows every such problem; the program carries
   * on with a harmless answer meanwhile instead of leaving rejected promises behind.
   */
  refusals: string[];
  resources: RecordedResource[];
  /** The URNs registered so far. */
  urns: Set<string>;
  stackUrn: string | undefined;
  stackOutputs: { outputs: Record<string, unknown>; secretOutputs: string[] };
}

function refuse(run: Run, message: string): void {
  if (!run.refusals.includes(message)) run.refusals.push(message);
}

/**
 * Runs `program` once under mocks and returns what it registered. Rejects with the program's own error
 * (a ConfigError, say) or with the first error raised while resources were being registered.
 */
export async function record(options: RunOptions): Promise<Recording> {
  if (typeof waitForRPCs !== "function")
    throw new Error("@pulumi/pulumi/runtime/settings no longer provides waitForRPCs; check the pinned SDK version");
  const run: Run = {
    options,
    disabled: new Set(options.disabledDefaultProviders ?? []),
    refusals: [],
    resources: [],
    urns: new Set(),
    stackUrn: undefined,
    stackOutputs: { outputs: {}, secretOutputs: [] },
  };
  await installMocks(run);
  const monitor = pulumi.runtime.getMonitor() as unknown as Monitor;
  answerRegistrations(run, monitor);
  interceptStackOutputs(run, monitor);
  const failure = await runProgram(options.program, waitForRPCs);
  if (run.refusals.length > 0) throw new ReviewError(run.refusals.sort().join("\n"));
  if (failure !== undefined) throw failure instanceof Error ? failure : new Error(JSON.stringify(failure));
  return { resources: run.resources, ...run.stackOutputs };
}

/** Hands the SDK the stack's config and mocks that answer from `answers`, refusing invokes on disabled default providers. */
async function installMocks(run: Run): Promise<void> {
  const { options, disabled } = run;
  pulumi.runtime.setAllConfig(options.config, options.secretKeys);
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        if (!args.custom) return { id: undefined, state: {} };
        const { id, state } = options.answers.resource(args.type, args.name, args.inputs as Record<string, unknown>);
        return { id, state: { ...(args.inputs as Record<string, unknown>), ...state } };
      },
      call: (args) => {
        const pkg = packageOf(args.token);
        if (!args.provider && disabled.has(pkg))
          refuse(run, `invoke ${args.token} uses the default ${pkg} provider, which Pulumi.yaml disables: pass { provider }`);
        try {
          return options.answers.invoke(args.token, args.inputs as Record<string, unknown>);
        } catch (err) {
          refuse(run, (err as Error).message);
          return {};
        }
      },
    },
    options.project,
    options.stack,
    false,
  );
}

/** A wire value the SDK reads back the same whether or not it was turned into values and back: plain JSON, with secrets that hold no secret. */
function plainWire(value: unknown, inSecret = false): boolean {
  if (value === UNKNOWN) return false;
  if (value === null || typeof value !== "object") return value !== undefined;
  if (Array.isArray(value)) return value.every((v) => plainWire(v, inSecret));
  const obj = value as Record<string, unknown>;
  const sig = obj[SIG_KEY];
  if (sig !== undefined) return sig === SIG.secret && !inSecret && plainWire(obj.value, true);
  return Object.values(obj).every((v) => plainWire(v, inSecret));
}

/** What the SDK reads off a registration's answer; the SDK itself answers with this shape when it runs without an engine. */
function response(urn: string, id: string, state: Record<string, unknown>): resproto.RegisterResourceResponse {
  return {
    getUrn: () => urn,
    getId: () => id,
    getObject: () => ({ toJavaScript: () => state }),
    getPropertydependenciesMap: () => undefined,
    getResult: () => 0,
    getUnknown: () => false,
  } as unknown as resproto.RegisterResourceResponse;
}

/**
 * The state the engine would answer a custom resource with: its inputs, then what the provider computes.
 * This is what the SDK's mock monitor answers, built from the request's own wire form: the mock turns the
 * inputs into values and back (an async walk, then protobuf both ways), which changes nothing for plain
 * values and secrets. Anything else (resource references, assets, unknowns) takes the mock's way.
 */
export async function answerState(wire: Record<string, unknown>, computed: Record<string, unknown>, inputs: Record<string, unknown>) {
  if (plainWire(wire) && Object.values(computed).every((v) => v === undefined || plainWire(v))) {
    const state: Record<string, unknown> = { ...wire };
    for (const [key, value] of Object.entries(computed)) {
      if (value === undefined) delete state[key];
      else state[key] = value;
    }
    return state;
  }
  return (await rpc.serializeProperties("", { ...inputs, ...computed })) as Record<string, unknown>;
}

/** The request's inputs as the SDK's mocks hand them to `newResource`. */
export function mockInputs(wire: Record<string, unknown>): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(wire)) if (value !== undefined) inputs[key] = rpc.deserializeProperty(value);
  return inputs;
}

/**
 * Answers and records each registration as the engine would receive it, under the URN the engine would
 * build (the type qualified by every ancestor's type below the stack). It takes the mock monitor's place for
 * registrations, keeping the mock's table of resources that invokes and output registrations read.
 */
function answerRegistrations(run: Run, monitor: Monitor): void {
  const { options, disabled, urns } = run;
  monitor.registerResource = async (req, cb) => {
    try {
      const type = req.getType();
      const name = req.getName();
      const pkg = packageOf(type);
      if (req.getCustom() && !req.getProvider() && disabled.has(pkg))
        refuse(
          run,
          `${type} ${name} uses the default ${pkg} provider, which Pulumi.yaml disables: pass { provider } or a parent that has one`,
        );
      const parent = req.getParent();
      const urn = engineUrn(options, parent && parent !== run.stackUrn ? parent : "", type, name);
      const wire = (req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>;
      if (urns.has(urn)) {
        refuse(run, `duplicate resource URN ${urn}: two resources share the type ${type} and the name ${name}`);
      } else {
        urns.add(urn);
        if (type === pulumi.runtime.rootPulumiStackTypeName) run.stackUrn = urn;
        const recorded = recordRequest(req, wire, urn, aliasUrns(req, options, run.stackUrn ?? ""));
        run.resources.push(recorded);
        options.onResource?.(recorded);
      }
      let id = "";
      let state: Record<string, unknown> = {};
      if (req.getCustom()) {
        const inputs = mockInputs(wire);
        const answer = options.answers.resource(type, name, inputs);
        id = answer.id;
        state = await answerState(wire, answer.state, inputs);
      }
      monitor.resources.set(urn, { urn, id: id || null, state });
      cb(null, response(urn, id, state));
    } catch (err) {
      cb(err as Error);
    }
  };
}

/** Keeps the stack's outputs, and passes every output registration on to the mock. */
function interceptStackOutputs(run: Run, monitor: Monitor): void {
  const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
  monitor.registerResourceOutputs = (req, cb) => {
    const urn = req.getUrn();
    if (urn === run.stackUrn) {
      const secretOutputs: string[] = [];
      const outputs = decode(req.getOutputs()?.toJavaScript() ?? {}, "", secretOutputs) as Record<string, unknown>;
      run.stackOutputs = { outputs, secretOutputs };
    }
    registerOutputs(req, cb);
  };
}

/**
 * Runs the program inside the stack and waits for every registration to be answered. Returns the
 * program's own error, else the first promise rejection nobody handled meanwhile, else undefined.
 */
async function runProgram(program: RunOptions["program"], waitForRegistrations: () => Promise<void>): Promise<unknown> {
  const stray: unknown[] = [];
  const onStray = (err: unknown) => void stray.push(err);
  let programError: unknown;
  process.on("unhandledRejection", onStray);
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const exported = typeof program === "string" ? (require(program) as unknown) : program;
    const run = typeof exported === "function" ? (exported as () => unknown) : () => exported;
    // Catch the program's error inside the stack's init: a rejected init leaves the SDK with a trail of
    // rejected promises, which say nothing the error itself does not.
    await pulumi.runtime.runInPulumiStack(async () => {
      try {
        return (await run()) as Record<string, unknown>;
      } catch (err) {
        programError = err;
        return {};
      }
    });
    await waitForRegistrations();
  } finally {
    process.off("unhandledRejection", onStray);
  }
  return programError ?? stray[0];
}
