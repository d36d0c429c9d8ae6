/**
 * The week of Haftalık denetim: the region's vehicles, which of them are inspected in the week
 * of the shown Monday and which not yet (those first to the eye: marked, and counted), with the
 * week's navigation (previous, this, next, or a date to go to).
 */
import { css, html, nothing, type TemplateResult } from 'lit'
import type { Row } from '../../../crdt/mirror.ts'
import type { Bilingual } from '../../../schema/bilingual.ts'
import { fieldLabelText } from '../../../schema/labels.ts'
import { parseDate } from '../../../schema/turkishInput.ts'
import { addDays, formatDate, formatNumber, formatPlate, t, todayIso, type Lang } from '../i18n.ts'
import { num, text } from '../live-query.ts'
import { mondayOf } from '../week-plan.ts'
import { datePlaceholder } from './fleet-form.ts'
import { faultStatusLabel } from './inspection-entry.ts'

export interface WeekView {
  readonly lang: Lang
  readonly monday: string
  /** The region's vehicles, by plate. */
  readonly vehicles: readonly Row[]
  inspectionOf(vehicleId: string): Row | undefined
  /** How many items of an inspection are Olumsuz. */
  failed(inspectionId: string): number
  fault(faultId: string): Row | undefined
  /** Whether "Denetle" is offered (one's own region, an open month). */
  readonly writable: boolean
  /** The week's month is not on this PC yet (being fetched, or offline). */
  readonly missing: boolean
  /** Why the date typed to go to was not read; null when nothing is wrong. */
  readonly dateError: Bilingual | null
  showWeek(monday: string): void
  refuseDate(reason: Bilingual): void
  choose(vehicleId: string): void
}

export const weekStyles = css`
  tr[data-done='false'] td:first-child {
    border-left: 3px solid var(--bad, #b3261e);
  }
  tr[data-done='true'] td:first-child {
    border-left: 3px solid var(--good, #2e7d32);
  }
  .week-nav input {
    width: 7.5em;
  }
`

export function renderWeek(view: WeekView): TemplateResult {
  const { lang, monday } = view
  const done = view.vehicles.filter((v) => view.inspectionOf(text(v.id)) !== undefined).length
  const total = view.vehicles.length
  const label = (field: string): string => fieldLabelText(field)[lang]
  const goTo = (event: Event): void => {
    const parsed = parseDate((event.target as HTMLInputElement).value)
    // An unreadable date moves nothing; the field says why.
    if (!parsed.ok) view.refuseDate(parsed.reason)
    else if (parsed.value !== null) view.showWeek(mondayOf(parsed.value))
  }
  const refused = view.dateError !== null
  return html`<div class="row week-nav" style="margin-bottom:0.6rem">
      <button type="button" data-testid="week-prev" @click=${() => view.showWeek(addDays(monday, -7))}>◀ ${t(lang, 'week.prev')}</button>
      <strong data-testid="week-label" data-monday=${monday}>${t(lang, 'inspection.week', { from: formatDate(lang, monday), to: formatDate(lang, addDays(monday, 6)) })}</strong>
      <button type="button" data-testid="week-next" @click=${() => view.showWeek(addDays(monday, 7))}>${t(lang, 'week.next')} ▶</button>
      <button type="button" data-testid="week-this" @click=${() => view.showWeek(mondayOf(todayIso()))}>${t(lang, 'week.thisWeek')}</button>
      <label
        >${t(lang, 'week.goTo')}<input
          name="go_to"
          data-testid="week-go"
          placeholder=${datePlaceholder(lang)}
          aria-invalid=${refused ? 'true' : 'false'}
          aria-describedby=${refused ? 'week-go-error' : nothing}
          @change=${goTo}
        />${refused ? html`<span class="field-error" role="alert" id="week-go-error" data-testid="week-go-error">${view.dateError![lang]}</span>` : nothing}</label
      >
    </div>
    <p data-testid="inspection-progress" data-done=${done} data-total=${total}>
      ${total > 0 && done === total ? t(lang, 'inspection.allDone') : t(lang, 'inspection.progress', { done: formatNumber(lang, done), total: formatNumber(lang, total), left: formatNumber(lang, total - done) })}
      ${view.missing ? html`<span class="muted"> — ${t(lang, 'reports.fetching')}</span>` : nothing}
    </p>
    <div class="scroll">
      <table data-testid="week-vehicles">
        <thead>
          <tr>
            <th>${label('vehicle_id')}</th>
            <th>${label('status')}</th>
            <th>${fieldLabelText('inspection_date', 'vehicle_inspections')[lang]}</th>
            <th>${label('driver_id')}</th>
            <th class="num">${label('km')}</th>
            <th class="num">${t(lang, 'inspection.failedItems')}</th>
            <th>${label('fault_id')}</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          ${view.vehicles.length === 0 ? html`<tr><td colspan="8" class="muted">${t(lang, 'inspection.noVehicles')}</td></tr>` : nothing}
          ${view.vehicles.map((v) => {
            const id = text(v.id)
            const inspection = view.inspectionOf(id)
            const fault = inspection?.fault_id ? view.fault(text(inspection.fault_id)) : undefined
            return html`<tr data-testid="week-vehicle" data-vehicle=${id} data-done=${inspection === undefined ? 'false' : 'true'}>
              <td>${formatPlate(text(v.plate))}</td>
              <td data-testid="week-state">${inspection === undefined ? html`<span class="badge overdue">${t(lang, 'inspection.notDone')}</span>` : html`<span class="badge">${t(lang, 'inspection.done')}</span>`}</td>
              <td>${inspection === undefined ? '' : formatDate(lang, text(inspection.inspection_date))}</td>
              <td>${inspection === undefined ? '' : text(inspection.driver)}</td>
              <td class="num">${inspection?.km === null || inspection?.km === undefined ? '' : formatNumber(lang, num(inspection.km))}</td>
              <td class="num" data-testid="week-failed">${inspection === undefined ? '' : formatNumber(lang, view.failed(text(inspection.id)))}</td>
              <td>${fault === undefined ? '' : `${text(fault.title)} (${faultStatusLabel(lang, text(fault.status))})`}</td>
              <td>
                ${view.writable
                  ? html`<button class="link" data-testid="week-choose" @click=${() => view.choose(id)}>${t(lang, inspection === undefined ? 'inspection.inspect' : 'inspection.open')}</button>`
                  : nothing}
              </td>
            </tr>`
          })}
        </tbody>
      </table>
    </div>`
}
