// Loads a project and one of its stack files the way the Pulumi CLI hands them to a program: a flat map
// of `namespace:key` to text (structured values as JSON), with project-level values and defaults from
// Pulumi.yaml applied, and `secure:` values replaced by placeholders that are marked secret.
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

export class ReviewError extends Error {
  override name = "ReviewError";
}

export interface Project {
  root: string;
  name: string;
  /** Absolute path of the program's entry point. */
  main: string;
  /** Pulumi.yaml `config:` block, as written. */
  config: Record<string, unknown>;
}

export interface StackConfig {
  stack: string;
  /** The stack file's path as given, used in messages. */
  file: string;
  /** `namespace:key` -> text, exactly what the engine would pass the program. */
  config: Record<string, string>;
  /** Keys whose value is a secret (a `secure:` value anywhere inside it). */
  secretKeys: string[];
}

function readYaml(file: string, label: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    throw new ReviewError(`${label}: cannot be read`);
  }
  try {
    return parse(text) as unknown;
  } catch (err) {
    throw new ReviewError(`${label}: is not valid YAML: ${(err as Error).message.split("\n")[0]}`);
  }
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

export function loadProject(root: string): Project {
  const doc = readYaml(path.join(root, "Pulumi.yaml"), "Pulumi.yaml");
  if (!isMapping(doc) || typeof doc.name !== "string") throw new ReviewError("Pulumi.yaml: must be a mapping with a project name");
  const main = typeof doc.main === "string" ? doc.main : ".";
  return { root, name: doc.name, main: path.resolve(root, main), config: isMapping(doc.config) ? doc.config : {} };
}

/** Names of the stacks with a Pulumi.<stack>.yaml beside Pulumi.yaml. */
export function listStacks(root: string): string[] {
  return fs
    .readdirSync(root)
    .map((f) => /^Pulumi\.(.+)\.ya?ml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

const PLACEHOLDER = (key: string) => `<secret ${key}>`;

/** Replaces `{ secure: ... }` leaves with placeholders; reports whether any was found. */
function unwrapSecure(value: unknown, key: string): { value: unknown; secret: boolean } {
  if (isMapping(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === "secure") return { value: PLACEHOLDER(key), secret: true };
    let secret = false;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const inner = unwrapSecure(v, `${key}.${k}`);
      out[k] = inner.value;
      secret ||= inner.secret;
    }
    return { value: out, secret };
  }
  if (Array.isArray(value)) {
    const items = value.map((v, i) => unwrapSecure(v, `${key}[${i}]`));
    return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
  }
  return { value, secret: false };
}

/** The engine passes scalars as their text and everything structured as JSON. */
function asConfigText(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return value === null || value === undefined ? "" : JSON.stringify(value);
}

/**
 * Reads `Pulumi.<stack>.yaml` (or `file`) and merges the project's config block as the CLI does:
 * project-namespaced declarations contribute their `default`, other namespaces their `value`, both
 * only where the stack file says nothing.
 */
export function loadStackConfig(project: Project, stack: string, file?: string): StackConfig {
  const stackFile = file ?? path.join(project.root, `Pulumi.${stack}.yaml`);
  const label = file ?? path.basename(stackFile);
  if (!fs.existsSync(stackFile)) {
    const known = listStacks(project.root);
    throw new ReviewError(`${label}: no such stack file (stacks here: ${known.join(", ") || "none"})`);
  }
  const doc = readYaml(stackFile, label) ?? {};
  if (!isMapping(doc)) throw new ReviewError(`${label}: must be a mapping with a config: block`);
  if (doc.environment !== undefined) {
    throw new ReviewError(`${label}: imports Pulumi ESC environments (environment:), which the offline review cannot resolve`);
  }
  const stackValues = doc.config ?? {};
  if (!isMapping(stackValues)) throw new ReviewError(`${label}: config must be a mapping of namespace:key to values`);

  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, raw] of Object.entries(stackValues)) {
    if (!/^[^:]+:[^:]+$/.test(key))
      throw new ReviewError(`${label}: config key ${key} must be written namespace:key, e.g. ${project.name}:${key}`);
    const { value, secret } = unwrapSecure(raw, key);
    config[key] = asConfigText(value);
    if (secret) secretKeys.push(key);
  }
  for (const [declared, spec] of Object.entries(project.config)) {
    const key = declared.includes(":") ? declared : `${project.name}:${declared}`;
    if (key in config || !isMapping(spec)) continue;
    const fromProject = key.startsWith(`${project.name}:`) ? spec.default : spec.value;
    if (fromProject !== undefined) config[key] = asConfigText(fromProject);
  }
  return { stack, file: label, config, secretKeys: secretKeys.sort() };
}
