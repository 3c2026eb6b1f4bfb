// What an AppService uses for each argument left out, in a module of its own with no Pulumi SDK behind it,
// so the environment profiles (infra/profiles.ts) start from the same values without loading the
// Kubernetes SDK.
import { DEFAULT_USER_ID } from "./pod-security";

/** The arguments of an AppService that have defaults: its sizing, probe paths, port, HSTS, user and autoscaling target. */
export interface AppServiceDefaults {
  port: number;
  replicas: number;
  minReplicas: number;
  maxReplicas: number;
  cpuRequest: string;
  cpuLimit: string;
  memoryRequest: string;
  memoryLimit: string;
  healthPath: string;
  readyPath: string;
  metricsPath: string;
  hstsMaxAgeSeconds: number;
  userId: number;
  targetCpuUtilization: number;
}

/**
 * What an AppService uses for each argument left out, and what the production profile's app defaults
 * (infra/profiles.ts `appDefaultsFor("production")`) are built from, with a year-long HSTS, so an app given only its
 * name, image, hostname and wiring is sized and probed as production would run it. Each is documented
 * with `@default` on AppServiceArgs; a test holds the two together.
 */
export const APP_SERVICE_DEFAULTS: Readonly<AppServiceDefaults> = Object.freeze({
  port: 8080,
  replicas: 3,
  minReplicas: 2,
  maxReplicas: 10,
  cpuRequest: "100m",
  cpuLimit: "500m",
  memoryRequest: "128Mi",
  memoryLimit: "256Mi",
  healthPath: "/healthz",
  readyPath: "/readyz",
  metricsPath: "/metrics",
  hstsMaxAgeSeconds: 31_536_000,
  userId: DEFAULT_USER_ID,
  targetCpuUtilization: 70,
});
