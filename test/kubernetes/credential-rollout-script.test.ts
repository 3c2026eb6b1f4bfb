// GIVEN ROLLOUT_SCRIPT exactly as exported, run with `sh -c` as its CronJob runs it, with a service account
//       directory and a stand-in `curl` first on PATH that answers from a fake API (metadata of Secrets and
//       Deployments as the API server returns PartialObjectMetadata) and records every call
// WHEN the Secrets a Deployment reads are synced for the first time, stay the same, change, are not synced
//      yet, or the API fails
// THEN the script records the hashes without a restart the first time, does nothing while they are the same,
//      records them and restarts the Deployment (the restartedAt annotation `kubectl rollout restart` sets)
//      when they change, skips a Deployment whose Secret has no hash yet, and fails the run on an API error;
//      it reads only metadata, with the pod's token and CA.
import { beforeEach, describe, expect, test } from "@jest/globals";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CREDENTIALS_HASH_ANNOTATION, ROLLOUT_SCRIPT } from "../../components/kubernetes/credential-rollout";

const API = "https://api.test";
const METADATA_ONLY = "Accept: application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1";

/** A stand-in curl: answers GETs from $FAKE_API/<path>.json (exit 22, as curl -f does, when absent), logs every call. */
const FAKE_CURL = `#!/usr/bin/env node
const fs = require("node:fs");
const args = process.argv.slice(2);
const url = args.find((a) => a.startsWith("https://"));
fs.appendFileSync(process.env.CURL_LOG, JSON.stringify(args) + "\\n");
if (args.includes("PATCH")) { process.stdout.write("{}"); process.exit(0); }
const file = process.env.FAKE_API + new URL(url).pathname + ".json";
if (!fs.existsSync(file)) { process.stderr.write("curl: (22) The requested URL returned error: 404\\n"); process.exit(22); }
process.stdout.write(fs.readFileSync(file, "utf8"));
`;

let dir: string;
const log = () => path.join(dir, "curl.log");
const calls = (): string[][] =>
  fs.existsSync(log())
    ? fs
        .readFileSync(log(), "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as string[])
    : [];
const patches = () => calls().filter((c) => c.includes("PATCH"));

/** Puts an object's metadata where the fake API serves `apiPath`, formatted as the API server's JSON may be. */
function serve(apiPath: string, annotations: Record<string, string>): void {
  const file = path.join(dir, "api", `${apiPath}.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(
    file,
    JSON.stringify({ kind: "PartialObjectMetadata", metadata: { name: path.basename(apiPath), annotations } }, null, 2),
  );
}
const secret = (name: string, hash?: string) =>
  serve(`/api/v1/namespaces/podinfo/secrets/${name}`, hash ? { "reconcile.external-secrets.io/data-hash": hash } : {});
const deployment = (name: string, seen?: string) =>
  serve(`/apis/apps/v1/namespaces/podinfo/deployments/${name}`, seen ? { [CREDENTIALS_HASH_ANNOTATION]: seen } : {});

function run(targets: string) {
  const bin = path.join(dir, "bin");
  const result = spawnSync("sh", ["-c", ROLLOUT_SCRIPT], {
    encoding: "utf8",
    env: {
      PATH: `${bin}:${path.dirname(process.execPath)}:/usr/bin:/bin`,
      TARGETS: targets,
      SERVICE_ACCOUNT_DIR: path.join(dir, "sa"),
      KUBE_API: API,
      FAKE_API: path.join(dir, "api"),
      CURL_LOG: log(),
    },
  });
  return { status: result.status, stdout: result.stdout.trim().split("\n") };
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "rollout-"));
  fs.mkdirSync(path.join(dir, "sa"));
  fs.writeFileSync(path.join(dir, "sa", "namespace"), "podinfo");
  fs.writeFileSync(path.join(dir, "sa", "token"), "token-of-the-pod");
  fs.writeFileSync(path.join(dir, "sa", "ca.crt"), "ca");
  fs.mkdirSync(path.join(dir, "bin"));
  fs.writeFileSync(path.join(dir, "bin", "curl"), FAKE_CURL, { mode: 0o755 });
});

/** What every call starts with: fail on HTTP errors, a deadline, the pod's CA and its token. */
const authenticated = () => ["-fsS", "--max-time", "20", "--cacert", path.join(dir, "sa", "ca.crt"), "--oauth2-bearer", "token-of-the-pod"];
const patchOf = (call: string[]) => JSON.parse(call[call.indexOf("--data") + 1]!) as Record<string, unknown>;

describe("ROLLOUT_SCRIPT", () => {
  test("the first run records the hashes of both Secrets on the Deployment and restarts nothing", () => {
    secret("podinfo-database", "aaa111");
    secret("podinfo-cache", "bbb222");
    deployment("podinfo");
    expect(run("podinfo=podinfo-database,podinfo-cache")).toEqual({ status: 0, stdout: ["podinfo: credentials recorded"] });
    const [patch] = patches();
    expect(patch).toEqual([
      ...authenticated(),
      "-X",
      "PATCH",
      "-H",
      "Content-Type: application/strategic-merge-patch+json",
      "--data",
      '{"metadata":{"annotations":{"platform/credentials-hash":"aaa111bbb222"}}}',
      `${API}/apis/apps/v1/namespaces/podinfo/deployments/podinfo`,
    ]);
    // Reads ask for metadata only, so no credential passes through the job.
    expect(calls().filter((c) => !c.includes("PATCH"))).toEqual(
      [
        `${API}/api/v1/namespaces/podinfo/secrets/podinfo-database`,
        `${API}/api/v1/namespaces/podinfo/secrets/podinfo-cache`,
        `${API}/apis/apps/v1/namespaces/podinfo/deployments/podinfo`,
      ].map((url) => [...authenticated(), "-H", METADATA_ONLY, url]),
    );
  });

  test("unchanged hashes patch nothing", () => {
    secret("podinfo-database", "aaa111");
    deployment("podinfo", "aaa111");
    expect(run("podinfo=podinfo-database")).toEqual({ status: 0, stdout: ["podinfo: credentials unchanged"] });
    expect(patches()).toEqual([]);
  });

  test("a changed hash records the new one and restarts the Deployment as kubectl rollout restart does", () => {
    secret("podinfo-database", "ccc333");
    deployment("podinfo", "aaa111");
    expect(run("podinfo=podinfo-database")).toEqual({ status: 0, stdout: ["podinfo: credentials changed, restarting"] });
    expect(patches()).toHaveLength(1);
    const patch = patchOf(patches()[0]!);
    expect(patch).toEqual({
      metadata: { annotations: { "platform/credentials-hash": "ccc333" } },
      spec: {
        template: {
          metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/) } },
        },
      },
    });
  });

  test("a Secret not synced yet skips its Deployment and the next target still runs", () => {
    secret("postgres-exporter", undefined);
    secret("redis-exporter", "ddd444");
    deployment("postgres-exporter", "old");
    deployment("redis-exporter", "old");
    expect(run("postgres-exporter=postgres-exporter redis-exporter=redis-exporter")).toEqual({
      status: 0,
      stdout: [
        "postgres-exporter: Secret postgres-exporter has no data hash yet, skipped",
        "redis-exporter: credentials changed, restarting",
      ],
    });
    expect(patches().map((c) => c.at(-1))).toEqual([`${API}/apis/apps/v1/namespaces/podinfo/deployments/redis-exporter`]);
  });

  test("an API error (a Secret it may not read, a missing Deployment) fails the run before any patch", () => {
    deployment("podinfo", "aaa111");
    const result = run("podinfo=podinfo-database");
    expect(result.status).not.toBe(0);
    expect(patches()).toEqual([]);
  });
});
