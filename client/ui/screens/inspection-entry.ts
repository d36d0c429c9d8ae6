/**
 * The weekly inspection's form as data, and its checklist as a template: the draft a clerk types
 * (vehicle, driver, date, km, notes and the nine items, each Olumlu / Olumsuz / Bilinmiyor with a
 * note), read from a saved inspection and its results, checked whole before anything is written,
 * and the keys that answer an item (1 or + Olumlu, 2 or - Olumsuz, 3 or ? Bilinmiyor).
 */
import { html, nothing, type TemplateResult } from 'lit'
import type { Row } from '../../../crdt/mirror.ts'
import { FAULT_STATUS_LABELS, INSPECTION_ITEM_LABELS, type FaultStatus, type InspectionItem } from '../../../schema/fleetTexts.ts'
import { INSPECTION_ITEMS, INSPECTION_STATUSES } from '../../../schema/tables.ts'
import { parseDate } from '../../../schema/turkishInput.ts'
import { BilingualError } from '../../../schema/bilingual.ts'
import { validateFields, ValidationError } from '../../../schema/validate.ts'
import { mondayOf } from '../week-plan.ts'
import { t, type Lang } from '../i18n.ts'
import { optionalText, text } from '../live-query.ts'

export type Answer = (typeof INSPECTION_STATUSES)[number]

export interface ItemDraft {
  readonly status: Answer
  readonly note: string
}

export interface InspectionDraft {
  readonly vehicle_id: string
  readonly driver_id: string
  /** As typed: GG.AA.YYYY. */
  readonly inspection_date: string
  readonly km: string
  readonly notes: string
  readonly service_visit: boolean
  readonly items: Readonly<Record<InspectionItem, ItemDraft>>
}

/** A saved inspection being edited: its id and the result record of each item it has. */
export interface Saved {
  readonly id: string
  readonly results: Readonly<Partial<Record<InspectionItem, string>>>
  readonly fault_id: string | null
}

/** "Not known" until answered: what the legacy form showed before an answer. */
export const UNANSWERED: Answer = 'Bilinmiyor'

const ANSWER_KEYS: Readonly<Record<string, Answer>> = { '1': 'Olumlu', '+': 'Olumlu', '2': 'Olumsuz', '-': 'Olumsuz', '3': 'Bilinmiyor', '?': 'Bilinmiyor' }

/** The answer a key gives on an item, if it gives one. */
export function answerOfKey(key: string): Answer | undefined {
  return Object.hasOwn(ANSWER_KEYS, key) ? ANSWER_KEYS[key] : undefined
}

export function typedDate(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso)
  return m ? `${m[3]}.${m[2]}.${m[1]}` : iso
}

export function emptyDraft(vehicleId: string, date: string): InspectionDraft {
  const items = Object.fromEntries(INSPECTION_ITEMS.map((item) => [item, { status: UNANSWERED, note: '' }])) as Record<InspectionItem, ItemDraft>
  return { vehicle_id: vehicleId, driver_id: '', inspection_date: typedDate(date), km: '', notes: '', service_visit: false, items }
}

const isAnswer = (value: string): value is Answer => (INSPECTION_STATUSES as readonly string[]).includes(value)
const isItem = (value: string): value is InspectionItem => (INSPECTION_ITEMS as readonly string[]).includes(value)

/** A saved inspection and its result rows as the form shows them, with what saving must update. */
export function draftOf(inspection: Row, results: readonly Row[]): { draft: InspectionDraft; saved: Saved } {
  const base = emptyDraft(text(inspection.vehicle_id), text(inspection.inspection_date))
  const items = { ...base.items }
  const ids: Partial<Record<InspectionItem, string>> = {}
  for (const r of results) {
    const item = text(r.item_key)
    if (!isItem(item)) continue
    const status = text(r.status)
    items[item] = { status: isAnswer(status) ? status : UNANSWERED, note: text(r.note) }
    ids[item] = text(r.id)
  }
  const draft: InspectionDraft = {
    ...base,
    driver_id: text(inspection.driver_id),
    km: inspection.km === null || inspection.km === undefined ? '' : String(inspection.km),
    notes: text(inspection.notes),
    service_visit: Number(inspection.service_visit) === 1,
    items,
  }
  return { draft, saved: { id: text(inspection.id), results: ids, fault_id: optionalText(inspection.fault_id) } }
}

/** A result the form refused, about one item's note: its field is that note's input (`note-<item>`). */
export class ItemError extends BilingualError {
  constructor(
    readonly item: InspectionItem,
    cause: ValidationError,
  ) {
    super(cause.text, { field: `note-${item}`, message: cause.message, cause })
  }
}

export interface CheckedInspection {
  /** The inspection's own fields as the engine takes them (numbers as typed, read as tr-TR there). */
  readonly fields: {
    vehicle_id: string
    driver_id: string | null
    inspection_date: string
    week_start: string
    km: string | null
    notes: string | null
    service_visit: number
  }
  readonly results: ReadonlyArray<{ item: InspectionItem; status: Answer; note: string | null }>
}

const blankToNull = (value: string): string | null => (value.trim() === '' ? null : value.trim())

/**
 * The draft checked whole, so that nothing is written unless all of it can be: the date read
 * (its Monday is the week), every result's note within its length. Throws ValidationError (an
 * ItemError for a note); the engine checks the inspection's own fields again when it writes.
 */
export function checkDraft(draft: InspectionDraft): CheckedInspection {
  if (draft.vehicle_id === '') throw new ValidationError('vehicle_inspections', 'vehicle_id', '', 'required')
  const typed = draft.inspection_date.trim()
  if (typed === '') throw new ValidationError('vehicle_inspections', 'inspection_date', '', 'required')
  const parsed = parseDate(typed)
  if (!parsed.ok || parsed.value === null) throw new ValidationError('vehicle_inspections', 'inspection_date', typed, 'date', undefined, parsed.ok ? undefined : parsed.reason)
  const fields = {
    vehicle_id: draft.vehicle_id,
    driver_id: draft.driver_id === '' ? null : draft.driver_id,
    inspection_date: parsed.value,
    week_start: mondayOf(parsed.value),
    km: blankToNull(draft.km),
    notes: blankToNull(draft.notes),
    service_visit: draft.service_visit ? 1 : 0,
  }
  validateFields('vehicle_inspections', fields, 'insert')
  const results = INSPECTION_ITEMS.map((item) => ({ item, status: draft.items[item].status, note: blankToNull(draft.items[item].note) }))
  for (const r of results) {
    try {
      validateFields('vehicle_inspection_results', { inspection_id: 'checked', item_key: r.item, status: r.status, note: r.note }, 'insert')
    } catch (error) {
      if (error instanceof ValidationError) throw new ItemError(r.item, error)
      throw error
    }
  }
  return { fields, results }
}

export interface ChecklistView {
  readonly lang: Lang
  readonly draft: InspectionDraft
  readonly error: unknown
  /** The fault the inspection is linked to, shown in place of "Arıza aç". */
  readonly fault: { readonly title: string; readonly status: string } | null
  answer(item: InspectionItem, status: Answer, viaKey: boolean): void
  note(item: InspectionItem, value: string): void
  openFault(item: InspectionItem): void
}

export function faultStatusLabel(lang: Lang, status: string): string {
  return Object.hasOwn(FAULT_STATUS_LABELS, status) ? FAULT_STATUS_LABELS[status as FaultStatus][lang] : status
}

/** The nine items: a radio group per item (Tab reaches it, its keys answer it), its note, and for an Olumsuz its fault. */
export function renderChecklist(view: ChecklistView): TemplateResult {
  const { lang, draft } = view
  const onKey = (item: InspectionItem) => (event: KeyboardEvent) => {
    const answer = answerOfKey(event.key)
    const order = INSPECTION_STATUSES.indexOf(draft.items[item].status)
    if (answer !== undefined) {
      event.preventDefault()
      view.answer(item, answer, true)
    } else if (event.key === 'ArrowRight' || event.key === 'ArrowLeft') {
      event.preventDefault()
      const next = (order + (event.key === 'ArrowRight' ? 1 : INSPECTION_STATUSES.length - 1)) % INSPECTION_STATUSES.length
      view.answer(item, INSPECTION_STATUSES[next]!, false)
    }
  }
  return html`<table class="checklist" data-testid="checklist">
    <thead>
      <tr>
        <th>${t(lang, 'inspection.item')}</th>
        <th>${t(lang, 'inspection.result')}</th>
        <th>${t(lang, 'puantaj.notes')}</th>
        <th></th>
      </tr>
    </thead>
    <tbody>
      ${INSPECTION_ITEMS.map((item) => {
        const { status, note } = draft.items[item]
        const label = INSPECTION_ITEM_LABELS[item][lang]
        const invalid = view.error instanceof ItemError && view.error.item === item
        const errorId = `error-note-${item}`
        return html`<tr data-testid="checklist-item" data-item=${item}>
          <th scope="row">${label}</th>
          <td>
            <div class="answers" role="radiogroup" tabindex="0" aria-label=${label} data-testid=${`answer-${item}`} data-value=${status} @keydown=${onKey(item)}>
              ${INSPECTION_STATUSES.map(
                (s) => html`<button type="button" role="radio" tabindex="-1" class=${`answer ${s}`} aria-checked=${s === status ? 'true' : 'false'} @click=${() => view.answer(item, s, false)}>
                  ${t(lang, `inspection.status.${s}`)}
                </button>`,
              )}
            </div>
          </td>
          <td>
            <input
              name=${`note-${item}`}
              data-testid=${`note-${item}`}
              aria-label=${`${label}: ${t(lang, 'puantaj.notes')}`}
              aria-invalid=${invalid ? 'true' : 'false'}
              aria-describedby=${invalid ? errorId : nothing}
              .value=${note}
              @input=${(e: Event) => view.note(item, (e.target as HTMLInputElement).value)}
            />
            ${invalid ? html`<span class="field-error" role="alert" id=${errorId} data-testid="inspection-error">${(view.error as ItemError).text[lang]}</span>` : nothing}
          </td>
          <td>
            ${status !== 'Olumsuz'
              ? nothing
              : view.fault !== null
                ? html`<span class="muted" data-testid="linked-fault">${t(lang, 'inspection.linkedFault', { title: view.fault.title, status: faultStatusLabel(lang, view.fault.status) })}</span>`
                : html`<button type="button" class="link" data-testid=${`open-fault-${item}`} @click=${() => view.openFault(item)}>${t(lang, 'inspection.openFault')}</button>`}
          </td>
        </tr>`
      })}
    </tbody>
  </table>`
}
