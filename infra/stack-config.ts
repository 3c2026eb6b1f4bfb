// Reads the stack's config from the engine once, for the whole program. Components never read config.
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, type PlatformConfig, resolveConfig, SECRET_KEYS, type SecretKey } from "./config";
import { configSecretCheck } from "./sdk-internals";

const NAMESPACE = "platform";
const SCALAR_KEYS = new Set(["cloud", "environment", "region", "domain"]);

interface SplitConfig {
  /** Non-secret `platform:*` values, objects parsed. */
  settings: Record<string, unknown>;
  /** Secret values by key, still plain here: callers wrap them with `pulumi.secret` at once. */
  secrets: Partial<Record<SecretKey, string>>;
  problems: string[];
}

/**
 * Splits the engine's flat config map (`platform:database` -> JSON text) into settings to validate and
 * secrets to keep out of validation. Keys outside `platform:` and `pulumi:` are refused: providers are
 * built from platform settings, so an `aws:region` would be silently ignored.
 */
export function splitConfig(all: Record<string, string>, isSecret: (key: string) => boolean): SplitConfig {
  const result: SplitConfig = { settings: {}, secrets: {}, problems: [] };
  for (const [key, value] of Object.entries(all).sort(([a], [b]) => a.localeCompare(b))) {
    const colon = key.indexOf(":");
    const namespace = key.slice(0, colon);
    const name = key.slice(colon + 1);
    if (namespace === "pulumi") continue;
    if (namespace !== NAMESPACE) {
      result.problems.push(
        `${key} is not read by this program: providers are configured from platform:* keys (remove it, or use platform:region, platform:aws, platform:gcp)`,
      );
      continue;
    }
    if ((SECRET_KEYS as readonly string[]).includes(name)) {
      if (isSecret(key)) result.secrets[name as SecretKey] = value;
      else result.problems.push(`${key} must be a secret, not plain text: set it with \`pulumi config set --secret ${name} <value>\``);
      continue;
    }
    if (isSecret(key)) {
      result.problems.push(`${key} must not hold secrets; only ${SECRET_KEYS.map((k) => `${NAMESPACE}:${k}`).join(", ")} may be secret`);
      continue;
    }
    result.settings[name] = SCALAR_KEYS.has(name) ? value : parseStructured(value);
  }
  return result;
}

/** The engine hands structured values over as JSON text; anything else stays text for the schema to reject. */
export function parseStructured(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

interface LoadedConfig {
  config: PlatformConfig;
  secrets: Partial<Record<SecretKey, pulumi.Output<string>>>;
}

/** The stack file the running stack's config comes from, as errors name it. */
export function stackFileName(): string {
  return `Pulumi.${pulumi.getStack()}.yaml`;
}

/** Validates the running stack's config, or throws a ConfigError naming the stack file and each key. */
export function loadConfig(): LoadedConfig {
  const isSecret = configSecretCheck();
  const stackFile = stackFileName();
  const all = pulumi.runtime.allConfig();
  const split = splitConfig(all, isSecret);
  // A secret key set in plain text is reported as such, not also as missing.
  const present = SECRET_KEYS.filter((key) => `${NAMESPACE}:${key}` in all);
  let config: PlatformConfig | undefined;
  let problems = split.problems;
  try {
    config = resolveConfig(split.settings, stackFile, present);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems = [...problems, ...err.problems];
  }
  if (problems.length > 0 || config === undefined) throw new ConfigError(stackFile, problems);
  const secrets: LoadedConfig["secrets"] = {};
  for (const [key, value] of Object.entries(split.secrets) as Array<[SecretKey, string]>) secrets[key] = pulumi.secret(value);
  return { config, secrets };
}
