// The `@default` tags of a component's argument interfaces, read from its source as aws-cdk and cdk8s-plus
// document them (`/** ... @default 70 */`), so a test can hold the documentation to what the code does.
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

const ROOT = path.resolve(__dirname, "..");

/** One optional property of an exported or local interface, with its `@default` text (undefined when it has none). */
export interface OptionalArgument {
  interfaceName: string;
  property: string;
  default: string | undefined;
}

/** Every optional property of every interface declared in a source file (path relative to the repository). */
export function optionalArguments(file: string): OptionalArgument[] {
  const source = ts.createSourceFile(file, fs.readFileSync(path.join(ROOT, file), "utf8"), ts.ScriptTarget.Latest, true);
  const found: OptionalArgument[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isInterfaceDeclaration(node)) {
      for (const member of node.members) {
        if (!ts.isPropertySignature(member) || !member.questionToken) continue;
        const tag = ts.getJSDocTags(member).find((t) => t.tagName.text === "default");
        found.push({
          interfaceName: node.name.text,
          property: member.name.getText(source),
          default: tag ? (ts.getTextOfJSDocComment(tag.comment) ?? "").trim() : undefined,
        });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/**
 * The defaults one interface documents, by property, each read as the literal that opens its `@default`
 * text (`"100m"`, `3`, `31536000 (a year)` -> "100m", 3, 31536000); a text that opens with no literal is
 * kept as text ("none").
 */
export function documentedDefaults(file: string, interfaceName: string): Record<string, unknown> {
  const literal = (text: string): unknown => {
    const first = /^("(?:[^"\\]|\\.)*"|-?\d[\d_]*(?:\.\d+)?)/.exec(text)?.[1];
    return first === undefined ? text : JSON.parse(first.replace(/_/g, ""));
  };
  return Object.fromEntries(
    optionalArguments(file)
      .filter((a) => a.interfaceName === interfaceName && a.default !== undefined)
      .map((a) => [a.property, literal(a.default!)]),
  );
}
