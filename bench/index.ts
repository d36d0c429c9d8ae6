/**
 * `npm run bench`: runs every benchmark suite in one process and writes docs/BENCHMARKS.md.
 * Suites report ratios against a baseline measured in the same run, so the numbers mean the
 * same thing on a laptop and on CI. `npm run bench -- relay` runs only the suites named.
 */
import { writeFileSync, mkdirSync } from 'node:fs'
import os from 'node:os'

/** One section of the report: a title and Markdown lines (usually table rows). */
export interface BenchSection {
  title: string
  lines: string[]
}

export type Suite = () => Promise<BenchSection>

const suites: Record<string, () => Promise<Suite>> = {
  foundation: async () => (await import('./foundation.ts')).run,
  catchup: async () => (await import('./catchup.ts')).run,
  relay: async () => (await import('./relay.ts')).run,
  import: async () => (await import('./import.ts')).run,
  years: async () => (await import('./fiveYears.ts')).run,
  fleet: async () => (await import('./fleet.ts')).run,
  history: async () => (await import('./history.ts')).run,
}

const only = process.argv.slice(2)
const sections: BenchSection[] = []
for (const [name, load] of Object.entries(suites)) {
  if (only.length > 0 && !only.includes(name)) continue
  process.stdout.write(`\n## ${name}\n`)
  const section = await (await load())()
  for (const line of section.lines) process.stdout.write(line + '\n')
  sections.push(section)
}

if (only.length === 0) {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU'
  const header = [
    '# Benchmarks',
    '',
    `Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: Node ${process.version}, ${os.cpus().length} × ${cpu}.`,
    'Ratios compare against a baseline measured in the same run.',
    '',
  ]
  const body = sections.flatMap((s) => [`## ${s.title}`, '', ...s.lines, ''])
  mkdirSync('docs', { recursive: true })
  writeFileSync('docs/BENCHMARKS.md', [...header, ...body].join('\n'))
  process.stdout.write('\ndocs/BENCHMARKS.md written\n')
}
