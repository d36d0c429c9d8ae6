/**
 * `rainstaff doctor --data DIR [--repair] [--json]`: the items of each stored document (a region's
 * master and months, schema/periods.ts) that the readers skip (crdt/records.ts malformedItems),
 * one per line, and with `--repair` the edit that overwrites them (crdt/repair.ts), stored like
 * any other update. A round-1 document kept by the migration (`ankara@round1`, relay/migrate.ts)
 * is a backup nobody is served: it is left as it was, never examined or edited.
 *
 * Listing only reads, so it works beside a running relay. A repair refuses to run while anything
 * else holds the store (StoreOptions.exclusive): the relay keeps loaded docs in memory and would
 * never hear of an update appended behind its back. Before appending, it copies the store next
 * to itself (`rainstaff.sqlite3.bak-<time>`, a consistent copy: Store.backupTo).
 *
 * Why an edit and not a rebuilt document: see crdt/repair.ts. The store keeps its log and
 * snapshot as they are; the repair is one more logged update, from the user `rainstaff-doctor`,
 * which the relay's compaction folds in like any other, and which every client merges by syncing.
 */
import { existsSync } from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import * as Y from 'yjs'
import { parseDocumentName } from '../schema/periods.ts'
import { malformedItems, type MalformedItem, type Message } from '../crdt/malformed.ts'
import { repairMalformed } from '../crdt/repair.ts'
import { openStore, STORE_FILE, StoreError, type NewUpdate, type Store } from './store.ts'
import { collectChanges } from './changes.ts'
import { loadStoredDocument } from './storage.ts'

/** `username` of the update a repair appends. */
export const DOCTOR_USER = 'rainstaff-doctor'

export interface Finding extends MalformedItem {
  /** The stored document (`ankara`, `ankara/2026-01`) and its region. */
  readonly document: string
  readonly region: string
}

export interface DocumentRepair {
  readonly document: string
  readonly region: string
  readonly repaired: number
  /** Size of the appended update. */
  readonly bytes: number
}

export interface RepairResult {
  readonly found: readonly Finding[]
  /** The copy of the store taken before anything was written; null when nothing needed repair. */
  readonly backup: string | null
  readonly documents: readonly DocumentRepair[]
  /** What a fresh read of the store still lists afterwards (empty unless something went wrong). */
  readonly remaining: readonly Finding[]
}

/** What clients must know about a repair, printed with it. */
export const REPAIR_NOTE: Message = {
  tr:
    'Onarım sıradan bir düzenlemedir: istemciler yalnızca eşitlenir, çevrimdışı kopyaları sıfırlamak gerekmez. ' +
    'Bir ofisin onarımdan önce çevrimdışı yaptığı ve henüz göndermediği düzenlemeler o kayıtta çakışma olarak görünür; uygulamada çözülür.',
  en:
    'The repair is an ordinary edit: clients only need to sync, and nobody resets an offline copy. ' +
    'Edits an office made offline to such a record before the repair reached it show as conflicts there, to resolve in the app.',
}

function storeFile(dataDir: string): string {
  const file = path.join(dataDir, STORE_FILE)
  if (!existsSync(file)) {
    throw new StoreError(`Veri deposu yok: ${file} / No store at ${file}`)
  }
  return file
}

/** A document as the relay loads it; a row Yjs cannot read is past what doctor repairs. */
function loadDocument(store: Store, name: string): Y.Doc {
  return loadStoredDocument(store, name, {
    tr: 'doctor bunu onaramaz, yedekten geri yükleyin',
    en: 'doctor cannot repair that, restore from a backup',
  })
}

/**
 * Every stored document's findings, read in one transaction so a compaction cannot split one.
 * Only region documents: a round-1 archive is a name parseDocumentName does not take.
 */
function examine(store: Store, keep?: Map<string, { region: string; doc: Y.Doc }>): Finding[] {
  const findings: Finding[] = []
  store.readConsistently(() => {
    for (const document of store.storedRegions().sort()) {
      const parsed = parseDocumentName(document)
      if (parsed === undefined) continue
      const doc = loadDocument(store, document)
      for (const item of malformedItems(doc)) findings.push({ document, region: parsed.region, ...item })
      if (keep !== undefined) keep.set(document, { region: parsed.region, doc })
      else doc.destroy()
    }
  })
  return findings
}

/** Lists what the readers skip in every stored document of `dataDir`; the relay may be running. */
export function examineStore(dataDir: string): Finding[] {
  storeFile(dataDir)
  const store = openStore(dataDir)
  try {
    return examine(store)
  } finally {
    store.close()
  }
}

function backupName(file: string, now: Date): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-')
  let name = `${file}.bak-${stamp}`
  for (let n = 2; existsSync(name); n++) name = `${file}.bak-${stamp}-${n}`
  return name
}

/**
 * Repairs every stored document of `dataDir` that has malformed items: backs the store up, then
 * appends one update per such document. Throws StoreError while a relay (or anything) has the
 * store open, and writes nothing then.
 */
export function repairStore(dataDir: string, options: { now?: () => Date } = {}): RepairResult {
  storeFile(dataDir)
  const store = openStore(dataDir, { exclusive: true })
  const docs = new Map<string, { region: string; doc: Y.Doc }>()
  try {
    const found = examine(store, docs)
    const rows: NewUpdate[] = []
    const documents: DocumentRepair[] = []
    const at = (options.now?.() ?? new Date()).getTime()
    for (const [document, { region, doc }] of docs) {
      const changes = collectChanges(doc)
      const repaired = repairMalformed(doc)
      const row = changes.row()
      if (repaired.length === 0 || row === undefined) continue
      // The store keys rows by document name (its `region` column predates month documents).
      rows.push({ region: document, username: DOCTOR_USER, at, ...row })
      documents.push({ document, region, repaired: repaired.length, bytes: row.data.byteLength })
    }
    if (rows.length === 0) return { found, backup: null, documents, remaining: [] }
    const backup = backupName(store.file, options.now?.() ?? new Date())
    store.backupTo(backup)
    store.appendUpdates(rows)
    return { found, backup, documents, remaining: examine(store) }
  } finally {
    for (const { doc } of docs.values()) doc.destroy()
    store.close()
  }
}

export const DOCTOR_HELP = `Kullanım / Usage: rainstaff doctor [--data DIR] [--repair] [--json]
  Okuyucuların atladığı bozuk öğeleri listeler: belge (ankara, ankara/2026-01), tablo, anahtar, alan, sorun
  (satır başına bir tane). Geçişin sakladığı eski belge (ankara@round1) bir yedektir, incelenmez.
  Lists the malformed items readers skip: document (ankara, ankara/2026-01), table, key, field, what is
  wrong (one per line). The round-1 document the migration kept (ankara@round1) is a backup, not examined.
  --data DIR   Veri klasörü (RAINSTAFF_DATA veya ./data) / data directory
  --repair     Onarır: önce deponun yedeği (rainstaff.sqlite3.bak-<zaman>), sonra her belgeye bir düzenleme.
               Sunucu durdurulmuş olmalı. / Repairs: backs the store up (rainstaff.sqlite3.bak-<time>), then
               appends one edit per document. The relay must be stopped.
  --json       JSON çıktı / JSON output
Çıkış / Exit: 0 sorun yok veya onarıldı / nothing found or all repaired; 1 hata / error;
              3 sorun bulundu, onarılmadı / problems found, not repaired
`

function line(finding: Finding): string {
  return [finding.document, finding.root, finding.key ?? '-', finding.field ?? '-', `${finding.problem.tr} / ${finding.problem.en}`].join('\t')
}

function plain(finding: Finding): Record<string, unknown> {
  return { document: finding.document, region: finding.region, kind: finding.kind, root: finding.root, key: finding.key, field: finding.field, problem: finding.problem }
}

export async function doctorCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      data: { type: 'string' },
      repair: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  const out = (text: string): void => void process.stdout.write(text + '\n')
  if (values.help) {
    out(DOCTOR_HELP)
    return 0
  }
  const dataDir = values.data ?? (process.env.RAINSTAFF_DATA || './data')
  if (!values.repair) {
    const found = examineStore(dataDir)
    if (values.json) out(JSON.stringify({ problems: found.map(plain), repair: null }, null, 2))
    else {
      for (const finding of found) out(line(finding))
      const documents = new Set(found.map((f) => f.document)).size
      const regions = new Set(found.map((f) => f.region)).size
      out(`${found.length} sorun, ${documents} belge, ${regions} bölge / ${found.length} problem(s) in ${documents} document(s) of ${regions} region(s)`)
      if (found.length > 0) out('Onarmak için / To repair: rainstaff doctor --repair (sunucu durdurulmuş / relay stopped)')
    }
    return found.length === 0 ? 0 : 3
  }
  const result = repairStore(dataDir)
  if (values.json) {
    const repair = {
      backup: result.backup,
      documents: result.documents,
      remaining: result.remaining.map(plain),
      note: result.backup === null ? null : REPAIR_NOTE,
    }
    out(JSON.stringify({ problems: result.found.map(plain), repair }, null, 2))
  } else {
    for (const finding of result.found) out(line(finding))
    if (result.backup === null) out('0 sorun; depo değişmedi / 0 problems; the store is unchanged')
    else {
      for (const r of result.documents) {
        out(`onarıldı / repaired: ${r.document}: ${r.repaired} öğe / items, ${r.bytes} bayt / bytes (${DOCTOR_USER})`)
      }
      out(`yedek / backup: ${result.backup}`)
      for (const finding of result.remaining) out(`kaldı / remaining: ${line(finding)}`)
      out(`${REPAIR_NOTE.tr} / ${REPAIR_NOTE.en}`)
    }
  }
  return result.remaining.length === 0 ? 0 : 3
}
