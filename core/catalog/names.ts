/**
 * Segment names as people see them. A name is chosen from a list by its look, so the catalogue
 * refuses what would make two names look the same or one look like something it is not:
 *
 * - broken text (a lone UTF-16 surrogate, which databases would store as U+FFFD), control
 *   characters, bidirectional controls (U+202E turns "VIP‮sredrO" around on screen), and invisible
 *   characters (U+200B in "Click​ers"); the zero-width joiners that emoji sequences and some scripts
 *   need are kept where they join;
 * - a name confusable with an existing one: the same Unicode confusables skeleton (UTS #39), from
 *   the confusables data of the `unhomoglyph` package (`Сlickers` with a Cyrillic С is `Clickers`).
 *
 * Lengths are counted as the user sees them (grapheme clusters: 150 emoji are 150 characters), and
 * checked against what the database column holds (code points).
 */
import unhomoglyph from 'unhomoglyph';
import { isWellFormed } from '../sql/dialects';

const BIDI_CONTROL = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
const CONTROL = /\p{Cc}/u;
const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;
/** Joiners and selectors that belong to what they join (emoji sequences, Indic and Persian shaping). */
const JOINING = /[\u200c\u200d\ufe00-\ufe0f\u{e0020}-\u{e007f}\u{e0100}-\u{e01ef}]/u;
const PICTOGRAPH = /\p{Extended_Pictographic}|\p{Emoji_Modifier}|\p{Regional_Indicator}/u;
const JOINED_LETTER = /[\p{L}\p{M}]/u;

export interface NameProblem {
  summary: string;
  hint: string;
}

/** Characters as the user sees them (extended grapheme clusters). */
export function visibleLength(text: string): number {
  let n = 0;
  for (const _ of new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)) n++;
  return n;
}

/** `U+202E` */
function codePoint(ch: string): string {
  return `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The first problem with how a name reads, or undefined: broken text, controls, invisible characters. */
export function nameProblem(name: string, what = 'the segment name'): NameProblem | undefined {
  if (!isWellFormed(name)) return { summary: `${what} holds broken text (a lone UTF-16 surrogate)`, hint: 'type or paste the name again; it would be stored as "\uFFFD"' };
  const chars = [...name];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i];
    const at = `at character ${i + 1}`;
    if (CONTROL.test(ch)) return { summary: `${what} contains a control character (${codePoint(ch)}) ${at}`, hint: 'use letters, digits, spaces and punctuation' };
    // What broken text became before it got here (bytes that are not UTF-8 on a command line, a lone
    // surrogate decoded by a reader): never a name anyone typed.
    if (ch === '\uFFFD') return { summary: `${what} contains the replacement character (U+FFFD) ${at}: the text was broken before it arrived`, hint: 'type or paste the name again (as UTF-8)' };
    if (BIDI_CONTROL.test(ch)) return { summary: `${what} contains a bidirectional control character (${codePoint(ch)}) ${at}`, hint: 'it changes the order in which the name is shown: remove it' };
    if (ch.match(IGNORABLE) && !joins(chars, i)) return { summary: `${what} contains an invisible character (${codePoint(ch)}) ${at}`, hint: 'remove it: two names that look the same must be the same name' };
  }
  return undefined;
}

/** Whether an ignorable character at `i` belongs to the visible characters around it. */
function joins(chars: readonly string[], i: number): boolean {
  if (!JOINING.test(chars[i])) return false;
  const before = chars.slice(0, i).reverse().find((c) => !JOINING.test(c));
  const after = chars.slice(i + 1).find((c) => !JOINING.test(c));
  if (before === undefined) return false;
  // Emoji sequences: joiners, variation selectors and tags after a pictograph.
  if (PICTOGRAPH.test(before)) return true;
  // Variation selectors refine the character before them.
  if (/[\ufe00-\ufe0f\u{e0100}-\u{e01ef}]/u.test(chars[i])) return true;
  // ZWJ and ZWNJ shape letters of scripts that join (Arabic, Persian, Indic), never Latin ones.
  return after !== undefined && JOINED_LETTER.test(before) && JOINED_LETTER.test(after) && !/\p{Script=Latin}/u.test(before) && !/\p{Script=Latin}/u.test(after);
}

/**
 * The confusables skeletons of a name (UTS #39: decomposed, default-ignorable characters removed,
 * each character mapped to its prototype), as written and lower-cased: two names whose skeletons
 * meet look the same to a reader.
 */
export function skeletons(name: string): [string, string] {
  const skeleton = (text: string) => unhomoglyph(text.normalize('NFKD').replace(IGNORABLE, '')).normalize('NFKD');
  return [skeleton(name), skeleton(name.toLowerCase())];
}

/** Whether two names look the same (without being the same name). */
export function confusable(a: string, b: string): boolean {
  const [x, y] = skeletons(a);
  const [u, v] = skeletons(b);
  return x === u || y === v;
}

/**
 * A name with its look-alike letters replaced by the Latin letters they imitate, in the words that
 * mix them with Latin letters (a Cyrillic С in "Сlickers"); words written in one script are left as
 * they are ("VIP Москва", "عملاء VIP").
 */
export function unconfused(name: string): string {
  return name.replace(/[\p{L}\p{M}]+/gu, (word) => {
    if (!/\p{Script=Latin}/u.test(word)) return word;
    return [...word]
      .map((ch) => {
        if (!/\p{L}/u.test(ch) || /\p{Script=Latin}/u.test(ch)) return ch;
        const prototype = unhomoglyph(ch.normalize('NFKD')).normalize('NFKD');
        return /^[A-Za-z0-9]+$/.test(prototype) ? prototype : ch;
      })
      .join('');
  });
}
