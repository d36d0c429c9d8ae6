/**
 * Leave from the week grid: the days a leave covers show its code in their cells (Y, R, Z…),
 * and "İzin gir" opens the leave form (leave-form.ts, as on the monthly sheet) for the cells
 * selected in one employee's row — the first to the last selected day, or the leave those days
 * belong to when they are one already. Not on a day of a month the head office closed.
 */
import { html, nothing, type ReactiveControllerHost, type TemplateResult } from 'lit'
import { isLeaveType } from '../../../schema/leave.ts'
import type { Period } from '../../../schema/periods.ts'
import { addDays, t, type Lang, type MessageKey } from '../i18n.ts'
import { liveQuery, num, optionalText, text, type LiveQuery } from '../live-query.ts'
import type { Workspace } from '../workspace.ts'
import type { CellKey, WeekEmployee } from '../week-plan.ts'
import type { LeaveDone, LeaveRow } from './leave-form.ts'
import './leave-form.ts'

export interface WeekLeaveHost extends ReactiveControllerHost {
  readonly language: Lang
  readonly writable: boolean
  readonly region: string
  readonly monday: string
  readonly workspace: Workspace | undefined
  readonly employees: readonly WeekEmployee[]
  selection: ReadonlySet<CellKey>
  closedOn(date: string): Period | undefined
}

interface Chosen {
  readonly employeeId: string
  readonly first: string
  readonly last: string
  readonly leave: LeaveRow | null
}

export class WeekLeave {
  private chosen: Chosen | null = null
  private notice: MessageKey | null = null
  private readonly rows: LiveQuery<LeaveRow>

  constructor(private readonly host: WeekLeaveHost) {
    this.rows = liveQuery(
      host,
      () => ({
        sql: `SELECT id, employee_id, leave_type, first_day, last_day, half_day, note FROM leaves
               WHERE region = ? AND first_day <= ? AND last_day >= ? ORDER BY first_day`,
        params: [host.region, addDays(host.monday, 6), host.monday],
        tables: ['leaves'],
      }),
      (r): LeaveRow => ({
        id: text(r.id),
        employee_id: text(r.employee_id),
        leave_type: isLeaveType(r.leave_type) ? r.leave_type : 'İ',
        first_day: text(r.first_day),
        last_day: text(r.last_day),
        half_day: num(r.half_day) === 1,
        note: optionalText(r.note),
      }),
    )
  }

  /** Another week or region: a form opened for the last one closes. */
  reset(): void {
    this.chosen = null
    this.notice = null
  }

  private leaveOn(employeeId: string, date: string): LeaveRow | undefined {
    return this.rows.rows.find((l) => l.employee_id === employeeId && l.first_day <= date && date <= l.last_day)
  }

  /** The code a cell shows for the leave covering it, if any. */
  codeOn(employeeId: string, date: string): string | undefined {
    return this.leaveOn(employeeId, date)?.leave_type
  }

  /** The selection as one employee's days, or undefined when it is not one row or touches a closed month. */
  private selectedDays(): { employeeId: string; first: string; last: string } | undefined {
    const keys = [...this.host.selection]
    if (keys.length === 0) return undefined
    const cells = keys.map((key) => key.split('|') as [string, string])
    const employeeId = cells[0][0]
    if (cells.some(([id]) => id !== employeeId)) return undefined
    const dates = cells.map(([, date]) => date).sort()
    if (dates.some((d) => this.host.closedOn(d) !== undefined)) return undefined
    return { employeeId, first: dates[0], last: dates[dates.length - 1] }
  }

  private open = (): void => {
    const days = this.selectedDays()
    if (days === undefined) return
    const leave = this.leaveOn(days.employeeId, days.first) ?? null
    const within = leave !== null && leave.first_day <= days.first && days.last <= leave.last_day
    this.chosen = within ? { employeeId: days.employeeId, first: leave.first_day, last: leave.last_day, leave } : { ...days, leave: null }
    this.notice = null
    this.host.requestUpdate()
  }

  private done(message: LeaveDone): void {
    this.chosen = null
    this.notice = message
    this.host.selection = new Set()
    this.host.requestUpdate()
  }

  render(): TemplateResult {
    const lang = this.host.language
    const chosen = this.chosen
    const name = this.host.employees.find((e) => e.id === chosen?.employeeId)?.full_name ?? ''
    return html`<div class="row toolbar">
        <button type="button" data-testid="week-leave" ?disabled=${!this.host.writable || this.selectedDays() === undefined} @click=${this.open}>${t(lang, 'week.leave')}</button>
        <span class="muted">${t(lang, 'week.leaveHint')}</span>
      </div>
      ${this.notice !== null ? html`<p class="ok" role="status" data-testid="week-leave-notice">${t(lang, this.notice)}</p>` : nothing}
      ${chosen !== null && this.host.writable
        ? html`<rs-leave-form
            employeeId=${chosen.employeeId}
            employeeName=${name}
            first=${chosen.first}
            last=${chosen.last}
            .leave=${chosen.leave}
            @leave-done=${(e: CustomEvent<LeaveDone>) => this.done(e.detail)}
          ></rs-leave-form>`
        : nothing}`
  }
}
