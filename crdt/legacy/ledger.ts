/**
 * The import ledger: two root maps in a region doc, beside the tables, that make legacy
 * `deleted_records` hold across files and import runs.
 *
 * Legacy ids are per PC (AUTOINCREMENT never reuses one on a PC, but two PCs share numbers), so a
 * deletion is only meaningful within the PC that made it. A PC is named by its region (the
 * `--region` of a v0 file, otherwise `admin_entry_region`, see plan.ts), and both maps live in
 * that region's doc, next to the PC's settings:
 *
 * - `legacy_deletions`: `<pc>:<table>:<legacy id>` → when and by whom the legacy program deleted
 *   it. A later file of the same PC that still holds the row does not bring it back.
 * - `legacy_rows`: `<pc>:<table>:<legacy id>` → `<document>:<record id>`, the record a PC's row
 *   became and the document it went to (`istanbul` for master data, `istanbul/2026-01` for a
 *   month). When a file's deletions arrive after an older copy of that PC's file was imported,
 *   this finds what to delete, and in which month. Entries written before period documents name
 *   the region alone; their dated records are looked for in the months that are open.
 *
 * Both maps live in the master document of the PC's region.
 * Entries are only ever added, never changed, so replicas that import concurrently agree.
 * Neither map is a table: the mirror and the record readers do not see them.
 */
import type * as Y from 'yjs'
import { documentName, parseDocumentName, type Period } from '../../schema/periods.ts'

export const DELETIONS_MAP = 'legacy_deletions'
export const PROVENANCE_MAP = 'legacy_rows'

export interface LegacyDeletion {
  readonly deleted_at: string | null
  readonly deleted_by: string | null
}

export function ledgerKey(pc: string, table: string, legacyId: string | number): string {
  return `${pc}:${table}:${legacyId}`
}

export function deletionsMap(doc: Y.Doc): Y.Map<LegacyDeletion> {
  return doc.getMap(DELETIONS_MAP)
}

export function provenanceMap(doc: Y.Doc): Y.Map<string> {
  return doc.getMap(PROVENANCE_MAP)
}

/** Deletions recorded for PC `pc`, keyed `<table>:<legacy id>`. */
export function recordedDeletions(doc: Y.Doc, pc: string): Map<string, LegacyDeletion> {
  const prefix = `${pc}:`
  const out = new Map<string, LegacyDeletion>()
  for (const [key, value] of deletionsMap(doc)) if (key.startsWith(prefix)) out.set(key.slice(prefix.length), value)
  return out
}

/** Where a PC's row went: region, month document (null: master data, or not recorded) and record id. */
export interface ImportedAs {
  readonly region: string
  readonly period: Period | null
  readonly id: string
}

function parseProvenance(value: string): ImportedAs | undefined {
  // Document names never contain ':'; natural-key record ids (`plate:…`) may.
  const at = value.indexOf(':')
  const document = parseDocumentName(value.slice(0, at))
  return at < 0 || document === undefined ? undefined : { region: document.region, period: document.period, id: value.slice(at + 1) }
}

/** Where PC `pc`'s row `table`/`legacyId` went, if it was imported. */
export function importedAs(doc: Y.Doc, pc: string, table: string, legacyId: string | number): ImportedAs | undefined {
  const value = provenanceMap(doc).get(ledgerKey(pc, table, legacyId))
  return value === undefined ? undefined : parseProvenance(value)
}

/** Every row of PC `pc` the ledger of `doc` records, with its legacy table. */
export function importedRows(doc: Y.Doc, pc: string): Array<ImportedAs & { readonly table: string }> {
  const prefix = `${pc}:`
  const out: Array<ImportedAs & { table: string }> = []
  for (const [key, value] of provenanceMap(doc)) {
    if (!key.startsWith(prefix)) continue
    const parsed = parseProvenance(value)
    if (parsed !== undefined) out.push({ ...parsed, table: key.slice(prefix.length, key.indexOf(':', prefix.length)) })
  }
  return out
}

export function provenanceValue(region: string, period: Period | null, id: string): string {
  return `${documentName(region, period)}:${id}`
}
