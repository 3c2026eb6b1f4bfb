// GIVEN every component's source (components/, all clouds and the Kubernetes layer, and bootstrap/)
// WHEN its argument interfaces are read
// THEN every optional argument states what it defaults to with `@default`, as aws-cdk documents its
//      properties, and where a test can see the default applied, the documented value is the applied one
//      (here the backups' and monitoring's; test/aws/arg-docs.test.ts and app-service.test.ts hold the others).
import { describe, expect, test } from "@jest/globals";
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULT_MAX_DUMP_AGE_HOURS } from "../components/kubernetes/backups";
import { documentedDefaults, optionalArguments } from "./documented-defaults";

function componentFiles(dir: string): string[] {
  return fs.readdirSync(path.join(__dirname, "..", dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) return componentFiles(rel);
    return entry.name.endsWith(".ts") ? [rel] : [];
  });
}
const FILES = [...componentFiles("components"), ...componentFiles("bootstrap")];

describe("documented defaults", () => {
  test("every optional argument of every component states its @default", () => {
    const undocumented = FILES.flatMap((file) =>
      optionalArguments(file)
        .filter((a) => !a.default)
        .map((a) => `${file} ${a.interfaceName}.${a.property}`),
    );
    expect(undocumented).toEqual([]);
    // The check reads something: the components have dozens of optional arguments.
    expect(FILES.flatMap((file) => optionalArguments(file)).length).toBeGreaterThan(30);
  });

  test("the backups' documented defaults are the ones applied", () => {
    expect(documentedDefaults("components/kubernetes/backups.ts", "PostgresBackupsArgs")).toEqual({
      namespace: "backups",
      maxDumpAgeHours: DEFAULT_MAX_DUMP_AGE_HOURS,
    });
  });

  test("the monitoring namespace's documented default is the one applied", () => {
    expect(documentedDefaults("components/kubernetes/monitoring.ts", "MonitoringArgs")).toMatchObject({ namespace: "monitoring" });
  });
});
