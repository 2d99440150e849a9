/**
 * The workspace page: the segments list, create/edit with `<segment-builder>` (live count, SQL and
 * first profiles from the server), manual segments from a CSV upload, export. Plain Lit templates
 * rendered from one state object; hash routes (`#/`, `#/archived`, `#/new`, `#/segments/12`,
 * `#/manual`). English and Arabic (RTL), light and dark; the user menu sets the role cookie the
 * server reads for exports.
 */
import 'n8n-nodes-segments/editor';
import type { CountProvider, SegmentInputEvent } from 'n8n-nodes-segments/editor';
import { html, nothing, render, type TemplateResult } from 'lit';
import { ApiFailure, call, downloadExport, seg, uploadMembers, type ImportProblem, type ImportReport, type SegmentRecordJson, type Summary } from './api';
import { AR, EN, fill, type PageStrings } from './strings';

type Locale = 'en' | 'ar';
type Theme = 'light' | 'dark';
type Role = 'admin' | 'marketer';

interface Notice {
  kind: 'ok' | 'error';
  text: string;
  hint?: string;
  problems?: ImportProblem[];
}

interface Editor {
  id: number | undefined;
  record: SegmentRecordJson | undefined;
  name: string;
  description: string;
  expression: string;
  valid: boolean;
  saving: boolean;
  sql: { sql: string; bindings: unknown[] } | undefined;
  rows: Record<string, unknown>[] | undefined;
  previewError: string | undefined;
  /** The SQL and profiles of the current draft are on their way. */
  previewing: boolean;
}

interface Upload {
  busy: boolean;
  report: ImportReport | undefined;
  failure: { text: string; hint?: string; problems: ImportProblem[] } | undefined;
}

const ROLE_COOKIE = 'segments-role';

const state = {
  locale: (localStorage.getItem('segments-locale') === 'ar' ? 'ar' : 'en') as Locale,
  theme: (localStorage.getItem('segments-theme') ?? (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light')) as Theme,
  role: (/(?:^|;\s*)segments-role=admin\b/.test(document.cookie) ? 'admin' : 'marketer') as Role,
  route: '',
  schema: undefined as unknown,
  definitions: [] as { name: string; expression?: string; members?: string[] }[],
  profiles: 0,
  list: undefined as Summary[] | undefined,
  listState: 'active' as 'active' | 'archived',
  notice: undefined as Notice | undefined,
  busy: new Set<number>(),
  editor: undefined as Editor | undefined,
  upload: { busy: false, report: undefined, failure: undefined } as Upload,
};

const t = (): PageStrings => (state.locale === 'ar' ? AR : EN);
// The builder formats its count with Intl.NumberFormat(locale): the page does the same, so the digits agree.
const num = (n: number) => new Intl.NumberFormat(state.locale).format(n);

function update(): void {
  const root = document.documentElement;
  root.lang = state.locale;
  root.dir = state.locale === 'ar' ? 'rtl' : 'ltr';
  root.dataset.theme = state.theme;
  document.title = t().title;
  render(page(), document.getElementById('app')!);
}

function fail(e: unknown): void {
  if (e instanceof DOMException && e.name === 'AbortError') return;
  if (e instanceof ApiFailure) {
    const first = e.errors[0];
    state.notice = { kind: 'error', text: e.errors.map((x) => x.summary).join('\n') || e.message, hint: first?.hint, problems: e.problems };
  } else state.notice = { kind: 'error', text: e instanceof Error ? e.message : String(e) };
  update();
}

function ok(text: string): void {
  state.notice = { kind: 'ok', text };
}

// ── routes ────────────────────────────────────────────────────────────────────────────────────

async function route(): Promise<void> {
  const hash = location.hash.replace(/^#/, '') || '/';
  state.route = hash;
  state.editor = undefined;
  state.upload = { busy: false, report: undefined, failure: undefined };
  update();
  try {
    if (hash === '/' || hash === '/archived') {
      state.listState = hash === '/archived' ? 'archived' : 'active';
      await loadList();
    } else if (hash === '/new') {
      await loadDefinitions();
      state.editor = newEditor();
    } else if (hash.startsWith('/segments/')) {
      await loadDefinitions();
      const record = await call<SegmentRecordJson>('GET', seg(decodeURIComponent(hash.slice('/segments/'.length))));
      // A saved segment is valid: its SQL and first profiles load at once.
      state.editor = { ...newEditor(), id: record.id, record, name: record.name, description: record.description, expression: record.expression ?? '', valid: true };
      if (record.kind === 'dynamic') void preview(record.expression ?? '');
    }
  } catch (e) {
    fail(e);
  }
  update();
}

function newEditor(): Editor {
  return { id: undefined, record: undefined, name: '', description: '', expression: '', valid: false, saving: false, sql: undefined, rows: undefined, previewError: undefined, previewing: false };
}

async function loadList(): Promise<void> {
  state.list = await call<Summary[]>('GET', `/api/segments?state=${state.listState}&locale=${state.locale}`);
}

async function loadDefinitions(): Promise<void> {
  state.definitions = await call('GET', '/api/definitions');
}

// ── list actions ──────────────────────────────────────────────────────────────────────────────

async function act(s: Summary, run: () => Promise<string | void>): Promise<void> {
  state.busy.add(s.id);
  state.notice = undefined;
  update();
  try {
    const message = await run();
    if (message) ok(message);
    await loadList();
  } catch (e) {
    fail(e);
  } finally {
    state.busy.delete(s.id);
    update();
  }
}

const duplicate = (s: Summary) => act(s, async () => fill(t().duplicated, { name: (await call<Summary>('POST', `${seg(s.id)}/duplicate`, {})).name }));
const archive = (s: Summary) => act(s, async () => (await call('POST', `${seg(s.id)}/archive`), fill(t().archivedDone, { name: s.name })));
const restore = (s: Summary) => act(s, async () => (await call('POST', `${seg(s.id)}/restore`), fill(t().restored, { name: s.name })));
const remove = (s: Summary) => {
  if (!confirm(fill(t().confirmDelete, { name: s.name }))) return;
  void act(s, async () => (await call('DELETE', seg(s.id)), fill(t().deleted, { name: s.name })));
};
const exportSegment = (s: Summary) =>
  act(s, async () => {
    const { blob, fileName, rows } = await downloadExport(s.id);
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = fileName;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    return fill(t().exported, { rows: num(rows), file: fileName });
  });

// ── editor ────────────────────────────────────────────────────────────────────────────────────

const countProvider: CountProvider = async (expression, { signal }) => (await call<{ count: number }>('POST', '/api/count', { expression }, signal)).count;

let previewTimer: ReturnType<typeof setTimeout> | undefined;
let previewAbort: AbortController | undefined;

/** The SQL and the first profiles of the draft (debounced; a newer draft cancels the older requests). */
function schedulePreview(expression: string): void {
  clearTimeout(previewTimer);
  if (state.editor) state.editor.previewing = true;
  previewTimer = setTimeout(() => void preview(expression), 250);
}

async function preview(expression: string): Promise<void> {
  previewAbort?.abort();
  const abort = new AbortController();
  previewAbort = abort;
  const ed = state.editor;
  if (!ed) return;
  ed.previewing = true;
  try {
    const [sql, rows] = await Promise.all([
      call<{ sql: string; bindings: unknown[] }>('POST', '/api/sql', { expression }, abort.signal),
      call<{ rows: Record<string, unknown>[] }>('POST', '/api/preview', { expression }, abort.signal),
    ]);
    if (abort.signal.aborted || state.editor !== ed) return;
    ed.sql = sql;
    ed.rows = rows.rows;
    ed.previewError = undefined;
  } catch (e) {
    if (abort.signal.aborted || state.editor !== ed) return;
    ed.previewError = e instanceof Error ? e.message : String(e);
  }
  ed.previewing = false;
  update();
}

function onBuilderInput(e: SegmentInputEvent): void {
  const ed = state.editor;
  if (!ed) return;
  ed.expression = e.detail.expression;
  ed.valid = e.detail.valid;
  if (e.detail.valid && e.detail.expression.trim() !== '') schedulePreview(e.detail.expression);
  else {
    clearTimeout(previewTimer);
    previewAbort?.abort();
    ed.sql = undefined;
    ed.rows = undefined;
    ed.previewError = undefined;
    ed.previewing = false;
  }
  update();
}

async function save(event: Event): Promise<void> {
  event.preventDefault();
  const ed = state.editor;
  if (!ed || ed.saving) return;
  ed.saving = true;
  state.notice = undefined;
  update();
  try {
    let record: SegmentRecordJson;
    if (ed.id === undefined) record = await call('POST', '/api/segments', { name: ed.name, description: ed.description, expression: ed.expression });
    else {
      const changes: Record<string, string> = { description: ed.description };
      if (ed.record?.kind === 'dynamic') changes.expression = ed.expression;
      record = await call('PATCH', seg(ed.id), changes);
      if (ed.name !== record.name) record = await call('POST', `${seg(ed.id)}/rename`, { name: ed.name });
    }
    ok(fill(t().saved, { name: record.name }));
    location.hash = '#/';
  } catch (e) {
    fail(e);
  } finally {
    ed.saving = false;
    update();
  }
}

// ── CSV upload ────────────────────────────────────────────────────────────────────────────────

async function upload(event: Event, ref: string | undefined): Promise<void> {
  event.preventDefault();
  const form = event.target as HTMLFormElement;
  const data = new FormData(form);
  const file = data.get('file');
  const name = ref ?? String(data.get('name') ?? '').trim();
  if (!(file instanceof File) || file.size === 0 || name === '') {
    form.reportValidity();
    return;
  }
  const options: Record<string, string> = { skipInvalid: data.get('skipInvalid') ? 'true' : 'false', mode: data.get('replace') ? 'replace' : 'add' };
  if (ref === undefined) {
    options.create = 'true';
    const description = String(data.get('description') ?? '');
    if (description) options.description = description;
  }
  const country = String(data.get('country') ?? '').trim();
  if (country) options.country = country;
  state.upload = { busy: true, report: undefined, failure: undefined };
  state.notice = undefined;
  update();
  try {
    state.upload.report = await uploadMembers(name, file, options);
    if (state.editor?.record) state.editor.record = await call('GET', seg(state.editor.record.id));
  } catch (e) {
    if (e instanceof ApiFailure) state.upload.failure = { text: e.errors.map((x) => x.summary).join('\n'), hint: e.errors[0]?.hint, problems: e.problems };
    else fail(e);
  } finally {
    state.upload.busy = false;
    update();
  }
}

// ── preferences ───────────────────────────────────────────────────────────────────────────────

function setLocale(locale: Locale): void {
  state.locale = locale;
  localStorage.setItem('segments-locale', locale);
  update();
  // The list's plain-words descriptions come in the page's language.
  if (state.list !== undefined) void loadList().then(update, fail);
}

function setTheme(theme: Theme): void {
  state.theme = theme;
  localStorage.setItem('segments-theme', theme);
  update();
}

function setRole(role: Role): void {
  state.role = role;
  document.cookie = `${ROLE_COOKIE}=${role}; path=/; samesite=strict`;
  (document.querySelector('details.user-menu') as HTMLDetailsElement | null)?.removeAttribute('open');
  update();
}

// ── templates ─────────────────────────────────────────────────────────────────────────────────

function page(): TemplateResult {
  const s = t();
  return html`
    <header class="top">
      <a class="brand" href="#/">${s.title}</a>
      <span class="muted">${state.profiles ? fill(s.subtitle, { profiles: num(state.profiles) }) : ''}</span>
      <span class="spacer"></span>
      <label class="pref">${s.language}
        <select @change=${(e: Event) => setLocale((e.target as HTMLSelectElement).value as Locale)}>
          <option value="en" ?selected=${state.locale === 'en'}>English</option>
          <option value="ar" ?selected=${state.locale === 'ar'}>العربية</option>
        </select>
      </label>
      <label class="pref">${s.theme}
        <select @change=${(e: Event) => setTheme((e.target as HTMLSelectElement).value as Theme)}>
          <option value="light" ?selected=${state.theme === 'light'}>${s.light}</option>
          <option value="dark" ?selected=${state.theme === 'dark'}>${s.dark}</option>
        </select>
      </label>
      <details class="user-menu">
        <summary aria-label=${s.userMenu}>${fill(s.signedInAs, { role: state.role === 'admin' ? s.roleAdmin : s.roleMarketer })}</summary>
        <div class="menu" role="menu">
          ${(['marketer', 'admin'] as const).map(
            (r) => html`<button type="button" role="menuitemradio" aria-checked=${state.role === r ? 'true' : 'false'} @click=${() => setRole(r)}>${r === 'admin' ? s.roleAdmin : s.roleMarketer}</button>`,
          )}
          <p class="muted small">${s.roleHint}</p>
        </div>
      </details>
    </header>
    <main>
      ${noticeView()}
      ${state.route === '/' || state.route === '/archived' ? listView() : state.route === '/manual' ? manualView() : state.editor ? editorView(state.editor) : html`<p>${s.loading}</p>`}
    </main>
  `;
}

function noticeView(): TemplateResult | typeof nothing {
  const n = state.notice;
  if (!n) return nothing;
  const s = t();
  return html`<div class="notice ${n.kind}" role=${n.kind === 'error' ? 'alert' : 'status'}>
    <div class="notice-text">${n.text}</div>
    ${n.hint ? html`<div class="notice-hint">${fill(s.hint, { hint: n.hint })}</div>` : nothing}
    ${n.problems && n.problems.length > 0 ? problemsTable(n.problems) : nothing}
    <button type="button" class="link" @click=${() => ((state.notice = undefined), update())}>${s.dismiss}</button>
  </div>`;
}

function relative(iso: string): string {
  const seconds = (Date.parse(iso) - Date.now()) / 1000;
  const rtf = new Intl.RelativeTimeFormat(state.locale, { numeric: 'auto' });
  const steps: [Intl.RelativeTimeFormatUnit, number][] = [
    ['second', 60],
    ['minute', 60],
    ['hour', 24],
    ['day', 30],
    ['month', 12],
  ];
  let value = seconds;
  for (const [unit, size] of steps) {
    if (Math.abs(value) < size) return rtf.format(Math.round(value), unit);
    value /= size;
  }
  return rtf.format(Math.round(value), 'year');
}

function usage(sm: Summary): string {
  const s = t();
  const parts: string[] = [];
  if (sm.campaigns > 0) parts.push(sm.campaigns === 1 ? s.campaign : fill(s.campaigns, { n: num(sm.campaigns) }));
  if (sm.automations > 0) parts.push(sm.automations === 1 ? s.automation : fill(s.automations, { n: num(sm.automations) }));
  return parts.length > 0 ? parts.join(' · ') : s.unused;
}

function listView(): TemplateResult {
  const s = t();
  const list = state.list;
  const archived = state.listState === 'archived';
  return html`
    <div class="bar">
      <h1>${s.title}</h1>
      <nav class="tabs" aria-label=${s.title}>
        <a href="#/" aria-current=${archived ? 'false' : 'page'}>${s.active}</a>
        <a href="#/archived" aria-current=${archived ? 'page' : 'false'}>${s.archived}</a>
      </nav>
      <span class="spacer"></span>
      <a class="button primary" href="#/new">${s.newSegment}</a>
      <a class="button" href="#/manual">${s.newManual}</a>
    </div>
    ${list === undefined
      ? html`<p>${s.loading}</p>`
      : list.length === 0
        ? html`<p class="muted">${s.empty}</p>`
        : html`<table class="segments">
            <thead>
              <tr><th scope="col">${s.name}</th><th scope="col">${s.kind}</th><th scope="col" class="num">${s.reach}</th><th scope="col">${s.usedBy}</th><th scope="col">${s.actions}</th></tr>
            </thead>
            <tbody>
              ${list.map(
                (sm) => html`<tr data-segment=${sm.name} aria-busy=${state.busy.has(sm.id) ? 'true' : 'false'}>
                  <td>
                    <a class="name" href="#/segments/${sm.id}">${sm.name}</a>${sm.sentence ? html`<div class="sentence small">${sm.sentence}</div>` : nothing}${sm.description
                      ? html`<div class="muted small">${sm.description}</div>`
                      : nothing}
                  </td>
                  <td>${sm.kind === 'manual' ? s.manual : s.dynamic}</td>
                  <td class="num"><span class="reach">${sm.reach === null ? s.notComputed : num(sm.reach)}</span>${sm.reachComputedAt ? html`<div class="muted small">${fill(s.computed, { when: relative(sm.reachComputedAt) })}</div>` : nothing}</td>
                  <td class="usage">${usage(sm)}</td>
                  <td class="actions">
                    ${archived
                      ? html`<button type="button" @click=${() => restore(sm)}>${s.restore}</button>`
                      : html`<a class="button" href="#/segments/${sm.id}">${s.edit}</a>
                          <button type="button" @click=${() => duplicate(sm)}>${s.duplicate}</button>
                          <button type="button" @click=${() => archive(sm)}>${s.archive}</button>
                          <button type="button" @click=${() => exportSegment(sm)}>${s.export}</button>`}
                    <button type="button" class="danger" @click=${() => remove(sm)}>${s.delete}</button>
                  </td>
                </tr>`,
              )}
            </tbody>
          </table>`}
  `;
}

function editorView(ed: Editor): TemplateResult {
  const s = t();
  const manual = ed.record?.kind === 'manual';
  return html`
    <p><a href="#/">← ${s.back}</a></p>
    <h1>${ed.id === undefined ? s.newTitle : s.editTitle}</h1>
    <form class="editor" @submit=${save}>
      <label>${s.name}<input name="name" required maxlength="200" .value=${ed.name} @input=${(e: Event) => (ed.name = (e.target as HTMLInputElement).value)} /></label>
      <label>${s.description}<textarea name="description" rows="2" .value=${ed.description} @input=${(e: Event) => (ed.description = (e.target as HTMLTextAreaElement).value)}></textarea></label>
      ${manual
        ? html`<p>${fill(s.members, { n: num(ed.record!.memberCount) })}</p>`
        : html`<fieldset>
            <legend>${s.conditions}</legend>
            <segment-builder
              name="expression"
              view="both"
              required
              .locale=${state.locale}
              .schema=${state.schema}
              .segments=${state.definitions.filter((d) => d.name !== ed.record?.name)}
              .countProvider=${countProvider}
              .value=${ed.expression}
              @input=${onBuilderInput}
            ></segment-builder>
          </fieldset>`}
      <div class="buttons">
        <button type="submit" class="primary" ?disabled=${ed.saving}>${ed.saving ? s.saving : s.save}</button>
        <a class="button" href="#/">${s.cancel}</a>
      </div>
    </form>
    ${usageView(ed.record)}
    ${manual ? uploadForm(ed.record!.name) : previewView(ed)}
  `;
}

/** The campaigns, automations and segments that use this segment. */
function usageView(record: SegmentRecordJson | undefined): TemplateResult | typeof nothing {
  if (!record || (record.usage.length === 0 && record.usedBySegments.length === 0)) return nothing;
  const s = t();
  return html`<section class="panel usage-list" aria-labelledby="usage-title">
    <h2 id="usage-title">${s.usedBy}</h2>
    <ul>
      ${record.usage.map((u) => html`<li>${fill(s.usageItem, { kind: u.kind === 'campaign' ? s.kindCampaign : s.kindAutomation, id: u.id, status: u.status })}</li>`)}
      ${record.usedBySegments.map((n) => html`<li><a href="#/segments/${encodeURIComponent(n)}">${s.kindSegment} "${n}"</a></li>`)}
    </ul>
  </section>`;
}

function previewView(ed: Editor): TemplateResult {
  const s = t();
  if (ed.previewError) return html`<section class="panel"><p class="error-text">${ed.previewError}</p></section>`;
  if (!ed.sql || !ed.rows) return html`<section class="panel"><p class="muted">${ed.previewing ? s.loading : s.invalidDraft}</p></section>`;
  const columns: [string, string][] = [
    ['id', s.colId],
    ['name', s.colName],
    ['email', s.colEmail],
    ['phone', s.colPhone],
    ['country', s.colCountry],
    ['language', s.colLanguage],
    ['tier', s.colTier],
  ];
  return html`
    <section class="panel" aria-labelledby="sql-title">
      <h2 id="sql-title">${s.sql}</h2>
      <p class="muted small">${s.sqlHint}</p>
      <pre class="sql" dir="ltr">${ed.sql.sql}</pre>
      ${ed.sql.bindings.length > 0 ? html`<p class="small">${s.bindings}: <span dir="ltr">${ed.sql.bindings.map((b, i) => html`<code>${i + 1}. ${JSON.stringify(b)}</code> `)}</span></p>` : nothing}
    </section>
    <section class="panel" aria-labelledby="profiles-title">
      <h2 id="profiles-title">${fill(s.profiles, { n: num(50) })}</h2>
      ${ed.rows.length === 0
        ? html`<p class="muted">${s.noProfiles}</p>`
        : html`<div class="scroll"><table class="profiles">
            <thead><tr>${columns.map(([, label]) => html`<th scope="col">${label}</th>`)}</tr></thead>
            <tbody>${ed.rows.map((r) => html`<tr>${columns.map(([k]) => html`<td dir=${k === 'phone' || k === 'email' ? 'ltr' : 'auto'}>${r[k] ?? ''}</td>`)}</tr>`)}</tbody>
          </table></div>`}
    </section>
  `;
}

function problemsTable(problems: readonly ImportProblem[]): TemplateResult {
  const s = t();
  return html`<table class="problems">
    <caption>${s.problemsTitle}</caption>
    <thead><tr><th scope="col">${s.line}</th><th scope="col">${s.value}</th><th scope="col">${s.reason}</th></tr></thead>
    <tbody>${problems.map((p) => html`<tr><td class="num">${p.line}</td><td dir="auto">${p.value}</td><td>${p.reason}</td></tr>`)}</tbody>
  </table>`;
}

function uploadForm(ref: string | undefined): TemplateResult {
  const s = t();
  const u = state.upload;
  return html`
    <section class="panel">
      <h2>${ref === undefined ? s.manualTitle : s.addMembers}</h2>
      <p class="muted">${s.manualHelp}</p>
      <form class="upload" @submit=${(e: Event) => upload(e, ref)}>
        ${ref === undefined
          ? html`<label>${s.name}<input name="name" required maxlength="200" /></label>
              <label>${s.description}<textarea name="description" rows="2"></textarea></label>`
          : html`<label class="check"><input type="checkbox" name="replace" /> ${s.replaceMembers}</label>`}
        <label>${s.file}<input type="file" name="file" accept=".csv,text/csv" required /></label>
        <label>${s.country}<input name="country" maxlength="2" size="3" /></label>
        <label class="check"><input type="checkbox" name="skipInvalid" /> ${s.skipInvalid}</label>
        <div class="buttons"><button type="submit" class="primary" ?disabled=${u.busy}>${u.busy ? s.uploading : s.upload}</button></div>
      </form>
      ${u.report
        ? html`<div class="report" role="status">
            <h3>${s.report}: ${u.report.segment}</h3>
            <p>${fill(s.reportLine, { added: num(u.report.added), already: num(u.report.alreadyMembers), duplicates: num(u.report.duplicates), skipped: num(u.report.skipped), key: u.report.key, column: u.report.column })}</p>
            ${u.report.problems.length > 0 ? problemsTable(u.report.problems) : nothing}
          </div>`
        : nothing}
      ${u.failure
        ? html`<div class="report failed" role="alert">
            <h3>${s.nothingImported}</h3>
            <p>${u.failure.text}</p>
            ${u.failure.problems.length > 0 ? problemsTable(u.failure.problems) : u.failure.hint ? html`<p class="muted">${fill(s.hint, { hint: u.failure.hint })}</p>` : nothing}
          </div>`
        : nothing}
    </section>
  `;
}

function manualView(): TemplateResult {
  const s = t();
  return html`<p><a href="#/">← ${s.back}</a></p>
    ${uploadForm(undefined)}`;
}

// ── start ─────────────────────────────────────────────────────────────────────────────────────

async function start(): Promise<void> {
  update();
  try {
    const info = await call<{ schema: unknown; profiles: number }>('GET', '/api/workspace');
    state.schema = info.schema;
    state.profiles = info.profiles;
  } catch (e) {
    fail(e);
  }
  addEventListener('hashchange', () => void route());
  await route();
  document.body.dataset.ready = 'true';
}

void start();
