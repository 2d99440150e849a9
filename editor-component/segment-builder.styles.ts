/**
 * The builder's styles. Public custom properties all start with `--segment-builder-`; private ones
 * are `--_x`. Colours default to `light-dark()` pairs, so the builder follows the page's
 * `color-scheme` (set `color-scheme: dark` on it or an ancestor for the dark theme). Logical
 * properties only (`inline-start`, not `left`), so right-to-left pages lay out mirrored.
 */
import { css } from 'lit';

export const styles = css`
  :host {
    --_bg: var(--segment-builder-background, light-dark(#ffffff, #1b1d21));
    --_fg: var(--segment-builder-color, light-dark(#1d2330, #e7e9ee));
    --_muted: var(--segment-builder-muted-color, light-dark(#545b6b, #a9afbd));
    --_border: var(--segment-builder-border-color, light-dark(#c5cad4, #4a505c));
    --_surface: var(--segment-builder-surface, light-dark(#f4f6f9, #24272d));
    --_accent: var(--segment-builder-accent, light-dark(#1f5fbf, #7fb0ff));
    --_accent-fg: var(--segment-builder-accent-contrast, light-dark(#ffffff, #0b1730));
    --_error: var(--segment-builder-error-color, light-dark(#b3261e, #ff9a8f));
    --_focus: var(--segment-builder-focus-ring, light-dark(#1f5fbf, #9cc2ff));
    --_radius: var(--segment-builder-radius, 6px);
    --_gap: var(--segment-builder-gap, 0.375rem);
    --_indent: var(--segment-builder-indent, 1.25rem);
    --_mono: var(--segment-builder-font-mono, ui-monospace, 'DejaVu Sans Mono', monospace);
    --_kw: var(--segment-builder-token-keyword, light-dark(#8a2be2, #d7a6ff));
    --_field: var(--segment-builder-token-field, light-dark(#0b6e4f, #6fdcb4));
    --_op: var(--segment-builder-token-operator, light-dark(#9c4a00, #ffb26b));
    --_str: var(--segment-builder-token-string, light-dark(#a31515, #ff9d9d));
    --_num: var(--segment-builder-token-number, light-dark(#005cc5, #8fc3ff));
    --_fn: var(--segment-builder-token-function, light-dark(#6f42c1, #c9a7ff));
    --_comment: var(--segment-builder-token-comment, light-dark(#6a737d, #9aa3ad));
    --_selected: var(--segment-builder-selection, light-dark(#fff3b0, #4b4420));
    display: block;
    box-sizing: border-box;
    color: var(--_fg);
    background: var(--_bg);
    font: var(--segment-builder-font, 0.9375rem/1.4 system-ui, sans-serif);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: 0.5rem;
  }
  :host([hidden]) {
    display: none;
  }
  *,
  *::before,
  *::after {
    box-sizing: inherit;
  }
  button,
  input,
  select,
  textarea {
    font: inherit;
    color: inherit;
  }
  button,
  input,
  select {
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) - 2px);
    padding: 0.125rem 0.5rem;
    min-height: 1.9rem;
  }
  button {
    cursor: pointer;
  }
  button:disabled,
  input:disabled,
  select:disabled {
    cursor: default;
    opacity: 0.6;
  }
  :focus-visible {
    outline: 2px solid var(--_focus);
    outline-offset: 1px;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    margin: -1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
  .toolbar {
    display: flex;
    flex-wrap: wrap;
    gap: var(--_gap);
    align-items: center;
    margin-block-end: 0.5rem;
  }
  .tabs {
    display: inline-flex;
    gap: 2px;
  }
  .tabs button[aria-pressed='true'] {
    background: var(--_accent);
    color: var(--_accent-fg);
    border-color: var(--_accent);
  }
  .count {
    margin-inline-start: auto;
    font-variant-numeric: tabular-nums;
  }
  .count.error {
    color: var(--_error);
  }
  .muted {
    color: var(--_muted);
  }

  /* The visual view */
  [role='treegrid'] {
    display: block;
  }
  .row {
    display: block;
    border-radius: var(--_radius);
  }
  /* Each row paints as its own layer: a keystroke in one row repaints that row, not all 200. */
  .condition,
  .segment,
  .event,
  .raw {
    position: relative;
  }
  .row:focus {
    outline: none;
  }
  .row:focus-visible {
    outline: 2px solid var(--_focus);
    outline-offset: 1px;
  }
  .cell {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_gap);
    padding: 0.25rem;
    border-radius: var(--_radius);
  }
  .group > .row {
    background: var(--_surface);
  }
  .current > .row {
    background: var(--_selected);
  }
  .adders {
    margin-block: 0.25rem 0.375rem;
    margin-inline-start: calc(var(--_indent) + 0.5rem);
  }
  .adders button {
    border-style: dashed;
    color: var(--_muted);
  }
  .items {
    display: block;
    margin-inline-start: var(--_indent);
    padding-inline-start: 0.5rem;
    border-inline-start: 2px solid var(--_border);
  }
  .group[data-expanded='false'] > .items,
  .group[data-expanded='false'] > .adders {
    display: none;
  }
  .drop-before > .row {
    box-shadow: 0 -3px 0 var(--_accent);
  }
  .drop-after > .row {
    box-shadow: 0 3px 0 var(--_accent);
  }
  .drop-inside > .row {
    outline: 2px dashed var(--_accent);
  }
  .handle {
    cursor: grab;
    border-style: dashed;
    padding-inline: 0.375rem;
  }
  .toggle[aria-pressed='true'] {
    background: var(--_accent);
    color: var(--_accent-fg);
    border-color: var(--_accent);
  }
  .connective {
    display: inline-flex;
  }
  .connective button[aria-pressed='true'] {
    background: var(--_accent);
    color: var(--_accent-fg);
    border-color: var(--_accent);
  }
  .pick {
    position: relative;
    display: inline-block;
  }
  .pick > button {
    min-width: 6rem;
    text-align: start;
  }
  .popup {
    position: absolute;
    inset-block-start: calc(100% + 2px);
    inset-inline-start: 0;
    z-index: 10;
    min-width: 16rem;
    max-width: 24rem;
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    box-shadow: 0 6px 20px rgb(0 0 0 / 0.25);
    padding: 0.25rem;
  }
  .popup input {
    width: 100%;
  }
  [role='listbox'] {
    max-height: 16rem;
    overflow: auto;
    margin-block-start: 0.25rem;
  }
  [role='option'] {
    padding: 0.25rem 0.5rem;
    border-radius: calc(var(--_radius) - 2px);
    cursor: pointer;
  }
  [role='option'][aria-selected='true'] {
    background: var(--_accent);
    color: var(--_accent-fg);
  }
  [role='option'][aria-selected='true'] .hint {
    color: inherit;
  }
  .category {
    font-size: 0.8em;
    color: var(--_muted);
    padding: 0.25rem 0.5rem 0;
    text-transform: uppercase;
  }
  .hint {
    font-size: 0.85em;
    color: var(--_muted);
  }
  .chips {
    display: inline-flex;
    flex-wrap: wrap;
    gap: 0.25rem;
    align-items: center;
  }
  .chip {
    display: inline-flex;
    align-items: center;
    gap: 0.125rem;
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: 999px;
    padding-inline: 0.5rem 0.125rem;
  }
  .chip button {
    border: none;
    background: transparent;
    min-height: 1.4rem;
    padding: 0 0.25rem;
  }
  input.number {
    width: 7rem;
  }
  input.amount {
    width: 4.5rem;
  }
  input[aria-invalid='true'],
  .raw input {
    border-color: var(--_error);
  }
  .raw input {
    font-family: var(--_mono);
    min-width: 16rem;
  }
  .error-text {
    color: var(--_error);
  }
  .empty {
    padding: 0.5rem;
    color: var(--_muted);
  }

  /* The text view */
  .text {
    margin-block-start: 0.5rem;
  }
  .editor {
    position: relative;
    display: grid;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_bg);
  }
  .editor > pre,
  .editor > textarea {
    grid-area: 1 / 1;
    margin: 0;
    padding: 0.5rem;
    border: 0;
    font: 0.875rem/1.5 var(--_mono);
    white-space: pre-wrap;
    overflow-wrap: anywhere;
    tab-size: 2;
    min-height: 4.5rem;
  }
  .editor > pre {
    color: var(--_fg);
    pointer-events: none;
  }
  .editor > textarea {
    resize: vertical;
    background: transparent;
    color: transparent;
    caret-color: var(--_fg);
    overflow: hidden;
    field-sizing: content;
  }
  .editor > textarea::selection {
    background: color-mix(in srgb, var(--_accent) 35%, transparent);
    color: transparent;
  }
  .editor > textarea:focus-visible {
    outline: 2px solid var(--_focus);
    outline-offset: 0;
  }
  .t-function {
    color: var(--_fn);
  }
  .t-keyword {
    color: var(--_kw);
  }
  .t-field {
    color: var(--_field);
  }
  .t-operator {
    color: var(--_op);
  }
  .t-string {
    color: var(--_str);
  }
  .t-number {
    color: var(--_num);
  }
  .t-comment {
    color: var(--_comment);
  }
  .t-selected {
    background-color: var(--_selected);
  }
  .t-error {
    text-decoration: underline wavy var(--_error);
    text-decoration-skip-ink: none;
  }
  .completions {
    position: absolute;
    inset-block-start: 100%;
    inset-inline-start: 0;
    z-index: 10;
    min-width: 14rem;
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    box-shadow: 0 6px 20px rgb(0 0 0 / 0.25);
    padding: 0.25rem;
  }
  .diagnostics {
    list-style: none;
    margin: 0.25rem 0 0;
    padding: 0;
  }
  .diagnostics button {
    border: none;
    background: transparent;
    color: var(--_error);
    text-align: start;
    padding: 0.125rem 0;
    min-height: 0;
  }
  .diagnostics .hint {
    margin-inline-start: 0.5rem;
  }
  .description {
    margin: 0.5rem 0 0;
    color: var(--_muted);
  }
`;
