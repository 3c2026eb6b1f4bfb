// The Helm charts the platform installs travel with the project: each pinned chart is an archive in charts/
// beside Pulumi.yaml, listed in charts/charts.lock.json with its version, digest and upstream source. A
// deploy reads the archive instead of a chart repository, so it needs no registry and installs exactly the
// bytes that were reviewed. Nothing here creates resources; the program checks the archives before it
// registers anything, so a missing or mismatched archive stops `pulumi up` with the chart's name.
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";

/** A chart pinned to one version, from an HTTP repository or an OCI registry (`oci://...` in `chart`). */
export interface HelmChart {
  chart: string;
  version: string;
  /** HTTP(S) chart repository; left out for OCI charts. @default - none: `chart` is an `oci://` reference */
  repo?: string;
}

/** What an archive of charts/ holds: a Helm chart, or the CRD manifests a chart ships without. */
export type ArchiveKind = "chart" | "crds";

/** One archive the code pins: the lock must list it under this name and version. */
export interface ArchivePin {
  kind: ArchiveKind;
  /** The chart's name (`external-secrets`), or `<chart>-crds` for a CRD bundle. */
  name: string;
  version: string;
  /** Where `npm run charts -- pull` fetches it: an HTTP(S) repository, an `oci://` chart reference or a file URL. */
  repository: string;
}

export interface LockEntry {
  name: string;
  version: string;
  kind: ArchiveKind;
  /** File name in charts/. */
  file: string;
  sha256: string;
  source: {
    /** HTTP(S) chart repository, `oci://` chart reference, or the URL of a CRD bundle. */
    repository: string;
    /** The upstream tag or commit the archive was built from or published for. */
    ref: string;
  };
}

export interface ChartLock {
  archives: LockEntry[];
}

/** Folder of the archives and the lock, relative to the project root. */
export const CHARTS_DIR = "charts";
export const LOCK_FILE = `${CHARTS_DIR}/charts.lock.json`;

const VERSION = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

/** The name Helm knows a chart by: the last segment of an OCI reference, or the chart itself. */
export function chartName(chart: HelmChart): string {
  return chart.chart.startsWith("oci://") ? chart.chart.slice(chart.chart.lastIndexOf("/") + 1) : chart.chart;
}

/** The lock entry a pinned chart needs, and where `pull` fetches it from. */
export function chartPin(chart: HelmChart): ArchivePin {
  if (!VERSION.test(chart.version))
    throw new Error(`chart ${chart.chart} must be pinned to an exact version (got ${JSON.stringify(chart.version)})`);
  if (!chart.chart.startsWith("oci://") && chart.repo === undefined)
    throw new Error(`chart ${chart.chart} needs a repository or an oci:// reference`);
  return { kind: "chart", name: chartName(chart), version: chart.version, repository: chart.repo ?? chart.chart };
}

/** The CRD bundle that goes with a chart whose archive renders no CRDs, fetched from `url` at the chart's version. */
export function crdsPin(chart: HelmChart, url: string): ArchivePin {
  return { kind: "crds", name: `${chartName(chart)}-crds`, version: chart.version, repository: url };
}

/** The folder holding Pulumi.yaml above `from` (this module's folder, in the sources or in a build). */
export function projectRoot(from: string = __dirname): string {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no Pulumi.yaml in ${from} or any folder above it: the project root is unknown`);
  }
}

function lockEntry(value: unknown, index: number): LockEntry {
  const at = `${LOCK_FILE}: archives[${index}]`;
  const e = value as Partial<LockEntry> | null;
  for (const key of ["name", "version", "file", "sha256"] as const)
    if (typeof e?.[key] !== "string" || e[key] === "") throw new Error(`${at}.${key} must be a non-empty string`);
  if (e!.kind !== "chart" && e!.kind !== "crds") throw new Error(`${at}.kind must be "chart" or "crds" (got ${JSON.stringify(e!.kind)})`);
  if (!/^[0-9a-f]{64}$/.test(e!.sha256!)) throw new Error(`${at}.sha256 must be 64 lowercase hex digits`);
  if (path.basename(e!.file!) !== e!.file) throw new Error(`${at}.file must be a file name in ${CHARTS_DIR}/ (got ${e!.file})`);
  if (typeof e!.source?.repository !== "string" || typeof e!.source.ref !== "string")
    throw new Error(`${at}.source must have a repository and a ref`);
  return e as LockEntry;
}

/** The lock of the project at `root`, its shape checked. */
export function readLock(root: string = projectRoot()): ChartLock {
  const file = path.join(root, LOCK_FILE);
  if (!fs.existsSync(file)) throw new Error(`${LOCK_FILE} is missing: it lists the chart archives the platform installs`);
  const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as { archives?: unknown };
  if (!Array.isArray(parsed.archives)) throw new Error(`${LOCK_FILE}: archives must be a list`);
  return { archives: parsed.archives.map(lockEntry) };
}

/** The lock entry of a pin: present, and at the pinned version. */
export function lockedEntry(lock: ChartLock, pin: ArchivePin): LockEntry {
  const entry = lock.archives.find((e) => e.kind === pin.kind && e.name === pin.name);
  if (!entry) throw new Error(`${LOCK_FILE} has no ${pin.kind} ${pin.name} (the code pins ${pin.version}): run \`npm run charts -- pull\``);
  if (entry.version !== pin.version)
    throw new Error(
      `${LOCK_FILE} locks ${pin.kind} ${pin.name} at ${entry.version} but the code pins ${pin.version}: run \`npm run charts -- pull\``,
    );
  return entry;
}

/** The path of a tar member, with a PAX `path` record taking over from the header's name. */
function tarPath(header: Buffer, pax: string | undefined): string {
  if (pax !== undefined) return pax;
  const field = (start: number, length: number) => header.toString("utf8", start, start + length).replace(/\0.*$/s, "");
  const prefix = field(345, 155);
  return prefix ? `${prefix}/${field(0, 100)}` : field(0, 100);
}

const MORE = Symbol("more of the archive is needed");

/** The first member of a tar whose path `wanted` accepts; MORE when `tar` is a prefix that ends before it is known. */
function tarMember(tar: Buffer, wanted: (memberPath: string) => boolean, complete: boolean): string | undefined | typeof MORE {
  let pax: string | undefined;
  for (let at = 0; at + 512 <= tar.length;) {
    const header = tar.subarray(at, at + 512);
    if (header.every((b) => b === 0)) return undefined;
    const size = parseInt(header.toString("ascii", 124, 136).replace(/\0.*$/s, "").trim() || "0", 8);
    const type = String.fromCharCode(header[156]!);
    if (!complete && at + 512 + size > tar.length) return MORE;
    const body = tar.subarray(at + 512, at + 512 + size);
    at += 512 + Math.ceil(size / 512) * 512;
    if (type === "x") {
      pax = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(body.toString("utf8"))?.[1];
      continue;
    }
    const member = tarPath(header, pax);
    pax = undefined;
    if ((type === "0" || type === "\0") && wanted(member)) return body.toString("utf8");
  }
  return complete ? undefined : MORE;
}

/**
 * The text of the first member of a .tgz whose path `wanted` accepts. The archive is inflated from its start
 * only as far as that member (Helm writes Chart.yaml first), so reading a chart's name does not inflate the chart.
 */
export function tgzMember(archive: Buffer, wanted: (memberPath: string) => boolean): string | undefined {
  for (let take = 64 * 1024; ; take *= 8) {
    const complete = take >= archive.length;
    const tar = complete
      ? zlib.gunzipSync(archive)
      : zlib.gunzipSync(archive.subarray(0, take), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    const found = tarMember(tar, wanted, complete);
    if (found !== MORE) return found;
  }
}

/** `name` and `version` of the chart in a Helm archive: its top-level Chart.yaml, not a subchart's. */
export function archiveChart(archive: Buffer): { name: string; version: string } {
  const text = tgzMember(archive, (p) => /^[^/]+\/Chart\.yaml$/.test(p));
  if (text === undefined) throw new Error("no Chart.yaml at the top of the archive");
  const field = (key: string) => new RegExp(`^${key}:\\s*["']?([^"'\\s#]+)`, "m").exec(text)?.[1];
  const name = field("name");
  const version = field("version");
  if (!name || !version) throw new Error("its Chart.yaml has no name or no version");
  return { name, version };
}

const checked = new Map<string, string>();

/**
 * The archive of a pinned chart or CRD bundle, as the path the Release or ConfigFile reads, relative to the
 * project root (where `pulumi up` runs the program and its providers), so the inputs are the same on every
 * machine. Throws, naming the chart, unless the lock lists it at the pinned version, the file exists, and
 * a chart archive's Chart.yaml has the pinned name and version.
 */
export function localArchive(pin: ArchivePin, root: string = projectRoot()): string {
  const key = `${root}\0${pin.kind}\0${pin.name}\0${pin.version}`;
  const known = checked.get(key);
  if (known) return known;
  const entry = lockedEntry(readLock(root), pin);
  const relative = `./${CHARTS_DIR}/${entry.file}`;
  const file = path.join(root, CHARTS_DIR, entry.file);
  if (!fs.existsSync(file))
    throw new Error(`${CHARTS_DIR}/${entry.file} (${pin.kind} ${pin.name} ${pin.version}) is missing: run \`npm run charts -- pull\``);
  if (pin.kind === "chart") {
    let found: { name: string; version: string };
    try {
      found = archiveChart(fs.readFileSync(file));
    } catch (e) {
      throw new Error(`${CHARTS_DIR}/${entry.file} is not a readable Helm chart archive of ${pin.name}: ${(e as Error).message}`);
    }
    if (found.name !== pin.name || found.version !== pin.version)
      throw new Error(
        `${CHARTS_DIR}/${entry.file} holds chart ${found.name} ${found.version}, but the code pins ${pin.name} ${pin.version}`,
      );
  }
  checked.set(key, relative);
  return relative;
}

export function sha256(file: string): string {
  return crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}
