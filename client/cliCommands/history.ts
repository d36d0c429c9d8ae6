/**
 * `history TABLE ID [--region R] [--month YYYY-MM] [--json]`: a record's changes as the relay's
 * history has them (client/historyApi.ts): who (the account the relay stored the change for) on
 * which PC, when, and old → new per field, a value that lost a concurrent edit marked so. JSON:
 * one change a line. It asks the relay, so it needs it reachable (exit 3 otherwise).
 */
import type { HistoryChange } from '../../crdt/historyWire.ts'
import { documentName, isPeriodTable } from '../../schema/periods.ts'
import type { CellValue } from '../../schema/tables.ts'
import { fetchRecordHistory } from '../historyApi.ts'
import { sessionFromAccount } from '../signIn.ts'
import { account, CliError, EXIT, optionalMonth, out, parse, required, say, table, text, withStore } from './common.ts'

const shown = (value: CellValue): string => (value === null ? '—' : typeof value === 'number' ? String(value) : JSON.stringify(value))

/** A time as the office reads it: local date and time, to the second. */
function localTime(iso: string): string {
  const d = new Date(iso)
  const two = (n: number): string => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`
}

function what(change: HistoryChange): { tr: string; en: string } {
  if (change.kind === 'create') return { tr: `oluşturuldu (${change.document})`, en: `created (${change.document})` }
  if (change.field === 'deleted_at') return change.new === null ? { tr: 'geri alındı', en: 'restored' } : { tr: 'silindi', en: 'deleted' }
  if (change.field === 'moved_to') {
    return change.new === null ? { tr: `${change.document} ayına geri taşındı`, en: `moved back to ${change.document}` } : { tr: `${shown(change.new)} ayına taşındı`, en: `moved to ${shown(change.new)}` }
  }
  const values = `${shown(change.old)} → ${shown(change.new)}`
  return { tr: `${change.field}: ${values}`, en: `${change.field}: ${values}` }
}

/** One line of the human listing, in the terminal's language. */
export function historyLine(change: HistoryChange): string {
  const when = change.at !== null ? localTime(change.at) : change.claimedAt !== null ? `~${localTime(change.claimedAt)}` : '?'
  const pc = change.device === null ? '' : ` @ ${change.device.name ?? change.device.id}`
  const who = change.account ?? change.claimedBy ?? '?'
  const notes: Array<{ tr: string; en: string }> = []
  if (change.lost) notes.push({ tr: 'eşzamanlı bir değişikliğe kaybetti', en: 'lost to a concurrent edit' })
  if (change.at === null && change.account === null) notes.push({ tr: 'sunucu kaydetmemiş; saat bilgisayarın', en: 'not stored by the relay; the time is the PC’s' })
  else if (change.claimedBy !== null && change.account !== null && change.claimedBy !== change.account) {
    notes.push({ tr: `bilgisayar ${change.claimedBy} yazdı`, en: `the PC claimed ${change.claimedBy}` })
  }
  const suffix = notes.length === 0 ? '' : `  (${notes.map((n) => say(n)).join('; ')})`
  return `${when}  ${who}${pc}  ${say(what(change))}${suffix}`
}

export async function historyCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { region: { type: 'string' }, month: { type: 'string' }, json: { type: 'boolean' } }, 2)
  const name = table(positionals[0])
  const id = required(positionals[1], 'ID')
  const month = optionalMonth(values)
  return withStore(values, async (store) => {
    const acc = await account(store)
    const region = text(values, 'region') ?? acc.user.region
    if (region === null) throw new CliError(EXIT.usage, '--region gerekli', '--region is required')
    if (!acc.regions.some((r) => r.slug === region)) {
      const known = acc.regions.map((r) => r.slug).join(', ')
      throw new CliError(EXIT.refused, `Bilinmeyen bölge: ${region} (${known})`, `Unknown region: ${region} (${known})`)
    }
    // A dated record without --month: the relay finds the months it lived in from its log.
    const document = isPeriodTable(name) && month !== undefined ? documentName(region, month) : region
    const answer = await fetchRecordHistory(sessionFromAccount(acc, null), document, name, id)
    for (const change of answer.changes) out(values.json === true ? JSON.stringify(change) : historyLine(change))
    return EXIT.ok
  })
}
