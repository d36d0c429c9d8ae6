/**
 * The headless peer: `rainstaff login|put|update|delete|sql|sync|status|report|alerts|export-sqlite`
 * and the head office's `close-month|reopen-month|late-edits`,
 * each working on a state directory (`--state DIR`, or RAINSTAFF_STATE, or ~/.rainstaff) through
 * the same sync engine as the app (the commands are in client/cliCommands/). Edits work offline;
 * `login`, `sync` and `status` talk to the relay, and `report` does for a month this device never
 * fetched. Node only: it owns the file store, stdin/stdout and exit codes.
 *
 * Exit codes: 0 done; 1 refused input (nothing changed); 2 bad usage; 3 the relay cannot be
 * reached or sync did not finish; 4 sign-in needed (no session, or it expired); 5 the record
 * already exists (a `put` whose natural key names a live record: its id goes to stdout).
 *
 * Messages are in one language, the terminal's (cliLanguage); the help text shows both.
 */
import { PeriodNotOpenError } from '../crdt/periodDocs.ts'
import { RecordError } from '../crdt/regionDoc.ts'
import { ValidationError } from '../schema/validate.ts'
import { AccessError } from './engine.ts'
import { LocalStoreError } from './localStore.ts'
import { ReadOnlySqlError } from './readOnlySql.ts'
import { RelayAddressError } from './relayAddress.ts'
import { ReportError } from './report.ts'
import { SignInError } from './signIn.ts'
import { StoredDocumentsError } from './storedDocuments.ts'
import { RelayApiError } from './relayApi.ts'
import { CliError, err, EXIT, out, say, sayError } from './cliCommands/common.ts'
import { put, remove, update } from './cliCommands/edit.ts'
import { exportSqlite, report, sql } from './cliCommands/read.ts'
import { login, status, sync } from './cliCommands/sync.ts'
import { closeMonthCommand, lateEditsCommand, reopenMonthCommand } from './cliCommands/months.ts'
import { alerts } from './cliCommands/fleet.ts'
import { historyCommand } from './cliCommands/history.ts'
import { restoreCommand } from './cliCommands/restore.ts'
import { RestoreError } from './restore.ts'

export { cliLanguage, CliError, EXIT } from './cliCommands/common.ts'

export const CLIENT_HELP = `İstemci komutları / Client commands (hepsi / all: [--state DIR], varsayılan / default RAINSTAFF_STATE or ~/.rainstaff):
  login --relay URL --user NAME      Giriş (parola stdin'den) / sign in (password from stdin); offline if signed in here before
  put TABLE --json '{…}' [--region R]  Kayıt ekler, kimliği yazar / inserts a record, prints its id (works offline)
  update TABLE ID --json '{…}' [--region R]
  delete TABLE ID [--region R]
  sql "SELECT …"                     Salt okunur sorgu, JSON satırları / read-only query, JSON lines (every month held here)
  sync [--timeout S] [--month YYYY-MM | --all-months]
                                     Gönderir ve alır / pushes and pulls this month, last month and the months with
                                     unsent edits, then the other months as rows (--month: that month's document too,
                                     --all-months: every month's document); 0 only when nothing is pending
  status [--json]                    Bağlantı, bekleyen, son eşitleme / connection, pending, last synced
  report --month YYYY-MM [--region R] --format json|csv|xlsx|sheet [--rules law|legacy] --out FILE
                                     sheet: aylık puantaj cetveli (xlsx) / the monthly sheet (xlsx)
  report --fleet inspections|service --month YYYY-MM [--region R] --format json|csv|xlsx --out FILE
                                     Haftalık araç denetimleri ya da servis maliyetleri / weekly inspections or service costs
  alerts [--region R] [--date YYYY-MM-DD] [--json]
                                     Filo uyarıları: yağ, muayene, sigorta, bakım, ehliyet, arıza, denetim, km
                                     / fleet alerts: oil, inspection, insurance, maintenance, licence, faults, checks, km
  export-sqlite --out FILE           Yerel verinin SQLite kopyası / SQLite copy of the local data
  close-month --region R --month YYYY-MM [--rules law|legacy] [--out FILE]
                                     Merkez: ayı sunucudaki cetveliyle kapatır / head office: closes the month with its sheet
  reopen-month --region R --month YYYY-MM --reason "…"
  late-edits list [--status waiting|accepted|rejected] [--region R --month YYYY-MM] [--json]
  late-edits accept ID | reject ID [--reason "…"]
                                     Kapalı aya gelen değişiklikler / changes that reached a closed month
  history TABLE ID [--region R] [--month YYYY-MM] [--json]
                                     Kaydın geçmişi: kim, hangi bilgisayar, ne zaman, eski → yeni /
                                     a record's history: who, which PC, when, old → new (from the relay)
  restore --region R [--month YYYY-MM] [--table T] [--id ID] --at ISO-TIME [--dry-run] [--json]
                                     Kayıtları o zamanki hâline döndürür, yeni bir değişiklik olarak
                                     (--dry-run: yalnızca listeler) / puts records back as they were at
                                     that time, as a new change (--dry-run: only lists what would change)
`

export const CLIENT_COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  login,
  put,
  update,
  delete: remove,
  sql,
  sync,
  status,
  report,
  'export-sqlite': exportSqlite,
  'close-month': closeMonthCommand,
  'reopen-month': reopenMonthCommand,
  'late-edits': lateEditsCommand,
  alerts,
  history: historyCommand,
  restore: restoreCommand,
}

/** y-websocket adds a process exit listener per provider, one per open document: months add up. */
const LISTENERS_PER_DOCUMENT_LIMIT = 1000

/** Runs one client command; expected failures become a line on stderr, in the terminal's language, and an exit code. */
export async function runClientCommand(name: string, args: string[]): Promise<number> {
  process.setMaxListeners(Math.max(process.getMaxListeners(), LISTENERS_PER_DOCUMENT_LIMIT))
  const command = CLIENT_COMMANDS[name]
  if (command === undefined) {
    err(say({ tr: `Bilinmeyen komut: ${name}`, en: `Unknown command: ${name}` }))
    return EXIT.usage
  }
  if (args.includes('--help') || args.includes('-h')) {
    out(CLIENT_HELP)
    return EXIT.ok
  }
  try {
    return await command(args)
  } catch (error) {
    if (error instanceof CliError) {
      err(sayError(error))
      return error.exitCode
    }
    if (error instanceof SignInError) {
      err(sayError(error))
      return error.code === 'unreachable' || error.code === 'no_account' ? EXIT.offline : EXIT.signIn
    }
    if (error instanceof StoredDocumentsError) {
      err(sayError(error))
      return EXIT.offline
    }
    if (error instanceof RelayApiError) {
      err(sayError(error))
      return error.status === 0 ? EXIT.offline : error.status === 401 ? EXIT.signIn : EXIT.refused
    }
    if (
      error instanceof ValidationError ||
      error instanceof RecordError ||
      error instanceof AccessError ||
      error instanceof ReadOnlySqlError ||
      error instanceof ReportError ||
      error instanceof RelayAddressError ||
      error instanceof LocalStoreError ||
      error instanceof RestoreError ||
      error instanceof PeriodNotOpenError
    ) {
      err(sayError(error))
      return EXIT.refused
    }
    throw error
  }
}
