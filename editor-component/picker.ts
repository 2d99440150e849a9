/**
 * The one searchable list the builder opens at a time: fields, operators, events, saved segments,
 * enum values. A row holds only a button with the current choice; the list is rendered when opened,
 * filtered as the user types and capped, so a schema of 2,000 fields costs nothing per row.
 *
 * ARIA: a button with `aria-haspopup="listbox"`, and when open a combobox search box that owns a
 * listbox (`aria-activedescendant` follows the arrow keys).
 */
import { html, nothing, type TemplateResult } from 'lit';
import { format, type BuilderStrings } from './strings';

export interface Choice {
  value: string;
  label: string;
  /** A second, quieter text (the field's type, the operator's symbol). */
  detail?: string;
  /** Choices with the same category are listed together under it. */
  category?: string;
}

export interface PickerState {
  /** Which button opened it (unique in the builder). */
  id: string;
  query: string;
  index: number;
  choices: readonly Choice[];
  choose: (value: string) => void;
  /** Choices the host loads for each query (instead of `choices`): enum values from a server. */
  remote?: RemoteChoices;
}

/** Choices loaded as the user types: the state of a query's answer, and asking again after a failure. */
export interface RemoteChoices {
  load(query: string): { status: 'loading' } | { status: 'error'; message: string } | { status: 'done'; choices: readonly Choice[] };
  retry(query: string): void;
}

/** What the picker needs from the element. */
export interface PickerHost {
  readonly words: BuilderStrings;
  readonly locale: string;
  picker: PickerState | undefined;
  openPicker(state: PickerState): void;
  closePicker(focusButton: boolean): void;
  requestUpdate(): void;
}

const LIMIT = 100;

/** The choices matching the query: names starting with it first, then containing it; at most LIMIT. */
export function filterChoices(choices: readonly Choice[], query: string): { shown: Choice[]; hidden: number } {
  const q = query.trim().toLowerCase();
  if (q === '') return { shown: choices.slice(0, LIMIT), hidden: Math.max(0, choices.length - LIMIT) };
  const starts: Choice[] = [];
  const contains: Choice[] = [];
  for (const c of choices) {
    const label = c.label.toLowerCase();
    const value = c.value.toLowerCase();
    if (label.startsWith(q) || value.startsWith(q)) starts.push(c);
    else if (label.includes(q) || value.includes(q) || (c.category ?? '').toLowerCase().includes(q)) contains.push(c);
  }
  const all = starts.concat(contains);
  return { shown: all.slice(0, LIMIT), hidden: Math.max(0, all.length - LIMIT) };
}

/**
 * A picker button (and its list when open). `name` is the accessible name ("Field"), `text` the
 * current choice shown on the button.
 */
export function pickerTemplate(
  host: PickerHost,
  options: {
    id: string;
    name: string;
    text: string;
    choices: () => readonly Choice[];
    choose: (value: string) => void;
    disabled: boolean;
    tabindex: number;
    part: string;
    remote?: RemoteChoices | undefined;
  },
): TemplateResult {
  const open = host.picker?.id === options.id ? host.picker : undefined;
  const onOpen = () => {
    if (open) return host.closePicker(true);
    const remote = options.remote;
    const choices = remote ? [] : options.choices();
    host.openPicker({ id: options.id, query: '', index: 0, choices, choose: options.choose, remote });
  };
  return html`<span class="pick" part=${options.part}
    ><button
      type="button"
      part="picker-button"
      data-picker=${options.id}
      aria-haspopup="listbox"
      aria-expanded=${open ? 'true' : 'false'}
      aria-label=${`${options.name}: ${options.text}`}
      tabindex=${options.tabindex}
      ?disabled=${options.disabled}
      @click=${onOpen}
    >
      ${options.text}</button
    >${open ? popup(host, open, options.name) : nothing}</span
  >`;
}

/**
 * The choices a remote picker shows for its query: the host's answer as it is (the host did the
 * matching), capped, and the typed text itself last, so a value can be entered while the answer
 * is loading, failed or does not hold it.
 */
function remoteChoices(host: PickerHost, state: PickerState, remote: RemoteChoices) {
  const answer = remote.load(state.query);
  const loaded = answer.status === 'done' ? answer.choices : [];
  const shown = loaded.slice(0, LIMIT);
  const typed = state.query.trim();
  if (typed !== '' && !shown.some((c) => c.value.toLowerCase() === typed.toLowerCase())) shown.push({ value: typed, label: typed, detail: host.words.useTyped });
  const status =
    answer.status === 'loading'
      ? host.words.loadingValues
      : answer.status === 'error'
        ? format(host.words.valuesFailed, { message: answer.message })
        : format(host.words.valuesLoaded, { count: new Intl.NumberFormat(host.locale).format(loaded.length) });
  return { answer, shown, hidden: Math.max(0, loaded.length - LIMIT), status };
}

function popup(host: PickerHost, state: PickerState, name: string): TemplateResult {
  const remote = state.remote ? remoteChoices(host, state, state.remote) : undefined;
  const { shown, hidden } = remote ?? filterChoices(state.choices, state.query);
  const index = Math.min(state.index, shown.length - 1);
  const activeId = index >= 0 ? `picker-option-${index}` : '';
  const choose = (c: Choice) => {
    host.closePicker(true);
    state.choose(c.value);
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const step = e.key === 'ArrowDown' ? 1 : -1;
      state.index = shown.length === 0 ? 0 : (index + step + shown.length) % shown.length;
      host.requestUpdate();
    } else if (e.key === 'Home' || e.key === 'End') {
      e.preventDefault();
      state.index = e.key === 'Home' ? 0 : shown.length - 1;
      host.requestUpdate();
    } else if (e.key === 'Enter') {
      e.preventDefault();
      if (shown[index]) choose(shown[index]);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      host.closePicker(true);
    } else if (e.key === 'Tab') {
      // After a failed load, Tab reaches the Retry button (the list stays open).
      if (!e.shiftKey && remote?.answer.status === 'error') return;
      host.closePicker(false);
    }
  };
  const onInput = (e: Event) => {
    state.query = (e.target as HTMLInputElement).value;
    state.index = 0;
    host.requestUpdate();
  };
  let lastCategory: string | undefined;
  const groups: { category: string | undefined; items: { c: Choice; k: number }[] }[] = [];
  shown.forEach((c, k) => {
    if (groups.length === 0 || c.category !== lastCategory) groups.push({ category: c.category, items: [] });
    lastCategory = c.category;
    groups[groups.length - 1].items.push({ c, k });
  });
  const option = ({ c, k }: { c: Choice; k: number }) =>
    html`<div
      role="option"
      id=${`picker-option-${k}`}
      part="picker-option"
      aria-selected=${k === index ? 'true' : 'false'}
      @mousedown=${(e: Event) => e.preventDefault()}
      @click=${() => choose(c)}
    >
      <span class="label">${c.label}</span>${c.detail ? html` <span class="hint">${c.detail}</span>` : nothing}
    </div>`;
  return html`<div class="popup" part="picker" @focusout=${(e: FocusEvent) => onFocusOut(host, state, e)}>
    <input
      type="text"
      class="picker-search"
      role="combobox"
      aria-label=${`${name}: ${host.words.search}`}
      aria-expanded="true"
      aria-controls="picker-list"
      aria-autocomplete="list"
      aria-activedescendant=${activeId}
      autocomplete="off"
      .value=${state.query}
      @input=${onInput}
      @keydown=${onKey}
    />
    <div role="listbox" id="picker-list" aria-label=${name} aria-busy=${remote?.answer.status === 'loading' ? 'true' : 'false'}>
      ${groups.map((g) =>
        g.category ? html`<div role="group" aria-label=${g.category}><div class="category" aria-hidden="true">${g.category}</div>${g.items.map(option)}</div>` : g.items.map(option),
      )}
    </div>
    ${remote
      ? html`<div class="hint loading ${remote.answer.status === 'error' ? 'error-text' : ''}" part="picker-status" role="status">${remote.status}</div>${remote.answer.status === 'error'
          ? html`<button type="button" class="retry" part="picker-retry" @click=${(e: Event) => retry(e, state)}>${host.words.retry}</button>`
          : nothing}`
      : nothing}
    ${shown.length === 0 && !remote ? html`<div class="hint">${host.words.noMatches}</div>` : nothing}
    ${hidden > 0 ? html`<div class="hint">${format(host.words.moreMatches, { count: new Intl.NumberFormat(host.locale).format(hidden) })}</div>` : nothing}
  </div>`;
}

/** Asks again, focus back in the search box first (the button goes while the values load). */
function retry(e: Event, state: PickerState): void {
  (e.currentTarget as HTMLElement).parentElement?.querySelector<HTMLElement>('.picker-search')?.focus();
  state.remote?.retry(state.query);
}

function onFocusOut(host: PickerHost, state: PickerState, e: FocusEvent) {
  // Closed already (a choice was made and the list is being removed).
  if (host.picker !== state) return;
  const popup = e.currentTarget as HTMLElement;
  const to = e.relatedTarget as Node | null;
  if (to && (popup.contains(to) || popup.parentElement?.contains(to))) return;
  host.closePicker(false);
}
