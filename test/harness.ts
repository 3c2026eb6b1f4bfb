// Runs a piece of a program under the recording engine, for component tests:
//   const r = await recordProgram(() => new Network("net", { ... }, { provider: awsProvider() }));
//   r.one("aws:ec2/vpc:Vpc").inputs
// Default providers are disabled as in Pulumi.yaml, so components must be given providers.
import * as aws from "@pulumi/aws";
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { WorkloadIdentity } from "../components/types";
import { answersFor, type CloudFacts } from "../review/answers";
import { record, type RecordedResource, type Recording } from "../review/engine";

export const FACTS: CloudFacts = {
  region: "eu-west-1",
  accountId: "123456789012",
  project: "example-platform",
  projectNumber: "123456789012",
};

export class Recorded {
  constructor(readonly recording: Recording) {}

  get resources(): RecordedResource[] {
    return this.recording.resources;
  }

  ofType(type: string): RecordedResource[] {
    return this.resources.filter((r) => r.type === type);
  }

  /** The single resource of a type (and name); throws when there is none or more than one. */
  one(type: string, name?: string): RecordedResource {
    const found = this.ofType(type).filter((r) => name === undefined || r.name === name);
    if (found.length !== 1)
      throw new Error(`expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}: ${found.map((r) => r.name).join(", ")}`);
    return found[0]!;
  }

  named(name: string): RecordedResource {
    const found = this.resources.filter((r) => r.name === name);
    if (found.length !== 1) throw new Error(`expected one resource named ${name}, found ${found.length}`);
    return found[0]!;
  }

  byUrn(urn: string): RecordedResource {
    const found = this.resources.find((r) => r.urn === urn);
    if (!found) throw new Error(`no resource ${urn}`);
    return found;
  }
}

export interface HarnessOptions {
  stack?: string;
  facts?: Partial<CloudFacts>;
  /** Extra `namespace:key` config for the run. */
  config?: Record<string, string>;
}

export async function recordProgram(program: () => unknown, options: HarnessOptions = {}): Promise<Recorded> {
  const facts = { ...FACTS, ...options.facts };
  const recording = await record({
    project: "platform",
    stack: options.stack ?? "test",
    config: options.config ?? {},
    secretKeys: [],
    program: async () => {
      await Promise.resolve(program());
      return {};
    },
    answers: answersFor(facts),
    disabledDefaultProviders: ["aws", "gcp", "kubernetes"],
  });
  return new Recorded(recording);
}

/** The explicit AWS provider components are given, as infra/ creates it. */
export function awsProvider(region = FACTS.region): aws.Provider {
  return new aws.Provider("aws", { region });
}

export function gcpProvider(project = FACTS.project, region = "europe-west1"): gcp.Provider {
  return new gcp.Provider("gcp", { project, region });
}

const cloud = answersFor(FACTS);
/** The id the offline answers give a recorded resource: what an input taken from it carries. */
export const idOf = (r: RecordedResource): string => cloud.resource(r.type, r.name, r.inputs).id;
/** The state the offline answers give a recorded resource (provider-computed attributes). */
export const stateOf = (r: RecordedResource): Record<string, unknown> => cloud.resource(r.type, r.name, r.inputs).state;

/** Resolves an output's value, for outputs a component exposes. */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise<T>((resolve) => output.apply((v) => (resolve(v), v)));
}

/** A workload identity as a cluster would hand it over; grants read only its role name. */
export function stubIdentity(namespace = "apps", name = "api"): WorkloadIdentity {
  return {
    serviceAccount: { namespace, name },
    serviceAccountAnnotations: pulumi.output<Record<string, string>>({}),
    principal: pulumi.output(`arn:aws:iam::${FACTS.accountId}:role/${namespace}-${name}`),
    principalId: pulumi.output(`${namespace}-${name}`),
  };
}

/** Memoises an async function by its argument, so each case of a test file is recorded once. */
export function once<K, R>(fn: (key: K) => Promise<R>): (key: K) => Promise<R> {
  const results = new Map<K, Promise<R>>();
  return (key) => {
    if (!results.has(key)) results.set(key, fn(key));
    return results.get(key)!;
  };
}
