// The part of CEL (https://github.com/google/cel-spec/blob/master/doc/langdef.md) a Workload Identity provider's
// attributeCondition uses here: string literals in single quotes, lists of them, `assertion.<claim>`, `==`, `!=`,
// `in`, `!`, `&&`, `||` and parentheses. Anything else is a syntax error, so a condition this evaluator cannot read
// fails the test instead of passing it. As in CEL, a missing claim is an error that `&&`/`||` absorb when the other
// side decides, and Google refuses a token whose condition ends in an error.
type Value = string | boolean | string[];
type Token = { kind: "str" | "id" | "op"; text: string };

class CelError extends Error {}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /\s*(?:'([^'\\]*)'|([A-Za-z_][A-Za-z0-9_]*)|(==|!=|&&|\|\||[!()[\],.]))/y;
  let at = 0;
  while (at < source.length) {
    if (/^\s*$/.test(source.slice(at))) break;
    pattern.lastIndex = at;
    const m = pattern.exec(source);
    if (!m) throw new SyntaxError(`CEL subset: cannot read ${JSON.stringify(source.slice(at, at + 20))}`);
    tokens.push(
      m[1] !== undefined ? { kind: "str", text: m[1] } : m[2] !== undefined ? { kind: "id", text: m[2] } : { kind: "op", text: m[3]! },
    );
    at = pattern.lastIndex;
  }
  return tokens;
}

/** A parsed expression: a function of the claims that returns a value or throws CelError. */
type Node = (claims: Record<string, string>) => Value;

function parse(source: string): Node {
  const tokens = tokenize(source);
  let i = 0;
  const peek = () => tokens[i];
  const take = (text?: string) => {
    const t = tokens[i++];
    if (!t || (text !== undefined && t.text !== text)) throw new SyntaxError(`CEL subset: expected ${text ?? "more"} at token ${i}`);
    return t;
  };
  // CEL's logical operators: an error on one side is absorbed when the other side alone decides.
  const logical =
    (left: Node, right: Node, decisive: boolean): Node =>
    (claims) => {
      let error: Error | undefined;
      for (const side of [left, right]) {
        try {
          if (side(claims) === decisive) return decisive;
        } catch (e) {
          error = e as Error;
        }
      }
      if (error) throw error;
      return !decisive;
    };
  const or = (): Node => {
    let node = and();
    while (peek()?.text === "||") {
      take("||");
      node = logical(node, and(), true);
    }
    return node;
  };
  const and = (): Node => {
    let node = unary();
    while (peek()?.text === "&&") {
      take("&&");
      node = logical(node, unary(), false);
    }
    return node;
  };
  const unary = (): Node => {
    if (peek()?.text !== "!") return compare();
    take("!");
    const inner = unary();
    return (claims) => !inner(claims);
  };
  const compare = (): Node => {
    const left = primary();
    const op = peek()?.text;
    if (op !== "==" && op !== "!=" && op !== "in") return left;
    take();
    const right = primary();
    return (claims) => {
      const [a, b] = [left(claims), right(claims)];
      if (op === "in") return Array.isArray(b) && typeof a === "string" && b.includes(a);
      return op === "==" ? a === b : a !== b;
    };
  };
  const primary = (): Node => {
    const t = take();
    if (t.text === "(" && t.kind === "op") {
      const inner = or();
      take(")");
      return inner;
    }
    if (t.kind === "str") return () => t.text;
    if (t.text === "[" && t.kind === "op") {
      const items: string[] = [];
      while (peek()?.text !== "]") {
        const item = take();
        if (item.kind !== "str") throw new SyntaxError("CEL subset: lists hold string literals only");
        items.push(item.text);
        if (peek()?.text === ",") take(",");
      }
      take("]");
      return () => items;
    }
    if (t.kind === "id" && t.text === "assertion") {
      take(".");
      const claim = take();
      if (claim.kind !== "id") throw new SyntaxError("CEL subset: assertion.<claim> expected");
      return (claims) => {
        const value = claims[claim.text];
        if (value === undefined) throw new CelError(`no such key: ${claim.text}`);
        return value;
      };
    }
    throw new SyntaxError(`CEL subset: unexpected ${t.text}`);
  };
  const node = or();
  if (i !== tokens.length) throw new SyntaxError(`CEL subset: unexpected ${tokens[i]!.text} after the expression`);
  return node;
}

/** Whether Google would accept a token with `claims` under `condition`: true only when it evaluates to true. */
export function celAdmits(condition: string, claims: Record<string, string>): boolean {
  const node = parse(condition);
  try {
    return node(claims) === true;
  } catch (e) {
    if (e instanceof CelError) return false;
    throw e;
  }
}
