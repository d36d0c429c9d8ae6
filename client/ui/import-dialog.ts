/**
 * <rs-import-dialog>: an editor brings a legacy `puantaj.db` into their own region.
 *
 * The file is read in the page (sql.js) and imported by the same core as the CLI
 * (crdt/legacy/). First a dry run: counts per table and region, and every row a person should
 * look at with its legacy id and reason; nothing is written. On confirmation the import runs
 * again for real into the documents the sync engine holds, so the records are ordinary local
 * changes: stamped with the editor's name, counted as pending and sent by the engine. Only the
 * editor's own region is given to the importer, so rows of other regions come back as skipped
 * rows of the report (region_unavailable), never dropped unseen. Importing a file twice finds
 * every record already there and writes nothing, on this PC or another: the master data and each
 * month the file's rows go to are read with the relay's copy in them (withRelayCopy), in the dry
 * run too, so that its figures are the real run's.
 */
import { css, html, nothing, type PropertyDeclarations, type TemplateResult } from 'lit'
import type { ImportProgress, ImportReport, LegacyFile, RowReport, TableCounts } from '../../crdt/legacy/index.ts'
import { documentName, type Period } from '../../schema/periods.ts'
import { isTableName, TABLES } from '../../schema/tables.ts'
import type { EngineState } from '../engine.ts'
import { aboutField, fieldMessage, formMessages, markField } from './field-errors.ts'
import { formatNumber, isMessageKey, languagePart, t } from './i18n.ts'
import { engineStateContext } from './contexts.ts'
import { consume, WorkspaceElement } from './screen.ts'
import { shared } from './styles.ts'
import { locateFile } from './workspace.ts'
import { withRelayCopy } from './relay-copy.ts'

/** A report with the rows a person should look at (problemRows), taken out once. */
interface Outcome {
  readonly report: ImportReport
  readonly problems: readonly RowReport[]
}

type Stage =
  | { readonly kind: 'pick' }
  | { readonly kind: 'checking'; readonly name: string }
  | { readonly kind: 'preview'; readonly name: string; readonly file: LegacyFile; readonly outcome: Outcome }
  | { readonly kind: 'importing'; readonly name: string }
  | { readonly kind: 'done'; readonly name: string; readonly outcome: Outcome }

/** The importer and sql.js load when someone imports, not with every start of the app. */
const importer = (): Promise<typeof import('../../crdt/legacy/index.ts')> => import('../../crdt/legacy/index.ts')

const OUTCOMES = ['created', 'present', 'merged', 'skipped', 'warnings'] as const

/**
 * Lets the page redraw between write chunks. A timer rather than requestAnimationFrame, which
 * stops altogether in a hidden tab and would stall an import the user left running.
 */
function yieldToPage(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0))
}

function createdIn(report: ImportReport, region: string): number {
  return Object.values(report.counts[region] ?? {}).reduce((sum, c) => sum + c.created, 0)
}

export class ImportDialog extends WorkspaceElement {
  static override properties: PropertyDeclarations = {
    region: {},
    engineState: { state: true },
    stage: { state: true },
    progress: { state: true },
    error: { state: true },
  }

  static override styles = [
    shared,
    css`
      dialog {
        width: min(70rem, 94vw);
        max-height: 90vh;
        border: 1px solid var(--line-strong);
        border-radius: 8px;
        padding: 1rem 1.2rem;
        box-sizing: border-box;
      }
      dialog::backdrop {
        background: rgb(20 30 45 / 45%);
      }
      .facts {
        display: flex;
        flex-wrap: wrap;
        gap: 0.3rem 1.5rem;
        margin: 0 0 0.6rem;
      }
      tr.other td {
        color: var(--muted);
      }
      progress {
        width: 100%;
      }
      .actions {
        display: flex;
        gap: 0.6rem;
        justify-content: flex-end;
        margin-top: 1rem;
      }
      .reason + .reason {
        margin-top: 0.2rem;
      }
    `,
  ]

  /** The editor's own region: the only one this dialog writes. */
  region = ''
  engineState: EngineState | undefined = undefined
  stage: Stage = { kind: 'pick' }
  progress: ImportProgress | undefined = undefined
  /** The refusal, as the error: a file that cannot be read is about the file input. */
  error: unknown = undefined

  constructor() {
    super()
    consume(this, engineStateContext, (state) => (this.engineState = state))
  }

  show(): void {
    this.stage = { kind: 'pick' }
    this.progress = undefined
    this.error = undefined
    void this.updateComplete.then(() => {
      const dialog = this.renderRoot.querySelector('dialog')
      // "Choose another file" comes back here with the dialog still open.
      if (dialog !== null && !dialog.open) dialog.showModal()
    })
  }

  private close = (): void => {
    this.renderRoot.querySelector('dialog')?.close()
  }

  /** Escape must not hide a dialog whose import is still writing. */
  private onCancel = (event: Event): void => {
    if (this.stage.kind === 'checking' || this.stage.kind === 'importing') event.preventDefault()
  }

  override render(): TemplateResult {
    const lang = this.language
    return html`<dialog data-testid="import-dialog" @cancel=${this.onCancel}>
      <h2>${t(lang, 'import.title')}</h2>
      ${this.renderStage()} ${formMessages(lang, this.errors(), ['file'], 'import-error')}
    </dialog>`
  }

  private renderStage(): TemplateResult {
    const lang = this.language
    const stage = this.stage
    switch (stage.kind) {
      case 'pick':
        return html`<p>${t(lang, 'import.intro', { region: this.regionName(this.region) })}</p>
          <label
            >${t(lang, 'import.file')}
            <input
              type="file"
              name="file"
              data-testid="import-file"
              accept=".db,.sqlite,.sqlite3,application/vnd.sqlite3,application/x-sqlite3"
              ${markField(this.errors(), 'file')}
              @change=${this.pick}
            />${fieldMessage(lang, this.errors(), 'file', 'import-error')}
          </label>
          <div class="actions"><button @click=${this.close}>${t(lang, 'action.cancel')}</button></div>`
      case 'checking':
        return html`<p class="muted">${stage.name}</p>
          <p>${t(lang, 'import.reading')}</p>
          <progress data-testid="import-progress"></progress>`
      case 'preview': {
        const created = createdIn(stage.outcome.report, this.region)
        const deletes = stage.outcome.report.deletions.some((d) => d.outcome === 'applied')
        return html`<p class="ok" data-testid="import-stage" data-stage="preview">${t(lang, 'import.preview')}</p>
          ${this.renderReport(stage.name, stage.outcome)}
          ${created === 0 && !deletes ? html`<p data-testid="import-nothing-new">${t(lang, 'import.nothingNew')}</p>` : nothing}
          <div class="actions">
            <button @click=${this.close}>${t(lang, 'action.cancel')}</button>
            <button class="primary" data-testid="import-confirm" @click=${() => this.confirm(stage.name, stage.file, stage.outcome)}>
              ${t(lang, 'import.confirm', { n: formatNumber(lang, created) })}
            </button>
          </div>`
      }
      case 'importing':
        return html`<p class="muted">${stage.name}</p>
          ${this.renderProgress()}`
      case 'done': {
        const pending = this.engineState?.pendingChanges ?? 0
        return html`<p class="ok" data-testid="import-stage" data-stage="done">${t(lang, 'import.done')}</p>
          <p data-testid="import-written">${t(lang, 'import.written', { n: formatNumber(lang, createdIn(stage.outcome.report, this.region)) })}</p>
          <p>${t(lang, 'import.pending')}: <strong data-testid="import-pending">${pending}</strong></p>
          ${this.renderProgress()} ${this.renderReport(stage.name, stage.outcome)}
          <div class="actions">
            <button data-testid="import-another" @click=${() => this.show()}>${t(lang, 'import.another')}</button>
            <button class="primary" data-testid="import-close" @click=${this.close}>${t(lang, 'import.close')}</button>
          </div>`
      }
    }
  }

  private renderProgress(): TemplateResult {
    const lang = this.language
    const p = this.progress
    if (p === undefined) return html`<progress data-testid="import-progress"></progress>`
    return html`<label
      >${t(lang, `import.phase.${p.phase}`)}: <span data-testid="import-progress-text">${formatNumber(lang, p.done)} / ${formatNumber(lang, p.total)}</span>
      <progress data-testid="import-progress" data-phase=${p.phase} max=${p.total} .value=${p.done}></progress>
    </label>`
  }

  private renderReport(name: string, { report, problems }: Outcome): TemplateResult {
    const lang = this.language
    // The editor's own region first: that is what gets imported.
    const regions = Object.keys(report.counts).sort((a, b) => Number(b === this.region) - Number(a === this.region) || a.localeCompare(b))
    return html`<div class="facts">
        <span>${t(lang, 'import.file')}: <strong>${name}</strong></span>
        <span>${t(lang, 'import.version')}: <strong data-testid="import-version">${report.version}</strong></span>
        <span>${t(lang, 'import.pcRegion')}: <strong>${this.regionName(report.pc.region)}</strong> <span class="muted">(${t(lang, `import.source.${report.pc.source}`)})</span></span>
      </div>
      <h3>${t(lang, 'import.counts')}</h3>
      <div class="scroll">
        <table data-testid="import-counts">
          <thead>
            <tr>
              <th>${t(lang, 'region')}</th>
              <th>${t(lang, 'import.table')}</th>
              <th class="num">${t(lang, 'import.read')}</th>
              ${OUTCOMES.map((k) => html`<th class="num">${t(lang, `import.${k}`)}</th>`)}
            </tr>
          </thead>
          <tbody>
            ${regions.flatMap((region) =>
              Object.entries(report.counts[region] ?? {}).map(([table, counts]) => this.renderCountRow(region, table, counts)),
            )}
          </tbody>
        </table>
      </div>
      ${report.notes.length > 0
        ? html`<h3>${t(lang, 'import.notes')}</h3>
            <ul data-testid="import-notes">
              ${report.notes.map((note) => html`<li>${languagePart(lang, note.message)}</li>`)}
            </ul>`
        : nothing}
      ${report.deletions.length > 0
        ? html`<h3>${t(lang, 'import.deletions')}</h3>
            <ul data-testid="import-deletions">
              ${report.deletions.map(
                (d) => html`<li data-outcome=${d.outcome}>${this.tableName(d.table)} #${d.legacyId}: ${t(lang, `import.deletion.${d.outcome}`)}</li>`,
              )}
            </ul>`
        : nothing}
      <h3>${t(lang, 'import.problems', { n: formatNumber(lang, problems.length) })}</h3>
      ${problems.length === 0
        ? html`<p class="muted" data-testid="import-no-problems">${t(lang, 'import.noProblems')}</p>`
        : html`<div class="scroll">
            <table data-testid="import-problems">
              <thead>
                <tr>
                  <th>${t(lang, 'import.table')}</th>
                  <th class="num">${t(lang, 'import.legacyId')}</th>
                  <th>${t(lang, 'region')}</th>
                  <th>${t(lang, 'import.outcome')}</th>
                  <th>${t(lang, 'import.reason')}</th>
                </tr>
              </thead>
              <tbody>
                ${problems.map((row) => this.renderProblem(row))}
              </tbody>
            </table>
          </div>`}`
  }

  private renderCountRow(region: string, table: string, counts: TableCounts): TemplateResult {
    const lang = this.language
    const own = region === this.region
    return html`<tr data-testid="import-count" data-region=${region} data-table=${table} class=${own ? '' : 'other'}>
      <td>${this.regionName(region)}${own ? nothing : html` <span class="muted">(${t(lang, 'import.notWritable')})</span>`}</td>
      <td>${this.tableName(table)}</td>
      <td class="num" data-kind="read">${formatNumber(lang, counts.read)}</td>
      ${OUTCOMES.map((k) => html`<td class="num" data-kind=${k}>${formatNumber(lang, counts[k])}</td>`)}
    </tr>`
  }

  private renderProblem(row: RowReport): TemplateResult {
    const lang = this.language
    return html`<tr data-testid="import-problem" data-table=${row.table} data-legacy-id=${String(row.legacyId)} data-outcome=${row.outcome} data-codes=${row.reasons.map((r) => r.code).join(' ')}>
      <td>${this.tableName(row.table)}</td>
      <td class="num">${String(row.legacyId)}</td>
      <td>${this.regionName(row.region)}</td>
      <td>${t(lang, `import.outcome.${row.outcome}`)}</td>
      <td class="wrap">
        ${row.reasons.map((reason) => {
          const key = `reason.${reason.code}`
          return html`<div class="reason"><strong>${isMessageKey(key) ? t(lang, key) : reason.code}</strong>: ${languagePart(lang, reason.message)}</div>`
        })}
      </td>
    </tr>`
  }

  private errors(): readonly unknown[] {
    return this.error === undefined ? [] : [this.error]
  }

  private regionName(slug: string): string {
    return this.workspace?.session.regions.find((r) => r.slug === slug)?.name ?? slug
  }

  /** Rainstaff's name for a migrated table; the legacy-only ones (report history) have their own. */
  private tableName(table: string): string {
    if (isTableName(table)) return TABLES[table].label[this.language]
    const key = `import.legacyTable.${table}`
    return isMessageKey(key) ? t(this.language, key) : table
  }

  private pick = async (event: Event): Promise<void> => {
    const input = event.target as HTMLInputElement
    const picked = input.files?.[0]
    if (picked === undefined) return
    this.error = undefined
    this.progress = undefined
    this.stage = { kind: 'checking', name: picked.name }
    // Planning runs in one go: let "checking" reach the screen before it starts.
    await this.updateComplete
    await yieldToPage()
    try {
      const { readLegacyFile } = await importer()
      const file = await readLegacyFile(new Uint8Array(await picked.arrayBuffer()), { locateFile })
      this.stage = { kind: 'preview', name: picked.name, file, outcome: await this.run(file, true) }
    } catch (error) {
      this.stage = { kind: 'pick' }
      this.error = aboutField(error, 'file')
    }
  }

  private async confirm(name: string, file: LegacyFile, preview: Outcome): Promise<void> {
    const engine = this.workspace?.engine
    if (engine === undefined) return
    this.error = undefined
    this.progress = undefined
    this.stage = { kind: 'importing', name }
    try {
      // Planned again: records may have arrived from other PCs since the preview.
      const outcome = await this.run(file, false)
      // On disk before the user can close the tab: the import must survive a reload offline.
      await engine.flush()
      this.stage = { kind: 'done', name, outcome }
    } catch (error) {
      this.stage = { kind: 'preview', name, file, outcome: preview }
      this.error = error
    }
  }

  private async run(file: LegacyFile, dryRun: boolean): Promise<Outcome> {
    const ws = this.workspace
    if (ws === undefined) throw new Error('Oturum yok / Not signed in')
    const { importLegacyFile, NotFetchedError, problemRows } = await importer()
    const { engine } = ws
    const region = this.region
    const target = engine.documentsForImport(region)
    const relayCopy = (period: Period | null): Promise<void> =>
      withRelayCopy(engine, documentName(region, period), () => new NotFetchedError([{ region, period }]))
    // Master data first: an employee or vehicle already there is "present", not made again.
    await relayCopy(null)
    const report = await importLegacyFile(file, {
      documents: new Map([[region, target.documents]]),
      openMonth: async (_region, period) => {
        await target.openMonth(period)
        await relayCopy(period)
      },
      user: ws.session.user.username,
      regions: ws.session.regions.map((r) => r.slug),
      // A v0 file has no regions: it is the editor's office. A newer file names its own PC's
      // region, which decides where its settings and deletions belong, so it is not overridden.
      ...(file.version === 'v0' ? { fileRegion: this.region } : {}),
      dryRun,
      onProgress: (progress) => (this.progress = progress),
      betweenChunks: yieldToPage,
    })
    return { report, problems: problemRows(report) }
  }
}

customElements.define('rs-import-dialog', ImportDialog)

declare global {
  interface HTMLElementTagNameMap {
    'rs-import-dialog': ImportDialog
  }
}
