/**
 * Çakışmalar: what two PCs did to the same data without seeing each other.
 * - The same field of one record edited concurrently: both values, who wrote each and when; the
 *   user keeps the current one or takes the other, and the conflict leaves every PC's list.
 * - Likely duplicate timesheets: one employee, one date, overlapping times (two offices entered
 *   the same day). Both rows with author and time; keeping one deletes the other (restorable).
 */
import { html, nothing, type PropertyDeclarations, type TemplateResult } from 'lit'
import type { Row } from '../../../crdt/mirror.ts'
import { isTableName, TABLES, type CellValue, type TableName } from '../../../schema/tables.ts'
import { formatDate, formatDateTime, formatPlate, t } from '../i18n.ts'
import { liveQuery, text } from '../live-query.ts'
import { fieldLabel } from '../record-editor.ts'
import { errorIn, Screen } from '../screen.ts'
import { shared } from '../styles.ts'
import { editRecord, followAwareness, type Workspace } from '../workspace.ts'

/** Minutes since the work date's midnight; an end not after its start is on the next day. */
function interval(start: string, end: string): [number, number] | undefined {
  const toMinutes = (s: string): number | undefined => {
    const m = /^(\d{1,2}):(\d{2})$/.exec(s)
    return m ? Number(m[1]) * 60 + Number(m[2]) : undefined
  }
  const a = toMinutes(start)
  const b = toMinutes(end)
  if (a === undefined || b === undefined) return undefined
  return [a, b <= a ? b + 24 * 60 : b]
}

export function overlaps(a: { start_time: string; end_time: string }, b: { start_time: string; end_time: string }): boolean {
  const x = interval(a.start_time, a.end_time)
  const y = interval(b.start_time, b.end_time)
  return x !== undefined && y !== undefined && x[0] < y[1] && y[0] < x[1]
}

/**
 * Pairs of one region's timesheets with the same employee and date: the candidates for likely
 * duplicates, narrowed by likelyDuplicates (overlap needs the overnight rule, easier in code).
 * The shell runs it after every timesheet change, so the (employee, date) groups with more than
 * one row are found first by grouping; a plain self-join compares every row with every other
 * row of its date, which stalls the page while a large legacy file is imported.
 */
export function sameDayPairs(region: string): { sql: string; params: string[]; tables: string[] } {
  return {
    sql: `WITH twice AS MATERIALIZED (SELECT employee_id, work_date FROM timesheets WHERE region = ? GROUP BY employee_id, work_date HAVING count(*) > 1),
               t AS MATERIALIZED (SELECT x.* FROM twice JOIN timesheets x ON x.region = ? AND x.work_date = twice.work_date AND x.employee_id = twice.employee_id)
          SELECT a.id AS a_id, a.start_time AS a_start, a.end_time AS a_end, a.break_minutes AS a_break, a.notes AS a_notes,
                 a.updated_by AS a_by, a.updated_at AS a_at,
                 b.id AS b_id, b.start_time AS b_start, b.end_time AS b_end, b.break_minutes AS b_break, b.notes AS b_notes,
                 b.updated_by AS b_by, b.updated_at AS b_at,
                 a.work_date, coalesce(e.full_name, a.employee_id) AS employee
            FROM t a JOIN t b ON b.employee_id = a.employee_id AND b.work_date = a.work_date AND a.id < b.id
            LEFT JOIN employees e ON e.region = a.region AND e.id = a.employee_id
           ORDER BY a.work_date DESC`,
    params: [region, region],
    tables: ['timesheets', 'employees'],
  }
}

export function likelyDuplicates(pairs: readonly Row[]): Row[] {
  return pairs.filter((p) => overlaps({ start_time: text(p.a_start), end_time: text(p.a_end) }, { start_time: text(p.b_start), end_time: text(p.b_end) }))
}

function shown(value: CellValue | undefined): string {
  return value === null || value === undefined ? '∅' : String(value)
}

export class ConflictsScreen extends Screen {
  static override properties: PropertyDeclarations = {
    error: { state: true },
  }

  static override styles = [shared]

  error = ''
  /** The awareness being followed, and how to stop: a PC's device name can come after its conflict. */
  private following: { readonly workspace: Workspace; readonly stop: () => void } | undefined = undefined

  override connectedCallback(): void {
    super.connectedCallback()
    // Back in the page: willUpdate follows the awareness again.
    this.requestUpdate()
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    this.following?.stop()
    this.following = undefined
  }

  override willUpdate(): void {
    if (this.following?.workspace === this.workspace) return
    this.following?.stop()
    const workspace = this.workspace
    this.following = workspace === undefined ? undefined : { workspace, stop: followAwareness(workspace.engine, () => this.requestUpdate()) }
  }

  private readonly conflicts = this.regionQuery('SELECT * FROM conflicts WHERE region = ? ORDER BY table_name, record_id, field', ['conflicts'])

  private readonly pairs = liveQuery(this, () => sameDayPairs(this.region))

  /**
   * A record as a person knows it: a timesheet by its employee and date, a vehicle by its plate,
   * an employee or driver by name, an inspection or fault by its vehicle's plate and date; any
   * other table by its first field. The id only when the record is not in the mirror.
   */
  private recordName(table: TableName, id: string): string {
    const mirror = this.workspace?.mirror
    if (mirror === undefined) return id
    const one = (sql: string): Row | undefined => mirror.query(sql, [this.region, id])[0]
    const lang = this.language
    switch (table) {
      case 'timesheets': {
        const r = one(`SELECT coalesce(e.full_name, t.employee_id) AS name, t.work_date FROM timesheets t
                         LEFT JOIN employees e ON e.region = t.region AND e.id = t.employee_id WHERE t.region = ? AND t.id = ?`)
        return r === undefined ? id : `${text(r.name)}, ${formatDate(lang, text(r.work_date))}`
      }
      case 'vehicle_inspections':
      case 'vehicle_faults':
      case 'vehicle_service_visits': {
        const dateField = Object.keys(TABLES[table].fields).find((f) => TABLES[table].fields[f]?.type === 'date')
        const r = one(`SELECT coalesce(v.plate, x.vehicle_id) AS name${dateField ? `, x.${dateField} AS day` : ''} FROM ${table} x
                         LEFT JOIN vehicles v ON v.region = x.region AND v.id = x.vehicle_id WHERE x.region = ? AND x.id = ?`)
        if (r === undefined) return id
        const plate = formatPlate(text(r.name))
        return dateField && typeof r.day === 'string' && r.day ? `${plate}, ${formatDate(lang, r.day)}` : plate
      }
      default: {
        const first = Object.keys(TABLES[table].fields)[0]
        const r = one(`SELECT ${first} AS name FROM ${table} WHERE region = ? AND id = ?`)
        if (r === undefined) return id
        return first === 'plate' ? formatPlate(text(r.name)) : text(r.name)
      }
    }
  }

  /**
   * Which PC wrote a value, when it can be told: the conflict id names the losing write's Yjs
   * client; this PC's own client id says "bu bilgisayar", a PC online now says its device name
   * (its awareness carries it). The winning write's client is not recorded: only its account.
   */
  private deviceOf(client: number | undefined): string {
    const engine = this.workspace?.engine
    if (client === undefined || engine === undefined || !engine.regions.includes(this.region)) return ''
    if (engine.isThisDevice(client)) return t(this.language, 'conflicts.thisPc')
    for (const [id, state] of engine.awareness(this.region).getStates()) {
      const presence = (state as { presence?: { device?: unknown; clients?: unknown } }).presence
      const writes = id === client || (Array.isArray(presence?.clients) && presence.clients.includes(client))
      if (writes && typeof presence?.device === 'string') return presence.device
    }
    return ''
  }

  private author(who: Row[string], client: number | undefined): string {
    const device = this.deviceOf(client)
    return device ? `${text(who)} (${device})` : text(who)
  }

  override render(): TemplateResult {
    const lang = this.language
    const duplicates = likelyDuplicates(this.pairs.rows)
    return html`
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <section>
        <h2>${t(lang, 'conflicts.fields')}</h2>
        ${this.conflicts.rows.length === 0 ? html`<p class="muted" data-testid="no-field-conflicts">${t(lang, 'conflicts.none')}</p>` : this.renderFieldConflicts()}
      </section>
      <section>
        <h2>${t(lang, 'conflicts.duplicates')}</h2>
        ${duplicates.length === 0 ? html`<p class="muted" data-testid="no-duplicates">${t(lang, 'conflicts.none')}</p>` : this.renderDuplicates(duplicates)}
      </section>
    `
  }

  private renderFieldConflicts(): TemplateResult {
    const lang = this.language
    return html`<table data-testid="field-conflicts">
      <thead>
        <tr>
          <th>${t(lang, 'conflicts.record')}</th>
          <th>${t(lang, 'conflicts.field')}</th>
          <th>${t(lang, 'conflicts.kept')}</th>
          <th>${t(lang, 'conflicts.lost')}</th>
          <th></th>
        </tr>
      </thead>
      <tbody>
        ${this.conflicts.rows.map((c) => {
          const table = text(c.table_name)
          if (!isTableName(table)) return nothing
          const lostClient = Number(text(c.conflict_id).split(':')[0])
          return html`<tr data-testid="field-conflict">
            <td data-testid="conflict-record">${TABLES[table].label[lang]}: ${this.recordName(table, text(c.record_id))}</td>
            <td>${fieldLabel(lang, text(c.field))}</td>
            <td data-testid="conflict-kept"><strong>${shown(c.value as CellValue)}</strong><br /><span class="muted">${t(lang, 'conflicts.by', { who: text(c.value_by), when: formatDateTime(lang, text(c.value_at)) })}</span></td>
            <td data-testid="conflict-lost"><strong>${shown(c.lost_value as CellValue)}</strong><br /><span class="muted">${t(lang, 'conflicts.by', { who: this.author(c.lost_by, Number.isFinite(lostClient) ? lostClient : undefined), when: formatDateTime(lang, text(c.lost_at)) })}</span></td>
            <td>
              ${this.writable
                ? html`<button data-edit data-testid="keep-current" @click=${() => this.resolve(c, table, c.value as CellValue)}>${t(lang, 'conflicts.keep')}</button>
                    <button data-edit data-testid="take-other" @click=${() => this.resolve(c, table, c.lost_value as CellValue)}>${t(lang, 'conflicts.take')}</button>`
                : nothing}
            </td>
          </tr>`
        })}
      </tbody>
    </table>`
  }

  private renderDuplicates(pairs: readonly Row[]): TemplateResult {
    const lang = this.language
    const side = (p: Row, s: 'a' | 'b'): TemplateResult => html`<td>
      ${text(p[`${s}_start`])}–${text(p[`${s}_end`])}, ${t(lang, 'puantaj.break')} ${text(p[`${s}_break`])} ${p[`${s}_notes`] ? html`· ${text(p[`${s}_notes`])}` : nothing}<br />
      <span class="muted">${t(lang, 'conflicts.by', { who: text(p[`${s}_by`]), when: formatDateTime(lang, text(p[`${s}_at`])) })}</span><br />
      ${this.writable
        ? html`<button data-edit data-testid="keep-this" @click=${() => this.keepOnly(text(p[s === 'a' ? 'b_id' : 'a_id']))}>${t(lang, 'conflicts.keepThis')}</button>`
        : nothing}
    </td>`
    return html`<table data-testid="duplicate-timesheets">
      <tbody>
        ${pairs.map(
          (p) => html`<tr data-testid="duplicate-pair">
            <td>${text(p.employee)}<br /><span class="muted">${formatDate(lang, text(p.work_date))}</span></td>
            ${side(p, 'a')} ${side(p, 'b')}
          </tr>`,
        )}
      </tbody>
    </table>`
  }

  /** A conflict of a month not open (held rows) is resolved in its document, which opens first. */
  private async resolve(c: Row, table: TableName, value: CellValue): Promise<void> {
    const ws = this.workspace
    if (ws === undefined) return
    const conflict = { conflict_id: text(c.conflict_id), table, record_id: text(c.record_id), field: text(c.field) }
    try {
      await editRecord(ws, table, conflict.record_id, this.region, () => ws.engine.resolveConflict(conflict, value, this.region))
      this.error = ''
    } catch (error) {
      this.error = errorIn(this.language, error)
    }
  }

  private async keepOnly(otherId: string): Promise<void> {
    const ws = this.workspace
    if (ws === undefined) return
    try {
      await editRecord(ws, 'timesheets', otherId, this.region, () => ws.engine.delete('timesheets', otherId, this.region))
      this.error = ''
    } catch (error) {
      this.error = errorIn(this.language, error)
    }
  }
}

customElements.define('rs-conflicts', ConflictsScreen)
