/**
 * Ayarlar: the region's settings (weekday hours, the Saturday window, company name, report title),
 * its shift templates, the relay connection and the language. Settings are records of the
 * region doc keyed by name, so every PC of the region computes hours the same way.
 */
import { html, nothing, type PropertyDeclarations, type TemplateResult } from 'lit'
import { BilingualError } from '../../../schema/bilingual.ts'
import { DEFAULT_HOUR_SETTINGS } from '../../../schema/hours.ts'
import type { EngineState } from '../../engine.ts'
import { aboutField, fieldMessage, formMessages, markField } from '../field-errors.ts'
import { bilingual, formatDateTime, t, type Lang } from '../i18n.ts'
import { text } from '../live-query.ts'
import { engineStateContext } from '../contexts.ts'
import { consume, errorField, Screen } from '../screen.ts'
import { shared } from '../styles.ts'
import '../record-editor.ts'

const KEYS = ['company_name', 'report_title', 'weekday_hours', 'saturday_start', 'saturday_end'] as const
type SettingKey = (typeof KEYS)[number]

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/

/** Settings values are free text in the schema; these are the rules hours.ts reads them by. */
function checkSettings(values: Record<SettingKey, string>): BilingualError | undefined {
  const hours = values.weekday_hours.trim().replace(',', '.')
  if (hours !== '' && (!/^\d+(\.\d+)?$/.test(hours) || Number(hours) > 24)) return new BilingualError(bilingual('settings.badHours'), { field: 'weekday_hours' })
  for (const key of ['saturday_start', 'saturday_end'] as const) {
    if (values[key].trim() !== '' && !TIME.test(values[key].trim())) return new BilingualError(bilingual('settings.badTime'), { field: key })
  }
  const start = values.saturday_start.trim() || DEFAULT_HOUR_SETTINGS.saturdayStart
  const end = values.saturday_end.trim() || DEFAULT_HOUR_SETTINGS.saturdayEnd
  if (end <= start) return new BilingualError(bilingual('settings.badSaturday'), { field: 'saturday_end' })
  return undefined
}

export class SettingsScreen extends Screen {
  static override properties: PropertyDeclarations = {
    engineState: { state: true },
    draft: { state: true },
    error: { state: true },
    notice: { state: true },
  }

  static override styles = [shared]

  engineState: EngineState | undefined = undefined
  /** Edited values; a key absent here shows what is stored. */
  draft: Partial<Record<SettingKey, string>> = {}
  /** The refused save, as the error: its `field` is the setting's key, its text shown in the language of the moment. */
  error: unknown = undefined
  notice = ''

  constructor() {
    super()
    consume(this, engineStateContext, (state) => (this.engineState = state))
  }

  private readonly settings = this.regionQuery('SELECT id, key, value FROM settings WHERE region = ?', ['settings'])

  private stored(): Record<SettingKey, string> {
    const values = Object.fromEntries(KEYS.map((k) => [k, ''])) as Record<SettingKey, string>
    for (const row of this.settings.rows) {
      const key = text(row.key)
      if ((KEYS as readonly string[]).includes(key)) values[key as SettingKey] = text(row.value)
    }
    return values
  }

  override render(): TemplateResult {
    const lang = this.language
    const values = { ...this.stored(), ...this.draft }
    const errors = this.error === undefined ? [] : [this.error]
    const placeholders: Record<SettingKey, string> = {
      company_name: '',
      report_title: 'Puantaj Raporu',
      weekday_hours: String(DEFAULT_HOUR_SETTINGS.weekdayHours),
      saturday_start: DEFAULT_HOUR_SETTINGS.saturdayStart,
      saturday_end: DEFAULT_HOUR_SETTINGS.saturdayEnd,
    }
    return html`
      <section>
        <h2>${t(lang, 'settings.region')} — ${this.regionName()}</h2>
        <form data-testid="settings-form" @submit=${this.save}>
          ${KEYS.map(
            (key) => html`<label
              >${t(lang, `settings.${key}`)}
              <input
                name=${key}
                ?readonly=${!this.writable}
                placeholder=${placeholders[key]}
                .value=${values[key]}
                ${markField(errors, key)}
                @input=${(e: Event) => ((this.draft = { ...this.draft, [key]: (e.target as HTMLInputElement).value }), (this.notice = ''))}
              />${fieldMessage(lang, errors, key, 'settings-error')}</label
            >`,
          )}
          ${this.writable ? html`<button class="primary" type="submit" data-edit>${t(lang, 'action.save')}</button>` : nothing}
        </form>
        ${formMessages(lang, errors, KEYS, 'settings-error')}
        ${this.notice ? html`<p class="ok">${this.notice}</p>` : nothing}
      </section>
      <rs-record-editor
        table="shift_templates"
        .fields=${['name', 'start_time', 'end_time', 'break_minutes']}
        heading=${t(lang, 'settings.templates')}
      ></rs-record-editor>
      <section>
        <h2>${t(lang, 'settings.connection')}</h2>
        ${this.renderConnection()}
      </section>
      <section>
        <h2>${t(lang, 'settings.language')}</h2>
        <div class="row">
          <label class="check"><input type="radio" name="lang" .checked=${lang === 'tr'} @change=${() => this.chooseLang('tr')} />Türkçe</label>
          <label class="check"><input type="radio" name="lang" .checked=${lang === 'en'} @change=${() => this.chooseLang('en')} />English</label>
        </div>
      </section>
    `
  }

  private renderConnection(): TemplateResult {
    const lang = this.language
    const ws = this.workspace
    if (ws === undefined) return html``
    const regions = Object.values(this.engineState?.regions ?? {})
    return html`<p>${t(lang, 'settings.relay')}: <code>${ws.session.relay.http}</code> · ${t(lang, 'settings.user')}: <strong>${ws.session.user.username}</strong></p>
      <table>
        <thead>
          <tr>
            <th>${t(lang, 'region')}</th>
            <th></th>
            <th class="num">${t(lang, 'status.pending')}</th>
            <th>${t(lang, 'status.lastSynced')}</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          ${regions.map(
            (r) => html`<tr>
              <td>${this.regionName(r.region)}${r.writable ? '' : html` <span class="muted">(${t(lang, 'region.readOnly')})</span>`}</td>
              <td>${t(lang, `status.${r.connection}`)}</td>
              <td class="num">${r.pendingChanges}</td>
              <td>${r.lastSyncedAt ? formatDateTime(lang, r.lastSyncedAt) : t(lang, 'status.never')}</td>
              <td class="wrap muted">${r.problem?.message ?? ''}</td>
            </tr>`,
          )}
        </tbody>
      </table>
      ${ws.role === 'writer'
        ? html`<div class="row" style="margin-top:0.6rem">
            <button @click=${() => ws.engine.reconnectNow()}>${t(lang, 'settings.syncNow')}</button>
            <button @click=${() => ws.engine.disconnect()}>${t(lang, 'settings.pause')}</button>
            <button @click=${() => ws.engine.connect()}>${t(lang, 'settings.resume')}</button>
          </div>`
        : nothing}
      <p class="muted">${t(lang, 'settings.changeRelay')}</p>`
  }

  private chooseLang(lang: Lang): void {
    this.dispatchEvent(new CustomEvent<Lang>('language-change', { detail: lang, bubbles: true, composed: true }))
  }

  private save = (event: Event): void => {
    event.preventDefault()
    const engine = this.workspace?.engine
    if (engine === undefined) return
    const stored = this.stored()
    const values = { ...stored, ...this.draft }
    const problem = checkSettings(values)
    if (problem !== undefined) {
      this.error = problem
      this.notice = ''
      return
    }
    for (const key of KEYS) {
      if (values[key] === stored[key]) continue
      const value = values[key].trim() === '' ? null : values[key].trim()
      // A setting that exists is changed in place: an insert of its key is refused as a duplicate.
      const row = this.settings.rows.find((r) => text(r.key) === key)
      try {
        if (row === undefined) engine.insert('settings', { key, value }, this.region)
        else engine.update('settings', text(row.id), { value }, this.region)
      } catch (error) {
        // The schema speaks of the record's `value`: on this form that is the setting's own input.
        this.error = errorField(error) === 'value' ? aboutField(error, key) : error
        this.notice = ''
        return
      }
    }
    this.draft = {}
    this.error = undefined
    this.notice = t(this.language, 'saved')
  }
}

customElements.define('rs-settings', SettingsScreen)
