/**
 * The store's `holiday_decisions` table: the head office's word on public holidays (confirmed,
 * added or removed days, schema/holidays.ts HolidayDecision), with who decided and when. Part of
 * the store; relay/holidayRoutes.ts serves it.
 */
import type Database from 'better-sqlite3'
import type { HolidayDecision } from '../schema/holidays.ts'

export interface HolidayDecisionRow extends HolidayDecision {
  readonly decidedBy: string
  readonly decidedAt: number
}

export interface HolidayTable {
  decisions(year: number): HolidayDecisionRow[]
  decide(row: HolidayDecisionRow): void
  /** Forgets the decision on `date`: the computed calendar speaks again. */
  forget(date: string): boolean
}

export function createHolidayTables(db: Database.Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS holiday_decisions (
      date TEXT PRIMARY KEY,
      name_tr TEXT,
      name_en TEXT,
      half_day INTEGER NOT NULL,
      removed INTEGER NOT NULL,
      decided_by TEXT NOT NULL,
      decided_at INTEGER NOT NULL
    );
  `)
}

interface Row {
  date: string
  name_tr: string | null
  name_en: string | null
  half_day: number
  removed: number
  decided_by: string
  decided_at: number
}

export function holidayTable(db: Database.Database): HolidayTable {
  return {
    decisions(year) {
      return db
        .prepare<[string, string], Row>('SELECT * FROM holiday_decisions WHERE date >= ? AND date <= ? ORDER BY date')
        .all(`${year}-01-01`, `${year}-12-31`)
        .map((r) => ({
          date: r.date,
          name: r.name_tr === null ? null : { tr: r.name_tr, en: r.name_en ?? r.name_tr },
          halfDay: r.half_day === 1,
          removed: r.removed === 1,
          decidedBy: r.decided_by,
          decidedAt: r.decided_at,
        }))
    },
    decide(row) {
      db.prepare('INSERT OR REPLACE INTO holiday_decisions (date, name_tr, name_en, half_day, removed, decided_by, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
        row.date, row.name?.tr ?? null, row.name?.en ?? null, row.halfDay ? 1 : 0, row.removed ? 1 : 0, row.decidedBy, row.decidedAt,
      )
    },
    forget(date) {
      return db.prepare('DELETE FROM holiday_decisions WHERE date = ?').run(date).changes > 0
    },
  }
}
