// GIVEN the GitHub workflows, the shipped stacks' reviews and the AWS bootstrap stack's review
// WHEN the jobs' runners, AWS sessions and drift step are read
// THEN every self-hosted job runs on one runner label of its own stack and no pull request's job can run on a
//      deploy runner; every AWS login asks for no more than its role's maxSessionDuration and a deploy's session
//      outlasts every AWS stack's estimated first deploy with a stated margin; GCP logins keep the
//      self-refreshing credentials file; the drift check refreshes without writing and recognises drift by
//      its command's exact error; deploy.yml deploys the branch the bootstrap's trust admits.
import { describe, expect, test } from "@jest/globals";
import { SESSION_SECONDS } from "../bootstrap/aws";
import { DEPLOY_REF } from "../bootstrap/github";
import { bootstrapReview, shippedReview, type ShippedStack } from "./reviews";
import { actionOf, allJobs, CLOUD_LOGIN, FILES, STACKS, workflow } from "./workflow-files";

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
