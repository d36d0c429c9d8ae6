/**
 * The import report for people (bilingual text, what `import-legacy` prints) and for programs
 * (`--json`: counts and problem rows, not the thousands of clean rows).
 */
import type { DeletionReport, ImportReport, TableCounts } from './importer.ts'
import { problemRows } from './importer.ts'
import type { RowReport } from './plan.ts'
import type { Reason } from './reasons.ts'

export interface ReportJson {
  readonly version: ImportReport['version']
  readonly pc: ImportReport['pc']
  readonly dryRun: boolean
  readonly counts: ImportReport['counts']
  readonly problems: readonly RowReport[]
  readonly deletions: readonly DeletionReport[]
  readonly notes: readonly Reason[]
  readonly users: ImportReport['users']
}

export function reportJson(report: ImportReport): ReportJson {
  const { version, pc, dryRun, counts, deletions, notes, users } = report
  return { version, pc, dryRun, counts, problems: problemRows(report), deletions, notes, users }
}

function outcomeLabel(row: RowReport, dryRun: boolean): string {
  switch (row.outcome) {
    case 'created':
      if (row.reasons.length > 0) return dryRun ? 'uyarıyla alınacak / would import with warning' : 'uyarıyla alındı / imported with warning'
      return dryRun ? 'alınacak / would import' : 'alındı / imported'
    case 'present':
      return 'zaten var / already present'
    case 'merged':
      return 'aynı kayıt, birleştirildi / same record, merged'
    case 'skipped':
      return 'atlandı / skipped'
  }
}

const DELETION_LABEL: Record<DeletionReport['outcome'], string> = {
  recorded: 'kaydedildi, geri gelmeyecek / recorded, will not come back',
  applied: 'önceki içe aktarmadaki kayıt silindi / the record of an earlier import was deleted',
  kept_edited: 'kayıt sonradan düzenlenmiş, silinmedi: kontrol edin / the record was edited since, not deleted: check it',
  not_recorded: 'kaydedilemedi (bölge yazılamıyor) / not recorded (region not writable)',
}

const COLUMNS: ReadonlyArray<[keyof TableCounts, string]> = [
  ['read', 'okunan/read'],
  ['created', 'yeni/new'],
  ['present', 'vardı/present'],
  ['merged', 'aynı/merged'],
  ['skipped', 'atlandı/skipped'],
  ['warnings', 'uyarı/warnings'],
]

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)))
  return rows.map((r) => r.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ').trimEnd())
}

/** The report as bilingual text. `source` names the file in the heading. */
export function formatReport(report: ImportReport, source?: string): string {
  const lines: string[] = []
  lines.push(`Dosya / File: ${source ?? '-'} (${report.version})`)
  lines.push(`Bilgisayarın bölgesi / PC region: ${report.pc.region} (${report.pc.source})`)
  if (report.dryRun) lines.push('KURU ÇALIŞTIRMA: hiçbir şey yazılmadı / DRY RUN: nothing was written')
  lines.push('')

  const grid: string[][] = [['bölge/region', 'tablo/table', ...COLUMNS.map(([, label]) => label)]]
  const total: TableCounts = { read: 0, created: 0, present: 0, merged: 0, skipped: 0, warnings: 0 }
  for (const region of Object.keys(report.counts).sort()) {
    for (const [name, counts] of Object.entries(report.counts[region])) {
      grid.push([region, name, ...COLUMNS.map(([key]) => String(counts[key]))])
      for (const [key] of COLUMNS) total[key] += counts[key]
    }
  }
  grid.push(['toplam/total', '', ...COLUMNS.map(([key]) => String(total[key]))])
  lines.push(...table(grid), '')

  const problems = problemRows(report)
  lines.push(`Sorunlu satırlar / Problem rows: ${problems.length}`)
  for (const row of problems) {
    lines.push(`  ${row.table} #${row.legacyId} (${row.region}): ${outcomeLabel(row, report.dryRun)}`)
    for (const reason of row.reasons) lines.push(`      - ${reason.message}`)
  }
  if (report.deletions.length > 0) {
    lines.push('', `Eski programda silinenler / Legacy deletions: ${report.deletions.length}`)
    for (const d of report.deletions) {
      const who = [d.deletedAt, d.deletedBy].filter((v) => v !== null).join(', ')
      const extra = d.cascaded > 0 ? ` (+${d.cascaded} bağlı kayıt / dependants)` : ''
      lines.push(`  ${d.table} #${d.legacyId} (${who}): ${DELETION_LABEL[d.outcome]}${extra}`)
    }
  }
  if (report.notes.length > 0) {
    lines.push('', 'Notlar / Notes:')
    for (const note of report.notes) lines.push(`  - ${note.message}`)
  }
  return lines.join('\n')
}
