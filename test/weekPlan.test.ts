import { describe, expect, it } from 'vitest'
import { arrowTarget, applyToCells, cellEdit, cellKey, cellsOf, copyLastWeek, mondayOf, rectangle, weekDates, type WeekEmployee, type WeekTimesheet } from '../client/ui/week-plan.ts'

const ayse: WeekEmployee = { id: 'a', full_name: 'Ayşe', start_date: null, end_date: null }
const ali: WeekEmployee = { id: 'b', full_name: 'Ali', start_date: null, end_date: '2026-11-04' }
let n = 0
const row = (employee_id: string, work_date: string, start_time = '08:00', end_time = '17:00', break_minutes = 60): WeekTimesheet => ({
  id: `t${n++}`,
  employee_id,
  work_date,
  start_time,
  end_time,
  break_minutes,
  is_special: 0,
  notes: 'not',
})

describe('the week grid’s plans', () => {
  it('weeks run Monday to Sunday', () => {
    expect(mondayOf('2026-11-01')).toBe('2026-10-26')
    expect(mondayOf('2026-11-02')).toBe('2026-11-02')
    expect(weekDates('2026-12-28')).toEqual(['2026-12-28', '2026-12-29', '2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02', '2027-01-03'])
  })

  it('copying last week fills only empty cells, where the employee is employed, without notes', () => {
    const rows = [
      row('a', '2026-10-26'),
      row('a', '2026-10-27', '08:00', '12:00', 15),
      row('a', '2026-10-27', '13:00', '17:00', 15),
      row('a', '2026-10-28'),
      row('a', '2026-11-04', '09:00', '18:00'), // this week's Wednesday is taken
      row('b', '2026-10-28'),
      row('b', '2026-10-29'), // Ali leaves on 4 November: the 5th stays empty
      row('b', '2026-10-21'), // two weeks back: not copied
    ]
    const plan = copyLastWeek(rows, '2026-11-02', [ayse, ali])
    expect(plan.filled).toBe(1)
    expect(plan.outside).toBe(1)
    expect(plan.inserts).toEqual([
      { employee_id: 'a', work_date: '2026-11-02', start_time: '08:00', end_time: '17:00', break_minutes: 60 },
      { employee_id: 'a', work_date: '2026-11-03', start_time: '08:00', end_time: '12:00', break_minutes: 15 },
      { employee_id: 'a', work_date: '2026-11-03', start_time: '13:00', end_time: '17:00', break_minutes: 15 },
      { employee_id: 'b', work_date: '2026-11-04', start_time: '08:00', end_time: '17:00', break_minutes: 60 },
    ])
  })

  it('a template on a selection: inserts into empty cells, updates single ones, skips double ones', () => {
    const dates = weekDates('2026-11-02')
    const selection = rectangle([ayse, ali], dates, { row: 1, col: 2 }, { row: 0, col: 0 })
    expect(selection.size).toBe(6)
    const single = row('a', '2026-11-02', '09:00', '17:00', 45)
    const same = row('b', '2026-11-03', '08:00', '16:00', 30)
    const rows = [single, same, row('a', '2026-11-04', '08:00', '12:00'), row('a', '2026-11-04', '13:00', '17:00')]
    const plan = applyToCells(selection, cellsOf(rows), { start_time: '08:00', end_time: '16:00', break_minutes: 30 })
    expect(plan.updates).toEqual([{ id: single.id, patch: { start_time: '08:00', end_time: '16:00', break_minutes: 30 } }])
    expect(plan.same).toBe(1)
    expect(plan.skipped).toBe(1)
    expect(plan.inserts.map((i) => cellKey(i.employee_id, i.work_date)).sort()).toEqual(['a|2026-11-03', 'b|2026-11-02', 'b|2026-11-04'])
  })

  it('a typed cell becomes nothing, a refusal, a delete to confirm, warnings to confirm, an insert or an update', () => {
    const at = { employeeId: 'a', date: '2026-11-04', today: '2026-11-04' }
    const stored = row('a', '2026-11-04', '08:00', '17:00', 60)
    expect(cellEdit('08:00-17:00', [stored], at, [])).toEqual({ kind: 'none' })
    expect(cellEdit('8-17', [stored], at, [])).toEqual({ kind: 'none' })
    expect(cellEdit('', [], at, [])).toEqual({ kind: 'none' })
    expect(cellEdit('x', [stored, row('a', '2026-11-04', '18:00', '20:00')], at, [])).toEqual({ kind: 'none' })
    expect(cellEdit('x', [], at, [])).toMatchObject({ kind: 'refuse' })
    expect(cellEdit(' ', [stored], at, [])).toEqual({ kind: 'delete', row: stored })
    expect(cellEdit('8-18', [stored], at, [])).toEqual({ kind: 'update', id: stored.id, patch: { end_time: '18:00' } })
    expect(cellEdit('17-8', [], at, [])).toMatchObject({ kind: 'ask', warnings: [{ code: 'reversed_shift' }] })
    expect(cellEdit('17-8', [], at, [], true)).toMatchObject({ kind: 'insert' })
    expect(cellEdit('8-17', [], at, [])).toEqual({
      kind: 'insert',
      record: { employee_id: 'a', work_date: '2026-11-04', start_time: '08:00', end_time: '17:00', break_minutes: 60, is_special: 0, notes: null },
    })
    // 29 October, Republic Day: special; the 28th (from 13:00 only) is not.
    expect(cellEdit('8-12', [], { ...at, date: '2026-10-29' }, [])).toMatchObject({ kind: 'insert', record: { is_special: 1, break_minutes: 15 } })
    expect(cellEdit('8-12', [], { ...at, date: '2026-10-28' }, [])).toMatchObject({ kind: 'insert', record: { is_special: 0 } })
  })
})

describe('arrowTarget', () => {
  const at = { row: 1, col: 3 }
  const caret = (start: number, end: number, length = 4) => ({ start, end, length })
  it('moves to the neighbouring cell, kept inside the grid', () => {
    expect(arrowTarget('ArrowUp', at, 3, caret(2, 2), false)).toEqual({ row: 0, col: 3 })
    expect(arrowTarget('ArrowDown', { row: 2, col: 3 }, 3, caret(2, 2), false)).toEqual({ row: 2, col: 3 })
    expect(arrowTarget('ArrowRight', { row: 0, col: 6 }, 3, caret(4, 4), false)).toEqual({ row: 0, col: 6 })
    expect(arrowTarget('ArrowLeft', at, 3, caret(0, 0), false)).toEqual({ row: 1, col: 2 })
  })
  it('leaves Left and Right to the caret inside the text, unless Shift or a selection', () => {
    expect(arrowTarget('ArrowLeft', at, 3, caret(2, 2), false)).toBe('caret')
    expect(arrowTarget('ArrowRight', at, 3, caret(2, 2), false)).toBe('caret')
    expect(arrowTarget('ArrowRight', at, 3, caret(2, 2), true)).toEqual({ row: 1, col: 4 })
    expect(arrowTarget('ArrowRight', at, 3, caret(0, 4), false)).toEqual({ row: 1, col: 4 })
    expect(arrowTarget('Enter', at, 3, caret(0, 0), false)).toBeUndefined()
  })
})
