// GIVEN the GitHub workflows in .github/workflows and the stack files in the repository's root
// WHEN they are validated against GitHub's workflow schema and read as YAML
// THEN they are valid workflows, every action is pinned to a commit with its release in a comment and is
//      given only inputs its action.yml declares, every shipped stack is reviewed and previewed on pull
//      requests, deployed by exactly one job on the runner its deploy path needs and checked for drift,
//      jobs that run Pulumi on a stack queue by stack, each job holds only the permissions it uses, a
//      self-hosted runner serves one stack and never both a pull request and a deploy, a deploy's AWS
//      session outlasts the stack's estimated first deploy, and the drift check reads the CLI's own words.
import { validateWorkflow } from "@action-validator/core";
import { describe, expect, test } from "@jest/globals";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { SESSION_SECONDS } from "../bootstrap/aws";
import { DEPLOY_REF } from "../bootstrap/github";
import { bootstrapReview, shippedReview, type ShippedStack } from "./reviews";

const ROOT = path.resolve(__dirname, "..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");
const FILES = fs
  .readdirSync(WORKFLOWS)
  .filter((f) => f.endsWith(".yml"))
  .sort();

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  if?: string;
}
interface Job {
  "runs-on"?: unknown;
  environment?: string;
  needs?: string | string[];
  permissions?: Record<string, string>;
  concurrency?: { group: string; "cancel-in-progress": boolean };
  strategy?: { matrix: { stack?: string[]; include?: Record<string, unknown>[] } };
  env?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
}

const source = (file: string) => fs.readFileSync(path.join(WORKFLOWS, file), "utf8");
const workflow = (file: string) => parse(source(file)) as Workflow;

/** The shipped stacks, from Pulumi.<stack>.yaml: cloud, environment, region and deploy path. */
const STACKS = fs
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

const HOSTED = "ubuntu-24.04";
/**
 * Where `pulumi` must run to reach the stack's cluster API (README "Deploying for real"): a stack whose API
 * answers only inside its VPC runs on a self-hosted runner there, the deploy runner for deploys and drift checks
 * (main's code) and a preview runner of its own for pull requests; any other stack on a GitHub-hosted runner.
 */
const runnerOf = (s: (typeof STACKS)[number], purpose: "deploy" | "preview" | "drift") =>
  s.cloud === "aws" && s.fromVpc ? ["self-hosted", `platform-${purpose === "preview" ? "preview" : "deploy"}-${s.stack}`] : HOSTED;

// The releases pinned, each commit read from the action's repository at that tag, and the inputs its
// action.yml declares at that commit.
const ACTIONS: Record<string, { sha: string; version: string; inputs: string[] }> = {
  "actions/checkout": { sha: "3d3c42e5aac5ba805825da76410c181273ba90b1", version: "v7.0.1", inputs: ["persist-credentials"] },
  "actions/setup-node": { sha: "820762786026740c76f36085b0efc47a31fe5020", version: "v7.0.0", inputs: ["node-version", "cache"] },
  "actions/github-script": { sha: "ed597411d8f924073f98dfc5c65a23a2325f34cd", version: "v8.0.0", inputs: ["script"] },
  "actions/upload-artifact": {
    sha: "bbbca2ddaa5d8feaa63e36b76fdaad77386f024f",
    version: "v7.0.0",
    inputs: ["name", "path", "if-no-files-found"],
  },
  "actions/download-artifact": {
    sha: "3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c",
    version: "v8.0.1",
    inputs: ["pattern", "path", "merge-multiple"],
  },
  "pulumi/actions": { sha: "8e5e406f4007fca908480587cb9893c07090f58d", version: "v7.0.0", inputs: ["pulumi-version"] },
  "aws-actions/configure-aws-credentials": {
    sha: "e6de054238d6b7531b4efff3b6587d9aade6a06c",
    version: "v6.2.3",
    inputs: ["role-to-assume", "aws-region", "role-duration-seconds"],
  },
  "google-github-actions/auth": {
    sha: "7c6bc770dae815cd3e89ee6cdf493a5fab2cc093",
    version: "v3.0.0",
    inputs: ["workload_identity_provider", "service_account"],
  },
  "google-github-actions/setup-gcloud": {
    sha: "aa5489c8933f4cc7a4f7d45035b3b1440c9c10db",
    version: "v3.0.1",
    inputs: ["install_components"],
  },
};
const CLOUD_LOGIN = ["aws-actions/configure-aws-credentials", "google-github-actions/auth"];
const actionOf = (step: Step) => step.uses?.split("@")[0];
const allJobs = () => FILES.flatMap((file) => Object.entries(workflow(file).jobs).map(([name, job]) => ({ id: `${file}/${name}`, job })));

describe("schema", () => {
  test("the workflows are the three of the pipeline", () => {
    expect(FILES).toEqual(["deploy.yml", "drift.yml", "pull-request.yml"]);
  });

  test.each(FILES)("%s is a valid GitHub workflow", (file) => {
    expect(validateWorkflow(source(file)).errors).toEqual([]);
  });

  test("the validator reports a job with a misspelt key and a permission with an unknown level", () => {
    const broken = "on: push\npermissions:\n  contents: reed\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    stepz:\n      - run: echo hi\n";
    const { errors } = validateWorkflow(broken);
    expect(errors.map((e) => [e.code, "path" in e ? e.path : undefined])).toEqual([
      ["one_of", "/jobs/a"],
      ["one_of", "/permissions"],
    ]);
    const job = errors[0]!;
    expect("states" in job && job.states![0]!.errors.map((e) => e.detail)).toEqual(["Additional property 'stepz' is not allowed"]);
  });
});

describe("pinned actions", () => {
  const lines = FILES.flatMap((file) =>
    source(file)
      .split("\n")
      .filter((line) => /^\s*(- )?uses:/.test(line))
      .map((line) => ({ file, line: line.trim().replace(/^- /, "") })),
  );

  test("every uses: line names a commit of 40 hex digits and the release it is, as the table says", () => {
    const wrong = lines.flatMap(({ file, line }) => {
      const m = /^uses: ([\w.-]+\/[\w.-]+)@([0-9a-f]{40}) # (v\d+\.\d+\.\d+)$/.exec(line);
      const pin = m && ACTIONS[m[1]!];
      return pin && pin.sha === m[2] && pin.version === m[3] ? [] : [`${file}: ${line}`];
    });
    expect(wrong).toEqual([]);
    expect(new Set(lines.map(({ line }) => line.slice("uses: ".length).split("@")[0]))).toEqual(new Set(Object.keys(ACTIONS)));
  });

  test("the lines checked are every step's uses:, and each step passes only inputs its action declares", () => {
    const steps = allJobs().flatMap(({ id, job }) => job.steps.filter((s) => s.uses).map((s) => ({ id, step: s })));
    expect(steps.length).toBe(lines.length);
    const unknown = steps.flatMap(({ id, step }) =>
      Object.keys(step.with ?? {})
        .filter((input) => !ACTIONS[actionOf(step)!]!.inputs.includes(input))
        .map((input) => `${id}: ${actionOf(step)} has no input ${input}`),
    );
    expect(unknown).toEqual([]);
  });

  test("the Pulumi CLI installed is the release of the SDK the project pins", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    const versions = allJobs().flatMap(({ job }) =>
      job.steps.filter((s) => actionOf(s) === "pulumi/actions").map((s) => s.with!["pulumi-version"]),
    );
    expect(versions).toHaveLength(7);
    expect(new Set(versions)).toEqual(new Set([pkg.dependencies["@pulumi/pulumi"]]));
  });
});

describe("every shipped stack", () => {
  test("the stack files are the five this pipeline was written for", () => {
    expect(STACKS.map((s) => [s.stack, s.cloud, s.environment, s.fromVpc])).toEqual([
      ["dev", "aws", "dev", false],
      ["gcp-dev", "gcp", "dev", false],
      ["gcp-production", "gcp", "production", false],
      ["production", "aws", "production", true],
      ["staging", "aws", "staging", true],
    ]);
  });

  test("is reviewed offline on every pull request", () => {
    const { review } = workflow("pull-request.yml").jobs;
    expect([...review!.strategy!.matrix.stack!].sort()).toEqual(STACKS.map((s) => s.stack));
    expect(review!.steps.find((s) => s.run?.startsWith("npm run review"))).toEqual({
      name: "Offline review",
      run: 'npm run review -- --stack "$STACK" --out review/out',
      env: { STACK: "${{ matrix.stack }}" },
    });
  });

  test("is previewed with its environment's policy config, and checked for drift, where its cluster answers", () => {
    const expected = (purpose: "preview" | "drift") =>
      STACKS.map((s) => ({
        stack: s.stack,
        cloud: s.cloud,
        ...(s.cloud === "aws" && { region: s.region }),
        "runs-on": runnerOf(s, purpose),
        ...(purpose === "preview" && { "policy-config": `policies/config/${s.environment}.json` }),
      }));
    const byStack = (a: { stack?: unknown }, b: { stack?: unknown }) => String(a.stack).localeCompare(String(b.stack));
    const preview = workflow("pull-request.yml").jobs.preview!;
    expect([...preview.strategy!.matrix.include!].sort(byStack)).toEqual(expected("preview"));
    expect(preview.steps.filter((s) => s.run?.includes("pulumi "))).toEqual([
      {
        name: "pulumi preview",
        if: "steps.identity.outputs.configured == 'true'",
        run: 'pulumi preview --policy-pack policies --policy-pack-config "$POLICY_CONFIG" --stack "$STACK"',
        env: { POLICY_CONFIG: "${{ matrix.policy-config }}" },
      },
    ]);
    const check = workflow("drift.yml").jobs.check!;
    expect([...check.strategy!.matrix.include!].sort(byStack)).toEqual(expected("drift"));
    expect(check.steps.filter((s) => s.run?.includes("pulumi ")).map((s) => /^\s*pulumi .*$/m.exec(s.run!)![0].trim())).toEqual([
      'pulumi refresh --preview-only --expect-no-changes --diff --stack "$STACK" 2>&1 | tee refresh.log',
    ]);
  });
});

describe("deploy.yml", () => {
  const { jobs } = workflow("deploy.yml");
  const deploys = Object.entries(jobs).flatMap(([name, job]) =>
    job.steps
      .filter((s) => s.run?.startsWith("pulumi up"))
      .map((s) => {
        const m = /^pulumi up --yes --policy-pack policies --policy-pack-config (\S+) --stack (\S+)$/.exec(s.run!);
        return { name, job, policyConfig: m?.[1], stack: m?.[2] };
      }),
  );

  test("deploys every stack file by exactly one job, named after it, with its environment's policy config", () => {
    expect(deploys.map((d) => d.stack).sort()).toEqual(STACKS.map((s) => s.stack));
    expect(deploys.map((d) => d.name).sort()).toEqual(Object.keys(jobs).sort());
    for (const d of deploys) {
      const stack = STACKS.find((s) => s.stack === d.stack)!;
      expect([d.name, d.job.environment, d.policyConfig]).toEqual([d.stack, d.stack, `policies/config/${stack.environment}.json`]);
    }
  });

  test("runs each deploy where its stack's cluster API answers, logged in to its cloud, in the region of its stack file", () => {
    for (const d of deploys) {
      const stack = STACKS.find((s) => s.stack === d.stack)!;
      const logins = d.job.steps.filter((s) => CLOUD_LOGIN.includes(actionOf(s)!));
      expect([d.stack, d.job["runs-on"]]).toEqual([d.stack, runnerOf(stack, "deploy")]);
      expect(logins.map(actionOf)).toEqual([stack.cloud === "aws" ? CLOUD_LOGIN[0] : CLOUD_LOGIN[1]]);
      if (stack.cloud === "aws") expect(logins[0]!.with!["aws-region"]).toBe(stack.region);
    }
  });

  test("deploys dev before staging before production, and gcp-dev before gcp-production", () => {
    expect(Object.fromEntries(Object.entries(jobs).map(([name, job]) => [name, job.needs]))).toEqual({
      dev: undefined,
      staging: "dev",
      production: "staging",
      "gcp-dev": undefined,
      "gcp-production": "gcp-dev",
    });
  });
});

describe("concurrency", () => {
  test("every job that runs Pulumi on a stack for deploy or drift queues behind the stack's running job, never cancelling it", () => {
    const groups = ["deploy.yml", "drift.yml"].flatMap((file) =>
      Object.entries(workflow(file).jobs)
        .filter(([, job]) => job.steps.some((s) => /^\s*pulumi /m.test(s.run ?? "")))
        .map(([name, job]) => [`${file}/${name}`, job.concurrency]),
    );
    expect(Object.fromEntries(groups)).toEqual({
      "deploy.yml/dev": { group: "deploy-dev", "cancel-in-progress": false },
      "deploy.yml/staging": { group: "deploy-staging", "cancel-in-progress": false },
      "deploy.yml/production": { group: "deploy-production", "cancel-in-progress": false },
      "deploy.yml/gcp-dev": { group: "deploy-gcp-dev", "cancel-in-progress": false },
      "deploy.yml/gcp-production": { group: "deploy-gcp-production", "cancel-in-progress": false },
      "drift.yml/check": { group: "drift-${{ matrix.stack }}", "cancel-in-progress": false },
    });
  });
});

describe("permissions", () => {
  test.each(FILES)("%s grants only contents: read to its jobs by default", (file) => {
    expect(workflow(file).permissions).toEqual({ contents: "read" });
  });

  test("each job holds only what it uses: comments, issues, or an OIDC token where it logs in to a cloud", () => {
    const granted = Object.fromEntries(allJobs().map(({ id, job }) => [id, job.permissions]));
    const cloud = { contents: "read", "id-token": "write" };
    expect(granted).toEqual({
      "deploy.yml/dev": cloud,
      "deploy.yml/staging": cloud,
      "deploy.yml/production": cloud,
      "deploy.yml/gcp-dev": cloud,
      "deploy.yml/gcp-production": cloud,
      "drift.yml/check": cloud,
      "drift.yml/issues": { issues: "write" },
      "pull-request.yml/test": undefined,
      "pull-request.yml/review": { contents: "read", "pull-requests": "write" },
      "pull-request.yml/preview": cloud,
    });
    const withToken = allJobs().filter(({ job }) => job.permissions?.["id-token"] === "write");
    const loggingIn = allJobs().filter(({ job }) => job.steps.some((s) => CLOUD_LOGIN.includes(actionOf(s)!)));
    expect(withToken.map(({ id }) => id)).toEqual(loggingIn.map(({ id }) => id));
  });

  test("cloud logins go through OIDC only: deploys as the deploy identity, previews and drift checks as the read-only one", () => {
    const logins = (file: string) =>
      [
        ...new Set(
          allJobs()
            .filter(({ id }) => id.startsWith(`${file}/`))
            .flatMap(({ job }) => job.steps.filter((s) => CLOUD_LOGIN.includes(actionOf(s)!)).map((s) => JSON.stringify(s.with))),
        ),
      ].sort();
    const aws = (kind: string, region: string) =>
      JSON.stringify({
        "role-to-assume": `\${{ vars.AWS_${kind}_ROLE_ARN }}`,
        "aws-region": region,
        ...(kind === "DEPLOY" && { "role-duration-seconds": SESSION_SECONDS.deploy }),
      });
    const gcp = (kind: string) =>
      JSON.stringify({
        workload_identity_provider: "${{ vars.GCP_WORKLOAD_IDENTITY_PROVIDER }}",
        service_account: `\${{ vars.GCP_${kind}_SERVICE_ACCOUNT }}`,
      });
    expect(logins("deploy.yml")).toEqual([aws("DEPLOY", "eu-west-1"), gcp("DEPLOY")].sort());
    expect(logins("pull-request.yml")).toEqual([aws("PREVIEW", "${{ matrix.region }}"), gcp("PREVIEW")].sort());
    expect(logins("drift.yml")).toEqual([aws("PREVIEW", "${{ matrix.region }}"), gcp("PREVIEW")].sort());
    expect(FILES.filter((file) => /secrets\.|aws-access-key-id|aws-secret-access-key|credentials_json/.test(source(file)))).toEqual([]);
  });
});

/** Where one job, or one matrix entry of it, runs: its stack, its runner labels, and what it does. */
interface Placement {
  id: string;
  stack: string;
  labels: string[];
  /** Its workflow runs on pull requests, so it runs the pull request's code. */
  pullRequest: boolean;
  /** It runs `pulumi up`. */
  deploys: boolean;
}

function placements(): Placement[] {
  return FILES.flatMap((file) => {
    const { on, jobs } = workflow(file);
    const pullRequest = "pull_request" in on || "pull_request_target" in on;
    return Object.entries(jobs).flatMap(([name, job]) => {
      const deploys = job.steps.some((s) => s.run?.startsWith("pulumi up"));
      const labels = (runsOn: unknown) => [runsOn].flat().map(String);
      if (job["runs-on"] === "${{ matrix.runs-on }}")
        return job.strategy!.matrix.include!.map((entry) => ({
          id: `${file}/${name}[${String(entry.stack)}]`,
          stack: String(entry.stack),
          labels: labels(entry["runs-on"]),
          pullRequest,
          deploys,
        }));
      return [{ id: `${file}/${name}`, stack: job.environment ?? name, labels: labels(job["runs-on"]), pullRequest, deploys }];
    });
  });
}

/**
 * What is wrong with where self-hosted jobs run: each must name exactly one runner label of its own stack (each
 * cluster answers inside its own VPC only), and no pull request's job may be able to run on a deploy job's
 * runner (a runner registered with exactly the deploy job's labels), since the pull request's code could leave
 * something behind there that steals the next deploy's token. GitHub-hosted runners are a fresh VM for every job
 * (docs.github.com "About GitHub-hosted runners"), so sharing their label is safe.
 */
function runnerProblems(all: Placement[]): string[] {
  const selfHosted = all.filter((p) => p.labels.includes("self-hosted"));
  const unnamed = selfHosted
    .filter((p) => {
      const own = p.labels.filter((l) => l !== "self-hosted");
      return own.length !== 1 || !new RegExp(`^platform-(deploy|preview)-${p.stack}$`).test(own[0]!);
    })
    .map((p) => `${p.id} runs on [${p.labels.join(", ")}]: not one runner label of stack ${p.stack}`);
  const shared = selfHosted
    .filter((p) => p.pullRequest)
    .flatMap((pr) =>
      selfHosted
        .filter((d) => d.deploys && pr.labels.every((l) => d.labels.includes(l)))
        .map((d) => `${pr.id} can run on the runner of ${d.id} [${d.labels.join(", ")}]`),
    );
  return [...unnamed, ...shared];
}

describe("runners", () => {
  test("each self-hosted job runs on its own stack's runner, and pull requests never on a deploy runner", () => {
    expect(
      placements()
        .filter((p) => p.labels.includes("self-hosted"))
        .map((p) => `${p.id} ${p.labels.join(",")}`),
    ).toEqual([
      "deploy.yml/staging self-hosted,platform-deploy-staging",
      "deploy.yml/production self-hosted,platform-deploy-production",
      "drift.yml/check[staging] self-hosted,platform-deploy-staging",
      "drift.yml/check[production] self-hosted,platform-deploy-production",
      "pull-request.yml/preview[staging] self-hosted,platform-preview-staging",
      "pull-request.yml/preview[production] self-hosted,platform-preview-production",
    ]);
    expect(runnerProblems(placements())).toEqual([]);
  });

  test("the check reports one VPC label for two stacks shared by previews and deploys, and a preview on a deploy runner", () => {
    const shipped = placements();
    const oneLabel = shipped.map((p) => (p.labels.includes("self-hosted") ? { ...p, labels: ["self-hosted", "platform-vpc"] } : p));
    expect(runnerProblems(oneLabel)).toEqual([
      "deploy.yml/staging runs on [self-hosted, platform-vpc]: not one runner label of stack staging",
      "deploy.yml/production runs on [self-hosted, platform-vpc]: not one runner label of stack production",
      "drift.yml/check[staging] runs on [self-hosted, platform-vpc]: not one runner label of stack staging",
      "drift.yml/check[production] runs on [self-hosted, platform-vpc]: not one runner label of stack production",
      "pull-request.yml/preview[staging] runs on [self-hosted, platform-vpc]: not one runner label of stack staging",
      "pull-request.yml/preview[production] runs on [self-hosted, platform-vpc]: not one runner label of stack production",
      "pull-request.yml/preview[staging] can run on the runner of deploy.yml/staging [self-hosted, platform-vpc]",
      "pull-request.yml/preview[staging] can run on the runner of deploy.yml/production [self-hosted, platform-vpc]",
      "pull-request.yml/preview[production] can run on the runner of deploy.yml/staging [self-hosted, platform-vpc]",
      "pull-request.yml/preview[production] can run on the runner of deploy.yml/production [self-hosted, platform-vpc]",
    ]);
    const onDeployRunner = shipped.map((p) =>
      p.id === "pull-request.yml/preview[staging]" ? { ...p, labels: ["self-hosted", "platform-deploy-staging"] } : p,
    );
    expect(runnerProblems(onDeployRunner)).toEqual([
      "pull-request.yml/preview[staging] can run on the runner of deploy.yml/staging [self-hosted, platform-deploy-staging]",
    ]);
  });

  test("drift checks run main's code alone, as the deploy runners they share require", () => {
    expect(workflow("drift.yml").jobs.check!).toMatchObject({ if: "vars.PULUMI_BACKEND_URL != '' && github.ref == 'refs/heads/main'" });
    expect(Object.keys(workflow("drift.yml").on).sort()).toEqual(["schedule", "workflow_dispatch"]);
  });
});

describe("deploy environments and the bootstrap's trust", () => {
  test("deploy.yml deploys pushes to the one branch the trust admits deploy environments from", () => {
    expect(DEPLOY_REF).toBe("refs/heads/main");
    expect(workflow("deploy.yml").on).toEqual({ push: { branches: [DEPLOY_REF.slice("refs/heads/".length)] } });
  });
});

// aws-actions/configure-aws-credentials action.yml@v6.2.3: role-duration-seconds "Default is one hour".
const DEFAULT_ROLE_DURATION = 3600;
/**
 * How much longer than the review's critical-path estimate a deploy's session must last: the estimate takes
 * typical create times, and a real first EKS plus Multi-AZ RDS create, a slow Helm wait or an upgrade that
 * rolls node groups runs several times as long. The session must also outlast the serial estimate (every
 * resource created one after another).
 */
const SESSION_MARGIN = 4;
const AWS_STACKS = STACKS.filter((s) => s.cloud === "aws").map((s) => s.stack as ShippedStack);

interface AwsLogin {
  id: string;
  role: "deploy" | "preview";
  seconds: number;
}

function awsLogins(): AwsLogin[] {
  return allJobs().flatMap(({ id, job }) =>
    job.steps
      .filter((s) => actionOf(s) === CLOUD_LOGIN[0])
      .map((s) => ({
        id,
        role: String(s.with!["role-to-assume"]).includes("AWS_DEPLOY_ROLE_ARN") ? ("deploy" as const) : ("preview" as const),
        seconds: Number(s.with!["role-duration-seconds"] ?? DEFAULT_ROLE_DURATION),
      })),
  );
}

/** A login asking for more than its role allows (STS refuses it), or a deploy whose session ends before the deploy. */
function sessionProblems(logins: AwsLogin[], maxSession: Record<AwsLogin["role"], number>, deploySeconds: number): string[] {
  return logins.flatMap((l) => [
    ...(l.seconds > maxSession[l.role] ? [`${l.id} asks for ${l.seconds} s, more than the ${l.role} role's ${maxSession[l.role]} s`] : []),
    ...(l.role === "deploy" && l.seconds < deploySeconds
      ? [`${l.id} asks for ${l.seconds} s, less than the ${deploySeconds} s a first deploy needs`]
      : []),
  ]);
}

describe("AWS sessions", () => {
  const roles = Object.fromEntries(
    bootstrapReview("aws")
      .resources.filter((r) => r.type === "aws:iam/role:Role")
      .map((r) => [r.name.replace("github-", ""), r.inputs.maxSessionDuration as number]),
  ) as Record<AwsLogin["role"], number>;
  const estimates = AWS_STACKS.map((stack) => shippedReview(stack).estimate);
  const needed = Math.ceil(Math.max(...estimates.map((e) => Math.max(e.criticalPathMinutes * SESSION_MARGIN, e.serialMinutes))) * 60);

  test("every deploy's session outlasts the estimated first deploy of every AWS stack with margin, and no login asks more than its role allows", () => {
    expect(roles).toEqual({ deploy: SESSION_SECONDS.deploy, preview: SESSION_SECONDS.preview });
    expect(roles.deploy).toBeGreaterThanOrEqual(needed);
    expect(
      awsLogins()
        .filter((l) => l.role === "deploy")
        .map((l) => [l.id, l.seconds]),
    ).toEqual([
      ["deploy.yml/dev", roles.deploy],
      ["deploy.yml/staging", roles.deploy],
      ["deploy.yml/production", roles.deploy],
    ]);
    expect(sessionProblems(awsLogins(), roles, needed)).toEqual([]);
  });

  test("the check reports the one-hour sessions of earlier releases, and a request beyond the role's maximum", () => {
    const hour = awsLogins().map((l) => ({ ...l, seconds: DEFAULT_ROLE_DURATION }));
    expect(sessionProblems(hour, { deploy: 3600, preview: 3600 }, needed)).toEqual([
      `deploy.yml/dev asks for 3600 s, less than the ${needed} s a first deploy needs`,
      `deploy.yml/staging asks for 3600 s, less than the ${needed} s a first deploy needs`,
      `deploy.yml/production asks for 3600 s, less than the ${needed} s a first deploy needs`,
    ]);
    expect(needed).toBeGreaterThan(3600);
    expect(sessionProblems(awsLogins(), { ...roles, deploy: 3600 }, 0)).toEqual([
      "deploy.yml/dev asks for 10800 s, more than the deploy role's 3600 s",
      "deploy.yml/staging asks for 10800 s, more than the deploy role's 3600 s",
      "deploy.yml/production asks for 10800 s, more than the deploy role's 3600 s",
    ]);
  });

  test("GCP logins keep google-github-actions/auth's credentials file, which fetches a fresh GitHub token on every refresh", () => {
    // auth@v3.0.0 src/client/workload_identity_federation.ts: the file's credential_source is the job's token URL;
    // token_format instead hands out one access token of at most an hour, and create_credentials_file: false none.
    const gcpLogins = allJobs().flatMap(({ job }) =>
      job.steps.filter((s) => actionOf(s) === CLOUD_LOGIN[1]).map((s) => Object.keys(s.with!).sort()),
    );
    expect(new Set(gcpLogins.map((keys) => keys.join(",")))).toEqual(new Set(["service_account,workload_identity_provider"]));
  });
});

/** The error the Pulumi CLI prints when an operation run with --expect-no-changes finds changes (backenderr.go@v3.259.0). */
const noChangesExpected = (operation: string) => `no changes were expected for ${operation} but changes were proposed`;

/** What is wrong with a drift step: it must refresh without writing, and recognise drift by its command's own error. */
function driftStepProblems(run: string): string[] {
  const command = /^\s*pulumi (\w+) ([^\n|]*)/m.exec(run);
  const grep = /grep -qF "([^"]+)"/.exec(run)?.[1];
  if (!command) return ["the step runs no pulumi command"];
  const [, operation, flags] = command;
  return [
    ...(operation === "refresh" && flags!.includes("--preview-only") ? [] : [`pulumi ${operation} is not pulumi refresh --preview-only`]),
    ...(flags!.includes("--expect-no-changes") ? [] : ["the command does not fail on changes (--expect-no-changes)"]),
    ...(grep === noChangesExpected(operation!)
      ? []
      : [
          `it recognises drift by ${grep === undefined ? "no exact text (grep -qF)" : JSON.stringify(grep)}, not ${JSON.stringify(noChangesExpected(operation!))}`,
        ]),
  ];
}

describe("the drift check", () => {
  const step = workflow("drift.yml").jobs.check!.steps.find((s) => s.run?.includes("pulumi "))!;

  test("refreshes in preview and recognises drift by the exact error its command prints", () => {
    expect(driftStepProblems(step.run!)).toEqual([]);
  });

  test("the check reports the preview of the program earlier releases ran, whose loose grep matched it too", () => {
    const before =
      'pulumi preview --refresh --expect-no-changes --stack "$STACK" 2>&1 | tee preview.log\ngrep -q "no changes were expected" preview.log';
    expect(driftStepProblems(before)).toEqual([
      "pulumi preview is not pulumi refresh --preview-only",
      'it recognises drift by no exact text (grep -qF), not "no changes were expected for preview but changes were proposed"',
    ]);
    expect(driftStepProblems(step.run!.replace("for refresh", "for preview"))).toEqual([
      'it recognises drift by "no changes were expected for preview but changes were proposed", not "no changes were expected for refresh but changes were proposed"',
    ]);
  });
});
