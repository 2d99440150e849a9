/**
 * The visual view: the tree as nested groups and rows (ARIA tree: one tab stop, arrow keys), each
 * row with its pickers and value editor. Templates only; every edit goes back to the element
 * through `VisualHost`.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { guard } from 'lit/directives/guard.js';
import {
  AGGREGATES,
  MAX_SEGMENT_REFERENCES,
  defaultLiteral,
  eventListing,
  fieldListing,
  localeStrings,
  nodes,
  operatorsForField,
  operatorText,
  print,
  UNITS,
  valueEditor,
  type AggregateFn,
  type DurationUnit,
  type EditorKind,
  type Expr,
  type FieldSchema,
  type Literal,
  type OperatorId,
  type PredicateExpr,
  type Schema,
  type SegmentDefinition,
} from './language';
import { literalFits, newCondition, sameEditor, withField, withOperator } from './conditions';
import { asGroup, pathKey, strip, type Path } from './model';
import { pickerTemplate, type Choice, type PickerHost, type RemoteChoices } from './picker';
import { format, type BuilderStrings } from './strings';

export type RowAction =
  | 'add-condition'
  | 'add-group'
  | 'add-segment'
  | 'add-event'
  | 'add-where'
  | 'duplicate'
  | 'delete'
  | 'move-up'
  | 'move-down'
  | 'indent'
  | 'outdent'
  | 'toggle-collapse'
  | 'toggle-not'
  | 'and'
  | 'or';

export interface VisualHost extends PickerHost {
  readonly locale: string;
  /** The text the shown tree was parsed from (rows are re-rendered only when their own stretch of it changes). */
  readonly shownText: string;
  /** The instant set for relative dates, if any. */
  readonly now: Date | undefined;
  /** The schema in force (the property, or the one an ancestor provides). */
  readonly activeSchema: Schema | undefined;
  readonly segmentList: readonly SegmentDefinition[];
  readonly readOnly: boolean;
  readonly depthLimit: number;
  /** No other saved segment may be named (the core's limit on distinct segments). */
  readonly segmentLimitReached: boolean;
  readonly activeRow: string;
  readonly currentRow: string | undefined;
  readonly collapsed: ReadonlySet<string>;
  readonly dropTarget: { key: string; where: 'before' | 'after' | 'inside' } | undefined;
  /** "≈ 1,234" for a group when per-group counts are on. */
  groupCount(key: string): string | undefined;
  /** The values the host loads for an enum field whose schema lists none (undefined: nobody loads them). */
  enumValues(field: string, event: string | undefined): RemoteChoices | undefined;
  /** The instant relative dates resolve against, for "since 25 Oct 2026". */
  ago(amount: number, unit: DurationUnit): number;
  /** Replaces the node at `path`; `commit` also fires `change`. */
  replaceNode(path: Path, node: Expr, commit: boolean): void;
  /** Replaces the text of a raw row as the user types in it (spaces at its ends included). */
  editRaw(path: Path, text: string): void;
  /** What the user typed in a raw row being edited (the input keeps it as typed, caret and all). */
  rawText(path: Path): string | undefined;
  /** Fires `change` for the edits made since the last one (a text field left). */
  commitEdits(): void;
  act(action: RowAction, path: Path): void;
}

/** The fields a row may name: the profile's, or an event's properties inside `.where(…)`. */
interface Scope {
  fields: Readonly<Record<string, FieldSchema>>;
  event: string | undefined;
}

export function treeTemplate(h: VisualHost, root: Expr): TemplateResult {
  const scope: Scope = { fields: h.activeSchema?.fields ?? {}, event: undefined };
  return html`${item(h, root, [], 1, scope)}`;
}

function item(h: VisualHost, node: Expr, path: Path, level: number, scope: Scope): TemplateResult {
  if (asGroup(node)) return group(h, node, path, level, scope);
  // A row whose text and state are unchanged is not rebuilt (a keystroke in one of 200 rows).
  return html`${guard(rowDeps(h, node, path, scope), () => leafItem(h, node, path, level, scope))}`;
}

const ALWAYS = (): unknown => ({});

/** What a leaf row's template depends on; a fresh object when it must always be rebuilt. */
function rowDeps(h: VisualHost, node: Expr, path: Path, scope: Scope): unknown[] {
  const key = pathKey(path);
  const span = (node as { span?: { start: number; end: number } }).span;
  const text = span ? h.shownText.slice(span.start, span.end) : print(node);
  const within = (k: string | undefined) => k !== undefined && (k === key || k.startsWith(`${key}/`));
  const picker = h.picker?.id;
  const busy = (picker !== undefined && (picker.startsWith(`${key}|`) || picker.startsWith(`${key}/`))) || within(h.dropTarget?.key) || h.collapsed.size > 0;
  return [
    busy ? ALWAYS() : 0,
    key,
    text,
    node.type,
    h.words,
    scope.fields,
    h.activeSchema,
    h.segmentList,
    h.readOnly,
    h.locale,
    h.now,
    within(h.activeRow) ? h.activeRow : '',
    within(h.currentRow) ? h.currentRow : '',
  ];
}

function leafItem(h: VisualHost, node: Expr, path: Path, level: number, scope: Scope): TemplateResult {
  const { inner, negated } = strip(node);
  if (inner.type === 'predicate') return condition(h, inner, negated, path, level, scope);
  if (inner.type === 'segment') return segmentRow(h, inner.name, negated, path, level);
  if (inner.type === 'draft') return draftRow(h, inner, negated, path, level, scope);
  return rawRow(h, node, path, level);
}

/** Shared attributes of a row: role, level, roving tab stop, drop marks. */
function rowClass(h: VisualHost, key: string, kind: string): string {
  const drop = h.dropTarget?.key === key ? ` drop-${h.dropTarget.where}` : '';
  const current = h.currentRow === key ? ' current' : '';
  return `${kind}${drop}${current}`;
}

function group(h: VisualHost, node: Expr, path: Path, level: number, scope: Scope): TemplateResult {
  const s = h.words;
  const g = asGroup(node)!;
  const negated = g.negated;
  const key = pathKey(path);
  const active = h.activeRow === key;
  const tab = active ? 0 : -1;
  const collapsed = h.collapsed.has(key);
  const match = g.type === 'and' ? s.matchAll : s.matchAny;
  const label = `${negated ? `${s.not} ` : ''}${format(s.groupLabel, { match, count: g.items.length })}`;
  const ro = h.readOnly;
  const deep = level >= h.depthLimit;
  const count = h.groupCount(key);
  return html`<div role="none" class=${rowClass(h, key, 'group')} part="group" data-expanded=${collapsed ? 'false' : 'true'}>
    <div
      role="row"
      class="row"
      part="group-header"
      data-path=${key}
      aria-level=${level}
      aria-expanded=${collapsed ? 'false' : 'true'}
      aria-selected=${active ? 'true' : 'false'}
      tabindex=${tab}
    ><div role="gridcell" class="cell">
      <span class="visually-hidden">${label}</span>
      ${path.length > 0 && !ro ? handle(h, key, tab) : nothing}
      <button type="button" class="collapse" part="collapse-button" tabindex=${tab} aria-label=${collapsed ? s.expand : s.collapse} @click=${() => h.act('toggle-collapse', path)}>
        ${collapsed ? '▸' : '▾'}
      </button>
      <button type="button" class="toggle not" part="not-toggle" tabindex=${tab} aria-pressed=${negated ? 'true' : 'false'} ?disabled=${ro} @click=${() => h.act('toggle-not', path)}>
        ${s.not}
      </button>
      <span class="connective" role="group" aria-label=${match} part="connective">
        <button type="button" part="connective-and" tabindex=${tab} aria-pressed=${g.type === 'and' ? 'true' : 'false'} aria-label=${s.matchAll} ?disabled=${ro} @click=${() => h.act('and', path)}>
          ${s.all}
        </button>
        <button type="button" part="connective-or" tabindex=${tab} aria-pressed=${g.type === 'or' ? 'true' : 'false'} aria-label=${s.matchAny} ?disabled=${ro} @click=${() => h.act('or', path)}>
          ${s.any}
        </button>
      </span>
      ${count !== undefined ? html`<span class="muted group-count" part="group-count">${count}</span>` : nothing}
      ${path.length > 0 && !ro ? rowActions(h, path, tab) : nothing}
    </div></div>
    <div role="none" class="items" part="group-items">
      ${g.items.length === 0
        ? html`<div role="row" aria-level=${level + 1}><div role="gridcell" class="empty" part="empty">${s.emptyBuilder}</div></div>`
        : g.items.map((child, k) => item(h, child, [...path, k], level + 1, scope))}
    </div>
    ${ro
      ? nothing
      : html`<div role="row" class="adders" part="group-footer" aria-level=${level + 1}><div role="gridcell" class="cell">
          <button type="button" part="add-condition" tabindex=${tab} @click=${() => h.act('add-condition', path)}>+ ${s.addCondition}</button>
          <button type="button" part="add-group" tabindex=${tab} ?disabled=${deep} @click=${() => h.act('add-group', path)}>+ ${s.addGroup}</button>
          ${scope.event === undefined
            ? html`<button type="button" part="add-segment" tabindex=${tab} ?disabled=${h.segmentLimitReached} @click=${() => h.act('add-segment', path)}>+ ${s.addSegment}</button>
                ${h.segmentLimitReached ? html`<span class="hint" part="segment-limit">${format(s.segmentLimit, { max: MAX_SEGMENT_REFERENCES })}</span>` : nothing}
                ${h.activeSchema?.events ? html`<button type="button" part="add-event" tabindex=${tab} @click=${() => h.act('add-event', path)}>+ ${s.addEvent}</button>` : nothing}`
            : nothing}
        </div></div>`}
  </div>`;
}

function handle(h: VisualHost, key: string, tab: number): TemplateResult {
  return html`<button type="button" class="handle" part="drag-handle" draggable="true" data-drag=${key} tabindex=${tab} aria-label=${h.words.dragHandle} title=${h.words.dragHandle}>⠿</button>`;
}

function rowActions(h: VisualHost, path: Path, tab: number): TemplateResult {
  const s = h.words;
  return html`<button type="button" part="duplicate-button" tabindex=${tab} aria-label=${s.duplicate} title=${s.duplicate} @click=${() => h.act('duplicate', path)}>❐</button>
    <button type="button" part="delete-button" tabindex=${tab} aria-label=${s.delete} title=${s.delete} @click=${() => h.act('delete', path)}>✕</button>`;
}

function notToggle(h: VisualHost, path: Path, negated: boolean, tab: number): TemplateResult {
  return html`<button type="button" class="toggle not" part="not-toggle" tabindex=${tab} aria-pressed=${negated ? 'true' : 'false'} ?disabled=${h.readOnly} @click=${() => h.act('toggle-not', path)}>
    ${h.words.not}
  </button>`;
}

function leaf(h: VisualHost, path: Path, level: number, kind: string, label: string, body: TemplateResult, children: TemplateResult | typeof nothing = nothing): TemplateResult {
  const key = pathKey(path);
  const active = h.activeRow === key;
  const tab = active ? 0 : -1;
  return html`<div role="none" class=${rowClass(h, key, kind)} part=${kind}>
    <div role="row" class="row" part="${kind}-row" data-path=${key} aria-level=${level} aria-selected=${active ? 'true' : 'false'} tabindex=${tab}
      ><div role="gridcell" class="cell"
        ><span class="visually-hidden">${label}</span>${h.readOnly ? nothing : handle(h, key, tab)}${body}${h.readOnly ? nothing : rowActions(h, path, tab)}</div
      ></div
    >
    ${children}
  </div>`;
}

function condition(h: VisualHost, p: PredicateExpr, negated: boolean, path: Path, level: number, scope: Scope): TemplateResult {
  const s = h.words;
  const key = pathKey(path);
  const tab = h.activeRow === key ? 0 : -1;
  const text = print(negated ? ({ type: 'not', operand: p } as Expr) : p);
  const ro = h.readOnly;
  const set = (next: PredicateExpr, commit: boolean) => h.replaceNode(path, negated ? ({ type: 'not', operand: next } as Expr) : next, commit);

  if (p.subject.type === 'aggregate') return eventCondition(h, p, negated, path, level, scope, text, set);

  const fieldPath = p.subject.path.join('.');
  // A field the schema does not name (or no schema): its value's own type picks the editor.
  const field = Object.hasOwn(scope.fields, fieldPath) ? scope.fields[fieldPath] : typeOfValue(p);
  const fieldPicker = pickerTemplate(h, {
    id: `${key}|field`,
    name: s.field,
    text: field?.label ?? fieldPath,
    part: 'field-picker',
    disabled: ro,
    tabindex: tab,
    choices: () => fieldChoices(h, scope.fields),
    choose: (value) => set(withField(p, value, scope.fields[value]), true),
  });
  const remote = field?.type === 'enum' && !field.values?.length ? h.enumValues(fieldPath, scope.event) : undefined;
  const body = html`${notToggle(h, path, negated, tab)} ${fieldPicker} ${operatorPicker(h, p, field, key, tab, set)} ${operandEditor(h, p, field, key, tab, set, remote)}`;
  return leaf(h, path, level, 'condition', format(s.conditionLabel, { text }), body);
}

/** The type a condition's value shows, for a field no schema describes. */
function typeOfValue(p: PredicateExpr): FieldSchema | undefined {
  const o = p.operand;
  const l = o === null ? undefined : o.type === 'list' ? o.items[0] : o.type === 'range' ? o.low : o;
  if (!l) return undefined;
  if (l.type === 'number') return { type: 'number' };
  if (l.type === 'boolean') return { type: 'boolean' };
  if (l.type === 'ago' || l.type === 'now' || l.type === 'today' || l.type === 'duration') return { type: 'date' };
  return undefined;
}

function operatorPicker(h: VisualHost, p: PredicateExpr, field: FieldSchema | undefined, key: string, tab: number, set: (next: PredicateExpr, commit: boolean) => void): TemplateResult {
  return pickerTemplate(h, {
    id: `${key}|operator`,
    name: h.words.operator,
    text: operatorText(p.op, field, h.locale).words,
    part: 'operator-picker',
    disabled: h.readOnly,
    tabindex: tab,
    choices: () => operatorChoices(h, field),
    choose: (value) => set(withOperator(p, value as OperatorId, field), true),
  });
}

/** The operators that fit a field, in words, with the symbol beside them where there is one. */
function operatorChoices(h: VisualHost, field: FieldSchema | undefined): Choice[] {
  return operatorsForField(field).map((d) => {
    const { words, syntax } = operatorText(d.id, field, h.locale);
    return { value: d.id, label: words, detail: syntax === words ? undefined : syntax };
  });
}

/** The fields in scope for the picker, in the core's categories (profile fields first). */
function fieldChoices(h: VisualHost, fields: Readonly<Record<string, FieldSchema>>): Choice[] {
  const out: Choice[] = [];
  for (const g of fieldListing({ fields }, { locale: h.locale })) {
    for (const f of g.fields) out.push({ value: f.path, label: f.label, detail: f.label !== f.path ? `${f.path} · ${f.type}` : f.type, category: g.label });
  }
  return out;
}

function operandEditor(
  h: VisualHost,
  p: PredicateExpr,
  field: FieldSchema | undefined,
  key: string,
  tab: number,
  set: (next: PredicateExpr, commit: boolean) => void,
  remote?: RemoteChoices,
): TemplateResult | typeof nothing {
  const spec = valueEditor(field, p.op);
  const s = h.words;
  const o = p.operand;
  if (spec.kind === 'none' || o === null) return nothing;
  const setOperand = (operand: PredicateExpr['operand'], commit: boolean) => set({ ...p, operand }, commit);
  if (o.type === 'list') {
    return chips(h, o.items, spec.item, spec.options, key, tab, (items, commit) => setOperand({ ...o, items } as PredicateExpr['operand'], commit), remote);
  }
  if (o.type === 'range') {
    return html`${scalar(h, spec.item, o.low, s.low, `${key}|low`, tab, spec.options, (low, commit) => setOperand({ ...o, low }, commit))}
    ${scalar(h, spec.item, o.high, s.high, `${key}|high`, tab, spec.options, (high, commit) => setOperand({ ...o, high }, commit))}`;
  }
  const window = o.type === 'duration' && (p.op === 'within_last' || p.op === 'older_than') ? resolved(h, p.op === 'within_last' ? s.since : s.until, o.amount, o.unit) : nothing;
  // A relative date shows the window it opens: "since Oct 25, 2026", "before Oct 25, 2026".
  const resolvedAs = p.op === 'gt' || p.op === 'gte' || p.op === 'after' ? s.since : p.op === 'lt' || p.op === 'lte' || p.op === 'before' ? s.until : '{date}';
  return html`${scalar(h, spec.kind, o, s.value, `${key}|value`, tab, spec.options, (l, commit) => setOperand(l, commit), resolvedAs, remote)}${window}`;
}

function resolved(h: VisualHost, template: string, amount: number, unit: DurationUnit): TemplateResult | typeof nothing {
  const at = h.ago(amount, unit);
  // Further back than a date can be (273,847 years ago): no day to show.
  if (!(Math.abs(at) <= 8.64e15)) return nothing;
  const when = new Intl.DateTimeFormat(h.locale, { day: 'numeric', month: 'short', year: 'numeric' }).format(at);
  return html`<span class="hint" part="resolved-date">${format(template, { date: when })}</span>`;
}

type SetLiteral = (l: Literal, commit: boolean) => void;

/** The editor of one value of an editor kind. */
function scalar(
  h: VisualHost,
  kind: EditorKind,
  l: Literal,
  name: string,
  id: string,
  tab: number,
  options: readonly string[] | undefined,
  set: SetLiteral,
  resolvedAs = '{date}',
  remote?: RemoteChoices,
): TemplateResult {
  const ro = h.readOnly;
  const commit = () => h.commitEdits();
  switch (kind) {
    case 'number': {
      const value = l.type === 'number' ? String(l.value) : '';
      return html`<input
        type="number"
        class="number"
        part="value-input"
        step="any"
        aria-label=${name}
        tabindex=${tab}
        ?readonly=${ro}
        .value=${value}
        @input=${(e: Event) => {
          const input = e.target as HTMLInputElement;
          const n = input.valueAsNumber;
          input.setAttribute('aria-invalid', Number.isFinite(n) ? 'false' : 'true');
          if (Number.isFinite(n)) set(nodes.number(n), false);
        }}
        @change=${commit}
      />`;
    }
    case 'boolean':
      return html`<select part="value-input" aria-label=${name} tabindex=${tab} ?disabled=${ro} @change=${(e: Event) => set(nodes.boolean((e.target as HTMLSelectElement).value === 'true'), true)}>
        <option value="true" ?selected=${l.type === 'boolean' && l.value}>${h.words.yes}</option>
        <option value="false" ?selected=${l.type === 'boolean' && !l.value}>${h.words.no}</option>
      </select>`;
    case 'enum': {
      const current = l.type === 'string' ? l.value : '';
      return pickerTemplate(h, {
        id,
        name,
        text: current,
        part: 'value-picker',
        disabled: ro,
        tabindex: tab,
        choices: () => (options ?? []).map((v) => ({ value: v, label: v })),
        choose: (v) => set(nodes.string(v), true),
        remote,
      });
    }
    case 'duration':
      return l.type === 'duration' ? duration(h, l.amount, l.unit, name, tab, (amount, unit, c) => set(nodes.duration(amount, unit), c)) : html``;
    case 'date':
      return date(h, l, name, tab, set, resolvedAs);
    default: {
      const value = l.type === 'string' ? l.value : '';
      return html`<input type="text" part="value-input" aria-label=${name} tabindex=${tab} ?readonly=${ro} .value=${value} @input=${(e: Event) => set(nodes.string((e.target as HTMLInputElement).value), false)} @change=${commit} />`;
    }
  }
}

function duration(h: VisualHost, amount: number, unit: DurationUnit, name: string, tab: number, set: (amount: number, unit: DurationUnit, commit: boolean) => void): TemplateResult {
  const s = h.words;
  return html`<input
      type="number"
      class="amount"
      part="duration-amount"
      min="0"
      step="1"
      aria-label=${`${name}: ${s.amount}`}
      tabindex=${tab}
      ?readonly=${h.readOnly}
      .value=${String(amount)}
      @input=${(e: Event) => {
        const n = (e.target as HTMLInputElement).valueAsNumber;
        if (Number.isFinite(n) && n >= 0) set(n, unit, false);
      }}
      @change=${() => h.commitEdits()}
    /><select part="duration-unit" aria-label=${`${name}: ${s.unit}`} tabindex=${tab} ?disabled=${h.readOnly} @change=${(e: Event) => set(amount, (e.target as HTMLSelectElement).value as DurationUnit, true)}>
      ${(Object.keys(UNITS) as DurationUnit[]).map((u) => html`<option value=${u} ?selected=${u === unit}>${s.units[u]}</option>`)}
    </select>`;
}

/** A date: a calendar day, a time ago (with the day it resolves to), today or now. */
function date(h: VisualHost, l: Literal, name: string, tab: number, set: SetLiteral, resolvedAs: string): TemplateResult {
  const s = h.words;
  const mode = l.type === 'ago' ? 'ago' : l.type === 'today' ? 'today' : l.type === 'now' ? 'now' : 'absolute';
  const onMode = (e: Event) => {
    const m = (e.target as HTMLSelectElement).value;
    set(m === 'ago' ? nodes.ago(30, 'day') : m === 'today' ? nodes.today() : m === 'now' ? nodes.now() : nodes.string(new Date(h.ago(0, 'day')).toISOString().slice(0, 10)), true);
  };
  const modeSelect = html`<select part="date-mode" aria-label=${`${name}: ${s.dateMode}`} tabindex=${tab} ?disabled=${h.readOnly} @change=${onMode}>
    <option value="absolute" ?selected=${mode === 'absolute'}>${s.dateAbsolute}</option>
    <option value="ago" ?selected=${mode === 'ago'}>${s.dateAgo}</option>
    <option value="today" ?selected=${mode === 'today'}>${s.dateToday}</option>
    <option value="now" ?selected=${mode === 'now'}>${s.dateNow}</option>
  </select>`;
  if (l.type === 'ago') {
    const d = l.duration;
    return html`${modeSelect}${duration(h, d.amount, d.unit, name, tab, (amount, unit, c) => set(nodes.ago(amount, unit), c))}<span>${s.ago}</span>${resolved(h, resolvedAs, d.amount, d.unit)}`;
  }
  if (l.type === 'string') {
    return html`${modeSelect}<input
        type="date"
        part="value-input"
        aria-label=${name}
        tabindex=${tab}
        ?readonly=${h.readOnly}
        .value=${l.value.slice(0, 10)}
        @input=${(e: Event) => {
          const v = (e.target as HTMLInputElement).value;
          if (v) set(nodes.string(v), false);
        }}
        @change=${() => h.commitEdits()}
      />`;
  }
  return modeSelect;
}

/** A list of values as chips, each removable, with an input (or a picker of the enum's values) to add one. */
function chips(
  h: VisualHost,
  items: readonly Literal[],
  kind: EditorKind,
  options: readonly string[] | undefined,
  key: string,
  tab: number,
  set: (items: Literal[], commit: boolean) => void,
  remote?: RemoteChoices,
): TemplateResult {
  const s = h.words;
  const chosen = (v: string) => items.some((l) => l.type === 'string' && l.value.toLowerCase() === v.toLowerCase());
  const text = (l: Literal) => (l.type === 'string' ? l.value : print({ type: 'predicate', subject: { type: 'field', path: ['x'] }, op: 'eq', operand: l } as Expr).slice(4));
  const add = (raw: string) => {
    const v = raw.trim();
    if (v === '') return;
    const n = Number(v);
    const next = kind === 'number' ? (Number.isFinite(n) ? nodes.number(n) : undefined) : nodes.string(v);
    if (next) set([...items, next], true);
  };
  const adder = h.readOnly
    ? nothing
    : kind === 'enum'
      ? pickerTemplate(h, {
          id: `${key}|add`,
          name: s.addItem,
          text: '+',
          part: 'value-picker',
          disabled: h.readOnly,
          tabindex: tab,
          choices: () => (options ?? []).filter((o) => !chosen(o)).map((v) => ({ value: v, label: v })),
          choose: (v) => add(v),
          // The values already chosen are not offered again.
          remote: remote && {
            load: (query) => {
              const answer = remote.load(query);
              return answer.status === 'done' ? { status: 'done', choices: answer.choices.filter((c) => !chosen(c.value)) } : answer;
            },
            retry: (query) => remote.retry(query),
          },
        })
      : html`<input
          type=${kind === 'number' ? 'number' : 'text'}
          part="chip-input"
          aria-label=${s.addItem}
          placeholder=${s.addItem}
          tabindex=${tab}
          @keydown=${(e: KeyboardEvent) => {
            const input = e.target as HTMLInputElement;
            if (e.key === 'Enter' || e.key === ',') {
              e.preventDefault();
              add(input.value);
              input.value = '';
            } else if (e.key === 'Backspace' && input.value === '' && items.length > 0) {
              set(items.slice(0, -1), true);
            }
          }}
          @change=${(e: Event) => {
            const input = e.target as HTMLInputElement;
            add(input.value);
            input.value = '';
          }}
        />`;
  return html`<span class="chips" part="chips" role="group" aria-label=${s.value}>
    ${items.map(
      (l, k) => html`<span class="chip" part="chip"
        >${text(l)}<button type="button" part="chip-remove" tabindex=${tab} aria-label=${format(s.removeItem, { item: text(l) })} ?disabled=${h.readOnly} @click=${() => set(items.filter((_, j) => j !== k), true)}>
          ✕
        </button></span
      >`,
    )}
    ${adder}
  </span>`;
}

function segmentRow(h: VisualHost, name: string, negated: boolean, path: Path, level: number): TemplateResult {
  const s = h.words;
  const key = pathKey(path);
  const tab = h.activeRow === key ? 0 : -1;
  const set = (n: string, not: boolean) => {
    const ref = nodes.segment(n);
    h.replaceNode(path, not ? nodes.not(ref) : ref, true);
  };
  const body = html`<select part="segment-mode" aria-label=${s.segmentLabel.replace(': {text}', '')} tabindex=${tab} ?disabled=${h.readOnly} @change=${(e: Event) => set(name, (e.target as HTMLSelectElement).value === 'out')}>
      <option value="in" ?selected=${!negated}>${s.inSegment}</option>
      <option value="out" ?selected=${negated}>${s.notInSegment}</option>
    </select>
    ${pickerTemplate(h, {
      id: `${key}|segment`,
      name: s.chooseSegment,
      text: name,
      part: 'segment-picker',
      disabled: h.readOnly,
      tabindex: tab,
      choices: () => h.segmentList.map((d) => ({ value: d.name, label: d.name, detail: 'expression' in d ? d.expression : undefined })),
      choose: (v) => set(v, negated),
    })}`;
  return leaf(h, path, level, 'segment', format(s.segmentLabel, { text: `${negated ? s.notInSegment : s.inSegment} ${name}` }), body);
}

const needsProperty = (fn: AggregateFn) => AGGREGATES[fn].property === 'number';

function eventCondition(
  h: VisualHost,
  p: PredicateExpr,
  negated: boolean,
  path: Path,
  level: number,
  scope: Scope,
  text: string,
  set: (next: PredicateExpr, commit: boolean) => void,
): TemplateResult {
  const s = h.words;
  const key = pathKey(path);
  const tab = h.activeRow === key ? 0 : -1;
  const agg = p.subject as Extract<PredicateExpr['subject'], { type: 'aggregate' }>;
  const events = h.activeSchema?.events ?? {};
  const eventName = Object.keys(events).find((n) => n.toLowerCase() === agg.event.value.toLowerCase());
  const properties = (eventName ? events[eventName].properties : undefined) ?? {};
  const aggregateWords = localeStrings(h.locale).aggregates;
  const setAgg = (next: Partial<typeof agg>, commit = true) => {
    const subject = { ...agg, ...next } as typeof agg;
    const valueType: FieldSchema = { type: AGGREGATES[subject.fn].returns };
    const fits = operatorsForField(valueType).some((d) => d.id === p.op) && sameEditor(valueType, p);
    set(fits ? { ...p, subject } : withOperator({ ...p, subject, op: 'gte' }, 'gte', valueType, true), commit);
  };
  const valueType: FieldSchema = { type: AGGREGATES[agg.fn].returns };
  const eventPicker = pickerTemplate(h, {
    id: `${key}|event`,
    name: s.eventName,
    text: events[eventName ?? '']?.label ?? agg.event.value,
    part: 'event-picker',
    disabled: h.readOnly,
    tabindex: tab,
    choices: () => eventListing({ fields: {}, events }).map((e) => ({ value: e.name, label: e.label, detail: e.label !== e.name ? e.name : undefined })),
    choose: (v) => setAgg({ event: nodes.string(v) as typeof agg.event, where: null, property: needsProperty(agg.fn) ? agg.property : null }),
  });
  const fnSelect = html`<select part="aggregate" aria-label=${s.aggregate} tabindex=${tab} ?disabled=${h.readOnly} @change=${(e: Event) => {
    const fn = (e.target as HTMLSelectElement).value as AggregateFn;
    const firstNumber = Object.keys(properties).find((k) => properties[k].type === AGGREGATES[fn].property) ?? '';
    setAgg({ fn, property: needsProperty(fn) ? (agg.property ?? (nodes.string(firstNumber) as typeof agg.event)) : null });
  }}>
    ${Object.values(AGGREGATES).map((a) => html`<option value=${a.id} ?selected=${a.id === agg.fn}>${aggregateWords[a.id].label}</option>`)}
  </select>`;
  const propertyPicker = needsProperty(agg.fn)
    ? pickerTemplate(h, {
        id: `${key}|property`,
        name: s.property,
        text: agg.property?.value ?? '',
        part: 'property-picker',
        disabled: h.readOnly,
        tabindex: tab,
        choices: () =>
          Object.entries(properties)
            .filter(([, f]) => f.type === AGGREGATES[agg.fn].property)
            .map(([n, f]) => ({ value: n, label: f.label ?? n })),
        choose: (v) => setAgg({ property: nodes.string(v) as typeof agg.event }),
      })
    : nothing;
  const within = agg.within;
  const windowEditor = html`<label class="hint"
      ><input type="checkbox" part="within-toggle" tabindex=${tab} ?disabled=${h.readOnly} .checked=${within !== null}
        @change=${(e: Event) => setAgg({ within: (e.target as HTMLInputElement).checked ? (nodes.duration(30, 'day') as typeof within) : null })} />
      ${s.within}</label
    >${within ? duration(h, within.amount, within.unit, s.within, tab, (amount, unit, c) => setAgg({ within: nodes.duration(amount, unit) as typeof within }, c)) : html`<span class="hint">${s.anyTime}</span>`}`;
  const body = html`${notToggle(h, path, negated, tab)} ${eventPicker} ${fnSelect} ${propertyPicker} ${windowEditor} ${operatorPicker(h, p, valueType, key, tab, set)}
  ${operandEditor(h, p, valueType, key, tab, set)}
  ${agg.where === null && !h.readOnly ? html`<button type="button" part="add-where" tabindex=${tab} @click=${() => h.act('add-where', path)}>+ ${s.where}</button>` : nothing}`;
  const where = agg.where
    ? html`<div role="none" class="items" part="where">${item(h, agg.where, [...path, 'where'], level + 1, { fields: properties, event: agg.event.value })}</div>`
    : nothing;
  return leaf(h, path, level, 'event', format(s.eventLabel, { text }), body, where);
}

/** A condition still being written: pick its field, then its operator; the rest gets fresh values. */
function draftRow(h: VisualHost, d: Extract<Expr, { type: 'draft' }>, negated: boolean, path: Path, level: number, scope: Scope): TemplateResult {
  const s = h.words;
  const key = pathKey(path);
  const tab = h.activeRow === key ? 0 : -1;
  const fieldPath = d.subject?.type === 'field' ? d.subject.path.join('.') : undefined;
  const field = fieldPath !== undefined && Object.hasOwn(scope.fields, fieldPath) ? scope.fields[fieldPath] : undefined;
  const set = (next: Expr) => h.replaceNode(path, negated ? nodes.not(next) : next, true);
  const fieldPicker = pickerTemplate(h, {
    id: `${key}|field`,
    name: s.field,
    text: fieldPath === undefined ? s.chooseField : (field?.label ?? fieldPath),
    part: 'field-picker',
    disabled: h.readOnly,
    tabindex: tab,
    choices: () => fieldChoices(h, scope.fields),
    choose: (value) => set(newCondition(value, scope.fields[value])),
  });
  const opPicker =
    fieldPath === undefined
      ? nothing
      : pickerTemplate(h, {
          id: `${key}|operator`,
          name: s.operator,
          text: d.op ? operatorText(d.op, field, h.locale).words : s.chooseOperator,
          part: 'operator-picker',
          disabled: h.readOnly,
          tabindex: tab,
          choices: () => operatorChoices(h, field),
          choose: (value) => set(withOperator(nodes.condition(fieldPath, value as OperatorId), value as OperatorId, field, true)),
        });
  const body = html`${notToggle(h, path, negated, tab)} ${fieldPicker} ${opPicker}`;
  return leaf(h, path, level, 'condition', format(s.conditionLabel, { text: print(d) }), body);
}

function rawRow(h: VisualHost, node: Expr, path: Path, level: number): TemplateResult {
  const s = h.words;
  const key = pathKey(path);
  const tab = h.activeRow === key ? 0 : -1;
  const text = h.rawText(path) ?? (node.type === 'raw' ? node.text : print(node));
  const body = html`<span class="raw"
    ><input
      type="text"
      part="raw-input"
      aria-label=${s.unparsed}
      tabindex=${tab}
      ?readonly=${h.readOnly}
      .value=${text}
      @input=${(e: Event) => h.editRaw(path, (e.target as HTMLInputElement).value)}
      @change=${() => h.commitEdits()}
  /></span>`;
  return leaf(h, path, level, 'raw', format(s.rawLabel, { text }), body);
}
