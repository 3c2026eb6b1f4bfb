// GIVEN the sources of the program, the components, the review and the policy pack
// WHEN their imports and functions are read with the TypeScript parser
// THEN imports run one way only (infra/ and review/ above components/; bootstrap/ on components/ and infra/,
//      imported by nothing; a cloud's components and the
//      Kubernetes layer never import each other; shared modules at components/ root import neither;
//      the policy pack imports nothing of the project outside policies/), and no function is longer
//      than MAX_LINES, so each component's constructor reads as its table of contents.
import { describe, expect, test } from "@jest/globals";
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";

const ROOT = path.resolve(__dirname, "..");
const LAYERS = ["components", "infra", "bootstrap", "review", "policies"] as const;
const MAX_LINES = 80;

function sources(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) return sources(rel);
    return entry.name.endsWith(".ts") ? [rel] : [];
  });
}
const FILES = LAYERS.flatMap((layer) => sources(layer));
const parsed = new Map(
  FILES.map((file) => [file, ts.createSourceFile(file, fs.readFileSync(path.join(ROOT, file), "utf8"), ts.ScriptTarget.Latest, true)]),
);

/** The project files a file imports (type-only imports too), relative to the root, without extension. */
function projectImports(file: string): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    const specifier =
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)
        ? node.moduleSpecifier.text
        : ts.isCallExpression(node) &&
            node.arguments.length === 1 &&
            ts.isStringLiteral(node.arguments[0]!) &&
            (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
              (ts.isIdentifier(node.expression) && node.expression.text === "require"))
          ? node.arguments[0].text
          : ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)
            ? node.argument.literal.text
            : undefined;
    if (specifier?.startsWith(".")) found.push(path.posix.join(path.posix.dirname(file), specifier).replace(/\.(ts|js)$/, ""));
    ts.forEachChild(node, visit);
  };
  visit(parsed.get(file)!);
  return found;
}

/** Why `file` may not import `target`, or undefined when it may. */
function wrongWay(file: string, target: string): string | undefined {
  const [layer, sub] = file.split("/");
  const [targetLayer, targetSub] = target.split("/");
  const subFolder = (s: string | undefined, rest: string) => (rest.includes("/") ? s : undefined);
  if (targetLayer === "test") return "nothing outside test/ imports the tests";
  if (targetLayer === "bootstrap" && layer !== "bootstrap") return "the bootstrap is a project of its own: nothing imports bootstrap/";
  if (layer === "bootstrap" && targetLayer !== "bootstrap" && targetLayer !== "components" && targetLayer !== "infra")
    return "the bootstrap builds on components/ and infra/ helpers only";
  if (layer === "policies" && targetLayer !== "policies") return "the policy pack is published on its own and imports only policies/";
  if (layer === "components" && targetLayer !== "components")
    return "components are the lowest layer: they never import infra/, review/ or policies/";
  if (layer === "infra" && (targetLayer === "review" || targetLayer === "policies"))
    return "the program never imports the review or the policy pack";
  if (layer === "components" && targetLayer === "components") {
    const from = subFolder(sub, file.slice("components/".length));
    const to = subFolder(targetSub, target.slice("components/".length));
    if (from === undefined && to !== undefined)
      return "shared modules at components/ root import no cloud's or the Kubernetes layer's components";
    if (from !== undefined && to !== undefined && from !== to)
      return `components/${from} never imports components/${to}: shared helpers live at components/ root`;
  }
  return undefined;
}

describe("layers", () => {
  test("every import runs the right way", () => {
    const wrong = FILES.flatMap((file) =>
      projectImports(file).flatMap((target) => {
        const why = wrongWay(file, target);
        return why ? [`${file} imports ${target}: ${why}`] : [];
      }),
    );
    expect(wrong).toEqual([]);
  });

  test("the rule catches what it is about", () => {
    expect(wrongWay("components/aws/network.ts", "infra/formats")).toMatch(/lowest layer/);
    expect(wrongWay("components/aws/cluster-services.ts", "components/kubernetes/helm")).toMatch(/never imports components\/kubernetes/);
    expect(wrongWay("components/formats.ts", "components/aws/data-args")).toMatch(/shared modules/);
    expect(wrongWay("policies/eks.ts", "components/cidr")).toMatch(/policy pack/);
    expect(wrongWay("infra/config.ts", "components/aws/data-args")).toBeUndefined();
    expect(wrongWay("components/aws/redis.ts", "components/windows")).toBeUndefined();
    expect(wrongWay("infra/index.ts", "bootstrap/github")).toMatch(/nothing imports bootstrap/);
    expect(wrongWay("review/review.ts", "bootstrap/config")).toMatch(/nothing imports bootstrap/);
    expect(wrongWay("bootstrap/index.ts", "review/engine")).toMatch(/components\/ and infra\/ helpers only/);
    expect(wrongWay("bootstrap/aws.ts", "components/aws/kms")).toBeUndefined();
    expect(wrongWay("bootstrap/config.ts", "infra/config")).toBeUndefined();
  });
});

/** Functions, methods, constructors and accessors longer than `max` lines, as "file:line name (n lines)". */
function longFunctions(max: number): string[] {
  const long: string[] = [];
  for (const [file, source] of parsed) {
    const visit = (node: ts.Node, owner: string) => {
      if (ts.isFunctionLike(node) && "body" in node && node.body) {
        const start = source.getLineAndCharacterOfPosition(node.getStart()).line;
        const lines = source.getLineAndCharacterOfPosition(node.getEnd()).line - start + 1;
        const name = ts.isConstructorDeclaration(node)
          ? `${owner}.constructor`
          : node.name
            ? node.name.getText()
            : ts.isVariableDeclaration(node.parent)
              ? node.parent.name.getText()
              : "(anonymous)";
        if (lines > max) long.push(`${file}:${start + 1} ${name} (${lines} lines)`);
      }
      ts.forEachChild(node, (child) => visit(child, ts.isClassDeclaration(node) && node.name ? node.name.text : owner));
    };
    visit(source, "");
  }
  return long;
}

describe("function length", () => {
  test(`no function in ${LAYERS.join(", ")} is over ${MAX_LINES} lines`, () => {
    expect(longFunctions(MAX_LINES)).toEqual([]);
  });

  test("the measure finds a long function", () => {
    expect(longFunctions(10).length).toBeGreaterThan(10);
  });
});
