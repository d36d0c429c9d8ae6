/**
 * Regions: the offices whose records live in separate documents. Ids are lowercase ASCII slugs
 * (they appear in URLs and file names); display names keep the Turkish spelling.
 */
export interface Region {
  readonly slug: string
  readonly name: string
}

export const DEFAULT_REGIONS: readonly Region[] = [
  { slug: 'ankara', name: 'Ankara' },
  { slug: 'istanbul', name: 'İstanbul' },
  { slug: 'bursa', name: 'Bursa' },
  { slug: 'izmir', name: 'İzmir' },
]

const SLUG = /^[a-z][a-z0-9-]{0,39}$/

export function isRegionSlug(value: string): boolean {
  return SLUG.test(value)
}

/** Folds Turkish letters to ASCII so `İzmir`, `Izmir` and `izmir` all name the same slug. */
export function slugify(name: string): string {
  const folded = name
    .trim()
    .replace(/İ/g, 'i')
    .replace(/I/g, 'i')
    .replace(/ı/g, 'i')
    .toLocaleLowerCase('tr-TR')
    .replace(/ş/g, 's')
    .replace(/ğ/g, 'g')
    .replace(/ü/g, 'u')
    .replace(/ö/g, 'o')
    .replace(/ç/g, 'c')
  return folded.normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '')
}

/**
 * Maps a region value from a legacy file (`Ankara`, `Istanbul`, blank …) to a slug.
 * A NULL or blank region means Ankara: the legacy column default.
 */
export function legacyRegionSlug(value: string | null | undefined): string {
  if (value == null || value.trim() === '') return 'ankara'
  return slugify(value)
}
