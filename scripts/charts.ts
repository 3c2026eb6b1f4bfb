// `npm run charts -- verify`: checks charts/ offline: every archive's sha256 against charts/charts.lock.json,
// each chart archive's Chart.yaml against its lock entry, and the lock against the charts the code pins
// (infra/charts.ts), both ways. One line per problem; exit status 1 when there is any.
// `npm run charts -- pull`: fetches every pinned version from its upstream repository (`helm pull`, with
// Helm from $HELM or PATH; CRD bundles over HTTPS), replaces the archives and rewrites the lock. Without
// Helm or the network it prints what it would fetch and changes nothing.
import { spawnSync } from "node:child_process";
import * as dns from "node:dns/promises";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  archiveChart,
  type ArchivePin,
  CHARTS_DIR,
  type ChartLock,
  LOCK_FILE,
  type LockEntry,
  lockedEntry,
  projectRoot,
  readLock,
  sha256,
} from "../components/charts";
import { CHARTS } from "../infra/charts";

const key = (p: { kind: string; name: string }) => `${p.kind} ${p.name}`;

/** Problems with one lock entry's file: missing, another digest, or a chart archive of another name or version. */
function archiveProblems(root: string, entry: LockEntry): string[] {
  const rel = `${CHARTS_DIR}/${entry.file}`;
  const file = path.join(root, CHARTS_DIR, entry.file);
  if (!fs.existsSync(file)) return [`${rel}: missing (${LOCK_FILE} lists it for ${key(entry)} ${entry.version})`];
  const digest = sha256(file);
  if (digest !== entry.sha256) return [`${rel}: sha256 is ${digest}, ${LOCK_FILE} says ${entry.sha256}`];
  if (entry.kind !== "chart") return [];
  try {
    const found = archiveChart(fs.readFileSync(file));
    return found.name === entry.name && found.version === entry.version
      ? []
      : [`${rel}: holds chart ${found.name} ${found.version}, ${LOCK_FILE} says ${entry.name} ${entry.version}`];
  } catch (e) {
    return [`${rel}: not a Helm chart archive: ${(e as Error).message}`];
  }
}

/** Every problem with charts/ at `root` against the pins, one line each; empty when all is consistent. */
export function verifyCharts(root: string = projectRoot(), pins: readonly ArchivePin[] = CHARTS): string[] {
  let lock: ChartLock;
  try {
    lock = readLock(root);
  } catch (e) {
    return [(e as Error).message];
  }
  const problems = lock.archives.flatMap((entry) => archiveProblems(root, entry));
  for (const pin of pins) {
    try {
      lockedEntry(lock, pin);
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  const pinned = new Set(pins.map(key));
  for (const entry of lock.archives)
    if (!pinned.has(key(entry))) problems.push(`${LOCK_FILE}: ${key(entry)} ${entry.version} is pinned by no code (infra/charts.ts)`);
  const seen = new Map<string, number>();
  for (const entry of lock.archives) seen.set(key(entry), (seen.get(key(entry)) ?? 0) + 1);
  for (const [k, n] of seen) if (n > 1) problems.push(`${LOCK_FILE}: ${k} is listed ${n} times`);
  const listed = new Set(lock.archives.map((e) => e.file));
  for (const file of fs.readdirSync(path.join(root, CHARTS_DIR)).sort())
    if (`${CHARTS_DIR}/${file}` !== LOCK_FILE && !listed.has(file)) problems.push(`${CHARTS_DIR}/${file}: not in ${LOCK_FILE}`);
  return problems;
}

/** The file a pull writes for a pin: the name `helm pull` gives a chart, or `<chart>-<version>-crds.yaml`. */
export function pulledFile(pin: ArchivePin): string {
  return pin.kind === "chart" ? `${pin.name}-${pin.version}.tgz` : `${pin.name.replace(/-crds$/, "")}-${pin.version}-crds.yaml`;
}

/** The `helm pull` arguments for a chart pin, into `dir`. */
export function helmPullArgs(pin: ArchivePin, dir: string): string[] {
  const source = pin.repository.startsWith("oci://") ? [pin.repository] : [pin.name, "--repo", pin.repository];
  return ["pull", ...source, "--version", pin.version, "--destination", dir];
}

/** What a pull does for each pin, as lines to show. */
export function pullPlan(pins: readonly ArchivePin[], helm: string): string[] {
  return pins.map((pin) =>
    pin.kind === "chart"
      ? `${helm} ${helmPullArgs(pin, CHARTS_DIR).join(" ")}`
      : `download ${pin.repository} -> ${CHARTS_DIR}/${pulledFile(pin)}`,
  );
}

/** Why a pull cannot run here, or undefined when Helm runs and every upstream host resolves. */
async function pullBlocker(pins: readonly ArchivePin[], helm: string): Promise<string | undefined> {
  const version = spawnSync(helm, ["version", "--short"], { encoding: "utf8" });
  if (version.error || version.status !== 0)
    return `Helm is not available (${helm}: ${version.error?.message ?? version.stderr.trim()}); set HELM or put helm on PATH`;
  for (const pin of pins) {
    const host = new URL(pin.repository.replace(/^oci:\/\//, "https://")).hostname;
    try {
      await dns.lookup(host);
    } catch {
      return `the network is not reachable (${host} does not resolve)`;
    }
  }
  return undefined;
}

async function fetchOne(pin: ArchivePin, helm: string, dir: string): Promise<void> {
  if (pin.kind === "crds") {
    const response = await fetch(pin.repository);
    if (!response.ok) throw new Error(`${pin.repository}: HTTP ${response.status}`);
    fs.writeFileSync(path.join(dir, pulledFile(pin)), Buffer.from(await response.arrayBuffer()));
    return;
  }
  const run = spawnSync(helm, helmPullArgs(pin, dir), { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`helm pull ${pin.name} ${pin.version}: ${run.stderr.trim() || run.error?.message}`);
  if (!fs.existsSync(path.join(dir, pulledFile(pin)))) throw new Error(`helm pull ${pin.name} ${pin.version} wrote no ${pulledFile(pin)}`);
}

/** Fetches every pin into a scratch folder, then replaces charts/ and the lock only when all arrived. */
export async function pullCharts(root: string = projectRoot(), pins: readonly ArchivePin[] = CHARTS): Promise<number> {
  const helm = process.env.HELM ?? "helm";
  const blocker = await pullBlocker(pins, helm);
  if (blocker) {
    console.error(`charts pull: ${blocker}. Nothing changed. It would run:\n${pullPlan(pins, helm).join("\n")}`);
    console.error(`and rewrite ${LOCK_FILE} with each file's sha256.`);
    return 1;
  }
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "charts-pull-"));
  try {
    for (const pin of pins) await fetchOne(pin, helm, scratch);
    const dir = path.join(root, CHARTS_DIR);
    for (const file of fs.readdirSync(dir)) if (`${CHARTS_DIR}/${file}` !== LOCK_FILE) fs.rmSync(path.join(dir, file));
    const archives: LockEntry[] = pins.map((pin) => {
      const file = pulledFile(pin);
      fs.copyFileSync(path.join(scratch, file), path.join(dir, file));
      const ref = pin.kind === "chart" ? `${pin.name} ${pin.version} as the repository publishes it` : "the file at that URL";
      return {
        name: pin.name,
        version: pin.version,
        kind: pin.kind,
        file,
        sha256: sha256(path.join(dir, file)),
        source: { repository: pin.repository, ref },
      };
    });
    fs.writeFileSync(path.join(root, LOCK_FILE), `${JSON.stringify({ archives }, null, 2)}\n`);
    console.log(`charts pull: ${archives.length} archives in ${CHARTS_DIR}/, ${LOCK_FILE} rewritten`);
    return 0;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

async function main(argv: string[]): Promise<number> {
  const command = argv[0];
  if (command === "verify") {
    const problems = verifyCharts();
    for (const p of problems) console.error(p);
    if (problems.length === 0) console.log(`charts verify: ${CHARTS.length} archives match ${LOCK_FILE} and the code's pins`);
    return problems.length === 0 ? 0 : 1;
  }
  if (command === "pull") return pullCharts();
  console.error(`usage: npm run charts -- verify|pull (got ${JSON.stringify(argv.join(" "))})`);
  return 2;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      console.error(`charts: ${(e as Error).message}`);
      process.exitCode = 1;
    },
  );
}
