import { ContextConsumer } from '@lit/context';
import { html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { schemaContext, segmentsContext } from './context';
import { SegmentChangeEvent, SegmentInputEvent, type BuilderDiagnostic, type SegmentBuilderEventMap, type SegmentEditDetail } from './events';
import { analyze, createClock, MAX_SEGMENT_REFERENCES, nodes, print, recoverText, segmentNames, sentence, spanOf, type Analysis, type DurationUnit, type Expr, type FieldSchema, type Schema, type SegmentDefinition } from './language';
import {
  asGroup,
  removeAt,
  insertAt,
  isWithin,
  keyPath,
  moveTo,
  newGroup,
  nodeAt,
  otherConnective,
  parentOf,
  pathKey,
  replaceAt,
  rootGroup,
  rowAtOffset,
  setConnective,
  strip,
  withWhere,
  toggleNot,
  visibleRows,
  type Path,
} from './model';
import { EnumOptions, type OptionsProvider } from './options';
import type { PickerState, RemoteChoices } from './picker';
import { styles } from './segment-builder.styles';
import { format, stringsFor, type BuilderStrings } from './strings';
import { completionsAt, piecesOf, TextMirror, tokensOf, type CompletionList } from './text-view';
import { treeTemplate, type RowAction, type VisualHost } from './visual-view';

/** Counts the profiles in a segment; the builder aborts `signal` when the expression changes again. */
export type CountProvider = (expression: string, options: { signal: AbortSignal }) => Promise<number>;

export type BuilderView = 'visual' | 'text' | 'both';

type CountState = { status: 'idle' } | { status: 'pending' } | { status: 'done'; value: number } | { status: 'error'; message: string } | { status: 'invalid' };

const COUNT_DELAY_MS = 300;
/** Text that does not parse is recovered (a tree for the rows, every syntax error) once typing pauses this long. */
const RECOVER_DELAY_MS = 150;
const NO_SEGMENTS: readonly SegmentDefinition[] = [];

/**
 * A visual and text editor for one segment expression, two-way synced: nested groups of conditions
 * on one side, the expression with colours, squiggles and completion on the other. A form field.
 *
 * @summary The embeddable segment builder.
 *
 * @event input - The user edited the expression (every keystroke, choice or move). `detail`: `{expression, ast, valid, diagnostics}`.
 * @event change - The user committed an edit (a choice made, a field left, a row moved). Same `detail`.
 *
 * @csspart toolbar - The bar with the view switch and the count.
 * @csspart view-switch - The Visual / Text / Both buttons.
 * @csspart count - The live count ("≈ 1,234 customers").
 * @csspart tree - The visual view (an ARIA tree).
 * @csspart group - A group row and its items.
 * @csspart group-header - The row of a group's controls.
 * @csspart group-items - The items of a group.
 * @csspart group-count - A group's own count.
 * @csspart condition - A condition row.
 * @csspart condition-row - The controls of a condition.
 * @csspart event - An event condition row.
 * @csspart event-row - The controls of an event condition.
 * @csspart where - The property conditions of an event condition.
 * @csspart segment - A saved segment row.
 * @csspart segment-row - The controls of a saved segment row.
 * @csspart segment-limit - The note beside a disabled Add saved segment: no other saved segment may be used.
 * @csspart raw - A row of text the visual view cannot show (edit it as text).
 * @csspart raw-row - The controls of a raw row.
 * @csspart raw-input - The text input of a raw row.
 * @csspart drag-handle - A row's drag handle.
 * @csspart collapse-button - A group's collapse button.
 * @csspart not-toggle - The Not toggle of a group or row.
 * @csspart connective - The All / Any switch of a group.
 * @csspart connective-and - The All button.
 * @csspart connective-or - The Any button.
 * @csspart add-condition - A group's Add condition button.
 * @csspart add-group - A group's Add group button.
 * @csspart add-segment - A group's Add saved segment button.
 * @csspart add-event - A group's Add event condition button.
 * @csspart add-where - An event condition's Add where button.
 * @csspart duplicate-button - A row's Duplicate button.
 * @csspart delete-button - A row's Delete button.
 * @csspart field-picker - The field picker of a condition.
 * @csspart operator-picker - The operator picker of a condition.
 * @csspart value-picker - A picker of enum values.
 * @csspart segment-picker - The saved segment picker.
 * @csspart event-picker - The event picker.
 * @csspart property-picker - The event property picker.
 * @csspart picker-button - The button of any picker.
 * @csspart picker - An open picker's popup.
 * @csspart picker-option - An option in an open picker.
 * @csspart picker-status - An open picker's loading state (values the host loads): loading, how many came, or why they did not.
 * @csspart picker-retry - The Try again button after the values failed to load.
 * @csspart value-input - A value input.
 * @csspart chips - A list value's chips.
 * @csspart chip - One chip.
 * @csspart chip-remove - A chip's remove button.
 * @csspart chip-input - The input that adds a chip.
 * @csspart duration-amount - A duration's amount.
 * @csspart duration-unit - A duration's unit.
 * @csspart date-mode - A date's kind (a day, a time ago, today, now).
 * @csspart resolved-date - The day a relative date resolves to.
 * @csspart aggregate - An event condition's measure.
 * @csspart within-toggle - An event condition's time window toggle.
 * @csspart segment-mode - In segment / not in segment.
 * @csspart empty - The note in an empty group.
 * @csspart text-view - The text view.
 * @csspart text-editor - The text area and its colours.
 * @csspart text-input - The text area.
 * @csspart text-highlight - The coloured copy of the text behind the text area.
 * @csspart completions - The completion list.
 * @csspart diagnostics - The list of problems.
 * @csspart description - The plain-language description.
 *
 * @cssproperty --segment-builder-font - The font (default `0.9375rem/1.4 system-ui, sans-serif`).
 * @cssproperty --segment-builder-font-mono - The text view's font.
 * @cssproperty --segment-builder-background - Background.
 * @cssproperty --segment-builder-color - Text colour.
 * @cssproperty --segment-builder-muted-color - Quieter text.
 * @cssproperty --segment-builder-border-color - Borders.
 * @cssproperty --segment-builder-surface - Group headers and chips.
 * @cssproperty --segment-builder-accent - Pressed toggles, the active option, drop marks.
 * @cssproperty --segment-builder-accent-contrast - Text on the accent.
 * @cssproperty --segment-builder-error-color - Problems and squiggles.
 * @cssproperty --segment-builder-focus-ring - The focus outline.
 * @cssproperty --segment-builder-selection - The row and the text stretch that belong together.
 * @cssproperty --segment-builder-radius - Corner radius.
 * @cssproperty --segment-builder-gap - Space between controls.
 * @cssproperty --segment-builder-indent - Indentation of nested groups.
 * @cssproperty --segment-builder-token-keyword - Text view: and, or, not.
 * @cssproperty --segment-builder-token-field - Text view: field names.
 * @cssproperty --segment-builder-token-operator - Text view: operator words.
 * @cssproperty --segment-builder-token-string - Text view: strings.
 * @cssproperty --segment-builder-token-number - Text view: numbers and durations.
 * @cssproperty --segment-builder-token-function - Text view: events and saved segments.
 * @cssproperty --segment-builder-token-comment - Text view: comments.
 */
export class SegmentBuilder extends LitElement implements VisualHost {
  static override styles = styles;
  static formAssociated = true;
  /** @internal */
  static override shadowRootOptions: ShadowRootInit = { ...LitElement.shadowRootOptions, delegatesFocus: false };

  static override properties = {
    value: { type: String, reflect: true, noAccessor: true },
    schema: { attribute: false },
    segments: { attribute: false },
    countProvider: { attribute: false },
    optionsProvider: { attribute: false },
    readonly: { type: Boolean, reflect: true },
    disabled: { type: Boolean, reflect: true },
    required: { type: Boolean, reflect: true },
    name: { type: String, reflect: true },
    maxDepth: { type: Number, attribute: 'max-depth' },
    locale: { type: String, reflect: true },
    strings: { attribute: false },
    view: { type: String, reflect: true },
    groupCounts: { type: Boolean, attribute: 'group-counts' },
    now: { attribute: false },
  };

  // Controllers
  private readonly internals: ElementInternals;
  private readonly schemaConsumer = new ContextConsumer(this, { context: schemaContext, subscribe: true });
  private readonly segmentsConsumer = new ContextConsumer(this, { context: segmentsContext, subscribe: true });
  private readonly mirror = new TextMirror();
  private readonly enumOptions = new EnumOptions(() => this.onOptionsLoaded());

  // Private state
  private _text = '';
  private _defaultValue = '';
  /** The analysis of `_text`, made when first needed (see `analysis()`). */
  private _analysisCache: Analysis | undefined;
  private _rootCache: { analysis: Analysis; root: Expr } | undefined;
  /**
   * What the views show: the analysis of the text as of the last settled edit. A keystroke paints
   * at once (the input shows it); its analysis, colours, rows and description follow in the frame
   * after it (text that does not parse: once typing pauses), so typing never waits for a parse.
   */
  private _shown: Analysis = analyze('', undefined, NO_SEGMENTS);
  private _shownRoot: Expr = rootGroup(undefined);
  private _deferred: { old: string; version: number; timer: ReturnType<typeof setTimeout> | undefined; done: Promise<void>; resolve: () => void } | undefined;
  private _caret = 0;
  /** The stretch of text the last edit of a row wrote (so the next keystroke in it needs no parse). */
  private _lastEdit: { key: string; start: number; end: number; text: string } | undefined;
  private _count: CountState = { status: 'idle' };
  private _countTimer: ReturnType<typeof setTimeout> | undefined;
  private _countAbort: AbortController | undefined;
  private _groupCounts = new Map<string, string>();
  private _edited = false;
  private _focusRow = false;
  private _focusPicker: string | undefined;
  private _announcement = '';
  private _completions: (CompletionList & { index: number }) | undefined;
  private _drag: string | undefined;
  private _caretRow: string | undefined;
  /** Each enum field's loaded choices, as the value pickers ask for them. */
  private _remote = new Map<string, RemoteChoices>();

  /** @internal */ activeRow = '';
  /** @internal */ collapsed = new Set<string>();
  /** @internal */ picker: PickerState | undefined;
  /** @internal */ dropTarget: VisualHost['dropTarget'];

  // Public properties
  /** The fields and events conditions can name. Wins over a schema provided by an ancestor. */
  declare schema: Schema | undefined;
  /** Saved segments `in_segment` rows can pick (at most 10 may be referenced). Wins over the context. */
  declare segments: readonly SegmentDefinition[] | undefined;
  /** Counts a valid expression (debounced; the previous request is aborted). */
  declare countProvider: CountProvider | undefined;
  /**
   * Loads the values of enum fields whose schema lists none, for the value pickers and the text
   * view's completion: `(field, query, {signal, event}) => Promise<string[]>`. Answers are kept per
   * field and query; a stale request is aborted.
   */
  declare optionsProvider: OptionsProvider | undefined;
  /** Shows the segment without letting the user change it. */
  declare readonly: boolean;
  /** Disables the builder (and leaves it out of its form's data). */
  declare disabled: boolean;
  /** An empty expression makes the form invalid. */
  declare required: boolean;
  /** The name the expression is submitted under in a form. */
  declare name: string;
  /** How deep groups may nest (the root group is level 1). */
  declare maxDepth: number;
  /** The language of the builder's words and description: `en` or `ar` (others fall back to English). */
  declare locale: string;
  /** Replaces some of the locale's words. */
  declare strings: Partial<BuilderStrings> | undefined;
  /** Which views show: `visual`, `text` or `both`. */
  declare view: BuilderView;
  /** Counts each group too (one `countProvider` call per group). */
  declare groupCounts: boolean;
  /** The instant relative dates are shown against (default: now). */
  declare now: Date | undefined;

  constructor() {
    super();
    this.internals = this.attachInternals();
    this.readonly = false;
    this.disabled = false;
    this.required = false;
    this.name = '';
    this.maxDepth = 8;
    this.locale = 'en';
    this.view = 'visual';
    this.groupCounts = false;
  }

  /** The expression text. Setting it never fires `input` or `change`. */
  get value(): string {
    return this._text;
  }

  set value(next: string | null | undefined) {
    const text = next ?? '';
    const old = this._text;
    this._defaultValue = text;
    if (text === old) return;
    this.setText(text);
    this.requestUpdate('value', old);
  }

  /** The tree of the current expression (partial while the text has syntax errors). */
  get ast(): Expr | undefined {
    return this.analysis().expr;
  }

  /** Whether the expression parsed and validated without problems. */
  get valid(): boolean {
    return this.analysis(true).valid;
  }

  /** Every problem in the expression. */
  get diagnostics(): readonly BuilderDiagnostic[] {
    return this.analysis().diagnostics;
  }

  get form(): HTMLFormElement | null {
    return this.internals.form;
  }

  get validity(): ValidityState {
    this.syncForm();
    return this.internals.validity;
  }

  get validationMessage(): string {
    this.syncForm();
    return this.internals.validationMessage;
  }

  get willValidate(): boolean {
    return this.internals.willValidate;
  }

  checkValidity(): boolean {
    this.syncForm();
    return this.internals.checkValidity();
  }

  reportValidity(): boolean {
    this.syncForm();
    return this.internals.reportValidity();
  }

  /** @internal */
  get words(): BuilderStrings {
    const w = this._words;
    if (w && w.locale === this.locale && w.strings === this.strings) return w.words;
    const words = stringsFor(this.locale, this.strings);
    this._words = { locale: this.locale, strings: this.strings, words };
    return words;
  }
  private _words: { locale: string; strings: Partial<BuilderStrings> | undefined; words: BuilderStrings } | undefined;

  // VisualHost (used by the templates)
  /** @internal */ get segmentList(): readonly SegmentDefinition[] {
    return this.segments ?? this.segmentsConsumer.value ?? NO_SEGMENTS;
  }
  /** @internal */ get readOnly(): boolean {
    return this.readonly || this.disabled;
  }
  /** @internal */ get depthLimit(): number {
    return this.maxDepth;
  }
  /** @internal */ get segmentLimitReached(): boolean {
    const a = this._shown;
    if (this._limit?.analysis !== a) this._limit = { analysis: a, reached: segmentNames(a.expr).size >= MAX_SEGMENT_REFERENCES };
    return this._limit.reached;
  }
  private _limit: { analysis: Analysis; reached: boolean } | undefined;
  /** @internal */ get shownText(): string {
    return this._shown.text;
  }
  /** @internal */ get currentRow(): string | undefined {
    return this._caretRow;
  }
  /** @internal */ get activeSchema(): Schema | undefined {
    return this.schema ?? this.schemaConsumer.value;
  }

  // Lifecycle
  protected override createRenderRoot(): HTMLElement | DocumentFragment {
    const root = super.createRenderRoot();
    // The inner controls' own `input` events cross the shadow boundary; the host sees only ours.
    root.addEventListener('input', (e) => e.stopPropagation());
    return root;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.syncForm();
    // Back on the page: the count a removal interrupted (or an edit made meanwhile) runs now.
    if (this.hasUpdated && this._count.status === 'pending') this.scheduleCount();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    // Off the page nothing counts: the request under way is aborted, the pause waited for is dropped,
    // and a keystroke's analysis is made now instead of on a timer.
    const counting = this._countAbort !== undefined || this._countTimer !== undefined;
    this.stopCount();
    this.enumOptions.abort();
    if (counting) this._count = { status: 'pending' };
    this.catchUpNow();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // The analysis follows the text, the schema and the segments (a property or the context);
    // a keystroke's waits for the frame after it.
    if (!this._deferred) this.show();
    if (changed.has('optionsProvider')) this.enumOptions.use(this.optionsProvider);
    if (changed.has('countProvider') || changed.has('groupCounts')) this.scheduleCount();
    if (changed.has('disabled') || changed.has('required')) this.syncForm();
  }

  /** Resolves once the views show the current text (a keystroke's analysis included). */
  protected override async getUpdateComplete(): Promise<boolean> {
    let result = await super.getUpdateComplete();
    while (this._deferred) {
      await this._deferred.done;
      result = await super.getUpdateComplete();
    }
    return result;
  }

  protected override updated(): void {
    this.paintText();
    if (this._focusRow) {
      this._focusRow = false;
      this.rowElement(this.activeRow)?.focus();
    }
    if (this.picker && this._focusPicker === this.picker.id) {
      this._focusPicker = undefined;
      this.renderRoot.querySelector<HTMLInputElement>('.picker-search')?.focus();
    } else if (this._focusPicker !== undefined && !this.picker) {
      const id = this._focusPicker;
      this._focusPicker = undefined;
      this.renderRoot.querySelector<HTMLElement>(`[data-picker="${CSS.escape(id)}"]`)?.focus();
    }
  }

  /** @internal */
  formResetCallback(): void {
    this.setText(this._defaultValue);
    this.requestUpdate('value');
  }

  /** @internal */
  formStateRestoreCallback(state: string | File | FormData | null, _mode?: 'restore' | 'autocomplete'): void {
    if (typeof state === 'string') {
      this.setText(state);
      this.requestUpdate('value');
    }
  }

  /** @internal */
  formDisabledCallback(disabled: boolean): void {
    this.disabled = disabled;
  }

  // State changes

  /**
   * The analysis of the current text against the schema and segments in force, made once per
   * text. `quick`: text that does not parse is not recovered (its validity and first error only).
   */
  private analysis(quick = false): Analysis {
    const schema = this.activeSchema;
    const segments = this.segmentList;
    let a = this._analysisCache;
    if (!a || a.text !== this._text || a.schema !== schema || a.segments !== segments) a = this._analysisCache = analyze(this._text, schema, segments, false);
    if (a.partial && !quick) a = this._analysisCache = recoverText(this._text, schema, segments);
    return a;
  }

  /** The current text's tree, shown as a group. */
  private get _root(): Expr {
    const a = this.analysis();
    if (this._rootCache?.analysis !== a) this._rootCache = { analysis: a, root: rootGroup(a.expr) };
    return this._rootCache.root;
  }

  /** The views catch up with the current text. */
  private show(): void {
    const a = this.analysis();
    if (a === this._shown) return;
    this._shown = a;
    this._shownRoot = this._root;
    if (nodeAt(this._shownRoot, keyPath(this.activeRow)) === undefined) this.activeRow = '';
    this.syncForm();
    this.scheduleCount();
    this.placeCaretRow();
  }

  /** Text set at once (by the host, a reset, a committed edit): the next update shows it. */
  private setText(text: string): void {
    this._text = text;
    this.catchUpNow();
  }

  /**
   * A keystroke: the text changes now, its analysis after the next frame (text that does not parse:
   * once typing pauses), then one update shows it. `updateComplete` waits for it.
   */
  private deferText(text: string, old: string): void {
    this._text = text;
    this.internals.setFormValue(this.disabled ? null : text, text);
    // A count under way is for a text that is gone.
    this.stopCount();
    let d = this._deferred;
    if (!d) {
      let resolve!: () => void;
      const done = new Promise<void>((r) => (resolve = r));
      d = this._deferred = { old, version: 0, timer: undefined, done, resolve };
    }
    const mine = d;
    const version = ++mine.version;
    clearTimeout(mine.timer);
    afterPaint(() => {
      if (this._deferred !== mine || mine.version !== version) return;
      if (this.analysis(true).partial) {
        this.syncForm();
        mine.timer = setTimeout(() => this._deferred === mine && this.catchUpNow(), RECOVER_DELAY_MS);
      } else this.catchUpNow();
    });
  }

  /** Shows the current text now (in the next update), ending a keystroke's wait. */
  private catchUpNow = (): void => {
    const d = this._deferred;
    if (!d) return;
    this._deferred = undefined;
    clearTimeout(d.timer);
    this.requestUpdate('value', d.old);
    d.resolve();
  };

  private syncForm(): void {
    const a = this.analysis(true);
    this.internals.setFormValue(this.disabled ? null : this._text, this._text);
    const anchor = this.renderRoot?.querySelector?.<HTMLElement>('textarea, [role="row"][data-path]') ?? undefined;
    if (this.required && this._text.trim() === '') this.internals.setValidity({ valueMissing: true }, this.words.emptyBuilder, anchor);
    else if (this._text.trim() !== '' && !a.valid) this.internals.setValidity({ customError: true }, a.diagnostics[0]?.summary ?? this.words.unparsed, anchor);
    else this.internals.setValidity({});
  }

  /** A user's edit: new text, both views follow, `input` (and `change` when committed) fire. */
  private userEdit(text: string, commit: boolean): void {
    if (text !== this._text) {
      const old = this._text;
      if (commit) {
        this.setText(text);
        this.requestUpdate('value', old);
      } else this.deferText(text, old);
      this._edited = true;
      this.dispatchEvent(new SegmentInputEvent(this.detail()));
    }
    if (commit) this.commitEdits();
  }

  /** The state after an edit; the tree and the problems are worked out when first read. */
  private detail(): SegmentEditDetail {
    const expression = this._text;
    let a: Analysis | undefined;
    const get = () => (a ??= this._text === expression ? this.analysis() : analyze(expression, this.activeSchema, this.segmentList));
    return {
      expression,
      get ast() {
        return get().expr;
      },
      get valid() {
        return get().valid;
      },
      get diagnostics() {
        return get().diagnostics;
      },
    };
  }

  /** @internal */
  commitEdits(): void {
    if (!this._edited) return;
    this._edited = false;
    this.dispatchEvent(new SegmentChangeEvent(this.detail()));
  }

  /** The text for a new root: the root group printed (a group of one prints as its item). */
  private printRoot(root: Expr): string {
    // The bare `and` shown around a lone condition (parsed text never has an `and` of one).
    if (root.type === 'and' && root.items.length <= 1) return root.items.length === 0 ? '' : print(root.items[0]);
    return print(root);
  }


  /** @internal */
  replaceNode(path: Path, node: Expr, commit: boolean): void {
    const key = pathKey(path);
    const last = this._lastEdit;
    // The next keystroke in the row just edited: the stretch it wrote, no parse needed.
    if (last && last.key === key && last.text === this._text && !asGroup(node)) return this.splice(key, last.start, last.end, print(node), commit);
    const old = nodeAt(this._root, path);
    const span = old && spanOf(old);
    // A condition keeps the text around it as the user wrote it (comments, line breaks).
    if (span && path.length > 0 && !asGroup(old) && !asGroup(node) && this._analysis.expr !== undefined) return this.splice(key, span.start, span.end, print(node), commit);
    this._lastEdit = undefined;
    this.userEdit(this.printRoot(replaceAt(this._root, path, () => node)), commit);
  }

  private splice(key: string, start: number, end: number, printed: string, commit: boolean): void {
    const text = this._text.slice(0, start) + printed + this._text.slice(end);
    this._lastEdit = { key, start, end: start + printed.length, text };
    this.userEdit(text, commit);
  }

  private get _analysis(): Analysis {
    return this.analysis();
  }

  private _rawEdit: { key: string; start: number; end: number; text: string } | undefined;

  /**
   * @internal A keystroke in a raw row. The stretch it replaces is the one it wrote last (the
   * parser's span leaves out the spaces at its ends, the input keeps them), else the node's span.
   */
  editRaw(path: Path, value: string): void {
    const key = pathKey(path);
    let r = this._rawEdit;
    if (!r || r.key !== key || r.text !== this._text) {
      const span = spanOf(nodeAt(this._root, path) ?? {});
      if (!span) return this.replaceNode(path, nodes.raw(value), false);
      r = { key, start: span.start, end: span.end, text: this._text };
    }
    const text = this._text.slice(0, r.start) + value + this._text.slice(r.end);
    this._rawEdit = { key, start: r.start, end: r.start + value.length, text };
    this.userEdit(text, false);
  }

  /** @internal */
  rawText(path: Path): string | undefined {
    const r = this._rawEdit;
    return r && r.key === pathKey(path) && r.text === this._text ? this._text.slice(r.start, r.end) : undefined;
  }

  /** A structural edit: the new root, the row to focus, and what to announce. */
  private structural(root: Expr, focus: Path | undefined, announcement: string): void {
    this.userEdit(this.printRoot(root), true);
    if (focus) {
      this.activeRow = pathKey(focus);
      this._focusRow = true;
    }
    this.announce(announcement);
  }

  private announce(text: string): void {
    // The same words twice in a row must still be spoken: clear, then set on the next frame.
    this._announcement = '';
    this.requestUpdate();
    requestAnimationFrame(() => {
      this._announcement = text;
      this.requestUpdate();
    });
  }

  /** @internal */
  groupCount(key: string): string | undefined {
    return this.groupCounts ? this._groupCounts.get(key) : undefined;
  }

  /** @internal */
  enumValues(field: string, event: string | undefined): RemoteChoices | undefined {
    if (!this.enumOptions.active) return undefined;
    const key = `${event ?? ''}\u0000${field}`;
    let remote = this._remote.get(key);
    if (!remote) {
      remote = {
        load: (query) => {
          const answer = this.enumOptions.get(field, event, query);
          return answer.status === 'done' ? { status: 'done', choices: answer.values.map((v) => ({ value: v, label: v })) } : answer;
        },
        retry: (query) => this.enumOptions.retry(field, event, query),
      };
      this._remote.set(key, remote);
    }
    return remote;
  }

  /** Loaded values came: an open list shows them, and so does the text view's completion. */
  private onOptionsLoaded(): void {
    this.requestUpdate();
    const area = this.renderRoot.querySelector('textarea');
    if (area && this.shadowRoot?.activeElement === area) this.updateCompletions(area);
  }

  /** @internal */
  ago(amount: number, unit: DurationUnit): number {
    return createClock({ now: this.now ?? new Date() }).ago({ amount, unit });
  }

  /** @internal */
  openPicker(state: PickerState): void {
    this.picker = state;
    this._focusPicker = state.id;
    this.requestUpdate();
  }

  /** @internal */
  closePicker(focusButton: boolean): void {
    const id = this.picker?.id;
    this.picker = undefined;
    // A load the closed list waited for is no longer wanted.
    this.enumOptions.abort();
    this._focusPicker = focusButton ? id : undefined;
    this.requestUpdate();
  }

  /** The fields in scope at a group path (profile fields, or an event's properties under `.where`). */
  private fieldsAt(path: Path): Readonly<Record<string, FieldSchema>> {
    const schema = this.activeSchema;
    const w = path.lastIndexOf('where');
    if (w < 0) return schema?.fields ?? {};
    const { inner } = strip(nodeAt(this._root, path.slice(0, w)) as Expr);
    if (inner.type !== 'predicate' || inner.subject.type !== 'aggregate') return {};
    const name = inner.subject.event.value.toLowerCase();
    const event = Object.entries(schema?.events ?? {}).find(([n]) => n.toLowerCase() === name)?.[1];
    return event?.properties ?? {};
  }

  private levelOf(path: Path): number {
    return path.length + 1;
  }

  /** @internal */
  act(action: RowAction, path: Path): void {
    if (this.readOnly) return;
    const s = this.words;
    const root = this._root;
    const node = nodeAt(root, path);
    if (node === undefined) return;
    switch (action) {
      case 'add-condition':
      case 'add-group':
      case 'add-segment':
      case 'add-event': {
        const g = asGroup(node)!;
        let child: Expr;
        if (action === 'add-group') {
          if (this.levelOf(path) + 1 > this.maxDepth) return;
          child = newGroup(otherConnective(g.type), []);
        } else if (action === 'add-segment') {
          const used = segmentNames(this._analysis.expr);
          if (used.size >= MAX_SEGMENT_REFERENCES) return;
          // The first saved segment not used yet.
          const name = (this.segmentList.find((d) => !used.has(d.name.toLowerCase())) ?? this.segmentList[0])?.name ?? 'Segment';
          child = { type: 'segment', name } as Expr;
        } else if (action === 'add-event') {
          const [event] = Object.keys(this.activeSchema?.events ?? {});
          child = nodes.condition(nodes.event(event ?? 'event', 'count'), 'gte', 1);
        } else child = nodes.draft();
        const what = action === 'add-group' ? s.addGroup : action === 'add-segment' ? s.addSegment : action === 'add-event' ? s.addEvent : s.addCondition;
        this.structural(insertAt(root, path, g.items.length, child), [...path, g.items.length], format(s.announceAdded, { what: what.toLowerCase() }));
        return;
      }
      case 'add-where': {
        if (!strip(node).inner || nodeAt(root, [...path]) === undefined) return;
        const fresh = replaceAt(root, path, (n) => withWhere(n, nodes.draft()));
        if (fresh === root) return;
        this.structural(fresh, [...path, 'where'], format(s.announceAdded, { what: s.where }));
        return;
      }
      case 'duplicate': {
        const { group, index } = parentOf(path);
        this.structural(insertAt(root, group, index + 1, node), [...group, index + 1], format(s.announceAdded, { what: s.duplicate.toLowerCase() }));
        return;
      }
      case 'delete': {
        const { group, index } = parentOf(path);
        const next = removeAt(root, path);
        // Focus the row now at the deleted one's place, else the one before it, else the group.
        const candidates: Path[] = [path, [...group, index - 1], group];
        this.structural(next, candidates.find((p) => p.every((k) => k !== -1) && nodeAt(next, p) !== undefined) ?? [], format(s.announceDeleted, { what: this.rowName(node) }));
        return;
      }
      case 'move-up':
      case 'move-down':
        this.moveBy(path, action === 'move-up' ? -1 : 1);
        return;
      case 'indent':
        this.indent(path);
        return;
      case 'outdent':
        this.outdent(path);
        return;
      case 'toggle-collapse': {
        const key = pathKey(path);
        const collapsed = !this.collapsed.has(key);
        if (collapsed) this.collapsed.add(key);
        else this.collapsed.delete(key);
        this.announce(collapsed ? s.announceCollapsed : s.announceExpanded);
        this.requestUpdate();
        return;
      }
      case 'toggle-not': {
        // The root shown around a lone condition is no group of the text's: its Not is the condition's.
        const target = path.length === 0 && this._analysis.expr !== undefined && !asGroup(this._analysis.expr) ? [0] : path;
        // Nothing to negate in an empty segment.
        if (nodeAt(root, target) === undefined || (target.length === 0 && asGroup(root)?.items.length === 0)) return;
        this.structural(replaceAt(root, target, toggleNot), undefined, format(s.announceChanged, { what: s.not }));
        return;
      }
      case 'and':
      case 'or':
        if (asGroup(node)?.type === action) return;
        this.structural(replaceAt(root, path, (n) => setConnective(n, action)), undefined, format(s.announceChanged, { what: action === 'and' ? s.matchAll : s.matchAny }));
        return;
    }
  }

  private rowName(node: Expr): string {
    return asGroup(node) ? this.words.addGroup.replace(/^\S+\s/, '') : print(node);
  }

  /** Moves a row among its siblings; past the first or last it leaves the group. */
  private moveBy(path: Path, delta: -1 | 1): void {
    const { group, index } = parentOf(path);
    const siblings = asGroup(nodeAt(this._root, group) as Expr)!.items;
    const to = index + delta;
    if (to < 0 || to >= siblings.length) {
      if (group.length === 0 || typeof group[group.length - 1] !== 'number') return;
      const outer = parentOf(group);
      this.moveRow(path, outer.group, delta < 0 ? outer.index : outer.index + 1);
      return;
    }
    this.moveRow(path, group, delta < 0 ? to : to + 1);
  }

  /** Indent: into the group just above (as its last item), or into a new group with the row above. */
  private indent(path: Path): void {
    const { group, index } = parentOf(path);
    if (index === 0) return;
    const g = asGroup(nodeAt(this._root, group) as Expr)!;
    const above = g.items[index - 1];
    const aboveGroup = asGroup(above);
    if (aboveGroup) {
      this.moveRow(path, [...group, index - 1], aboveGroup.items.length);
      return;
    }
    if (this.levelOf(group) + 1 > this.maxDepth) return;
    const node = g.items[index];
    const wrapped = newGroup(otherConnective(g.type), [above, node]);
    const next = removeAt(replaceAt(this._root, [...group, index - 1], () => wrapped), path);
    this.structural(next, [...group, index - 1, 1], this.movedText([...group, index - 1, 1], next));
  }

  /** Outdent: out of its group, just after it. */
  private outdent(path: Path): void {
    const { group } = parentOf(path);
    if (group.length === 0 || typeof group[group.length - 1] !== 'number') return;
    const outer = parentOf(group);
    this.moveRow(path, outer.group, outer.index + 1);
  }

  /** @internal Moves a row to `index` in the group at `toGroup` (indexes before the move). */
  moveRow(from: Path, toGroup: Path, index: number): void {
    if (isWithin(toGroup, from)) return;
    const { root, path } = moveTo(this._root, from, toGroup, index);
    this.structural(root, path, this.movedText(path, root));
  }

  private movedText(path: Path, root: Expr): string {
    const { group, index } = parentOf(path);
    const count = asGroup(nodeAt(root, group) as Expr)?.items.length ?? 1;
    return format(this.words.announceMoved, { position: index + 1, count, level: path.length + 1 });
  }

  // Handlers

  private rowElement(key: string): HTMLElement | null {
    return this.renderRoot.querySelector<HTMLElement>(`[role="row"][data-path][data-path="${CSS.escape(key)}"]`);
  }

  private onTreeFocusIn = (e: FocusEvent): void => {
    // Focus moving to another control: the rows are rendered from the current text first.
    this.catchUpNow();
    const row = (e.target as HTMLElement).closest<HTMLElement>('[role="row"][data-path]');
    const key = row?.dataset.path;
    if (key !== undefined && key !== this.activeRow) {
      this.activeRow = key;
      this.requestUpdate();
    }
  };

  private onTreeKeyDown = (e: KeyboardEvent): void => {
    const target = e.target as HTMLElement;
    const row = target.closest<HTMLElement>('[role="row"][data-path]');
    if (!row) return;
    const key = row.dataset.path ?? '';
    const path = keyPath(key);
    if (target !== row) {
      // Inside a row's control: Escape goes back to the row.
      if (e.key === 'Escape' && !this.picker) {
        e.preventDefault();
        row.focus();
      }
      return;
    }
    this.catchUpNow();
    const rtl = getComputedStyle(this).direction === 'rtl';
    const forward = rtl ? 'ArrowLeft' : 'ArrowRight';
    const back = rtl ? 'ArrowRight' : 'ArrowLeft';
    const rows = visibleRows(this._root, this.collapsed).map(pathKey);
    const at = rows.indexOf(key);
    const go = (k: string | undefined) => {
      if (k === undefined) return;
      e.preventDefault();
      this.activeRow = k;
      this._focusRow = true;
      this.requestUpdate();
    };
    const node = nodeAt(this._root, path);
    const isGroup = node !== undefined && asGroup(node) !== undefined;
    const alt = e.altKey;
    if (alt && (e.key === 'ArrowUp' || e.key === 'ArrowDown')) {
      e.preventDefault();
      if (path.length > 0) this.act(e.key === 'ArrowUp' ? 'move-up' : 'move-down', path);
      return;
    }
    if (alt && (e.key === forward || e.key === back)) {
      e.preventDefault();
      if (path.length > 0) this.act(e.key === forward ? 'indent' : 'outdent', path);
      return;
    }
    switch (e.key) {
      case 'ArrowDown':
        return go(rows[at + 1]);
      case 'ArrowUp':
        return go(rows[at - 1]);
      case 'Home':
        return go(rows[0]);
      case 'End':
        return go(rows[rows.length - 1]);
      case 'Delete':
        if (path.length > 0 && typeof path[path.length - 1] === 'number') {
          e.preventDefault();
          this.act('delete', path);
        }
        return;
      case 'Enter':
      case 'F2': {
        e.preventDefault();
        row.querySelector<HTMLElement>('button:not(.handle):not(:disabled), input, select')?.focus();
        return;
      }
      default:
        break;
    }
    if (e.key === forward) {
      if (isGroup && this.collapsed.has(key)) this.act('toggle-collapse', path);
      else go(rows[at + 1] !== undefined && rows[at + 1].startsWith(key === '' ? '' : `${key}/`) ? rows[at + 1] : undefined);
    } else if (e.key === back) {
      if (isGroup && !this.collapsed.has(key) && path.length > 0) this.act('toggle-collapse', path);
      else if (path.length > 0) go(pathKey(path.slice(0, path[path.length - 1] === 'where' ? -1 : -1)));
    }
  };

  private onDragStart = (e: DragEvent): void => {
    const key = (e.target as HTMLElement).dataset?.drag;
    if (key === undefined || !e.dataTransfer) return;
    this._drag = key;
    e.dataTransfer.effectAllowed = 'move';
    e.dataTransfer.setData('text/plain', print(nodeAt(this._root, keyPath(key)) as Expr));
  };

  private dropAt(e: DragEvent): VisualHost['dropTarget'] {
    const row = (e.target as HTMLElement).closest?.<HTMLElement>('[role="row"][data-path]');
    if (!row || this._drag === undefined) return undefined;
    const key = row.dataset.path ?? '';
    const from = keyPath(this._drag);
    const to = keyPath(key);
    if (isWithin(to, from)) return undefined;
    const header = row.getBoundingClientRect();
    const isGroup = asGroup(nodeAt(this._root, to) as Expr) !== undefined;
    const y = e.clientY;
    if (isGroup && (key === '' || y > header.top + header.height / 2)) return { key, where: 'inside' };
    return { key, where: y < header.top + header.height / 2 ? 'before' : 'after' };
  }

  private onDragOver = (e: DragEvent): void => {
    const target = this.dropAt(e);
    if (!target) return;
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = 'move';
    if (this.dropTarget?.key !== target.key || this.dropTarget.where !== target.where) {
      this.dropTarget = target;
      this.requestUpdate();
    }
  };

  private onDrop = (e: DragEvent): void => {
    const target = this.dropAt(e);
    const from = this._drag;
    this.onDragEnd();
    if (!target || from === undefined) return;
    e.preventDefault();
    const to = keyPath(target.key);
    if (target.where === 'inside') {
      const g = asGroup(nodeAt(this._root, to) as Expr)!;
      this.moveRow(keyPath(from), to, g.items.length);
    } else {
      const { group, index } = parentOf(to);
      this.moveRow(keyPath(from), group, target.where === 'before' ? index : index + 1);
    }
  };

  private onDragEnd = (): void => {
    this._drag = undefined;
    if (this.dropTarget) {
      this.dropTarget = undefined;
      this.requestUpdate();
    }
  };

  private onRawInput = (e: Event): void => {
    this.userEdit((e.target as HTMLInputElement).value, false);
  };

  private onTextInput = (e: Event): void => {
    const area = e.target as HTMLTextAreaElement;
    // The coloured copy shows the keystroke at once; its colours follow the analysis.
    const pre = this.renderRoot.querySelector<HTMLElement>('.editor > pre');
    if (pre) this.mirror.follow(pre, area.value);
    this.userEdit(area.value, false);
    this.updateCompletions(area);
    this.caretMoved(area);
  };

  private onTextKeyDown = (e: KeyboardEvent): void => {
    const c = this._completions;
    const area = e.target as HTMLTextAreaElement;
    if (e.key === ' ' && e.ctrlKey) {
      e.preventDefault();
      this.updateCompletions(area, true);
      return;
    }
    if (!c) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const n = c.items.length;
      c.index = (c.index + (e.key === 'ArrowDown' ? 1 : -1) + n) % n;
      this.requestUpdate();
    } else if (e.key === 'Enter' || e.key === 'Tab') {
      e.preventDefault();
      this.acceptCompletion(area, c.index);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      this._completions = undefined;
      this.requestUpdate();
    }
  };

  private updateCompletions(area: HTMLTextAreaElement, explicit = false): void {
    const caret = area.selectionStart;
    const typed = explicit || (caret === area.selectionEnd && caret > 0 && /[\p{L}\p{N}_"( ]/u.test(area.value.charAt(caret - 1)));
    const list = typed ? completionsAt(area.value, caret, this.activeSchema, this.segmentList, this.loadedValues) : undefined;
    if (!list && !this._completions) return;
    this._completions = list ? { ...list, index: 0 } : undefined;
    this.requestUpdate();
  }

  /** An enum field's values the host loads, as far as they came (asked for when first wanted). */
  private loadedValues = (field: string): readonly string[] => {
    if (!this.enumOptions.active) return [];
    const answer = this.enumOptions.get(field, undefined, '');
    return answer.status === 'done' ? answer.values : this.enumOptions.known(field, undefined);
  };

  private acceptCompletion(area: HTMLTextAreaElement, index: number): void {
    const c = this._completions;
    if (!c) return;
    const item = c.items[index];
    const text = area.value.slice(0, c.from) + item.insert + area.value.slice(c.to);
    const caret = c.from + item.insert.length;
    this._completions = undefined;
    area.value = text;
    area.setSelectionRange(caret, caret);
    this.userEdit(text, false);
    this.requestUpdate();
    area.focus();
  }

  private onTextChange = (): void => {
    this.commitEdits();
  };

  private onTextBlur = (): void => {
    if (this._completions) {
      this._completions = undefined;
      this.requestUpdate();
    }
  };

  private caretMoved = (e: Event | HTMLTextAreaElement): void => {
    const area = (e instanceof Event ? e.target : e) as HTMLTextAreaElement;
    this._caret = area.selectionStart;
    // While a keystroke's analysis waits, the row follows when it comes (see show()).
    if (!this._deferred) this.placeCaretRow();
  };

  /** The row whose stretch holds the text view's caret is marked in the visual view. */
  private placeCaretRow(): void {
    const key = this._shown.expr && this.view === 'both' ? pathKey(rowAtOffset(this._shownRoot, this._caret)) : undefined;
    if (key !== this._caretRow) {
      this._caretRow = key;
      this.requestUpdate();
    }
  }

  private jumpTo(start: number, end: number): void {
    const area = this.renderRoot.querySelector('textarea');
    if (!area) return;
    area.focus();
    area.setSelectionRange(start, Math.max(start, end));
  }

  // Count

  /** Aborts the count under way and drops the pause being waited for. */
  private stopCount(): void {
    clearTimeout(this._countTimer);
    this._countTimer = undefined;
    this._countAbort?.abort();
    this._countAbort = undefined;
  }

  private scheduleCount(): void {
    this.stopCount();
    const provider = this.countProvider;
    if (!provider || this._text.trim() === '') {
      this._count = { status: 'idle' };
      return;
    }
    if (!this.analysis(true).valid) {
      this._count = { status: 'invalid' };
      return;
    }
    this._count = { status: 'pending' };
    // Off the page: counted when it is connected again.
    if (!this.isConnected) return;
    const text = this._text;
    this._countTimer = setTimeout(() => void this.runCount(provider, text), COUNT_DELAY_MS);
  }

  private async runCount(provider: CountProvider, text: string): Promise<void> {
    this._countTimer = undefined;
    const abort = new AbortController();
    this._countAbort = abort;
    const groups = this.groupCounts ? this.countableGroups() : [];
    const one = async (expression: string) => provider(expression, { signal: abort.signal });
    try {
      const [value, ...perGroup] = await Promise.all([one(text), ...groups.map((g) => one(g.text).catch(() => Number.NaN))]);
      if (abort.signal.aborted) return;
      const fmt = new Intl.NumberFormat(this.locale);
      this._groupCounts = new Map(groups.map((g, k) => [g.key, Number.isFinite(perGroup[k]) ? `≈ ${fmt.format(perGroup[k])}` : '—']));
      this._count = { status: 'done', value };
    } catch (e) {
      if (abort.signal.aborted) return;
      this._count = { status: 'error', message: e instanceof Error ? e.message : String(e) };
    }
    this._countAbort = undefined;
    this.requestUpdate();
  }

  private countableGroups(): { key: string; text: string }[] {
    const out: { key: string; text: string }[] = [];
    const walk = (node: Expr, path: Path) => {
      const g = asGroup(node);
      if (!g) return;
      if (path.length > 0) out.push({ key: pathKey(path), text: print(node) });
      g.items.forEach((item, k) => walk(item, [...path, k]));
    };
    walk(this._root, []);
    return out;
  }

  // Text view painting

  private _painted: { pre: HTMLElement; analysis: Analysis; selected: string } | undefined;

  /** Colours, squiggles and the selected row's stretch, drawn again only when one of them changed. */
  private paintText(): void {
    const pre = this.renderRoot.querySelector<HTMLElement>('.editor > pre');
    if (!pre) {
      this._painted = undefined;
      return;
    }
    const a = this._shown;
    // The text is ahead of its analysis (a keystroke): the last colours stay until it catches up.
    if (a.text !== this._text) return this.mirror.follow(pre, this._text);
    const selected = this.activeRow !== '' ? spanOf(nodeAt(this._shownRoot, keyPath(this.activeRow)) ?? {}) : undefined;
    const mark = selected ? `${selected.start}:${selected.end}` : '';
    const p = this._painted;
    if (p && p.pre === pre && p.analysis === a && p.selected === mark && this.mirror.text === a.text) return;
    this._painted = { pre, analysis: a, selected: mark };
    const errors = a.diagnostics.flatMap((d) => (d.span ? [d.span] : []));
    this.mirror.draw(pre, a.text, piecesOf(a.text.length, tokensOf(a.text, a.expr), selected, errors));
  }

  // Render

  private renderToolbar(s: BuilderStrings): TemplateResult {
    const views: [BuilderView, string][] = [
      ['visual', s.visualView],
      ['text', s.textView],
      ['both', s.bothViews],
    ];
    return html`<div class="toolbar" part="toolbar">
      <span class="tabs" role="group" aria-label=${s.views} part="view-switch">
        ${views.map(
          ([v, label]) => html`<button type="button" aria-pressed=${this.view === v ? 'true' : 'false'} @click=${() => (this.view = v)}>${label}</button>`,
        )}
      </span>
      ${this.renderCount(s)}
    </div>`;
  }

  private renderCount(s: BuilderStrings): TemplateResult | typeof nothing {
    const c = this._count;
    if (!this.countProvider || c.status === 'idle') return nothing;
    const text =
      c.status === 'pending'
        ? s.counting
        : c.status === 'invalid'
          ? s.noCount
          : c.status === 'error'
            ? format(s.countFailed, { message: c.message })
            : format(s.count, { count: new Intl.NumberFormat(this.locale).format(c.value) });
    return html`<span class="count ${c.status === 'error' ? 'error' : ''}" part="count" role="status">${text}</span>`;
  }

  private renderVisual(s: BuilderStrings): TemplateResult {
    const a = this._shown;
    const body =
      a.expr === undefined && a.text.trim() !== ''
        ? html`<div role="treeitem" class="raw" part="raw" data-path="" aria-level="1" aria-selected="true" tabindex="0" aria-label=${format(s.rawLabel, { text: this._text })}>
            <div class="row" part="raw-row">
              <span class="raw"><input type="text" part="raw-input" aria-label=${s.unparsed} ?readonly=${this.readOnly} .value=${this._text} @input=${this.onRawInput} @change=${this.onTextChange} /></span>
              <span class="error-text">${a.diagnostics[0]?.summary ?? ''}</span>
            </div></div>
          </div>`
        : treeTemplate(this, this._shownRoot);
    return html`<div
      role="treegrid"
      part="tree"
      aria-label=${s.tree}
      aria-readonly=${this.readOnly ? 'true' : 'false'}
      @focusin=${this.onTreeFocusIn}
      @pointerdown=${this.catchUpNow}
      @keydown=${this.onTreeKeyDown}
      @dragstart=${this.onDragStart}
      @dragover=${this.onDragOver}
      @drop=${this.onDrop}
      @dragend=${this.onDragEnd}
    >
      ${body}
    </div>`;
  }

  private renderText(s: BuilderStrings): TemplateResult {
    const a = this._shown;
    const c = this._completions;
    const lines = (d: BuilderDiagnostic) => {
      const at = d.span ? positionOf(this._text, d.span.start) : undefined;
      return html`<li>
        <button type="button" @click=${() => d.span && this.jumpTo(d.span.start, d.span.end)}>${at ? `${at.line}:${at.column} ` : ''}${d.summary}</button> ${d.hint
          ? html`<span class="hint">${d.hint}</span>`
          : nothing}
      </li>`;
    };
    return html`<div class="text" part="text-view">
      <div class="editor" part="text-editor" dir="ltr">
        <pre aria-hidden="true" part="text-highlight"></pre>
        <textarea
          part="text-input"
          aria-label=${s.expression}
          aria-invalid=${a.text.trim() !== '' && !a.valid ? 'true' : 'false'}
          aria-describedby="diagnostics"
          aria-autocomplete="list"
          aria-controls=${c ? 'completions' : nothing}
          aria-activedescendant=${c ? `completion-${c.index}` : nothing}
          spellcheck="false"
          autocapitalize="off"
          autocomplete="off"
          ?readonly=${this.readOnly}
          .value=${this._text}
          @input=${this.onTextInput}
          @keydown=${this.onTextKeyDown}
          @keyup=${this.caretMoved}
          @click=${this.caretMoved}
          @change=${this.onTextChange}
          @blur=${this.onTextBlur}
        ></textarea>
        ${c
          ? html`<div class="completions" part="completions">
              <div role="listbox" id="completions" aria-label=${s.expression}>
                ${c.items.map(
                  (item, k) => html`<div
                    role="option"
                    id=${`completion-${k}`}
                    aria-selected=${k === c.index ? 'true' : 'false'}
                    @mousedown=${(e: Event) => {
                      e.preventDefault();
                      this.acceptCompletion(this.renderRoot.querySelector('textarea')!, k);
                    }}
                  >
                    <span class="label">${item.label}</span> <span class="hint">${item.detail}</span>
                  </div>`,
                )}
              </div>
            </div>`
          : nothing}
      </div>
      <ul class="diagnostics" id="diagnostics" part="diagnostics" aria-label=${s.problems}>
        ${a.diagnostics.map(lines)}
      </ul>
    </div>`;
  }

  private _described: { analysis: Analysis; locale: string; text: string | undefined } | undefined;
  /** The plain-language sentence of a valid expression, made once per analysis and locale. */
  private description(a: Analysis): string | undefined {
    const d = this._described;
    if (d && d.analysis === a && d.locale === this.locale) return d.text;
    const text = a.expr && a.valid ? sentence(a.expr, this.activeSchema, this.locale) : undefined;
    this._described = { analysis: a, locale: this.locale, text };
    return text;
  }

  override render(): TemplateResult {
    const s = this.words;
    const description = this.description(this._shown);
    return html`${this.renderToolbar(s)} ${this.view !== 'text' ? this.renderVisual(s) : nothing} ${this.view !== 'visual' ? this.renderText(s) : nothing}
      ${description ? html`<p class="description" part="description"><span class="visually-hidden">${s.description}: </span>${isolateQuoted(description)}</p>` : nothing}
      <div class="visually-hidden" role="status" aria-live="polite">${this._announcement}</div>`;
  }
}

/**
 * The values quoted in a sentence, each in its own `<bdi>`: in an Arabic sentence a Latin value
 * (`"VIP"`) keeps its quotes on its own two sides instead of the bidi algorithm moving one away.
 */
function isolateQuoted(text: string): (string | TemplateResult)[] {
  const out: (string | TemplateResult)[] = [];
  let at = 0;
  for (const m of text.matchAll(/"(?:[^"\\]|\\.)*"/g)) {
    out.push(text.slice(at, m.index), html`<bdi>${m[0]}</bdi>`);
    at = m.index + m[0].length;
  }
  out.push(text.slice(at));
  return out;
}

/** Runs `fn` once the next frame has been produced (or soon, on a page that produces none). */
function afterPaint(fn: () => void): void {
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    fn();
  };
  requestAnimationFrame(() => setTimeout(once, 0));
  setTimeout(once, 250);
}

/** 1-based line and column of an offset. */
function positionOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: offset - start + 1 };
}

export interface SegmentBuilder {
  addEventListener<K extends keyof SegmentBuilderEventMap>(type: K, listener: (this: SegmentBuilder, ev: SegmentBuilderEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof SegmentBuilderEventMap>(type: K, listener: (this: SegmentBuilder, ev: SegmentBuilderEventMap[K]) => unknown, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void;
}
