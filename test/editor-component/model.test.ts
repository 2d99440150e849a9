/**
 * Two-way sync without loss: every expression of the conformance table and of the fast-check
 * arbitraries, set as text and edited in the visual view (negated and negated back),
 * comes back as the canonical print of the text. Also the model's paths and moves.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { parse, print, type Expr } from '../../core/index';
import { deleteRow, moveRow, nodeAt, rootGroup } from '../../editor-component/model';
import { cases } from '../conformance/cases';
import { expr as arbitraryExpr } from '../core/parse/arbitraries';
import { $, cleanup, mount } from './fixtures';

afterEach(cleanup);

/**
 * Sets `text`, negates the whole segment and negates it back with the root group's Not button in
 * the visual view (each click prints the whole tree from the visual model), and returns the value.
 */
async function visualRoundTrip(el: Awaited<ReturnType<typeof mount>>, text: string): Promise<string> {
  el.value = text;
  await el.updateComplete;
  for (let k = 0; k < 2; k++) {
    $(el, '[role="row"][data-path=""] [part~="not-toggle"]').click();
    await el.updateComplete;
  }
  return el.value;
}

describe('text → visual → text', () => {
  it('keeps every conformance expression (canonical print)', async () => {
    const el = await mount({ schema: undefined, segments: undefined });
    for (const c of cases) {
      expect(await visualRoundTrip(el, c.expression), c.name).toBe(print(parse(c.expression)));
    }
  });

  it('keeps every generated expression (fast-check)', async () => {
    const el = await mount({ schema: undefined, segments: undefined });
    await fc.assert(
      fc.asyncProperty(arbitraryExpr, async (tree) => {
        const text = print(tree);
        expect(await visualRoundTrip(el, text)).toBe(print(parse(text)));
      }),
      { numRuns: 150 },
    );
  });
});

describe('model', () => {
  const tree = (text: string) => rootGroup(parse(text));
  const text = (root: Expr) => print(root);

  it('moves an item to another group and tidies the group it left', () => {
    const root = tree('a = 1 and (b = 1 or c = 1) and d = 1');
    const moved = moveRow(root, [1, 0], [], 3);
    expect(text(moved.root)).toBe('a = 1 and c = 1 and d = 1 and b = 1');
    expect(moved.path).toEqual([3]);
  });

  it('moves within a group, counting positions before the move', () => {
    const root = tree('a = 1 and b = 1 and c = 1');
    expect(text(moveRow(root, [0], [], 3).root)).toBe('b = 1 and c = 1 and a = 1');
    expect(text(moveRow(root, [2], [], 0).root)).toBe('c = 1 and a = 1 and b = 1');
  });

  it('deletes an item and keeps the not of a group reduced to one item', () => {
    const root = tree('a = 1 and not (b = 1 or c = 1)');
    expect(text(deleteRow(root, [1, 0]))).toBe('a = 1 and not c = 1');
  });

  it('finds nodes inside an event condition\'s where clause', () => {
    const root = tree('event("purchase").where(amount > 5 and currency = "OMR").count() > 0');
    expect(text(nodeAt(root, [0, 'where', 1]) as Expr)).toBe('currency = "OMR"');
  });
});
