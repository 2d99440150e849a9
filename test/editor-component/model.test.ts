/**
 * Two-way sync without loss: every expression of the conformance table and of the fast-check
 * arbitraries, set as text and edited in the visual view (a row duplicated, the copy deleted),
 * comes back as the canonical print of the text. Also the model's paths and moves.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { parse, print, type Expr } from '../../core/index';
import { moveTo, nodeAt, removeAt, rootGroup } from '../../editor-component/model';
import { cases } from '../conformance/cases';
import { expr as arbitraryExpr } from '../core/parse/arbitraries';
import { $, cleanup, mount } from './fixtures';

afterEach(cleanup);

/**
 * Sets `text`, then in the visual view duplicates the first row and deletes the copy (each click
 * prints the whole tree from the visual model), and returns the value after.
 */
async function visualRoundTrip(el: Awaited<ReturnType<typeof mount>>, text: string): Promise<string> {
  el.value = text;
  await el.updateComplete;
  if (el.shadowRoot!.querySelector('[role="row"][data-path="0"]') === null) return el.value;
  $(el, '[role="row"][data-path="0"] [part~="duplicate-button"]').click();
  await el.updateComplete;
  $(el, '[role="row"][data-path="1"] [part~="delete-button"]').click();
  await el.updateComplete;
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

  it('moves an item out of the parentheses the user wrote, keeping them', () => {
    const root = tree('a = 1 and (b = 1 or c = 1) and d = 1');
    const moved = moveTo(root, [1, 0], [], 3);
    expect(text(moved.root)).toBe('a = 1 and (c = 1) and d = 1 and b = 1');
    expect(moved.path).toEqual([3]);
  });

  it('moves within a group, counting positions before the move', () => {
    const root = tree('a = 1 and b = 1 and c = 1');
    expect(text(moveTo(root, [0], [], 3).root)).toBe('b = 1 and c = 1 and a = 1');
    expect(text(moveTo(root, [2], [], 0).root)).toBe('c = 1 and a = 1 and b = 1');
  });

  it('shows parentheses around one condition as a group, and an emptied one as ()', () => {
    const root = tree('a = 1 and not (b = 1)');
    expect(nodeAt(root, [1, 0])).toMatchObject({ type: 'predicate' });
    expect(text(removeAt(root, [1, 0]))).toBe('a = 1 and not ()');
  });

  it('finds nodes inside an event condition\'s where clause', () => {
    const root = tree('event("purchase").where(amount > 5 and currency = "OMR").count() > 0');
    expect(text(nodeAt(root, [0, 'where', 1]) as Expr)).toBe('currency = "OMR"');
  });
});
