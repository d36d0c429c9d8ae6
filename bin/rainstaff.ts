/**
 * Entry point of `bin/rainstaff`: dispatches a sub-command to the module that owns it.
 * Each command is imported lazily so `rainstaff --help` starts instantly.
 */
const HELP = `rainstaff — puantaj ve filo veritabanı / timesheet and fleet database

Kullanım / Usage: rainstaff <komut|command> [seçenekler|options]

Komutlar / Commands:
  relay [--port N] [--data DIR]      Sunucuyu başlatır / run the relay (web client included)
  users add|list|passwd|disable|enable [NAME] [--role R] [--region SLUG] [--data DIR]
                                     Sunucu kullanıcıları / relay users (password from stdin)
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
