/**
 * Record identity. Where a record has a natural key (vehicle plate, stock serial, shift template
 * name, setting key) its id is derived from the normalized key, so two offices that create the
 * same key while offline end up editing one record whose fields merge. Other records get random
 * ids: a legacy integer id is never an identity across PCs.
 */
import { TABLES, type TableName } from './tables.ts'

/** `34 abc 123`, `34-ABC-123` and `34ABC123` are one plate. */
export function normalizePlate(plate: string): string {
  return plate.replace(/[\s\-.]+/g, '').toLocaleUpperCase('en-US')
}

/** ` st 87088 ` and `ST 87088` are one serial; inner spaces count (`ST87088` is another). */
export function normalizeSerial(serial: string): string {
  return serial.trim().replace(/\s+/g, ' ').toLocaleUpperCase('tr-TR')
}

function normalizeKey(table: TableName, value: string): string {
  switch (table) {
    case 'vehicles':
      return normalizePlate(value)
    case 'stock_inventory':
      return normalizeSerial(value)
    case 'shift_templates':
      return value.trim().replace(/\s+/g, ' ').toLocaleLowerCase('tr-TR')
    default:
      return value.trim()
  }
}

/** The id a record of `table` gets from its natural key, or undefined when the table has none. */
export function naturalId(table: TableName, fields: Readonly<Record<string, unknown>>): string | undefined {
  const keyField = TABLES[table].naturalKey
  if (keyField === undefined) return undefined
  const value = fields[keyField]
  if (typeof value !== 'string' || value.trim() === '') return undefined
  return `${keyField}:${normalizeKey(table, value)}`
}

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'

/** 16 base-62 characters (~95 bits): short in the document, collision-free in practice. */
export function randomId(): string {
  const bytes = new Uint8Array(16)
  globalThis.crypto.getRandomValues(bytes)
  let id = ''
  for (const byte of bytes) id += ALPHABET[byte % 62]
  return id
}
