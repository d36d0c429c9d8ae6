/**
 * `close-month`, `reopen-month`, `late-edits`: the head office's month controls (relay/closing.ts,
 * client/periodControl.ts). They speak to the relay directly and open no documents: the sheet a
 * month is closed with is made from the relay's copy of the month at that moment
 * (client/closingSheet.ts), and the close names its version.
 */
import { createHash } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { documentName, isPeriod, periodLabel, type Period } from '../../schema/periods.ts'
import { RULE_SETS, type RuleSetName } from '../../schema/workLaw.ts'
import { closingSheet } from '../closingSheet.ts'
import type { DeviceAccount } from '../localStore.ts'
import { acceptLateEdit, closeMonth, lateEdits, rejectLateEdit, reopenMonth, type LateEditState } from '../periodControl.ts'
import { sessionFromAccount, type Session } from '../signIn.ts'
import { sheetXlsx } from '../sheetXlsx.ts'
import { account, CliError, EXIT, out, parse, required, say, text, withStore, type Values } from './common.ts'

async function adminSession(values: Values): Promise<{ session: Session; acc: DeviceAccount }> {
  return withStore(values, async (store) => {
    const acc = await account(store)
    if (acc.user.role !== 'admin') {
      throw new CliError(EXIT.refused, 'Ayları yalnızca merkez (yönetici) kapatır ve açar', 'Only the head office (admin) closes and reopens months')
    }
    return { session: sessionFromAccount(acc, null), acc }
  })
}

function monthOf(values: Values): Period {
  const month = required(text(values, 'month'), '--month')
  if (!isPeriod(month)) throw new CliError(EXIT.usage, `--month YYYY-AA olmalı: ${month}`, `--month must be YYYY-MM: ${month}`)
  return month
}

function regionOf(values: Values, acc: DeviceAccount): string {
  const region = required(text(values, 'region'), '--region')
  if (!acc.regions.some((r) => r.slug === region)) throw new CliError(EXIT.refused, `Bilinmeyen bölge: ${region}`, `Unknown region: ${region}`)
  return region
}

export async function closeMonthCommand(args: string[]): Promise<number> {
  const { values } = parse(args, { region: { type: 'string' }, month: { type: 'string' }, rules: { type: 'string' }, out: { type: 'string' } }, 0)
  const { session, acc } = await adminSession(values)
  const region = regionOf(values, acc)
  const month = monthOf(values)
  const rules = text(values, 'rules')
  if (rules !== undefined && !(RULE_SETS as readonly string[]).includes(rules)) {
    throw new CliError(EXIT.usage, `--rules law veya legacy olmalı: ${rules}`, `--rules must be law or legacy: ${rules}`)
  }
  const { sheet, version } = await closingSheet(session, region, month, rules === undefined ? {} : { rules: rules as RuleSetName })
  const bytes = await sheetXlsx(sheet, acc.regions.find((r) => r.slug === region)?.name ?? region)
  const file = text(values, 'out')
  if (file !== undefined) writeFileSync(file, bytes)
  const state = await closeMonth(session, region, month, version, bytes)
  const sha = createHash('sha256').update(bytes).digest('hex')
  out(say({ tr: `${region} ${periodLabel(month).tr} kapatıldı; cetvel SHA-256 ${state.sheetSha256}`, en: `${region} ${periodLabel(month).en} closed; sheet SHA-256 ${state.sheetSha256}` }))
  if (state.sheetSha256 !== sha) throw new CliError(EXIT.refused, 'Sunucunun sakladığı cetvel gönderilenden farklı', 'The sheet the relay kept differs from the one sent')
  return EXIT.ok
}

export async function reopenMonthCommand(args: string[]): Promise<number> {
  const { values } = parse(args, { region: { type: 'string' }, month: { type: 'string' }, reason: { type: 'string' } }, 0)
  const { session, acc } = await adminSession(values)
  const region = regionOf(values, acc)
  const month = monthOf(values)
  const reason = required(text(values, 'reason'), { tr: '--reason (neden)', en: '--reason' })
  await reopenMonth(session, region, month, reason)
  out(say({ tr: `${region} ${periodLabel(month).tr} yeniden açıldı`, en: `${region} ${periodLabel(month).en} reopened` }))
  return EXIT.ok
}

const STATES: readonly LateEditState[] = ['waiting', 'accepted', 'rejected']

/** `late-edits list [--status S] [--region R --month M] [--json]`, `late-edits accept ID`, `late-edits reject ID [--reason …]`. */
export async function lateEditsCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(
    args,
    { status: { type: 'string' }, region: { type: 'string' }, month: { type: 'string' }, json: { type: 'boolean' }, reason: { type: 'string' } },
    2,
  )
  const action = required(positionals[0], { tr: 'list, accept veya reject', en: 'list, accept or reject' })
  const { session, acc } = await adminSession(values)
  if (action === 'list') {
    const state = text(values, 'status')
    if (state !== undefined && !(STATES as readonly string[]).includes(state)) {
      throw new CliError(EXIT.usage, `--status waiting, accepted veya rejected olmalı: ${state}`, `--status must be waiting, accepted or rejected: ${state}`)
    }
    const document = text(values, 'region') !== undefined ? documentName(regionOf(values, acc), monthOf(values)) : undefined
    const edits = await lateEdits(session, { ...(state !== undefined ? { state: state as LateEditState } : {}), ...(document !== undefined ? { document } : {}) })
    for (const edit of edits) {
      out(values.json === true ? JSON.stringify(edit) : `${edit.id}\t${edit.document}\t${edit.account}\t${edit.at}\t${edit.state}${edit.reason ? `\t${edit.reason}` : ''}`)
    }
    return EXIT.ok
  }
  if (action !== 'accept' && action !== 'reject') {
    throw new CliError(EXIT.usage, `Bilinmeyen işlem: ${action} (list, accept, reject)`, `Unknown action: ${action} (list, accept, reject)`)
  }
  const id = Number(required(positionals[1], 'ID'))
  if (!Number.isSafeInteger(id) || id <= 0) throw new CliError(EXIT.usage, `Geçersiz kimlik: ${positionals[1]}`, `Invalid id: ${positionals[1]}`)
  if (action === 'accept') {
    const accepted = await acceptLateEdit(session, id)
    out(say({ tr: `${accepted.id} kabul edildi (${accepted.document})`, en: `${accepted.id} accepted (${accepted.document})` }))
  } else {
    const rejected = await rejectLateEdit(session, id, text(values, 'reason') ?? '')
    out(say({ tr: `Reddedildi: ${rejected.map((e) => e.id).join(', ')}`, en: `Rejected: ${rejected.map((e) => e.id).join(', ')}` }))
  }
  return EXIT.ok
}
