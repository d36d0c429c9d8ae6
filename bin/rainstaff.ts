/**
 * Entry point of `bin/rainstaff`: dispatches a sub-command to the module that owns it.
 * Each command is imported lazily so `rainstaff --help` starts instantly.
 */
const HELP = `rainstaff — puantaj ve filo veritabanı / timesheet and fleet database

Kullanım / Usage: rainstaff <komut|command> [seçenekler|options]

Komutlar / Commands:
  relay [--port N] [--data DIR]      Sunucuyu başlatır / run the relay (web client included)
  users add|list|passwd|disable|enable|set|delete [NAME] [--role R] [--region SLUG] [--data DIR]
                                     Sunucu kullanıcıları / relay users (password from stdin)
  login --relay URL --user NAME      Giriş, parola stdin'den / sign in, password from stdin [--state DIR]
  put TABLE --json '{…}' [--region R]  Kayıt ekler (çevrimdışı da) / inserts a record (offline too), prints its id
  update TABLE ID --json '{…}'       Kaydı değiştirir / changes a record
  delete TABLE ID                    Kaydı siler / deletes a record
  sql "SELECT …"                     Salt okunur sorgu, JSON satırları / read-only query, JSON lines
  sync [--timeout S]                 Eşitler / pushes and pulls; exit 0 only when nothing is pending
  status [--json]                    Bağlantı, bekleyen, son eşitleme / connection, pending, last synced
  report --month YYYY-MM [--region R] --format json|csv|xlsx|sheet [--rules law|legacy] --out FILE
                                     Puantaj raporu (eski xlsx düzeni) ya da aylık cetvel / timesheet report or monthly sheet
  report --fleet inspections|service --month YYYY-MM [--region R] --format json|csv|xlsx --out FILE
                                     Araç denetim ya da servis maliyet raporu / inspection or service cost report
  alerts [--region R] [--date YYYY-MM-DD] [--json]
                                     Filo uyarıları / fleet alerts (oil, dates, faults, inspections, km)
  export-sqlite --out FILE           Yerel verinin SQLite kopyası / SQLite copy of the local data
  close-month --region R --month YYYY-MM [--out FILE]   Merkez: ayı kapatır / head office: closes a month
  reopen-month --region R --month YYYY-MM --reason "…"  Merkez: ayı yeniden açar / reopens it
  late-edits list [--json] | accept ID | reject ID [--reason "…"]
                                     Kapalı aya gelen değişiklikler / changes that reached a closed month
  history TABLE ID [--region R] [--month YYYY-MM] [--json]
                                     Kaydın geçmişi / a record's history (who, which PC, when, old → new)
  restore --region R [--month YYYY-MM] [--table T] [--id ID] --at ISO-TIME [--dry-run] [--json]
                                     Bir zamandaki hâline döndürür (yeni bir değişiklik olarak) / puts records back as they were then
                                     İstemci komutları / client commands: --state DIR (RAINSTAFF_STATE, ~/.rainstaff)
  import-legacy FILE.db … (--data DIR | --state DIR | --dry-run) [--region R] [--json]
                                     Eski puantaj.db dosyalarını içe aktarır / import legacy files
  doctor [--data DIR] [--repair] [--json]
                                     Bozuk öğeleri listeler, onarır / lists and repairs malformed items
  help                               Bu yardım / this help
`

type Command = (args: string[]) => Promise<number>

const commands: Record<string, () => Promise<Command>> = {
  relay: async () => {
    const cli = await import('../relay/cli.ts')
    return (args) => cli.runCli(cli.relayCommand, args)
  },
  users: async () => {
    const cli = await import('../relay/cli.ts')
    return (args) => cli.runCli(cli.usersCommand, args)
  },
  'import-legacy': async () => (await import('../legacy/cli.ts')).runImportCli,
  doctor: async () => {
    const [cli, doctor] = await Promise.all([import('../relay/cli.ts'), import('../relay/doctor.ts')])
    return (args) => cli.runCli(doctor.doctorCommand, args)
  },
}

/** The client peer's commands share one module; each is dispatched by name. */
const CLIENT_COMMAND_NAMES = ['login', 'put', 'update', 'delete', 'sql', 'sync', 'status', 'report', 'alerts', 'export-sqlite', 'close-month', 'reopen-month', 'late-edits', 'history', 'restore']
for (const name of CLIENT_COMMAND_NAMES) {
  commands[name] = async () => {
    const cli = await import('../client/cli.ts')
    return (args) => cli.runClientCommand(name, args)
  }
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(HELP)
    return 0
  }
  const load = commands[name]
  if (!load) {
    process.stderr.write(`Bilinmeyen komut: ${name} / Unknown command: ${name}\n\n${HELP}`)
    return 2
  }
  return (await load())(rest)
}

process.exitCode = await main(process.argv.slice(2))

export {}
