// GIVEN the workload components (apps, backups, monitoring) and their credentials helper
// WHEN their argument interfaces are read from source
// THEN every optional argument states what it defaults to with `@default`, and the documented defaults of
//      the backups are the constants the code applies.
import { describe, expect, test } from "@jest/globals";
import { DEFAULT_MAX_DUMP_AGE_HOURS } from "../../components/kubernetes/backups";
import { documentedDefaults, optionalArguments } from "./documented-defaults";

const FILES = [
  "components/kubernetes/app-service.ts",
  "components/kubernetes/backups.ts",
  "components/kubernetes/monitoring.ts",
  "components/kubernetes/credentials.ts",
];

describe("documented defaults", () => {
  test.each(FILES)("every optional argument in %s states its @default", (file) => {
    const undocumented = optionalArguments(file)
      .filter((a) => !a.default)
      .map((a) => `${a.interfaceName}.${a.property}`);
    expect(undocumented).toEqual([]);
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
