// GIVEN a project folder with Pulumi.yaml and a stack file
// WHEN the review loads them
// THEN the program gets the config map the Pulumi CLI would pass, with secure values as secrets.
import { describe, expect, test } from "@jest/globals";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadProject, loadStackConfig, ReviewError } from "../review/stack-file";

function projectWith(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "project-"));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(root, name), text);
  return root;
}

const PROJECT = `name: demo
runtime: nodejs
main: src/index.ts
config:
  size:
    type: integer
    default: 3
  region:
    type: string
  pulumi:disable-default-providers:
    value: [aws]
`;

describe("loading a stack", () => {
  test("scalars as text, structures as JSON, secure values as marked placeholders, project defaults and values merged", () => {
    const root = projectWith({
      "Pulumi.yaml": PROJECT,
      "Pulumi.dev.yaml": `config:
  demo:region: eu-west-1
  demo:replicas: 2
  demo:enabled: true
  demo:db:
    name: app
    password:
      secure: v1:abc:def
  demo:token:
    secure: v1:ghi:jkl
`,
    });
    const project = loadProject(root);
    expect(project).toEqual({ root, name: "demo", main: path.join(root, "src/index.ts"), config: expect.any(Object) as unknown });
    expect(loadStackConfig(project, "dev")).toEqual({
      stack: "dev",
      file: "Pulumi.dev.yaml",
      config: {
        "demo:region": "eu-west-1",
        "demo:replicas": "2",
        "demo:enabled": "true",
        "demo:db": '{"name":"app","password":"<secret demo:db.password>"}',
        "demo:token": "<secret demo:token>",
        "demo:size": "3",
        "pulumi:disable-default-providers": '["aws"]',
      },
      secretKeys: ["demo:db", "demo:token"],
    });
  });

  test("the stack's own value wins over the project default", () => {
    const root = projectWith({ "Pulumi.yaml": PROJECT, "Pulumi.dev.yaml": "config:\n  demo:size: 5\n" });
    expect(loadStackConfig(loadProject(root), "dev").config["demo:size"]).toBe("5");
  });

  test.each<[string, Record<string, string>, string]>([
    ["a missing stack file", {}, "Pulumi.dev.yaml: no such stack file (stacks here: other)"],
    ["broken YAML", { "Pulumi.dev.yaml": "config: [\n" }, "Pulumi.dev.yaml: is not valid YAML: "],
    [
      "config that is not a mapping",
      { "Pulumi.dev.yaml": "config: 3\n" },
      "Pulumi.dev.yaml: config must be a mapping of namespace:key to values",
    ],
    [
      "a key without a namespace",
      { "Pulumi.dev.yaml": "config:\n  size: 3\n" },
      "Pulumi.dev.yaml: config key size must be written namespace:key, e.g. demo:size",
    ],
    [
      "ESC environments",
      { "Pulumi.dev.yaml": "environment:\n  - team/dev\n" },
      "Pulumi.dev.yaml: imports Pulumi ESC environments (environment:), which the offline review cannot resolve",
    ],
  ])("%s is refused with a line naming the file", (_, files, message) => {
    const root = projectWith({ "Pulumi.yaml": PROJECT, "Pulumi.other.yaml": "config: {}\n", ...files });
    const load = () => loadStackConfig(loadProject(root), "dev");
    expect(load).toThrow(ReviewError);
    expect(load).toThrow(message);
  });
});
