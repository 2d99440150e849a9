/**
 * The jsep adapter: the only file that imports jsep.
 *
 * jsep parses the boolean structure: `and`/`or` (and the synonyms `&&`/`||`) with their precedence,
 * using its operator-precedence loop, which keeps long chains on an explicit stack instead of the
 * call stack. Everything else is one "token" to jsep, read by our own scanner through the
 * `gobble-token` hook (conditions, `not`, parenthesised groups, events), which also skips `//`
 * comments around each token.
 *
 * That division sidesteps jsep's known limits for this language: operator words are matched by our
 * scanner (case-insensitive, any whitespace or comment between words, so `not   in` and
 * `starts\nwith` work); `not` is read by our scanner and negates the whole condition after it (jsep's
 * unary operators would bind tighter than `=`); `between a and b` is read as one operand, never as
 * `(f between a) and b`; and expressions side by side never become a jsep `Compound`, because the
 * caller parses one expression with `gobbleExpression` and reports what is left over.
 *
 * jsep's configuration is process-global. Our hook only acts on parser instances created here
 * (a subclass of jsep's parser), we only add the `and`/`or` word operators, and we never remove
 * jsep's defaults; the package build bundles a private jsep copy so no other jsep user sees them.
 * The other way round, our parsers run no other plugin's hooks: jsep's own ternary plugin would
 * read the draft `?` after a condition as `a ? b : c` and fail with its own message.
 */
import jsep from 'jsep';
import type { AndExpr, Expr, OrExpr } from '../ast';
import { fail } from './lexer';

/** A condition or group with its outer extent (a group's extent includes its parentheses). */
export interface Token {
  expr: Expr;
  start: number;
  end: number;
}

export interface Cursor {
  readonly source: string;
  /** The offset jsep is at. */
  index: number;
  /**
   * Parses tokens joined by `and`/`or` starting at `index`, flattening nested chains of the same
   * operator; stops before the first thing that is not `and`/`or`, with `index` after trailing space.
   */
  expression(): Token;
}

/** Reads one token at `cursor.index` (after whitespace), leaves `cursor.index` at its end. Throws when none. */
export type ReadToken = (cursor: Cursor) => Token;

interface JsepParser {
  index: number;
  readonly expr: string;
  gobbleExpression(): JsepNode;
  gobbleBinaryOp(): string | false;
}

const TOKEN = 'SegmentToken';
const LOGIC = new Set(['and', '&&', 'or', '||']);

type JsepNode = { type: typeof TOKEN; token: Token } | { type: 'BinaryExpression'; operator: string; left: JsepNode; right: JsepNode };

type OurParser = JsepParser & Cursor;

let ourParser: (new (source: string, readToken: ReadToken) => OurParser) | undefined;

/**
 * Our jsep parser class, made and registered on first use: loading this module runs nothing, so a
 * bundler drops jsep for a consumer that never parses (dist/ merges modules into shared chunks).
 */
function parserClass(): new (source: string, readToken: ReadToken) => OurParser {
  if (ourParser) return ourParser;
  const Jsep = (jsep as unknown as { Jsep: new (expr: string) => JsepParser }).Jsep;

  /** Our jsep parsers: the hooks act on these only, so other jsep users in the process are unaffected. */
  class Parser extends Jsep implements Cursor {
    readonly source: string;
    private readonly readToken: ReadToken;

    constructor(source: string, readToken: ReadToken) {
      super(source);
      this.source = source;
      this.readToken = readToken;
    }

    read(): Token {
      return this.readToken(this);
    }

    expression(): Token {
      return toToken(this.source, this.gobbleExpression());
    }

    /** Only our `gobble-token` hook acts here (found by jsep's `searchHook`); no other plugin's hooks. */
    runHook(_name: string, node?: JsepNode): JsepNode | undefined {
      return node;
    }

    /** Only `and`/`or` and their synonyms join tokens here (jsep's `??` would take a draft `a = 1??`). */
    override gobbleBinaryOp(): string | false {
      const op = super.gobbleBinaryOp();
      if (op === false || LOGIC.has(op.toLowerCase())) return op;
      this.index -= op.length;
      return false;
    }
  }

  jsep.plugins.register({
    name: 'segment-language',
    init() {
      // Same precedences as jsep's own `&&` (2) and `||` (1), which we keep as synonyms.
      for (const w of casings('and')) jsep.addBinaryOp(w, 2);
      for (const w of casings('or')) jsep.addBinaryOp(w, 1);
      jsep.hooks.add('gobble-token', function (this: JsepParser, env: { node?: unknown }) {
        if (this instanceof Parser) env.node = { type: TOKEN, token: this.read() };
      } as unknown as jsep.HookCallback);
    },
  });
  return (ourParser = Parser);
}

/** `and` → `and`, `AND`, `And`, …: jsep matches operators by exact text. */
function casings(word: string): string[] {
  let out = [''];
  for (const ch of word) out = out.flatMap((p) => [p + ch.toLowerCase(), p + ch.toUpperCase()]);
  return out;
}

export function createCursor(source: string, readToken: ReadToken): Cursor {
  return new (parserClass())(source, readToken);
}

function logicOf(source: string, node: JsepNode & { type: 'BinaryExpression' }): 'and' | 'or' {
  const op = node.operator.toLowerCase();
  if (op === 'and' || op === '&&') return 'and';
  if (op === 'or' || op === '||') return 'or';
  // Unreachable: the token reader rejects anything but and/or after a token. Kept as a guard.
  const at = firstToken(node.right).start;
  return fail(source, 'unexpected-token', at, at, `unexpected operator \`${node.operator}\``, 'join conditions with `and` or `or`');
}

function firstToken(node: JsepNode): Token {
  while (node.type === 'BinaryExpression') node = node.left;
  return node.token;
}

/**
 * jsep's binary tree → one n-ary `and`/`or`, without recursion along a chain (a 10,000-term chain
 * is a 10,000-deep left spine). Recursion only happens where `and` and `or` alternate, which jsep's
 * two precedence levels bound to one level per parenthesised group.
 */
function toToken(source: string, root: JsepNode): Token {
  if (root.type === TOKEN) return root.token;
  const type = logicOf(source, root);
  const items: Expr[] = [];
  const stack: JsepNode[] = [root];
  let first: Token | undefined;
  let last: Token | undefined;
  while (stack.length > 0) {
    const node = stack.pop() as JsepNode;
    if (node.type === 'BinaryExpression' && logicOf(source, node) === type) {
      stack.push(node.right, node.left);
      continue;
    }
    const token = toToken(source, node);
    first ??= token;
    last = token;
    // A token is a condition, a group or `()`: never flattened into the chain.
    items.push(token.expr);
  }
  const start = (first as Token).start;
  const end = (last as Token).end;
  const expr: AndExpr | OrExpr = { type, items, span: { start, end } };
  return { expr, start, end };
}
