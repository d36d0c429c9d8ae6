import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createRegionDoc, deleteRecord, insertRecord, updateRecord } from '../crdt/regionDoc.ts'
import { openMirror, type Mirror } from '../crdt/mirror.ts'
import { decodeRendering, encodeRendering, renderDocument, RenderingError } from '../crdt/rendering.ts'
import { TABLE_NAMES } from '../schema/tables.ts'

const clerk = { user: 'ankara1' }
const shift = { start_time: '08:00', end_time: '17:00', break_minutes: 60, is_special: 0 }

function dump(mirror: Mirror): string {
  return JSON.stringify([...TABLE_NAMES, 'deleted_records', 'conflicts'].map((t) => mirror.query(`SELECT * FROM ${t} ORDER BY 1, 2, 3`)))
}

async function rebuilt(name: string, doc: Y.Doc): Promise<string> {
  const mirror = await openMirror()
  mirror.attach(name, doc)
  try {
    return dump(mirror)
  } finally {
    mirror.close()
  }
}

function month(): { doc: Y.Doc; employee: string; sheets: string[] } {
  const doc = createRegionDoc()
  const employee = insertRecord(doc, 'employees', 'ankara', { full_name: 'AYŞE YILMAZ' }, clerk)
  const sheets = [1, 2, 3].map((day) => insertRecord(doc, 'timesheets', 'ankara', { employee_id: employee, work_date: `2026-11-0${day}`, ...shift }, clerk))
  return { doc, employee, sheets }
}

describe('a saved mirror', () => {
  it('starts from its file and re-reads only the records changed since, bare deletions included', async () => {
    const { doc, sheets } = month()
    const mirror = await openMirror()
    mirror.attach('ankara', doc)
    const file = mirror.saveFile()
    mirror.close()
    // Changes while the mirror is closed: an edit, a soft delete, and a bare Yjs deletion from
    // another replica (what a repair writes), which carries no new struct.
    const other = createRegionDoc()
    Y.applyUpdate(other, Y.encodeStateAsUpdate(doc))
    ;(other.getMap('timesheets').get(sheets[2]!) as Y.Map<unknown>).delete('updated_by')
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(other, Y.encodeStateVector(doc)))
    updateRecord(doc, 'timesheets', sheets[0]!, { end_time: '18:00' }, clerk)
    deleteRecord(doc, 'timesheets', sheets[1]!, clerk)

    const reopened = await openMirror({ file })
    expect(reopened.restored).toBe(true)
    // Queryable before the doc is attached: the rows as saved.
    expect(reopened.query('SELECT count(*) AS n FROM timesheets')).toEqual([{ n: 3 }])
    // A row nobody changed, altered in the file, stays altered: it was not read again.
    reopened.db.run(`UPDATE employees SET title = 'kept from file'`)
    reopened.attach('ankara', doc)
    expect(reopened.query('SELECT title FROM employees')).toEqual([{ title: 'kept from file' }])
    reopened.db.run(`UPDATE employees SET title = NULL`)
    expect(dump(reopened)).toEqual(await rebuilt('ankara', doc))
    expect(reopened.query('SELECT end_time FROM timesheets WHERE id = ?', [sheets[0]!])).toEqual([{ end_time: '18:00' }])
    expect(reopened.query('SELECT updated_by FROM timesheets WHERE id = ?', [sheets[2]!])).toEqual([{ updated_by: null }])
    reopened.close()
  })

  it('reads every record again when the doc lacks what the saved rows saw, and starts empty from a bad file', async () => {
    const { doc } = month()
    const ahead = createRegionDoc()
    Y.applyUpdate(ahead, Y.encodeStateAsUpdate(doc))
    insertRecord(ahead, 'employees', 'ankara', { full_name: 'MEHMET' }, clerk)
    const mirror = await openMirror()
    mirror.attach('ankara', ahead)
    const file = mirror.saveFile()
    mirror.close()
    const reopened = await openMirror({ file })
    reopened.attach('ankara', doc)
    expect(dump(reopened)).toEqual(await rebuilt('ankara', doc))
    reopened.close()

    for (const bad of [new Uint8Array([1, 2, 3]), new TextEncoder().encode('SQLite format 3\u0000 nope')]) {
      const empty = await openMirror({ file: bad })
      expect(empty.restored).toBe(false)
      expect(empty.query('SELECT count(*) AS n FROM timesheets')).toEqual([{ n: 0 }])
      empty.close()
    }
  })

  it('keeps a released document’s rows, and a detached one’s go', async () => {
    const { doc } = month()
    const mirror = await openMirror()
    mirror.attach('ankara/2026-11', doc)
    mirror.release('ankara/2026-11')
    insertRecord(doc, 'employees', 'ankara', { full_name: 'NOT FOLLOWED' }, clerk)
    expect(mirror.query('SELECT count(*) AS n FROM employees')).toEqual([{ n: 1 }])
    expect(mirror.heldDocuments().map((d) => [d.document, d.version])).toEqual([['ankara/2026-11', null]])
    mirror.attach('ankara/2026-11', doc)
    expect(mirror.query('SELECT count(*) AS n FROM employees')).toEqual([{ n: 2 }])
    expect(mirror.heldDocuments()).toEqual([])
    mirror.detach('ankara/2026-11')
    expect(mirror.query('SELECT count(*) AS n FROM employees')).toEqual([{ n: 0 }])
    mirror.close()
  })
})

describe('a rendering', () => {
  it('shows the rows the mirror would hold, and gives way to the document once it is followed', async () => {
    const { doc, sheets } = month()
    deleteRecord(doc, 'timesheets', sheets[1]!, clerk)
    const mirror = await openMirror()
    const bytes = encodeRendering(renderDocument('ankara/2026-11', doc))
    expect(mirror.show(decodeRendering(bytes, 'ankara/2026-11'), 'v1')).toBe(true)
    expect(dump(mirror)).toEqual(await rebuilt('ankara/2026-11', doc))
    expect(mirror.heldDocuments().map((d) => [d.document, d.version])).toEqual([['ankara/2026-11', 'v1']])
    mirror.attach('ankara/2026-11', doc)
    expect(mirror.show(decodeRendering(bytes), 'v2')).toBe(false)
    mirror.close()
  })

  it('refuses bytes that are not a rendering of the document asked for, naming what is wrong', () => {
    const { doc } = month()
    const good = JSON.parse(new TextDecoder().decode(encodeRendering(renderDocument('ankara/2026-11', doc)))) as Record<string, unknown>
    const encode = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value))
    const withTable = (records: unknown): Uint8Array => encode({ ...good, tables: { timesheets: { columns: ['id', 'notes'], records } } })
    const cases: Array<[Uint8Array, RegExp]> = [
      [new Uint8Array([0xff, 0xfe]), /JSON/],
      [encode({ ...good, format: 'other' }), /format/],
      [encode({ ...good, version: 2 }), /version 2/],
      [encode({ ...good, tables: { passwords: { columns: [], records: [] } } }), /passwords/],
      [withTable([['x', [{ evil: 1 }, 'n'], null, null]]), /record timesheets x/],
      [withTable([['x', ['x'], null, null]]), /record timesheets x/],
      [withTable([['x', null, null, null]]), /record timesheets x/],
      [encode({ ...good, conflicts: [['timesheets']] }), /conflict/],
      [encode({ ...good, snapshot: 'not base64 ~~' }), /snapshot/],
    ]
    for (const [bytes, message] of cases) {
      expect(() => decodeRendering(bytes, 'ankara/2026-11')).toThrow(RenderingError)
      expect(() => decodeRendering(bytes, 'ankara/2026-11')).toThrow(message)
    }
    expect(() => decodeRendering(encodeRendering(renderDocument('ankara/2026-11', doc)), 'izmir/2026-11')).toThrow(/document name/)
  })

  it('takes the region from the document name, not from the bytes, and reads columns by name', () => {
    const { doc } = month()
    const good = JSON.parse(new TextDecoder().decode(encodeRendering(renderDocument('ankara/2026-11', doc)))) as {
      tables: Record<string, { columns: string[]; records: unknown[][] }>
    }
    const sheets = good.tables.timesheets!
    sheets.columns = [...sheets.columns, 'column_from_a_newer_build']
    for (const record of sheets.records) {
      const row = record[1] as unknown[]
      row[sheets.columns.indexOf('region')] = 'izmir'
      row.push('ignored')
    }
    const read = decodeRendering(new TextEncoder().encode(JSON.stringify(good)), 'ankara/2026-11')
    expect(read.records.filter((r) => r.table === 'timesheets').map((r) => r.row?.[1])).toEqual(['ankara', 'ankara', 'ankara'])
  })
})
