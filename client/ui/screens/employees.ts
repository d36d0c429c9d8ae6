/** Çalışanlar: the region's employees, listed, added, edited, deleted and restored. */
import { html, type TemplateResult } from 'lit'
import { t } from '../i18n.ts'
import { Screen } from '../screen.ts'
import '../record-editor.ts'

const FIELDS = ['full_name', 'identity_no', 'department', 'title', 'start_date', 'end_date', 'birth_date'] as const

export class EmployeesScreen extends Screen {
  override render(): TemplateResult {
    return html`<rs-record-editor
      table="employees"
      .fields=${FIELDS}
      heading=${t(this.language, 'tab.employees')}
    ></rs-record-editor>`
  }
}

customElements.define('rs-employees', EmployeesScreen)
