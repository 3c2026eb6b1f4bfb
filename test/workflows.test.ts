// GIVEN the GitHub workflows in .github/workflows and the stack files in the repository's root
// WHEN they are validated against GitHub's workflow schema and read as YAML
// THEN they are valid workflows, every action is pinned to a commit with its release in a comment and is
//      given only inputs its action.yml declares, every shipped stack is reviewed and previewed on pull
//      requests, deployed by exactly one job on the runner its deploy path needs and checked for drift,
//      jobs that run Pulumi on a stack queue by stack, and each job holds only the permissions it uses
//      (test/workflow-safety.test.ts: runners, sessions, the drift check).
import { validateWorkflow } from "@action-validator/core";
import { describe, expect, test } from "@jest/globals";
import * as fs from "node:fs";
import * as path from "node:path";
import { SESSION_SECONDS } from "../bootstrap/aws";
import { actionOf, allJobs, CLOUD_LOGIN, FILES, ROOT, runnerOf, source, STACKS, workflow } from "./workflow-files";

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
