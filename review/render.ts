// Renders every recorded helm.sh/v3 Release as Helm would install it: `helm template` of the pinned archive
// with the release's exact values, name and namespace, the cluster's Kubernetes version, and the API versions
// of the CRDs the stack installs (so charts that gate objects on `.Capabilities.APIVersions` render them).
// Each release's objects go on its record as `rendered`, in the form of the program's typed objects, for the
// checks of review/chart-checks.ts. Renders are cached under node_modules/.cache/platform/render/, keyed by
// the archive's sha256, the values, release name, namespace, Kubernetes version, API versions and Helm
// version, so a warm review runs no Helm at all. Values reach Helm as recorded: secret values are already
// the "[secret]" placeholder there, so neither Helm nor the cache ever sees one in clear.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import type { KubeObject } from "./check-types";
import type { RecordedResource } from "./engine";
import type { HelmBinary, HelmMissing } from "./helm-binary";
import { ReviewError } from "./stack-file";

export const RELEASE_TYPE = "kubernetes:helm.sh/v3:Release";
const CRD_TYPE = "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition";
const CONFIG_FILE_TYPES = ["kubernetes:yaml/v2:ConfigFile", "kubernetes:yaml:ConfigFile"];

/**
 * What one release renders: how many objects, how many of each type (by type token), and the objects. A
 * CustomResourceDefinition is kept without its versions' OpenAPI `schema`: those are nine tenths of what the
 * charts render (5 MB for production); the crd-schemas check reads them from `Rendering.crds` instead.
 */
export type Rendered = NonNullable<RecordedResource["rendered"]>;

/** How rendering went, for the report: done, or why not, in one line. */
export interface Rendering {
  done: boolean;
  /** `helm version` of the Helm used, and where it was found. */
  helm?: string;
  /** Why nothing was rendered, when `done` is false. */
  note?: string;
  /** Kubernetes minor the charts were rendered for. */
  kubeVersion?: string;
  releases: number;
  /** Releases whose render came from the cache. */
  cached: number;
  /**
   * The CustomResourceDefinitions the stack installs, with their OpenAPI schemas: what the charts render and
   * what its ConfigFiles apply. For the crd-schemas check; the review leaves them out of the record.
   */
  crds?: KubeObject[];
}

/** Runs `helm <args>` and resolves to its standard output; tests pass their own to count the runs. */
export type HelmRunner = (args: string[]) => Promise<string>;

export interface RenderOptions {
  /** The project root: charts/ and the CRD files the records name are read from here. */
  root: string;
  helm: HelmBinary | HelmMissing;
  /** @default <root>/node_modules/.cache/platform/render */
  cacheDir?: string;
  /** @default - runs options.helm.path */
  run?: HelmRunner;
}

type Manifest = Record<string, unknown>;

/** One CRD the stack installs: what it adds to the API and whether its objects are namespaced. */
interface Crd {
  group: string;
  kind: string;
  versions: string[];
  namespaced: boolean;
}

/** Kinds of the built-in API that have no namespace (the charts' CRDs say their own scope). */
const CLUSTER_KINDS = new Set([
  "APIService",
  "CSIDriver",
  "CSINode",
  "CertificateSigningRequest",
  "ClusterRole",
  "ClusterRoleBinding",
  "CustomResourceDefinition",
  "FlowSchema",
  "IngressClass",
  "MutatingAdmissionPolicy",
  "MutatingAdmissionPolicyBinding",
  "MutatingWebhookConfiguration",
  "Namespace",
  "Node",
  "PersistentVolume",
  "PriorityClass",
  "PriorityLevelConfiguration",
  "RuntimeClass",
  "StorageClass",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
  "ValidatingWebhookConfiguration",
  "VolumeAttachment",
]);

const record = (value: unknown): Manifest =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Manifest) : {};
const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

/** The type token of a manifest, as recorded typed objects have it: core as `core/v1`. */
export function typeToken(apiVersion: string, kind: string): string {
  return `kubernetes:${apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`}:${kind}`;
}

function crdOf(manifest: Manifest): Crd | undefined {
  if (manifest.kind !== "CustomResourceDefinition") return undefined;
  const spec = record(manifest.spec);
  const group = text(spec.group);
  const kind = text(record(spec.names).kind);
  if (!group || !kind) return undefined;
  const versions = (Array.isArray(spec.versions) ? spec.versions : []).map(record).filter((v) => v.served !== false);
  return { group, kind, versions: versions.map((v) => text(v.name)).filter((v): v is string => !!v), namespaced: spec.scope !== "Cluster" };
}

/** Kubernetes' minor version of the stack's cluster: the EKS cluster's, else the Pod Security version its namespaces pin. */
export function clusterVersion(resources: RecordedResource[]): string | undefined {
  const eks = resources.find((r) => r.type === "aws:eks/cluster:Cluster");
  const version = text(eks?.inputs.version);
  if (version) return version;
  // GKE follows a release channel; the program pins the namespaces' Pod Security version to the configured minor.
  for (const r of resources.filter((r) => r.type === "kubernetes:core/v1:Namespace")) {
    const label = text(record(record(r.inputs.metadata).labels)["pod-security.kubernetes.io/enforce-version"]);
    if (label && /^v1\.\d+$/.test(label)) return label.slice(1);
  }
  return undefined;
}

/** Parses Helm's multi-document output; documents that are empty (a template that rendered nothing) are left out, a List is its items. */
export function parseManifests(yamlText: string, source: string): Manifest[] {
  const out: Manifest[] = [];
  for (const doc of parseAllDocuments(yamlText)) {
    if (doc.errors.length > 0) throw new ReviewError(`${source}: rendered YAML does not parse: ${doc.errors[0]!.message}`);
    const value = doc.toJS({ maxAliasCount: -1 }) as unknown;
    if (value === null || value === undefined) continue;
    const manifest = record(value);
    if (typeof manifest.kind !== "string" || typeof manifest.apiVersion !== "string")
      throw new ReviewError(`${source}: rendered a document without apiVersion and kind`);
    // A v1 List is applied as its items.
    if (manifest.apiVersion === "v1" && manifest.kind === "List" && Array.isArray(manifest.items)) out.push(...manifest.items.map(record));
    else out.push(manifest);
  }
  return out;
}

class Cache {
  hits = 0;
  constructor(private readonly dir: string) {}
  async get<T>(key: unknown, compute: () => Promise<T>): Promise<T> {
    const file = path.join(this.dir, `${sha256(JSON.stringify(key))}.json`);
    try {
      const value = JSON.parse(fs.readFileSync(file, "utf8")) as T;
      this.hits += 1;
      return value;
    } catch {
      const value = await compute();
      fs.mkdirSync(this.dir, { recursive: true });
      const partial = `${file}.${process.pid}`;
      fs.writeFileSync(partial, JSON.stringify(value));
      fs.renameSync(partial, file);
      return value;
    }
  }
}

/** Runs `jobs` at most `limit` at a time, results in order. */
async function pooled<T, R>(items: T[], limit: number, job: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await job(items[i]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function helmRunner(file: string): HelmRunner {
  return (args) =>
    new Promise((resolve, reject) => {
      execFile(file, args, { maxBuffer: 256 * 1024 * 1024, timeout: 120_000 }, (err, stdout, stderr) => {
        if (err) reject(new Error(stderr.trim() || err.message));
        else resolve(stdout);
      });
    });
}

/** What `helm template` needs of one recorded Release. */
interface Release {
  resource: RecordedResource;
  name: string;
  namespace: string;
  /** The archive, relative to the root as the record has it, and its sha256. */
  chart: string;
  chartSha: string;
  values: unknown;
  /** The chart's crds/ folder is installed unless the release sets skipCrds. */
  includeCrds: boolean;
}

function releaseOf(r: RecordedResource, root: string): Release {
  const at = `helm release ${r.name}`;
  const [name, namespace, chart] = [text(r.inputs.name), text(r.inputs.namespace), text(r.inputs.chart)];
  if (!name || !namespace || !chart) throw new ReviewError(`${at}: the record has no name, namespace or chart to render`);
  const file = path.resolve(root, chart);
  if (!fs.existsSync(file)) throw new ReviewError(`${at}: its chart ${chart} is not in ${root}`);
  return {
    resource: r,
    name,
    namespace,
    chart,
    chartSha: sha256(fs.readFileSync(file)),
    values: r.inputs.values ?? {},
    includeCrds: r.inputs.skipCrds !== true,
  };
}

interface Context {
  root: string;
  helm: HelmBinary;
  kubeVersion: string;
  cache: Cache;
  run: HelmRunner;
}

/** `helm template` of a release, parsed; the values go through a file of their own, removed afterwards. */
async function template(ctx: Context, release: Release, apiVersions: string[]): Promise<Manifest[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-render-"));
  try {
    const values = path.join(dir, "values.json");
    fs.writeFileSync(values, JSON.stringify(release.values));
    const args = [
      "template",
      release.name,
      path.resolve(ctx.root, release.chart),
      "--namespace",
      release.namespace,
      "--kube-version",
      `v${ctx.kubeVersion}.0`,
      "--values",
      values,
      ...apiVersions.flatMap((v) => ["--api-versions", v]),
      ...(release.includeCrds ? ["--include-crds"] : []),
    ];
    let out: string;
    try {
      out = await ctx.run(args);
    } catch (err) {
      throw new ReviewError(`helm release ${release.resource.name} (${release.chart}): helm template failed: ${(err as Error).message}`);
    }
    return parseManifests(out, `helm release ${release.resource.name} (${release.chart})`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Changes when what the cache holds for a key changes, so older entries are never read. */
const CACHE_FORMAT = 3;

const renderKey = (ctx: Context, release: Release, apiVersions: string[] | "probe") => ({
  format: CACHE_FORMAT,
  chart: release.chartSha,
  values: sha256(JSON.stringify(release.values)),
  name: release.name,
  namespace: release.namespace,
  includeCrds: release.includeCrds,
  kubeVersion: ctx.kubeVersion,
  helm: ctx.helm.version,
  apiVersions,
});

/**
 * The CRDs the program installs itself, schemas and all: its typed CustomResourceDefinitions and those in the
 * YAML files its ConfigFiles apply (each file parsed once per digest, then read from the cache).
 */
async function ownCrdManifests(ctx: Context, resources: RecordedResource[]): Promise<KubeObject[]> {
  const out = resources.filter((r) => r.type === CRD_TYPE).map((r): KubeObject => ({ type: CRD_TYPE, name: r.name, inputs: r.inputs }));
  for (const r of resources.filter((r) => CONFIG_FILE_TYPES.includes(r.type))) {
    const file = text(r.inputs.file);
    if (!file || /^[a-z]+:\/\//.test(file)) continue;
    const data = fs.readFileSync(path.resolve(ctx.root, file));
    const manifests = await ctx.cache.get({ format: CACHE_FORMAT, crdManifestsOf: sha256(data) }, () =>
      Promise.resolve(parseManifests(data.toString("utf8"), file).filter((m) => m.kind === "CustomResourceDefinition")),
    );
    out.push(...manifests.map((inputs) => ({ type: CRD_TYPE, name: text(record(inputs.metadata).name) ?? "", inputs, release: r.urn })));
  }
  return out;
}

/** A CRD without its versions' OpenAPI schemas; any other manifest as it is. */
function withoutSchemas(manifest: Manifest): Manifest {
  if (manifest.kind !== "CustomResourceDefinition" || !Array.isArray(record(manifest.spec).versions)) return manifest;
  const spec = record(manifest.spec);
  const versions = (spec.versions as unknown[]).map((v) =>
    Object.fromEntries(Object.entries(record(v)).filter(([key]) => key !== "schema")),
  );
  return { ...manifest, spec: { ...spec, versions } };
}

/** The `--api-versions` the CRDs add: `group/version` and `group/version/Kind`. */
function apiVersionsOf(crds: Crd[]): string[] {
  return [...new Set(crds.flatMap((c) => c.versions.flatMap((v) => [`${c.group}/${v}`, `${c.group}/${v}/${c.kind}`])))].sort();
}

/** A manifest of a release as a KubeObject: the namespace filled in for a namespaced kind, as Helm would apply it. */
function objectOf(release: Release, manifest: Manifest, clusterScoped: Set<string>): KubeObject {
  const type = typeToken(manifest.apiVersion as string, manifest.kind as string);
  const metadata = record(manifest.metadata);
  const namespaced =
    !CLUSTER_KINDS.has(manifest.kind as string) && !clusterScoped.has(`${manifest.apiVersion as string}:${manifest.kind as string}`);
  const inputs =
    namespaced && metadata.namespace === undefined ? { ...manifest, metadata: { ...metadata, namespace: release.namespace } } : manifest;
  return { type, name: text(metadata.name) ?? "", inputs, release: release.resource.urn };
}

/** The objects of a release, with their count and the count of each type. */
function objectsOf(release: Release, manifests: Manifest[], clusterScoped: Set<string>): Rendered {
  const objects = manifests.map((manifest) => objectOf(release, manifest, clusterScoped));
  const kinds: Record<string, number> = {};
  for (const o of [...objects].sort((a, b) => a.type.localeCompare(b.type))) kinds[o.type] = (kinds[o.type] ?? 0) + 1;
  return { count: objects.length, kinds, objects };
}

/**
 * Renders every Release of `resources` and sets `rendered` on each. First each release is rendered without
 * extra API versions to learn the CRDs the stack installs (only those are kept in the cache), then again
 * with those CRDs' API versions. Says in `note`, and renders nothing, when there is no Helm or no version.
 */
export async function renderReleases(resources: RecordedResource[], options: RenderOptions): Promise<Rendering> {
  const releases = resources.filter((r) => r.type === RELEASE_TYPE);
  if (releases.length === 0) return { done: true, releases: 0, cached: 0 };
  const notDone = (note: string): Rendering => ({ done: false, note, releases: releases.length, cached: 0 });
  if ("missing" in options.helm) return notDone(`charts not rendered: ${options.helm.missing}`);
  const kubeVersion = clusterVersion(resources);
  if (!kubeVersion)
    return notDone("charts not rendered: the stack names no Kubernetes version (no EKS cluster version, no Pod Security version label)");
  const ctx: Context = {
    root: options.root,
    helm: options.helm,
    kubeVersion,
    cache: new Cache(options.cacheDir ?? path.join(options.root, "node_modules", ".cache", "platform", "render")),
    run: options.run ?? helmRunner(options.helm.path),
  };
  const jobs = releases.map((r) => releaseOf(r, options.root));
  const probed = await pooled(jobs, 2, (job) =>
    ctx.cache.get(renderKey(ctx, job, "probe"), async () => (await template(ctx, job, [])).flatMap((m) => crdOf(m) ?? [])),
  );
  const own = await ownCrdManifests(ctx, resources);
  const crds = [...probed.flat(), ...own.flatMap((o) => crdOf(o.inputs) ?? [])];
  const apiVersions = apiVersionsOf(crds);
  const clusterScoped = new Set(crds.filter((c) => !c.namespaced).flatMap((c) => c.versions.map((v) => `${c.group}/${v}:${c.kind}`)));
  const hitsBefore = ctx.cache.hits;
  const rendered = await pooled(jobs, 2, (job) => ctx.cache.get(renderKey(ctx, job, apiVersions), () => template(ctx, job, apiVersions)));
  const cached = ctx.cache.hits - hitsBefore;
  jobs.forEach((job, i) => {
    job.resource.rendered = objectsOf(job, rendered[i]!.map(withoutSchemas), clusterScoped);
  });
  const crdObjects = [
    ...jobs.flatMap((job, i) =>
      rendered[i]!.filter((m) => m.kind === "CustomResourceDefinition").map((m) => objectOf(job, m, clusterScoped)),
    ),
    ...own,
  ];
  return {
    done: true,
    helm: `${ctx.helm.version} (${ctx.helm.source})`,
    kubeVersion,
    releases: jobs.length,
    cached,
    crds: crdObjects,
  };
}
