// GIVEN the shipped stack files and the real program
// WHEN the offline review runs them (the run's shared reviews, test/reviews.ts, and the CLI a user runs)
// THEN it records what the program registers in the documented shape, and bad input stops it with
//      one line naming the file and the key, before anything is registered.
import { describe, expect, test } from "@jest/globals";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { answersFor, factsFrom } from "../review/answers";
import { record, type RecordedResource } from "../review/engine";
import { policies } from "../policies/policies";
import { reviewStack, summarize } from "../review/review";
import { listStacks, loadProject, loadStackConfig } from "../review/stack-file";
import { shippedReview } from "./reviews";
import { recordedResource } from "./recorded";

const ROOT = path.resolve(__dirname, "..");
const project = loadProject(ROOT);
const SHIPPED = ["dev", "gcp-dev", "gcp-production", "production", "staging"] as const;
const RESOURCE_FIELDS = [
  "urn",
  "type",
  "name",
  "custom",
  "parent",
  "provider",
  "inputs",
  "secretInputs",
  "dependencies",
  "propertyDependencies",
  "protect",
  "retainOnDelete",
  "deleteBeforeReplace",
  "ignoreChanges",
  "customTimeouts",
  "aliases",
];

describe("the shipped stacks", () => {
  test("are the five the project documents", () => {
    expect(listStacks(ROOT)).toEqual(SHIPPED);
  });

  const CLOUD_OUTPUTS = {
    aws: [
      "vpcId",
      "clusterName",
      "kubeconfig",
      "databaseHost",
      "databaseReaderHost",
      "databaseCredentialsSecret",
      "cacheHost",
      "cacheAuthSecret",
      "backupBucket",
      "grafanaAdminPassword",
      "gatewayNamespace",
    ],
    // The same as on AWS but for the network's: the Kubernetes layer's outputs are the same on both clouds.
    gcp: [
      "networkId",
      "clusterName",
      "kubeconfig",
      "databaseHost",
      "databaseReaderHost",
      "databaseCredentialsSecret",
      "cacheHost",
      "cacheAuthSecret",
      "backupBucket",
      "grafanaAdminPassword",
      "gatewayNamespace",
    ],
  };

  test.each(SHIPPED)("%s reviews into the documented shape", (stack) => {
    const report = shippedReview(stack);
    expect(Object.keys(report)).toEqual([
      "stack",
      "project",
      "config",
      "resources",
      "outputs",
      "policies",
      "rendering",
      "checks",
      "estimate",
    ]);
    expect(Object.keys(report.estimate)).toEqual([
      "criticalPathMinutes",
      "serialMinutes",
      "criticalPath",
      "monthlyCostUsd",
      "costLines",
      "priceTableDate",
    ]);
    for (const line of report.estimate.costLines) expect(Object.keys(line)).toEqual(["item", "quantity", "unitUsd", "monthlyUsd"]);
    expect(report.stack).toBe(stack);
    expect(report.project).toBe("platform");
    // A Helm release also carries what its chart renders.
    for (const resource of report.resources)
      expect(Object.keys(resource)).toEqual(
        resource.type === "kubernetes:helm.sh/v3:Release" ? [...RESOURCE_FIELDS, "rendered"] : RESOURCE_FIELDS,
      );
    for (const release of report.resources.filter((r) => r.rendered))
      expect(Object.keys(release.rendered!)).toEqual(["count", "kinds", "objects"]);
    // The chart checks, the reachability check with the paths it decided and what it could not follow, then
    // the custom resources against the charts' CRDs.
    expect(report.checks.map((c) => Object.keys(c))).toEqual([
      ...Array<string[]>(3).fill(["name", "description", "enforcementLevel", "checked", "findings"]),
      ["name", "description", "enforcementLevel", "checked", "findings", "paths", "unresolved"],
      ["name", "description", "enforcementLevel", "checked", "findings"],
    ]);
    expect(report.policies.map((p) => p.name)).toEqual(policies.map((p) => p.name));
    for (const policy of report.policies) expect(Object.keys(policy)).toEqual(["name", "enforcementLevel", "evaluated", "violations"]);
    const file = fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8");
    const cloud = /platform:cloud: (\w+)/.exec(file)![1] as "aws" | "gcp";
    const identity = {
      cloud,
      environment: /platform:environment: (\w+)/.exec(file)![1],
      region: /platform:region: ([\w-]+)/.exec(file)![1],
      domain: /platform:domain: ([\w.-]+)/.exec(file)![1],
    };
    expect(report.outputs).toMatchObject(identity);
    expect(Object.keys(report.outputs).sort()).toEqual([...Object.keys(identity), ...CLOUD_OUTPUTS[cloud]].sort());
    expect([report.outputs.kubeconfig, report.outputs.grafanaAdminPassword]).toEqual(["[secret]", "[secret]"]);
  });

  test("production registers the account-pinned, tagged AWS provider and nothing on a disabled default provider", () => {
    const report = shippedReview("production");
    const [stack, provider] = report.resources as [RecordedResource, RecordedResource];
    expect(stack.urn).toBe("urn:pulumi:production::platform::pulumi:pulumi:Stack::platform-production");
    expect(provider).toMatchObject({
      urn: "urn:pulumi:production::platform::pulumi:providers:aws::aws",
      parent: stack.urn,
      custom: true,
      // Provider inputs travel as text: this is what the engine receives.
      inputs: {
        region: "eu-west-1",
        allowedAccountIds: '["123456789012"]',
        defaultTags: '{"tags":{"owner":"platform-team","environment":"production","stack":"production","managed-by":"pulumi"}}',
        skipCredentialsValidation: "false",
        skipRegionValidation: "true",
      },
    });
    // random needs no credentials or region, so its default provider stays enabled in Pulumi.yaml.
    const onDefault = report.resources.filter((r) => r.custom && r.provider === null && !r.type.startsWith("pulumi:providers:"));
    expect(onDefault.map((r) => `${r.type} ${r.name}`).sort()).toEqual([
      "random:index/randomPassword:RandomPassword cache-auth-token",
      "random:index/randomPassword:RandomPassword monitoring-grafana-password",
    ]);
  });

  test("gcp-production registers the project-pinned, labelled GCP provider", () => {
    const report = shippedReview("gcp-production");
    expect(report.resources[1]).toMatchObject({
      urn: "urn:pulumi:gcp-production::platform::pulumi:providers:gcp::gcp",
      inputs: {
        project: "example-platform-prod",
        region: "europe-west1",
        defaultLabels: '{"owner":"platform-team","environment":"production","stack":"gcp-production","managed-by":"pulumi"}',
      },
    });
  });

  test.each(SHIPPED)("%s keeps secrets out of the review output", (stack) => {
    const report = shippedReview(stack);
    const text = JSON.stringify(report);
    const stackFile = fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8");
    for (const [, ciphertext] of stackFile.matchAll(/secure: (\S+)/g)) expect(text).not.toContain(ciphertext);
    expect(text).not.toContain("<secret ");
    if (stackFile.includes("platform:alertWebhookUrl")) expect(report.config["platform:alertWebhookUrl"]).toBe("[secret]");
  });

  test("the summary counts resources per component and per type, and names the JSON file", () => {
    const resource = (type: string, name: string, parent: string | null, secretInputs: string[] = []): RecordedResource => {
      const urn =
        parent === null || parent.endsWith("::platform-dev")
          ? `urn:pulumi:dev::platform::${type}::${name}`
          : `urn:pulumi:dev::platform::platform:aws:RedisCache$${type}::${name}`;
      return recordedResource({
        urn,
        type,
        name,
        custom: !type.startsWith("platform:") && type !== "pulumi:pulumi:Stack",
        parent,
        secretInputs,
      });
    };
    const stack = "urn:pulumi:dev::platform::pulumi:pulumi:Stack::platform-dev";
    const component = "urn:pulumi:dev::platform::platform:aws:RedisCache::cache";
    const report = {
      stack: "dev",
      project: "platform",
      config: { "platform:cloud": "aws", "platform:environment": "dev" },
      resources: [
        resource("pulumi:pulumi:Stack", "platform-dev", null),
        resource("pulumi:providers:aws", "aws", stack),
        resource("platform:aws:RedisCache", "cache", stack),
        resource("aws:kms/key:Key", "cache-key", component),
        resource("aws:secretsmanager/secretVersion:SecretVersion", "cache-auth-version", component, ["secretString"]),
      ],
      outputs: {},
      policies: [],
      rendering: { done: true, releases: 0, cached: 0 },
      checks: [],
      estimate: {
        criticalPathMinutes: 21.6,
        serialMinutes: 89.7,
        criticalPath: [],
        monthlyCostUsd: 1372.13,
        costLines: [{ item: "EKS control plane", quantity: 1, unitUsd: 73, monthlyUsd: 73 }],
        priceTableDate: "2026-12-02",
      },
    };
    expect(summarize(report, "review/out/dev.json")).toBe(
      [
        "Stack dev (aws, dev): 4 resources, 1 secret inputs",
        "  resources per component:",
        "    (stack)                           1",
        "    platform:aws:RedisCache cache     3",
        "  resources per type:",
        "    aws:kms/key:Key                                    1",
        "    aws:secretsmanager/secretVersion:SecretVersion     1",
        "    platform:aws:RedisCache                            1",
        "    pulumi:providers:aws                               1",
        "  charts rendered: the stack installs none",
        "  first deploy (estimate): critical path 21.6 min, 89.7 min if created one by one",
        "  monthly cost (estimate, on-demand prices of 2026-12-02): $1,372.13 a month",
        "  written to review/out/dev.json",
      ].join("\n"),
    );
  });
});

describe("invalid config registers nothing", () => {
  test.each<[string, Record<string, string>]>([
    ["a misspelt key", { "platform:database": '{"backupRetentionDay":7}' }],
    ["an unsafe production value", { "platform:database": '{"backupRetentionDays":7}' }],
    ["provider config", { "aws:region": "us-east-1" }],
  ])("%s: the program stops before its first resource", async (_, change) => {
    const stack = loadStackConfig(project, "production");
    const registered: string[] = [];
    const run = record({
      project: project.name,
      stack: "production",
      config: { ...stack.config, ...change },
      secretKeys: stack.secretKeys,
      program: project.main,
      answers: answersFor(factsFrom(stack.config, project.name)),
      onResource: (r) => registered.push(r.type),
    });
    await expect(run).rejects.toThrow(/^Pulumi\.production\.yaml: (platform:database|aws:region)/);
    // Only the stack itself, which the SDK registers before the program runs.
    expect(registered).toEqual(["pulumi:pulumi:Stack"]);
  });
});

describe("the review CLI, as a user runs it", () => {
  const run = promisify(execFile);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "review-out-"));
  const cliWith = async (env: Record<string, string>, ...args: string[]) => {
    try {
      const probe = env.BENCH_PROBE ? ["-r", "./bench/probe.js"] : [];
      const { stdout, stderr } = await run(
        process.execPath,
        [...probe, "-r", "./review/register.js", "review/cli.ts", "--out", out, ...args],
        {
          cwd: ROOT,
          env: { ...process.env, ...env },
        },
      );
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };
  const cli = (...args: string[]) => cliWith({}, ...args);
  const stackFile = (name: string, edit: (text: string) => string) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-"));
    const file = path.join(dir, `Pulumi.${name}.yaml`);
    fs.writeFileSync(file, edit(fs.readFileSync(path.join(ROOT, "Pulumi.production.yaml"), "utf8")));
    return file;
  };
  // Bad input, each case once: the first two through the CLI a user runs (a stack file that is missing,
  // and one the program refuses), the rest through reviewStack in this process, which is what the CLI
  // prints when it fails (its message, nothing more).
  const failing: Array<[string, string[], string]> = [
    [
      "an unknown stack",
      ["--stack", "nope"],
      "Pulumi.nope.yaml: no such stack file (stacks here: dev, gcp-dev, gcp-production, production, staging)",
    ],
    [
      "a misspelt key",
      ["--stack", "typo", "--config-file", stackFile("typo", (t) => `${t}  platform:database:\n    backupRetentionDay: 30\n`)],
      "Pulumi.typo.yaml: platform:database.backupRetentionDay is not a known key (did you mean backupRetentionDays?)",
    ],
    [
      "a wrong type",
      ["--stack", "types", "--config-file", stackFile("types", (t) => `${t}  platform:network:\n    zones: three\n`)],
      'Pulumi.types.yaml: platform:network.zones must be a whole number from 2 to 6 (got "three")',
    ],
    [
      "an unsafe production value",
      ["--stack", "unsafe", "--config-file", stackFile("unsafe", (t) => `${t}  platform:database:\n    backupRetentionDays: 7\n`)],
      "Pulumi.unsafe.yaml: platform:database.backupRetentionDays must be >= 30 in production (got 7)",
    ],
    [
      "a region AWS does not have",
      [
        "--stack",
        "region",
        "--config-file",
        stackFile("region", (t) => t.replace("platform:region: eu-west-1", "platform:region: eu-west-9")),
      ],
      'Pulumi.region.yaml: platform:region must be an AWS region the provider knows, did you mean eu-west-1? (got "eu-west-9")',
    ],
    [
      "more zones than the region has",
      ["--stack", "zones", "--config-file", stackFile("zones", (t) => `${t}  platform:network:\n    zones: 4\n`)],
      "Pulumi.zones.yaml: platform:network.zones asks for 4 zones but eu-west-1 offers this account 3 (eu-west-1a, eu-west-1b, eu-west-1c); choose at most 3 or another region",
    ],
    [
      "a production stack without a deploy path",
      ["--stack", "nopath", "--config-file", stackFile("nopath", (t) => t.replace(/    deployFromVpc: true\n/, ""))],
      "Pulumi.nopath.yaml: platform:cluster must say how `pulumi up` reaches the private cluster API: list the operators' and CI's egress addresses in platform:cluster.endpointPublicAccessCidrs, or set platform:cluster.deployFromVpc: true when it runs inside the VPC (README \"Deploying for real: how pulumi up reaches the cluster\")",
    ],
    [
      "a plaintext secret",
      [
        "--stack",
        "plain",
        "--config-file",
        stackFile("plain", (t) =>
          t.replace(/platform:alertWebhookUrl:\n\s+secure: \S+/, "platform:alertWebhookUrl: https://hooks.example.com/x"),
        ),
      ],
      "Pulumi.plain.yaml: platform:alertWebhookUrl must be a secret, not plain text: set it with `pulumi config set --secret alertWebhookUrl <value>`",
    ],
  ];
  const throughCli = failing.slice(0, 2);
  const inProcess = failing.slice(2);
  // A policy config that runs one policy, under which the stack's own provider counts as stateful and
  // unprotected: exactly one mandatory violation, whatever else the stack registers.
  const strict = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "policy-config-")), "strict.json");
  fs.writeFileSync(
    strict,
    JSON.stringify({ all: "disabled", "stateful-protected": { enforcementLevel: "mandatory", statefulTypes: ["pulumi:providers:aws"] } }),
  );
  // Each run is a fresh Node process; start them together rather than one after another.
  // Each SDK-loading run also says which Pulumi SDKs it loaded (bench/probe.js, as `npm run bench` uses).
  const probeDir = fs.mkdtempSync(path.join(os.tmpdir(), "review-probe-"));
  const probed = (stack: string, ...args: string[]) => cliWith({ BENCH_PROBE: path.join(probeDir, `${stack}.json`) }, ...args);
  const sdksLoaded = (stack: string) =>
    (JSON.parse(fs.readFileSync(path.join(probeDir, `${stack}.json`), "utf8")) as { sdks: string[] }).sdks;
  const runs = {
    // No --stack: production is the default.
    production: probed("production"),
    gcpDev: probed("gcp-dev", "--stack", "gcp-dev", "--timings"),
    strict: cli("--stack", "dev", "--policy-config", strict),
    verbose: cli("--stack", "nope", "--verbose"),
    usage: cli("--stak", "dev"),
    help: cli("--help"),
    h: cli("-h"),
    // Its own folder: the strict run above writes dev.json at the same time.
    npmStack: cliWith({ npm_config_stack: "dev" }, "--out", fs.mkdtempSync(path.join(os.tmpdir(), "review-npm-"))),
    npmFlag: cliWith({ npm_config_stack: "true" }, "dev"),
    ...Object.fromEntries(throughCli.map(([name, args]) => [name, cli(...args)])),
  } as Record<string, ReturnType<typeof cli>>;

  test("defaults to production, prints the summary and writes the JSON", async () => {
    const result = await runs.production!;
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toMatch(/^Stack production \(aws, production\): \d+ resources, \d+ secret inputs\n/);
    expect(result.stdout).toContain(`written to ${path.relative(ROOT, path.join(out, "production.json"))}`);
    expect(JSON.parse(fs.readFileSync(path.join(out, "production.json"), "utf8"))).toMatchObject({
      stack: "production",
      project: "platform",
    });
    expect(result.stdout).toMatch(
      /\n {2}policies: 54 policies of platform-policies 0\.1\.0 with policies\/config\/production\.json: 0 mandatory and \d+ advisory violations\n {2}mandatory: none\n/,
    );
    expect(fs.readFileSync(path.join(out, "production.md"), "utf8")).toMatch(
      /^\| stack \| cloud \| environment \| resources \| mandatory \| advisory \| verdict \| monthly cost \(estimate\) \| first deploy \(estimate\) \|\n\| (--- \| ){8}--- \|\n\| `production` \| aws \| production \| \d+ \| 0 \| \d+ \| \*\*Passed\*\* \| \$[\d,]+\.\d\d \| \d+ min \|\n\nPolicy pack platform-policies 0\.1\.0 with `policies\/config\/production\.json`\.\n\n## Mandatory violations \(0\)\n\nNone\.\n/,
    );
    const html = fs.readFileSync(path.join(out, "production.html"), "utf8");
    expect(html.startsWith("<!DOCTYPE html>\n")).toBe(true);
    expect(html).toContain("<title>Review of stack production</title>");
    expect(result.stdout).toContain(`page with the resource graph written to ${path.relative(ROOT, path.join(out, "production.html"))}\n`);
  });

  test("--timings prints the CPU time of each phase, in order, and their total", async () => {
    const result = await runs.gcpDev!;
    expect(result.code).toBe(0);
    const line = /\n {2}CPU by phase: (.*) \(total (\d+\.\d\d) s\)\n/.exec(result.stdout);
    expect(line).not.toBeNull();
    const phases = line![1]!.split(", ").map((p) => /^([a-z-]+) (\d+\.\d\d) s$/.exec(p)!);
    expect(phases.map((p) => p[1])).toEqual(["start-up", "program", "policies", "charts", "checks", "estimate", "reports"]);
    const sum = phases.reduce((total, p) => total + Number(p[2]), 0);
    // Each phase is rounded to 10 ms on its own.
    expect(Math.abs(sum - Number(line![2]))).toBeLessThanOrEqual(0.005 * phases.length + 1e-9);
    expect(Number(phases[0]![2])).toBeGreaterThan(0);
    expect(Number(phases[1]![2])).toBeGreaterThan(0);
  });

  test("a mandatory policy violation is printed with its remediation, and exits 1", async () => {
    const result = await runs.strict!;
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      [
        "  mandatory: 1",
        "    pulumi:providers:aws aws",
        "      stateful-protected: pulumi:providers:aws aws is not protected: create it with { protect: true }",
        "        remediation: Create the resource with { protect: true } (components take it from the environment profile's protect setting); to delete it on purpose, first unprotect it with `pulumi state unprotect`.",
        "  advisory: none",
      ].join("\n"),
    );
    expect(result.stderr).toBe(
      `dev: 1 mandatory policy violation; fix it before deploying (details above and in ${path.relative(ROOT, path.join(out, "dev.md"))})\n`,
    );
    const report = JSON.parse(fs.readFileSync(path.join(out, "dev.json"), "utf8")) as { policies: { name: string }[] };
    expect(report.policies.find((p) => p.name === "stateful-protected")).toEqual({
      name: "stateful-protected",
      enforcementLevel: "mandatory",
      evaluated: 1,
      violations: [
        {
          urn: "urn:pulumi:dev::platform::pulumi:providers:aws::aws",
          message: "pulumi:providers:aws aws is not protected: create it with { protect: true }",
        },
      ],
    });
    expect(fs.readFileSync(path.join(out, "dev.md"), "utf8")).toContain(
      "**Blocked**: 1 mandatory violation must be fixed before this stack is deployed.",
    );
  });

  test.each(throughCli)("%s: exits 1 with one line naming the file and key, no stack trace", async (name, _, line) => {
    expect(await runs[name]!).toEqual({ code: 1, stdout: "", stderr: `${line}\n` });
  });

  test.each(inProcess)("%s: the review fails with one line naming the file and key", async (_, [, stack, , file], line) => {
    await expect(reviewStack({ root: ROOT, stack: stack!, configFile: file! })).rejects.toMatchObject({ message: line });
  });

  test.each([
    ["production", ["@pulumi/aws", "@pulumi/kubernetes", "@pulumi/policy", "@pulumi/pulumi", "@pulumi/random"]],
    // Of @pulumi/aws only its enums: the region list the config checks and the managed policies the review checks.
    ["gcp-dev", ["@pulumi/aws/types/enums", "@pulumi/gcp", "@pulumi/kubernetes", "@pulumi/policy", "@pulumi/pulumi", "@pulumi/random"]],
  ])("a review of %s loads the Pulumi SDKs of its own cloud and no other: %j", async (stack, sdks) => {
    const result = await runs[stack === "production" ? "production" : "gcpDev"]!;
    expect(result.code).toBe(0);
    expect(sdksLoaded(stack)).toEqual(sdks);
  });

  test("a GCP review passes on the whole platform, cloud and Kubernetes, as an AWS one does", async () => {
    const result = await runs.gcpDev!;
    expect(result.code).toBe(0);
    expect(result.stdout.split("\n")[0]).toMatch(/^Stack gcp-dev \(gcp, dev\): \d+ resources, \d+ secret inputs$/);
    const markdown = fs.readFileSync(path.join(out, "gcp-dev.md"), "utf8");
    expect(markdown.split("\n")[2]).toMatch(
      /^\| `gcp-dev` \| gcp \| dev \| \d+ \| 0 \| \d+ \| \*\*Passed\*\* \| \$[\d,]+\.\d\d \| \d+ min \|$/,
    );
  });

  test("--verbose adds the stack trace", async () => {
    const result = await runs.verbose!;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^ReviewError: Pulumi\.nope\.yaml: no such stack file .*\n\s+at /);
  });

  test("--help and -h list the stacks found and every option with one line each", async () => {
    const [long, short] = [await runs.help!, await runs.h!];
    expect(long).toEqual(short);
    expect(long.code).toBe(0);
    expect(long.stdout).toContain("stacks here: dev, gcp-dev, gcp-production, production, staging");
    const optionLines = long.stdout.split("\n").filter((line) => /^ {2}(-\w, | {4})--/.test(line));
    expect(optionLines.map((line) => line.trim().split(/\s{2,}/)[0])).toEqual([
      "-s, --stack <value>",
      "--project <value>",
      "--config-file <value>",
      "--policy-config <value>",
      "--out <value>",
      "--against <value>",
      "--fail-on-replace",
      "--verbose",
      "--timings",
      "-h, --help",
    ]);
    for (const line of optionLines) expect(line.trim().split(/\s{2,}/)[1]!.length).toBeGreaterThan(10);
  });

  test("`npm run review --stack=dev` (npm keeps the flag) reviews dev, not production, and says where it read the stack", async () => {
    const result = await runs.npmStack!;
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Stack dev \(aws, dev\)/);
    expect(result.stderr).toBe("review: --stack dev read from npm (npm run review -- --stack dev passes it directly)\n");
  });

  test("`npm run review --stack dev` (npm takes the flag, the name strays) is a usage error, never a production review", async () => {
    const result = await runs.npmFlag!;
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("usage: npm run review --");
  });

  test("an account ID written as a number (as `pulumi config set --path` stores it) is reviewed and pins the provider", async () => {
    const configFile = stackFile("numbers", (t) => t.replace('accountId: "123456789012"', "accountId: 123456789012"));
    const report = await reviewStack({ root: ROOT, stack: "numbers", configFile });
    expect(report.resources.find((r) => r.type === "pulumi:providers:aws")!.inputs.allowedAccountIds).toBe('["123456789012"]');
    expect(report.policies.flatMap((p) => (p.enforcementLevel === "mandatory" ? p.violations : []))).toEqual([]);
  });

  test("an unknown flag is a usage error", async () => {
    const result = await runs.usage!;
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("usage: npm run review --");
  });
});
