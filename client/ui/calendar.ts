/** Calendar arithmetic on ISO dates, in the office's own calendar day (no time zone shifts). */

/** Today's date on this machine as ISO `YYYY-MM-DD` (office staff mean their own calendar day). */
export function todayIso(now: Date = new Date()): string {
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`
}

export function addDays(iso: string, days: number): string {
  const [y, m, d] = iso.split('-').map(Number)
  const date = new Date(Date.UTC(y, m - 1, d + days))
  return date.toISOString().slice(0, 10)
}

