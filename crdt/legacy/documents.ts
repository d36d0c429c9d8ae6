/**
 * The documents an import works on (a region's master and months, crdt/periodDocs.ts) as its
 * callers hold them: in memory (the relay's migration, the CLI's analysis, a dry run's copies,
 * tests), or by name in the sync engine. And the probe that finds which months a plan touches.
 */
import type * as Y from 'yjs'
import { BilingualError, type Bilingual } from '../../schema/bilingual.ts'
import { documentName, parseDocumentName, periodLabel, type DocumentName, type Period } from '../../schema/periods.ts'
import type { RegionDocuments } from '../periodDocs.ts'
import { createRegionDoc } from '../regionDoc.ts'

/** A region's documents held in memory: the master and the months opened so far. */
export interface MemoryDocuments extends RegionDocuments {
  /** Month `period`'s document, loaded (or created empty) the first time it is asked for. */
  open(period: Period): Y.Doc
  /** Every document held, by document name, the master first. */
  all(): Array<readonly [string, Y.Doc]>
}

/** `load` gives a document by name (`ankara`, `ankara/2026-11`); by default a new empty one. */
export function memoryDocuments(region: string, load: (name: string) => Y.Doc = () => createRegionDoc()): MemoryDocuments {
  const master = load(region)
  const months = new Map<Period, Y.Doc>()
  return {
    region,
    master,
    month: (period) => months.get(period),
    months: () => months.entries(),
    open(period) {
      let doc = months.get(period)
      if (doc === undefined) months.set(period, (doc = load(documentName(region, period))))
      return doc
    },
    all: () => [[region, master], ...[...months].sort(([a], [b]) => a.localeCompare(b)).map(([period, doc]) => [documentName(region, period), doc] as const)],
  }
}

/** Documents of `regions` in memory, and an `openMonth` for the import that opens a month among them. */
export function inMemory(
  regions: readonly string[],
  load?: (name: string) => Y.Doc,
): { documents: Map<string, MemoryDocuments>; openMonth(region: string, period: Period): void } {
  const documents = new Map(regions.map((region) => [region, memoryDocuments(region, load)]))
  return { documents, openMonth: (region, period) => void documents.get(region)?.open(period) }
}

/** A month of a region. */
export interface RegionMonth {
  readonly region: string
  readonly period: Period
}

/** Documents that answer for every month, and remember which months were asked for and which were not open. */
export interface Probe {
  readonly documents: ReadonlyMap<string, RegionDocuments>
  /** Every month asked for, open or not. */
  readonly asked: ReadonlySet<string>
  /** Months asked for that were not open: read as empty. */
  readonly missing: ReadonlySet<string>
}

/**
 * Wraps `documents` so that a month that is not open reads as an empty document instead of
 * being missing. Planning only reads, so the empty stand-in is never written.
 */
export function probe(documents: ReadonlyMap<string, RegionDocuments>): Probe {
  const empty = createRegionDoc()
  const asked = new Set<string>()
  const missing = new Set<string>()
  const wrapped = new Map<string, RegionDocuments>()
  for (const [region, docs] of documents) {
    wrapped.set(region, {
      region,
      master: docs.master,
      month(period) {
        const name = documentName(region, period)
        asked.add(name)
        const doc = docs.month(period)
        if (doc !== undefined) return doc
        missing.add(name)
        return empty
      },
      months: () => docs.months(),
    })
  }
  return { documents: wrapped, asked, missing }
}

/** A document as a person reads its name: `istanbul Ocak 2026`, `istanbul ana verileri`. */
export function documentLabel({ region, period }: DocumentName, lang: 'tr' | 'en'): string {
  if (period !== null) return `${region} ${periodLabel(period)[lang]}`
  return lang === 'tr' ? `${region} ana verileri` : `${region} master data`
}

/**
 * Documents the import reads that this computer has never had from the relay, and cannot get now
 * (offline, or the relay would not give them). Read as empty, each record of the file already in
 * them would be written again: a second map under the record's id, which may win over the first
 * and undo corrections made to it since. So the import stops before it writes anything.
 * `hint` says how to fetch them where there is a way (the CLI's `sync --month`).
 */
export class NotFetchedError extends BilingualError {
  constructor(
    readonly documents: readonly DocumentName[],
    hint?: Bilingual,
  ) {
    const list = (lang: 'tr' | 'en'): string => documents.map((d) => documentLabel(d, lang)).join(', ')
    const tail = (lang: 'tr' | 'en'): string => (hint === undefined ? '' : ` ${hint[lang]}`)
    super({
      tr:
        `İçe aktarma bu bilgisayarın sunucudan hiç almadığı verilere dayanıyor: ${list('tr')}. Dosyanın orada zaten olan kayıtları ` +
        `yeniden yazılır ve sonradan yapılan düzeltmeleri geri alabilir; hiçbir şey yazılmadı, sunucuya bağlanınca yeniden deneyin.${tail('tr')}`,
      en:
        `The import needs data this computer never had from the relay: ${list('en')}. The file's records already there ` +
        `would be written again and could undo corrections made since; nothing was written, try again once connected.${tail('en')}`,
    })
    this.name = 'NotFetchedError'
  }
}

/** `ankara/2026-11` → Ankara's November 2026. */
export function regionMonth(name: string): RegionMonth {
  const parsed = parseDocumentName(name)
  if (parsed === undefined || parsed.period === null) throw new Error(`not a month document: ${name}`)
  return { region: parsed.region, period: parsed.period }
}

/** Month document names grouped by region, each region's months sorted. */
export function byRegion(names: Iterable<string>): Map<string, Period[]> {
  const out = new Map<string, Period[]>()
  for (const name of [...names].sort()) {
    const { region, period } = regionMonth(name)
    const list = out.get(region)
    if (list === undefined) out.set(region, [period])
    else list.push(period)
  }
  return out
}
