/**
 * `npm run chaos -- --minutes N [--seed S] [--keep]`: the chaos run of scripts/chaos/driver.ts.
 * Progress goes to stderr; stdout gets one summary line. Exit 0 only when nothing was lost or
 * duplicated, no read-only or hostile write landed, every replica converged and nothing misbehaved.
 */
import { parseArgs } from 'node:util'
import { runChaos, summaryLine } from './chaos/driver.ts'
import { randomSeed } from './chaos/rng.ts'

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { minutes: { type: 'string' }, seed: { type: 'string' }, keep: { type: 'boolean' } },
})
const minutes = Number(values.minutes ?? '1')
const seed = values.seed === undefined ? randomSeed() : Number(values.seed)
if (!(minutes > 0) || !Number.isInteger(seed) || seed < 0) {
  process.stderr.write('usage: npm run chaos -- --minutes N (> 0) [--seed S (a whole number)] [--keep]\n')
  process.exit(2)
}
const log = (line: string): void => void process.stderr.write(line + '\n')
log(`chaos: seed ${seed} (replay: npm run chaos -- --minutes ${minutes} --seed ${seed})`)
const summary = await runChaos({ minutes, seed, keep: values.keep === true, log })
for (const anomaly of summary.anomalies.slice(0, 30)) log(`anomaly: ${anomaly}`)
for (const problem of summary.problems) log(`problem: ${problem}`)
if (summary.keptDir !== null) log(`chaos: data kept in ${summary.keptDir}`)
process.stdout.write(summaryLine(summary) + '\n')
process.exitCode = summary.ok ? 0 : 1
