// The GitHub workflows and the stack files as the workflow tests read them: each workflow parsed as YAML, each
// shipped stack's cloud, environment, region and deploy path, and the runner its cluster API needs.
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

export const ROOT = path.resolve(__dirname, "..");
export const WORKFLOWS = path.join(ROOT, ".github", "workflows");
export const FILES = fs
  .readdirSync(WORKFLOWS)
  .filter((f) => f.endsWith(".yml"))
  .sort();

export interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  if?: string;
}
export interface Job {
  "runs-on"?: unknown;
  environment?: string;
  needs?: string | string[];
  permissions?: Record<string, string>;
  concurrency?: { group: string; "cancel-in-progress": boolean };
  strategy?: { matrix: { stack?: string[]; include?: Record<string, unknown>[] } };
  env?: Record<string, string>;
  steps: Step[];
}
export interface Workflow {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
}

export const source = (file: string) => fs.readFileSync(path.join(WORKFLOWS, file), "utf8");
export const workflow = (file: string) => parse(source(file)) as Workflow;

/** The shipped stacks, from Pulumi.<stack>.yaml: cloud, environment, region and deploy path. */
export const STACKS = fs
  .readdirSync(ROOT)
  .flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.slice(1) ?? [])
  .sort()
  .map((stack) => {
    const config = (parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> }).config;
    const cluster = (config["platform:cluster"] ?? {}) as { deployFromVpc?: boolean; endpointPublicAccessCidrs?: string[] };
    return {
      stack,
      cloud: config["platform:cloud"] as "aws" | "gcp",
      environment: config["platform:environment"] as string,
      region: config["platform:region"] as string,
      fromVpc: cluster.deployFromVpc === true,
    };
  });

export const HOSTED = "ubuntu-24.04";
/**
 * Where `pulumi` must run to reach the stack's cluster API (README "Deploying for real"): a stack whose API
 * answers only inside its VPC runs on a self-hosted runner there, the deploy runner for deploys and drift checks
 * (main's code) and a preview runner of its own for pull requests; any other stack on a GitHub-hosted runner.
 */
export const runnerOf = (s: (typeof STACKS)[number], purpose: "deploy" | "preview" | "drift") =>
  s.cloud === "aws" && s.fromVpc ? ["self-hosted", `platform-${purpose === "preview" ? "preview" : "deploy"}-${s.stack}`] : HOSTED;

/** The actions a job logs in to a cloud with: AWS, then Google. */
export const CLOUD_LOGIN = ["aws-actions/configure-aws-credentials", "google-github-actions/auth"];
export const actionOf = (step: Step) => step.uses?.split("@")[0];
/** Every job of every workflow, as `<file>/<job>`. */
export const allJobs = () =>
  FILES.flatMap((file) => Object.entries(workflow(file).jobs).map(([name, job]) => ({ id: `${file}/${name}`, job })));
