// The offline review of one stack: load its config as the CLI would, run the program under the
// recording engine, run the policy pack over what it registered with the environment's policy config,
// and shape the result as the documented review/out/<stack>.json (plus a Markdown summary and an HTML page).
import * as fs from "node:fs";
import * as path from "node:path";
import { parseStructured } from "../infra/stack-config";
import { PACK_NAME, policies } from "../policies/policies";
import { checkAccessEntries } from "./access-entries";
import { answersFor, callerOf, factsFrom } from "./answers";
import { chartChecks } from "./chart-checks";
import { crdSchemasOf } from "./crd-schemas";
import { chartLines } from "./chart-report";
import type { CheckResult } from "./check-types";
import { reachabilityOf } from "./cluster-objects";
import { record, type RecordedResource } from "./engine";
import { estimateLines, estimateStack } from "./estimate";
import { checkManagedPolicies } from "./managed-policies";
import { loadPolicyConfig, policyConfigFile } from "./policy-config";
import { findHelm, type HelmBinary, type HelmMissing } from "./helm-binary";
import { htmlReport } from "./html-report";
import { counted, inventory, setting } from "./inventory";
import { markdownSummary, type PolicyRunInfo } from "./policy-report";
import { type PolicyResult, runPolicies } from "./policy-runner";
import { type HelmRunner, renderReleases, type Rendering } from "./render";
import type { PhaseTimer } from "./timings";
import type { Estimate, ReviewDiff } from "./report-types";
import { loadProject, loadStackConfig, type Project, ReviewError, type StackConfig } from "./stack-file";

export interface ReviewReport {
  stack: string;
  project: string;
  /** The config the program received; secret values written as "[secret]". */
  config: Record<string, unknown>;
  resources: RecordedResource[];
  outputs: Record<string, unknown>;
  /** One entry per policy of the pack, in the pack's order. */
  policies: PolicyResult[];
  /** How the charts of the Releases were rendered (each Release's objects are on its record as `rendered`), or why not. */
  rendering: Rendering;
  /**
   * The checks over the stack's Kubernetes objects: those over what the charts render (review/chart-checks.ts),
   * when they were rendered, and the network reachability check over the typed and rendered objects
   * (review/reachability.ts).
   */
  checks: CheckResult[];
  /** The first deploy's critical path and the monthly cost, from dated tables (review/deploy-time.ts, review/cost.ts). */
  estimate: Estimate;
  /** What changes against another version of the stack, when reviewed with `--against`. */
  diff?: ReviewDiff;
}

interface ReviewOptions {
  /** The repository's root: the policy pack (policies/) and its configs live here. */
  root: string;
  /**
   * Folder holding the Pulumi.yaml and stack files of the project to review, as `pulumi --cwd` names it
   * (bootstrap/, say). @default - root
   */
  project?: string;
  stack: string;
  /** Stack file to read instead of Pulumi.<stack>.yaml (as `pulumi --config-file`). */
  configFile?: string;
  /** Policy config to use instead of policies/config/<environment>.json (as `--policy-pack-config`). */
  policyConfigFile?: string;
  /**
   * A program to run instead of the project's main, with the same stack config, as the Automation API's
   * inline programs do. The tests use it to run the main program under a transformation.
   */
  program?: () => unknown;
  /** How charts are rendered: the Helm to use (tests pass a missing one), a runner and a cache folder. @default - findHelm, its binary, node_modules/.cache */
  render?: { helm?: HelmBinary | HelmMissing; run?: HelmRunner; cacheDir?: string };
  /** Marks the end of each phase (program, policies, charts, checks, estimate) on it. @default none */
  timer?: PhaseTimer;
}

/** The pack, and the policy config a review uses: the stack's environment's, unless options name another. */
export function policyRunInfo(options: ReviewOptions, config: Record<string, unknown>, project: string): PolicyRunInfo & { file: string } {
  const environment = config[`${project}:environment`];
  if (typeof environment !== "string")
    throw new ReviewError(`${project}:environment is not set, so the policy config of the environment cannot be chosen`);
  const file = path.resolve(options.policyConfigFile ?? policyConfigFile(options.root, environment));
  const manifest = JSON.parse(fs.readFileSync(path.join(options.root, "policies", "package.json"), "utf8")) as { version: string };
  return { pack: { name: PACK_NAME, version: manifest.version }, configFile: path.relative(options.root, file) || file, file };
}

function disabledDefaultProviders(config: Record<string, string>): string[] {
  const value = parseStructured(config["pulumi:disable-default-providers"] ?? "[]");
  return Array.isArray(value) ? value.map(String) : [];
}

export async function reviewStack(
  options: ReviewOptions,
  project: Project = loadProject(options.project ?? options.root),
  stack: StackConfig = loadStackConfig(project, options.stack, options.configFile),
): Promise<ReviewReport> {
  const facts = factsFrom(stack.config, project.name);
  const recording = await record({
    project: project.name,
    stack: options.stack,
    config: stack.config,
    secretKeys: stack.secretKeys,
    program: options.program ?? project.main,
    answers: answersFor(facts),
    disabledDefaultProviders: disabledDefaultProviders(stack.config),
  });
  // What AWS itself would refuse stops the review before the policies run, as it would stop the deploy.
  checkManagedPolicies(recording.resources);
  checkAccessEntries(recording.resources, callerOf(facts));
  const { timer } = options;
  timer?.mark("program");
  const config = Object.fromEntries(
    Object.entries(stack.config)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, text]) => [key, stack.secretKeys.includes(key) ? "[secret]" : parseStructured(text)]),
  );
  const run = policyRunInfo(options, config, project.name);
  const settings = loadPolicyConfig(policies, run.file, options.root);
  const results = await runPolicies(recording.resources, policies, settings, run.pack);
  timer?.mark("policies");
  const rendering = await renderReleases(recording.resources, {
    root: options.root,
    helm: options.render?.helm ?? (await findHelm({ root: options.root })),
    ...(options.render?.run && { run: options.render.run }),
    ...(options.render?.cacheDir && { cacheDir: options.render.cacheDir }),
  });
  timer?.mark("charts");
  // The CRDs' schemas are for the crd-schemas check alone: the chart archives hold them, the record does not.
  const { crds, ...renderingSummary } = rendering;
  const checks = [
    ...(rendering.done ? chartChecks(recording.resources, settings) : []),
    reachabilityOf(recording.resources, settings),
    ...(rendering.done ? [crdSchemasOf(recording.resources, crds ?? [], settings)] : []),
  ];
  timer?.mark("checks");
  const estimate = estimateStack(recording.resources);
  timer?.mark("estimate");
  return {
    stack: options.stack,
    project: project.name,
    config,
    resources: recording.resources,
    outputs: recording.outputs,
    policies: results,
    rendering: renderingSummary,
    checks,
    estimate,
  };
}

/**
 * Writes review/out/<stack>.json and, given how the policies ran, beside it the Markdown summary for a pull
 * request (<stack>.md) and the self-contained HTML page with the resource graph (<stack>.html).
 */
export async function writeReport(report: ReviewReport, outDir: string, info?: PolicyRunInfo): Promise<string> {
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `${report.stack}.json`);
  fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  if (info) {
    fs.writeFileSync(path.join(outDir, `${report.stack}.md`), markdownSummary(report, policies, info));
    fs.writeFileSync(path.join(outDir, `${report.stack}.html`), await htmlReport(report, policies, info));
  }
  return file;
}

function table(counts: [string, number][]): string[] {
  const width = Math.max(0, ...counts.map(([k]) => k.length));
  return counts.map(([k, n]) => `    ${k.padEnd(width)}  ${String(n).padStart(4)}`);
}

export function summarize(report: ReviewReport, file: string): string {
  const resources = counted(report.resources);
  const { byComponent, byType } = inventory(report.resources);
  const secrets = resources.reduce((n, r) => n + r.secretInputs.length, 0);
  const [cloud, environment] = [setting(report, "cloud"), setting(report, "environment")];
  return [
    `Stack ${report.stack} (${cloud}, ${environment}): ${resources.length} resources, ${secrets} secret inputs`,
    "  resources per component:",
    ...table(byComponent),
    "  resources per type:",
    ...table(byType),
    ...chartLines(report),
    ...estimateLines(report.estimate),
    `  written to ${file}`,
  ].join("\n");
}
