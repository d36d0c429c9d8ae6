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
 * - `legacy_rows`: `<pc>:<table>:<legacy id>` → `<region>:<record id>`, the record a PC's row
 *   became. When a file's deletions arrive after an older copy of that PC's file was imported,
 *   this finds what to delete.
 *
 * Entries are only ever added, never changed, so replicas that import concurrently agree.
 * Neither map is a table: the mirror and the record readers do not see them.
 */
import type * as Y from 'yjs'

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

/** Where PC `pc`'s row `table`/`legacyId` went, if it was imported. */
export function importedAs(doc: Y.Doc, pc: string, table: string, legacyId: string | number): { region: string; id: string } | undefined {
  const value = provenanceMap(doc).get(ledgerKey(pc, table, legacyId))
  if (value === undefined) return undefined
  // Region slugs never contain ':'; natural-key record ids (`plate:…`) may.
  const at = value.indexOf(':')
  return { region: value.slice(0, at), id: value.slice(at + 1) }
}

export function provenanceValue(region: string, id: string): string {
  return `${region}:${id}`
}
