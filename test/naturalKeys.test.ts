/**
 * Natural keys keep one record per key, for stock serials as for plates: a second entry of a key
 * that a live record has is refused naming it and writes nothing; a deleted key entered again is
 * restored with only the fields given; a serial is stored as its key reads (`st87080` → `ST87080`);
 * an update may respell the key but not change it to another
 * (the id would keep naming the old key); the relay's guard refuses such a rename from a client
 * that skips the engine.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { readRecord } from '../crdt/records.ts'
import { createRegionDoc, deleteRecord, insertRecord, RecordError, resolveConflict, updateRecord } from '../crdt/regionDoc.ts'
import { checkTransaction } from '../crdt/updateGuard.ts'
import { ValidationError } from '../schema/validate.ts'

const author = { user: 'ayse', now: () => new Date('2026-11-02T08:00:00Z') }
const filter = { stok_kod: '754', stok_adi: 'POS KARBON FİLTRE', seri_no: 'ST87080', durum: 'OK', tarih: '2026-01-21', adet: 1 }

function refused(doc: Y.Doc, write: () => void): unknown {
  const before = Y.encodeStateAsUpdate(doc)
  try {
    write()
  } catch (error) {
    expect(Y.encodeStateAsUpdate(doc)).toEqual(before)
    return error
  }
  throw new Error('the write was not refused')
}

describe('stock serials as natural keys', () => {
  it('a second entry of a serial, in any spelling, is refused naming the record, and every field stays', () => {
    const doc = createRegionDoc()
    const id = insertRecord(doc, 'stock_inventory', 'ankara', filter, author)
    expect(id).toBe('seri_no:ST87080')
    const error = refused(doc, () => insertRecord(doc, 'stock_inventory', 'ankara', { seri_no: ' st87080 ', durum: 'ARIZALI' }, author))
    expect(error).toBeInstanceOf(RecordError)
    expect(error).toMatchObject({ code: 'exists', id, text: { tr: 'Stok: bu kayıt zaten var; var olan kaydı açıp düzenleyin' } })
    expect(readRecord(doc, 'stock_inventory', id)).toMatchObject(filter)
  })

  it('a deleted serial entered again comes back with the fields given, the others as they were', () => {
    const doc = createRegionDoc()
    const id = insertRecord(doc, 'stock_inventory', 'ankara', filter, author)
    deleteRecord(doc, 'stock_inventory', id, author)
    expect(insertRecord(doc, 'stock_inventory', 'ankara', { seri_no: 'st87080', durum: 'SAYILDI' }, author)).toBe(id)
    expect(readRecord(doc, 'stock_inventory', id)).toMatchObject({ ...filter, durum: 'SAYILDI', deleted_at: null })
  })

  it('an update may respell the serial but not change it; nor may a conflict resolution', () => {
    const doc = createRegionDoc()
    const id = insertRecord(doc, 'stock_inventory', 'ankara', filter, author)
    const error = refused(doc, () => updateRecord(doc, 'stock_inventory', id, { seri_no: 'ST99999' }, author))
    expect(error).toBeInstanceOf(ValidationError)
    expect(error).toMatchObject({ field: 'seri_no', rule: 'identity', text: { en: "Serial no: is the record's identity and cannot change; for another value delete the record and add a new one" } })
    const resolution = { conflict_id: '1:1', table: 'stock_inventory' as const, record_id: id, field: 'seri_no' }
    expect(refused(doc, () => resolveConflict(doc, resolution, 'ST99999', author))).toBeInstanceOf(ValidationError)
    // Stored as the key reads, like a plate: every office writes the same spelling.
    updateRecord(doc, 'stock_inventory', id, { seri_no: ' st87080', durum: 'SAYILDI' }, author)
    expect(readRecord(doc, 'stock_inventory', id)).toMatchObject({ seri_no: 'ST87080', durum: 'SAYILDI' })
    // The new serial is a record of its own, never this one.
    expect(insertRecord(doc, 'stock_inventory', 'ankara', { ...filter, seri_no: 'ST99999' }, author)).toBe('seri_no:ST99999')
  })

  it('plates follow the same rule', () => {
    const doc = createRegionDoc()
    const id = insertRecord(doc, 'vehicles', 'ankara', { plate: '06 ABC 123', km: 1000 }, author)
    expect(refused(doc, () => updateRecord(doc, 'vehicles', id, { plate: '06 ABC 124' }, author))).toMatchObject({ field: 'plate', rule: 'identity' })
    updateRecord(doc, 'vehicles', id, { plate: '06abc123', km: 1200 }, author)
    expect(readRecord(doc, 'vehicles', id)).toMatchObject({ plate: '06ABC123', km: 1200 })
  })

  it('the guard refuses a serial changed under its id by a client that skips the engine, and takes a respelling', () => {
    const doc = createRegionDoc()
    const id = insertRecord(doc, 'stock_inventory', 'ankara', filter, author)
    const write = (value: string): ReturnType<typeof checkTransaction> => {
      let refusal: ReturnType<typeof checkTransaction> = null
      const check = (transaction: Y.Transaction): void => {
        refusal = checkTransaction(doc, transaction, { region: 'ankara', account: 'ayse' })
      }
      doc.on('afterTransaction', check)
      doc.transact(() => {
        const map = doc.getMap('stock_inventory').get(id) as Y.Map<unknown>
        map.set('seri_no', value)
        map.set('updated_at', '2026-11-02T09:00:00.000Z')
        map.set('updated_by', 'ayse')
      })
      doc.off('afterTransaction', check)
      return refusal
    }
    expect(write('ST99999')).toMatchObject({ code: 'bad_record_id' })
    expect(write('st87080')).toBeNull()
  })
})
