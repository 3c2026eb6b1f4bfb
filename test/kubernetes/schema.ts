/**
 * Schema validation of plain Kubernetes manifests, for tests: the model's own AJV validation from
 * `kubernetes-models` and `@kubernetes-models/*`, plus a strict unknown-field check as
 * `kubeconform -strict` does, which the models do not make.
 *
 * Where the schemas come from: the packages ship each schema twice, as a compiled AJV validator
 * (`_schemas/*.js`; gateway-api embeds the JSON and compiles it at run time) and as the TypeScript
 * declarations generated from the same schema (`*.d.ts`). The validators are run as they are. The
 * declared fields are read from the declarations, because the compiled validators keep no schema
 * object and drop properties whose schema is empty (free-form `x-kubernetes-preserve-unknown-fields`
 * fields such as a cert-manager webhook solver's `config`), which would then read as unknown.
 */
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as ts from "typescript";

/** The model packages, in lookup order; an apiVersion is looked up as the subpath `<package>/<apiVersion>`. */
export const MODEL_PACKAGES = [
  "kubernetes-models",
  "@kubernetes-models/gateway-api",
  "@kubernetes-models/cert-manager",
  "@kubernetes-models/prometheus-operator",
  "@kubernetes-models/external-secrets",
] as const;

/** True when a model package knows this apiVersion and kind, i.e. `validateObject` can check it. */
export function hasSchema(apiVersion: string, kind: string): boolean {
  return modelFor(apiVersion, kind) !== undefined;
}

/**
 * Problems with one plain manifest `{ apiVersion, kind, metadata, spec... }`, each naming its path;
 * empty when the manifest is valid. An apiVersion and kind no package knows give the single problem
 * `no schema for <apiVersion> <kind>`.
 */
export function validateObject(obj: unknown): string[] {
  if (!isRecord(obj)) return ["manifest must be an object with apiVersion, kind and metadata"];
  const { apiVersion, kind, metadata } = obj;
  if (typeof apiVersion !== "string" || typeof kind !== "string") return ["manifest must have a string apiVersion and kind"];
  const model = modelFor(apiVersion, kind);
  if (!model) return [`no schema for ${apiVersion} ${kind}`];

  const problems: string[] = [];
  if (metadata === undefined || metadata === null) problems.push("metadata is required");
  else if (isRecord(metadata) && (typeof metadata.name !== "string" || metadata.name === "")) problems.push("metadata.name is required");

  const reported = new Set<string>();
  for (const { path, message } of modelProblems(model, obj)) {
    reported.add(path);
    problems.push(message);
  }
  checkFields(obj, rootShape(model), "", problems, reported);
  return problems;
}

// ---- model lookup, from the packages' exports -------------------------------------------------

interface ModelClass {
  new (data: unknown): { validate(): void };
  readonly apiVersion: string;
  readonly kind: string;
}
interface Model {
  readonly cls: ModelClass;
  readonly specifier: string;
  readonly exportName: string;
}

const load = createRequire(__filename);
const API_VERSION = /^(?:[a-z0-9]([-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?v\d+(?:(?:alpha|beta)\d+)?$/;
const kindsByApiVersion = new Map<string, Map<string, Model>>();

function isModelClass(value: unknown): value is ModelClass {
  if (typeof value !== "function") return false;
  const { apiVersion, kind } = value as unknown as Record<string, unknown>;
  return typeof apiVersion === "string" && typeof kind === "string";
}

/** Every kind the packages export for one apiVersion, read from the modules' exports. */
function kindsOf(apiVersion: string): Map<string, Model> {
  let kinds = kindsByApiVersion.get(apiVersion);
  if (kinds) return kinds;
  kinds = new Map();
  if (API_VERSION.test(apiVersion)) {
    for (const pkg of MODEL_PACKAGES) {
      const specifier = `${pkg}/${apiVersion}`;
      try {
        load.resolve(specifier);
      } catch {
        continue; // the package has no such apiVersion; a module that fails to load still throws below
      }
      const exports = load(specifier) as Record<string, unknown>;
      for (const [name, value] of Object.entries(exports)) {
        if (!isModelClass(value) || value.apiVersion !== apiVersion || kinds.has(value.kind)) continue;
        kinds.set(value.kind, { cls: value, specifier, exportName: exports[value.kind] === value ? value.kind : name });
      }
    }
  }
  kindsByApiVersion.set(apiVersion, kinds);
  return kinds;
}

function modelFor(apiVersion: string, kind: string): Model | undefined {
  return kindsOf(apiVersion).get(kind);
}

// ---- the model's own validation (AJV), as readable problems -------------------------------------

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

function modelProblems(model: Model, obj: Record<string, unknown>): { path: string; message: string }[] {
  try {
    new model.cls(obj).validate();
    return [];
  } catch (error) {
    const errors = (error as { errors?: unknown }).errors;
    if (!Array.isArray(errors)) throw error;
    return describeErrors(errors as AjvError[], obj, model.cls.kind);
  }
}

function describeErrors(errors: AjvError[], obj: unknown, kind: string): { path: string; message: string }[] {
  const groups = new Map<string, AjvError[]>();
  for (const error of errors) groups.set(error.instancePath, [...(groups.get(error.instancePath) ?? []), error]);
  const out: { path: string; message: string }[] = [];
  for (const [pointer, group] of groups) {
    const { path, value } = locate(obj, pointer);
    const label = path || kind;
    const got = ` (got ${preview(value)})`;
    if (group.some((e) => e.keyword === "oneOf" || e.keyword === "anyOf")) {
      const reasons = [...new Set(group.filter((e) => e.keyword !== "oneOf" && e.keyword !== "anyOf").map(reason))];
      out.push({ path, message: `${label} matches none of its allowed forms${got}${reasons.length ? `: ${reasons.join("; or ")}` : ""}` });
      continue;
    }
    for (const error of group) {
      if (error.keyword === "required") {
        const missing = join(path, String(error.params.missingProperty));
        out.push({ path: missing, message: `${missing} is required` });
      } else out.push({ path, message: `${label} ${reason(error)}${got}` });
    }
  }
  return out;
}

function reason(error: AjvError): string {
  const { keyword, params } = error;
  if (keyword === "enum" && Array.isArray(params.allowedValues))
    return `must be one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(", ")}`;
  if (keyword === "type") return `must be ${String(params.type)}`;
  if (keyword === "format") return `must match format "${String(params.format)}"`;
  if (keyword === "required") return `must have the field ${String(params.missingProperty)}`;
  return error.message ?? keyword;
}

/** The dotted path (`spec.containers[0].name`) and the value at an AJV instance path. */
function locate(obj: unknown, pointer: string): { path: string; value: unknown } {
  let path = "";
  let value = obj;
  for (const raw of pointer.split("/").slice(1)) {
    const segment = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(value)) {
      path += `[${segment}]`;
      value = value[Number(segment)];
    } else {
      path = join(path, segment);
      value = isRecord(value) ? value[segment] : undefined;
    }
  }
  return { path, value };
}

function preview(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value) ?? typeof value; // undefined for functions and symbols
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function join(path: string, key: string): string {
  if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key)) return path ? `${path}.${key}` : key;
  return `${path}[${JSON.stringify(key)}]`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// ---- declared fields, from the packages' type declarations --------------------------------------

/** What a schema allows at one place, as far as the unknown-field check needs to know. */
type Shape =
  | { readonly kind: "any" }
  | { readonly kind: "scalar"; readonly format?: "quantity" | "date-time" | "micro-time" }
  | { readonly kind: "array"; readonly items: Shape }
  | { readonly kind: "object"; readonly name: string; readonly fields: ReadonlyMap<string, () => Shape>; readonly values?: () => Shape }
  | { readonly kind: "union"; readonly members: readonly Shape[] };

type Declaration = { file: string; node: ts.InterfaceDeclaration | ts.TypeAliasDeclaration | ts.ClassDeclaration };

const ANY: Shape = { kind: "any" };
const SCALAR: Shape = { kind: "scalar" };
const RESOLUTION: ts.CompilerOptions = { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16 };
/** apimachinery aliases whose strings Kubernetes parses more strictly than the models' formats. */
const STRICT_FORMATS: Record<string, "quantity" | "date-time" | "micro-time"> = {
  IQuantity: "quantity",
  ITime: "date-time",
  IMicroTime: "micro-time",
};
const sourceFiles = new Map<string, ts.SourceFile>();
const declaredShapes = new Map<string, Shape>();
const rootShapes = new Map<Model, Shape>();

function sourceFile(file: string): ts.SourceFile {
  let source = sourceFiles.get(file);
  if (!source) {
    source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, false);
    sourceFiles.set(file, source);
  }
  return source;
}

function resolveModule(specifier: string, from: string): string {
  const resolved = ts.resolveModuleName(specifier, from, RESOLUTION, ts.sys).resolvedModule?.resolvedFileName;
  if (!resolved) throw new Error(`cannot resolve the declarations of ${specifier} from ${from}`);
  return resolved;
}

function isDeclaration(node: ts.Node): node is Declaration["node"] {
  return ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node) || ts.isClassDeclaration(node);
}

/** The declaration a module exports under `name`, following `export { a as b }` and `export *`. */
function exported(file: string, name: string, seen = new Set<string>()): Declaration | undefined {
  if (seen.has(file)) return undefined;
  seen.add(file);
  for (const statement of sourceFile(file).statements) {
    if (
      isDeclaration(statement) &&
      statement.name?.text === name &&
      statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)
    )
      return { file, node: statement };
    if (!ts.isExportDeclaration(statement)) continue;
    const from =
      statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)
        ? resolveModule(statement.moduleSpecifier.text, file)
        : undefined;
    if (!statement.exportClause) {
      const found = from ? exported(from, name, seen) : undefined;
      if (found) return found;
    } else if (ts.isNamedExports(statement.exportClause)) {
      const element = statement.exportClause.elements.find((e) => e.name.text === name);
      const local = element?.propertyName?.text ?? name;
      if (element) return from ? exported(from, local) : inScope(file, local);
    }
  }
  return undefined;
}

/** The declaration `name` refers to inside a file: declared there or imported. */
function inScope(file: string, name: string): Declaration | undefined {
  for (const statement of sourceFile(file).statements) {
    if (isDeclaration(statement) && statement.name?.text === name) return { file, node: statement };
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const bindings = statement.importClause?.namedBindings;
    const element = bindings && ts.isNamedImports(bindings) ? bindings.elements.find((e) => e.name.text === name) : undefined;
    if (element) return exported(resolveModule(statement.moduleSpecifier.text, file), element.propertyName?.text ?? name);
  }
  return undefined;
}

function rootShape(model: Model): Shape {
  let shape = rootShapes.get(model);
  if (!shape) {
    const cls = exported(resolveModule(model.specifier, __filename), model.exportName);
    const implemented =
      cls && ts.isClassDeclaration(cls.node)
        ? cls.node.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ImplementsKeyword)?.types[0]
        : undefined;
    if (!cls || !implemented || !ts.isIdentifier(implemented.expression))
      throw new Error(`no declared interface for ${model.specifier} ${model.exportName}`);
    shape = referenced(implemented.expression.text, cls.file);
    rootShapes.set(model, shape);
  }
  return shape;
}

function referenced(name: string, file: string): Shape {
  const declaration = inScope(file, name);
  if (!declaration) throw new Error(`cannot resolve the type ${name} in ${file}`);
  const key = `${declaration.file}#${declaration.node.name?.text}`;
  let shape = declaredShapes.get(key);
  if (shape) return shape;
  const { node } = declaration;
  const display = (node.name?.text ?? name).replace(/^I(?=[A-Z])/, "");
  const format = STRICT_FORMATS[node.name?.text ?? ""];
  if (ts.isTypeAliasDeclaration(node))
    shape =
      format && declaration.file.includes("@kubernetes-models/apimachinery")
        ? { kind: "scalar", format }
        : shapeOf(node.type, declaration.file, display);
  else if (ts.isInterfaceDeclaration(node)) {
    const fields = new Map<string, () => Shape>();
    const values = members(node.members, declaration.file, display, fields);
    shape = values ? { kind: "object", name: display, fields, values } : { kind: "object", name: display, fields };
    declaredShapes.set(key, shape); // before the base types, so recursive types end
    for (const heritage of node.heritageClauses ?? []) {
      for (const base of heritage.types) {
        const inherited = ts.isIdentifier(base.expression) ? referenced(base.expression.text, declaration.file) : undefined;
        if (inherited?.kind !== "object") throw new Error(`unsupported base type of ${display} in ${declaration.file}`);
        for (const [field, type] of inherited.fields) if (!fields.has(field)) fields.set(field, type);
      }
    }
    // An empty interface (RawExtension, JSON, FieldsV1) is a schema without properties: free-form.
    if (fields.size === 0 && !values) shape = ANY;
  } else throw new Error(`${name} in ${declaration.file} is a class, not a type`);
  declaredShapes.set(key, shape);
  return shape;
}

/** Fills `fields` from property signatures; returns the map values of an index signature, if any. */
function members(
  nodes: ts.NodeArray<ts.TypeElement>,
  file: string,
  owner: string,
  fields: Map<string, () => Shape>,
): (() => Shape) | undefined {
  let values: (() => Shape) | undefined;
  for (const member of nodes) {
    if (ts.isPropertySignature(member) && (ts.isIdentifier(member.name) || ts.isStringLiteral(member.name))) {
      const field = member.name.text;
      fields.set(
        field,
        lazy(() => (member.type ? shapeOf(member.type, file, `${owner}.${field}`) : ANY)),
      );
    } else if (ts.isIndexSignatureDeclaration(member)) {
      values = lazy(() => shapeOf(member.type, file, `${owner}.*`));
    }
  }
  return values;
}

function shapeOf(node: ts.TypeNode, file: string, name: string): Shape {
  if (ts.isParenthesizedTypeNode(node)) return shapeOf(node.type, file, name);
  if (ts.isArrayTypeNode(node)) return { kind: "array", items: shapeOf(node.elementType, file, `${name}[]`) };
  if (ts.isUnionTypeNode(node) || ts.isIntersectionTypeNode(node))
    return { kind: "union", members: node.types.map((t) => shapeOf(t, file, name)) };
  if (ts.isLiteralTypeNode(node)) return SCALAR;
  if (ts.isTypeLiteralNode(node)) {
    // The generator writes `{}` for an object schema without properties: free-form.
    if (node.members.length === 0) return ANY;
    const fields = new Map<string, () => Shape>();
    const values = members(node.members, file, name, fields);
    return values ? { kind: "object", name, fields, values } : { kind: "object", name, fields };
  }
  if (ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName)) {
    const [item] = node.typeArguments ?? [];
    if (node.typeName.text === "Array" && item) return { kind: "array", items: shapeOf(item, file, `${name}[]`) };
    return referenced(node.typeName.text, file);
  }
  switch (node.kind) {
    case ts.SyntaxKind.AnyKeyword:
    case ts.SyntaxKind.UnknownKeyword:
    case ts.SyntaxKind.ObjectKeyword:
      return ANY;
    case ts.SyntaxKind.StringKeyword:
    case ts.SyntaxKind.NumberKeyword:
    case ts.SyntaxKind.BooleanKeyword:
    case ts.SyntaxKind.NullKeyword:
    case ts.SyntaxKind.UndefinedKeyword:
      return SCALAR;
  }
  throw new Error(`unsupported type syntax ${ts.SyntaxKind[node.kind]} at ${name} in ${file}`);
}

function lazy<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}

// ---- the strict walk -----------------------------------------------------------------------------

// Kubernetes' own grammars (resource.ParseQuantity, time.RFC3339 and RFC3339Micro); the models'
// formats also accept suffixes such as "1h" or "1da" and a date-time without the "T".
const NUMBER = String.raw`(?:\d+\.?\d*|\.\d+)`;
const QUANTITY = new RegExp(String.raw`^[+-]?${NUMBER}(?:[KMGTPE]i|[numkMGTPE]|[eE][+-]?${NUMBER})?$`);
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;
const RFC3339_MICRO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}(?:Z|[+-]\d{2}:\d{2})$/;
const FORMAT_CHECKS = {
  quantity: { pattern: QUANTITY, text: `a Kubernetes quantity such as "500m", "128Mi" or "2"` },
  "date-time": { pattern: RFC3339, text: `an RFC 3339 time such as "2025-01-31T12:00:00Z"` },
  "micro-time": { pattern: RFC3339_MICRO, text: `an RFC 3339 time with microseconds such as "2025-01-31T12:00:00.000000Z"` },
} as const;

function flatten(shape: Shape, out: Shape[] = []): Shape[] {
  if (shape.kind === "union") for (const member of shape.members) flatten(member, out);
  else out.push(shape);
  return out;
}

function either(shapes: Shape[]): Shape {
  return shapes.length === 1 ? shapes[0]! : { kind: "union", members: shapes };
}

function checkFields(value: unknown, shape: Shape, path: string, problems: string[], reported: ReadonlySet<string>): void {
  if (value === undefined || value === null) return;
  const shapes = flatten(shape);
  if (shapes.some((s) => s.kind === "any")) return;
  if (typeof value === "string" && !reported.has(path)) {
    for (const s of shapes) {
      if (s.kind !== "scalar" || !s.format) continue;
      const check = FORMAT_CHECKS[s.format];
      if (!check.pattern.test(value)) problems.push(`${path} must be ${check.text} (got ${JSON.stringify(value)})`);
    }
  }
  if (Array.isArray(value)) {
    const items = shapes.flatMap((s) => (s.kind === "array" ? [s.items] : []));
    if (items.length) value.forEach((item, i) => checkFields(item, either(items), `${path}[${i}]`, problems, reported));
    return;
  }
  if (!isRecord(value)) return;
  const objects = shapes.flatMap((s) => (s.kind === "object" ? [s] : []));
  if (!objects.length) return; // a wrong type, which the model's validation reports
  for (const [key, child] of Object.entries(value)) {
    if (child === undefined) continue;
    const at = join(path, key);
    const declared = objects.flatMap((o) => (o.fields.has(key) ? [o.fields.get(key)!()] : []));
    const mapped = objects.flatMap((o) => (o.values ? [o.values()] : []));
    if (declared.length) checkFields(child, either(declared), at, problems, reported);
    else if (mapped.length) checkFields(child, either(mapped), at, problems, reported);
    else problems.push(`${at} is not a field of ${[...new Set(objects.map((o) => o.name))].join(" or ")}`);
  }
}
