// GIVEN the table of replace-on-change inputs the review's diff reads (review/replace-inputs.ts)
// WHEN its AWS entries are checked against where they were read from
// THEN every AWS type names the terraform-provider-aws file and version it was read from and every input the
//      schema attribute that makes it replace; an entry without them, or an aws: type listed elsewhere, is one
//      line naming it; every input is a property the pinned @pulumi/aws SDK takes; and the corrections the audit
//      made hold: identifier renames an RDS instance in place, preferredCacheClusterAzs does not replace a
//      cache, a node group's launch template id does.
import { describe, expect, test } from "@jest/globals";
import * as fs from "node:fs";
import * as path from "node:path";
import { replacingPaths } from "../../review/diff";
import { AWS_REPLACE_SOURCES, REPLACE_INPUTS, replaceSourceProblems, type ReplaceSource } from "../../review/replace-inputs";

const SDK = path.resolve(__dirname, "..", "..", "node_modules", "@pulumi", "aws");

describe("the AWS entries' sources", () => {
  test("every AWS entry names its file, its version and each input's attribute", () => {
    expect(replaceSourceProblems(AWS_REPLACE_SOURCES)).toEqual([]);
    for (const [type, source] of Object.entries(AWS_REPLACE_SOURCES)) expect(REPLACE_INPUTS[type]).toEqual(Object.keys(source.inputs));
  });

  test("GIVEN an entry added without its source THEN each gap is one line", () => {
    const planted: Record<string, ReplaceSource> = {
      ...AWS_REPLACE_SOURCES,
      "aws:rds/cluster:Cluster": { file: "the docs", read: "", inputs: { clusterIdentifier: "" } },
    };
    expect(replaceSourceProblems(planted, { "aws:docdb/cluster:Cluster": ["clusterIdentifier"] })).toEqual([
      'aws:rds/cluster:Cluster: names no hashicorp/terraform-provider-aws internal/service/ file it was read from (got "the docs")',
      "aws:rds/cluster:Cluster: says not which version of the docs was read",
      "aws:rds/cluster:Cluster clusterIdentifier: says not which schema attribute makes it replace",
      "aws:docdb/cluster:Cluster: is listed without its source; list it in AWS_REPLACE_SOURCES with the file, version and attribute of each input",
    ]);
  });

  test("every input is a property the pinned SDK's resource takes; a misspelt one is named", () => {
    expect(inputsTheSdkLacks(AWS_REPLACE_SOURCES)).toEqual([]);
    const planted = { "aws:kms/key:Key": { ...AWS_REPLACE_SOURCES["aws:kms/key:Key"]!, inputs: { keySpec: "key_spec: ForceNew" } } };
    expect(inputsTheSdkLacks(planted)).toEqual(["aws:kms/key:Key keySpec"]);
  });
});

/** The inputs of the table whose first path segment the SDK's `<Resource>Args` interface does not declare. */
function inputsTheSdkLacks(sources: Readonly<Record<string, ReplaceSource>>): string[] {
  const missing: string[] = [];
  for (const [type, source] of Object.entries(sources)) {
    const [, module = "", resource = ""] = /^aws:([^/]+)\/([^:]+):/.exec(type) ?? [];
    const dts = fs.readFileSync(path.join(SDK, module, `${resource}.d.ts`), "utf8");
    const args = dts.slice(dts.indexOf(`export interface ${type.split(":").pop()}Args`));
    for (const input of Object.keys(source.inputs)) {
      if (!new RegExp(`^    ${input.split(".")[0]}\\??:`, "m").test(args)) missing.push(`${type} ${input}`);
    }
  }
  return missing;
}

describe("what the audit corrected", () => {
  test.each<[string, string[], string[]]>([
    ["aws:rds/instance:Instance", ["identifier", "identifierPrefix"], []],
    ["aws:rds/instance:Instance", ["backupTarget"], ["backupTarget"]],
    ["aws:elasticache/replicationGroup:ReplicationGroup", ["preferredCacheClusterAzs"], []],
    ["aws:elasticache/replicationGroup:ReplicationGroup", ["networkType"], ["networkType"]],
    ["aws:eks/nodeGroup:NodeGroup", ["launchTemplate.id", "launchTemplate.version"], ["launchTemplate.id"]],
    [
      "aws:eks/cluster:Cluster",
      ["remoteNetworkConfig", "encryptionConfig.provider.keyArn"],
      ["remoteNetworkConfig", "encryptionConfig.provider.keyArn"],
    ],
    ["aws:ebs/volume:Volume", ["multiAttachEnabled"], ["multiAttachEnabled"]],
  ])("%s: of %j these replace: %j", (type, paths, replacing) => {
    expect(replacingPaths(type, paths)).toEqual(replacing);
  });
});
