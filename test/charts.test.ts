// GIVEN the chart archives in charts/, their lock and the charts the code pins
// WHEN `npm run charts -- verify`'s check runs in-process, on the repository and on copies with one thing wrong,
//      and the program's own check runs as each release is made
// THEN the repository is consistent (digests, Chart.yaml versions, lock against pins both ways, every archive
//      the shipped stacks install), and each planted fault is reported on one line that names the file or chart.
import { afterAll, describe, expect, test } from "@jest/globals";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { archiveChart, chartPin, crdsPin, localArchive, readLock, tgzMember, type ArchivePin } from "../components/charts";
import { helmRelease } from "../components/helm";
import { CHARTS } from "../infra/charts";
import { helmPullArgs, pulledFile, pullPlan, verifyCharts } from "../scripts/charts";
import { shippedReview } from "./reviews";

const ROOT = path.resolve(__dirname, "..");
const LOCK = readLock(ROOT);
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "charts-test-"));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** A copy of the project's charts/ in a folder of its own, changed by `plant`. */
function copyWith(id: string, plant: (dir: string, lock: { archives: Record<string, unknown>[] }) => void): string {
  const root = path.join(scratch, id);
  fs.cpSync(path.join(ROOT, "charts"), path.join(root, "charts"), { recursive: true });
  const lockFile = path.join(root, "charts/charts.lock.json");
  const lock = JSON.parse(fs.readFileSync(lockFile, "utf8")) as { archives: Record<string, unknown>[] };
  plant(path.join(root, "charts"), lock);
  fs.writeFileSync(lockFile, JSON.stringify(lock));
  return root;
}
const entry = (lock: { archives: Record<string, unknown>[] }, name: string) => lock.archives.find((e) => e.name === name)!;

describe("the repository's charts/", () => {
  test("verify finds no problem", () => {
    expect(verifyCharts(ROOT, CHARTS)).toEqual([]);
  });

  test("the lock lists exactly the pinned archives, each at its pinned version and under the name helm pull gives it", () => {
    const locked = LOCK.archives.map((e) => `${e.kind} ${e.name} ${e.version} ${e.file}`).sort();
    expect(locked).toEqual(CHARTS.map((p) => `${p.kind} ${p.name} ${p.version} ${pulledFile(p)}`).sort());
    expect(locked).toEqual([
      "chart aws-load-balancer-controller 3.5.0 aws-load-balancer-controller-3.5.0.tgz",
      "chart cert-manager v1.21.1 cert-manager-v1.21.1.tgz",
      "chart external-secrets 2.9.0 external-secrets-2.9.0.tgz",
      "chart gateway-crds-helm v1.9.0 gateway-crds-helm-v1.9.0.tgz",
      "chart gateway-helm v1.9.0 gateway-helm-v1.9.0.tgz",
      "chart kube-prometheus-stack 88.5.3 kube-prometheus-stack-88.5.3.tgz",
      "chart prometheus-operator-crds 31.0.1 prometheus-operator-crds-31.0.1.tgz",
      "crds external-secrets-crds 2.9.0 external-secrets-2.9.0-crds.yaml",
    ]);
    expect(LOCK.archives.find((e) => e.name === "external-secrets-crds")!.source).toEqual({
      repository: "https://raw.githubusercontent.com/external-secrets/external-secrets/helm-chart-2.9.0/deploy/crds/bundle.yaml",
      ref: 'external-secrets/external-secrets commit cc5bfbc22 ("release helm chart for 2.9.0"), deploy/crds/bundle.yaml',
    });
  });

  test("each chart archive's own Chart.yaml names the chart and version its lock entry gives", () => {
    for (const e of LOCK.archives.filter((a) => a.kind === "chart"))
      expect(archiveChart(fs.readFileSync(path.join(ROOT, "charts", e.file)))).toEqual({ name: e.name, version: e.version });
  });

  test("a member is read as tar reads it, wherever it lies: the archive is inflated only as far as needed, or whole", () => {
    const file = path.join(ROOT, "charts", LOCK.archives.find((e) => e.name === "kube-prometheus-stack")!.file);
    const archive = fs.readFileSync(file);
    const members = execFileSync("tar", ["-tzf", file], { encoding: "utf8" }).trim().split("\n");
    // The first member, one a quarter of the way in (past the first inflated part), and the last, which only inflating everything reaches.
    for (const member of [members[0]!, members[Math.floor(members.length / 4)]!, members.at(-1)!])
      expect(tgzMember(archive, (p) => p === member)).toBe(execFileSync("tar", ["-xzOf", file, member], { encoding: "utf8" }));
    expect(tgzMember(archive, (p) => p === "kube-prometheus-stack/no-such-file")).toBeUndefined();
  });

  test("the shipped AWS and GCP production stacks install only locked archives, and together all of them", () => {
    const used = (["production", "gcp-production"] as const).flatMap((stack) =>
      shippedReview(stack).resources.flatMap((r) => {
        if (r.type === "kubernetes:helm.sh/v3:Release") return [(r.inputs as { chart: string }).chart];
        if (r.type === "kubernetes:yaml/v2:ConfigFile") return [(r.inputs as { file: string }).file];
        return [];
      }),
    );
    expect(new Set(used)).toEqual(new Set(LOCK.archives.map((e) => `./charts/${e.file}`)));
  });
});

describe("verify reports each planted fault on one line", () => {
  test("an archive whose digest is not the locked one (a planted digest)", () => {
    const planted = "0".repeat(64);
    const root = copyWith("digest", (_, lock) => (entry(lock, "cert-manager").sha256 = planted));
    const actual = LOCK.archives.find((e) => e.name === "cert-manager")!.sha256;
    expect(verifyCharts(root, CHARTS)).toEqual([
      `charts/cert-manager-v1.21.1.tgz: sha256 is ${actual}, charts/charts.lock.json says ${planted}`,
    ]);
  });

  test("a changed archive: another chart's bytes under a locked name", () => {
    const root = copyWith("swapped", (dir, lock) => {
      fs.copyFileSync(path.join(dir, "external-secrets-2.9.0.tgz"), path.join(dir, "cert-manager-v1.21.1.tgz"));
      entry(lock, "cert-manager").sha256 = LOCK.archives.find((e) => e.name === "external-secrets")!.sha256;
    });
    expect(verifyCharts(root, CHARTS)).toEqual([
      "charts/cert-manager-v1.21.1.tgz: holds chart external-secrets 2.9.0, charts/charts.lock.json says cert-manager v1.21.1",
    ]);
  });

  test("a missing archive, a file the lock does not list, and a pin the lock lacks", () => {
    const root = copyWith("missing", (dir, lock) => {
      fs.rmSync(path.join(dir, "gateway-helm-v1.9.0.tgz"));
      fs.writeFileSync(path.join(dir, "stray.tgz"), "");
      lock.archives = lock.archives.filter((e) => e.name !== "aws-load-balancer-controller");
    });
    expect(verifyCharts(root, CHARTS)).toEqual([
      "charts/gateway-helm-v1.9.0.tgz: missing (charts/charts.lock.json lists it for chart gateway-helm v1.9.0)",
      "charts/charts.lock.json has no chart aws-load-balancer-controller (the code pins 3.5.0): run `npm run charts -- pull`",
      "charts/aws-load-balancer-controller-3.5.0.tgz: not in charts/charts.lock.json",
      "charts/stray.tgz: not in charts/charts.lock.json",
    ]);
  });

  test("a pin at another version than the lock, and a locked archive no code pins", () => {
    const pins: ArchivePin[] = CHARTS.filter((p) => p.name !== "prometheus-operator-crds").map((p) =>
      p.name === "external-secrets-crds" ? { ...p, version: "2.10.0" } : p,
    );
    expect(verifyCharts(ROOT, pins)).toEqual([
      "charts/charts.lock.json locks crds external-secrets-crds at 2.9.0 but the code pins 2.10.0: run `npm run charts -- pull`",
      "charts/charts.lock.json: chart prometheus-operator-crds 31.0.1 is pinned by no code (infra/charts.ts)",
    ]);
  });

  test("a lock that is not a lock", () => {
    const root = copyWith("bad-lock", (_, lock) => (entry(lock, "gateway-helm").sha256 = "not hex"));
    expect(verifyCharts(root, CHARTS)).toEqual(["charts/charts.lock.json: archives[5].sha256 must be 64 lowercase hex digits"]);
  });
});

describe("the program checks each archive as it installs it", () => {
  const externalSecrets = { chart: "external-secrets", version: "2.9.0", repo: "https://charts.external-secrets.io" };

  test("a pinned chart resolves to its archive relative to the project root; its CRD bundle likewise", () => {
    expect(localArchive(chartPin(externalSecrets), ROOT)).toBe("./charts/external-secrets-2.9.0.tgz");
    expect(localArchive(crdsPin(externalSecrets, "https://example.com/bundle.yaml"), ROOT)).toBe(
      "./charts/external-secrets-2.9.0-crds.yaml",
    );
  });

  test.each([
    [
      "a version the lock does not hold",
      { ...externalSecrets, version: "2.10.0" },
      "helm release eso: charts/charts.lock.json locks chart external-secrets at 2.9.0 but the code pins 2.10.0: run `npm run charts -- pull`",
    ],
    [
      "a chart the lock does not list",
      { chart: "oci://example.com/charts/podinfo", version: "6.0.0" },
      "helm release eso: charts/charts.lock.json has no chart podinfo (the code pins 6.0.0): run `npm run charts -- pull`",
    ],
    [
      "a range instead of a version",
      { ...externalSecrets, version: "^2.9.0" },
      'helm release eso: chart external-secrets must be pinned to an exact version (got "^2.9.0")',
    ],
  ])("%s stops the program, naming the release and the chart", (_, chart, message) => {
    expect(() => helmRelease("eso", { chart, name: "external-secrets", namespace: "ns", values: {} }, undefined as never)).toThrow(message);
  });

  test("an archive that is missing, or holds another chart, is refused with the chart named", () => {
    const missing = copyWith("program-missing", (dir) => fs.rmSync(path.join(dir, "external-secrets-2.9.0.tgz")));
    expect(() => localArchive(chartPin(externalSecrets), missing)).toThrow(
      "charts/external-secrets-2.9.0.tgz (chart external-secrets 2.9.0) is missing: run `npm run charts -- pull`",
    );
    const swapped = copyWith("program-swapped", (dir) =>
      fs.copyFileSync(path.join(dir, "cert-manager-v1.21.1.tgz"), path.join(dir, "external-secrets-2.9.0.tgz")),
    );
    expect(() => localArchive(chartPin(externalSecrets), swapped)).toThrow(
      "charts/external-secrets-2.9.0.tgz holds chart cert-manager v1.21.1, but the code pins external-secrets 2.9.0",
    );
  });
});

describe("pull", () => {
  test("fetches each pin from its upstream repository with helm pull, and the CRD bundle from its URL", () => {
    const oci = chartPin({ chart: "oci://quay.io/jetstack/charts/cert-manager", version: "v1.21.1" });
    expect(helmPullArgs(oci, "/d")).toEqual([
      "pull",
      "oci://quay.io/jetstack/charts/cert-manager",
      "--version",
      "v1.21.1",
      "--destination",
      "/d",
    ]);
    const http = chartPin({ chart: "external-secrets", version: "2.9.0", repo: "https://charts.external-secrets.io" });
    expect(helmPullArgs(http, "/d")).toEqual([
      "pull",
      "external-secrets",
      "--repo",
      "https://charts.external-secrets.io",
      "--version",
      "2.9.0",
      "--destination",
      "/d",
    ]);
    expect(pullPlan(CHARTS, "helm").filter((line) => line.startsWith("download"))).toEqual([
      "download https://raw.githubusercontent.com/external-secrets/external-secrets/helm-chart-2.9.0/deploy/crds/bundle.yaml -> charts/external-secrets-2.9.0-crds.yaml",
    ]);
    expect(pullPlan(CHARTS, "helm")).toHaveLength(CHARTS.length);
  });
});
