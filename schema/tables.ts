/**
 * The tables of Rainstaff, one definition each: the single source of truth from which the record
 * types, validation (schema/validate.ts) and the SQLite DDL (schema/ddl.ts) are derived.
 *
 * Column names are the legacy program's, so reports, exports and people who knew the old
 * database read the same words. Legacy integer ids are gone: every record has a string `id`
 * (derived from a natural key where one exists, see schema/identity.ts) and the metadata columns.
 */

/** Every table, in the order a newcomer meets them; the literal union keeps the types non-circular. */
export const TABLE_NAMES = [
  'employees',
  'timesheets',
  'shift_templates',
  'settings',
  'vehicles',
  'drivers',
  'vehicle_inspections',
  'vehicle_inspection_results',
  'vehicle_faults',
  'vehicle_service_visits',
  'stock_inventory',
  'leaves',
] as const

export type TableName = (typeof TABLE_NAMES)[number]

export type FieldType = 'text' | 'integer' | 'real' | 'date' | 'time' | 'flag'

export interface FieldDef {
  readonly type: FieldType
  readonly required?: boolean
  /** Allowed values (the legacy program's Turkish status words). */
  readonly oneOf?: readonly string[]
  /** Lowest allowed number. */
  readonly min?: number
  /** The table whose record id this field holds. */
  readonly references?: TableName
  /** Longest text in characters (text fields; TEXT_MAX when absent). */
  readonly maxLength?: number
}

/** Default longest text field: a name, a title, a code. */
export const TEXT_MAX = 200
/** Free text (notes, descriptions, a setting's value). */
export const LONG_TEXT_MAX = 4000

export function maxLength(def: FieldDef): number {
  return def.maxLength ?? TEXT_MAX
}

export interface TableDef {
  readonly name: TableName
  readonly label: { readonly tr: string; readonly en: string }
  readonly fields: Readonly<Record<string, FieldDef>>
  /** The field whose normalized value is the record's identity (two offices, one record). */
  readonly naturalKey?: string
}

/** Leave and absence codes of the puantaj sheet (schema/leave.ts has their meaning). */
export const LEAVE_TYPES = ['Y', 'Z', 'R', 'A', 'İ'] as const

export const FAULT_STATUSES = ['Acik', 'Kapandi', 'Takip'] as const
export const INSPECTION_STATUSES = ['Olumlu', 'Olumsuz', 'Bilinmiyor'] as const
export const INSPECTION_ITEMS = [
  'body_dent',
  'paint_damage',
  'interior_clean',
  'smoke_smell',
  'tire_condition',
  'lights',
  'glass',
  'warning_lamps',
  'water_level',
] as const

const text = { type: 'text' } as const
const longText = { type: 'text', maxLength: LONG_TEXT_MAX } as const
const requiredText = { type: 'text', required: true } as const
const date = { type: 'date' } as const
const requiredDate = { type: 'date', required: true } as const
const requiredTime = { type: 'time', required: true } as const
const count = { type: 'integer', min: 0 } as const

const definitions = {
  employees: {
    label: { tr: 'Çalışanlar', en: 'Employees' },
    fields: {
      full_name: requiredText,
      identity_no: text,
      department: text,
      title: text,
      // İşe giriş / çıkış: the sheet leaves the days outside blank, annual leave counts service from start_date.
      start_date: date,
      end_date: date,
      // Only for the age rule of annual leave (İş Kanunu Art. 53).
      birth_date: date,
    },
  },
  timesheets: {
    label: { tr: 'Puantaj', en: 'Timesheets' },
    fields: {
      employee_id: { type: 'text', required: true, references: 'employees' },
      work_date: requiredDate,
      start_time: requiredTime,
      end_time: requiredTime,
      break_minutes: { type: 'integer', required: true, min: 0 },
      notes: longText,
      is_special: { type: 'flag', required: true },
    },
  },
  shift_templates: {
    label: { tr: 'Vardiya şablonları', en: 'Shift templates' },
    naturalKey: 'name',
    fields: {
      name: requiredText,
      start_time: requiredTime,
      end_time: requiredTime,
      break_minutes: { type: 'integer', required: true, min: 0 },
    },
  },
  settings: {
    label: { tr: 'Ayarlar', en: 'Settings' },
    naturalKey: 'key',
    fields: { key: requiredText, value: longText },
  },
  vehicles: {
    label: { tr: 'Araçlar', en: 'Vehicles' },
    naturalKey: 'plate',
    fields: {
      plate: requiredText,
      brand: text,
      model: text,
      year: text,
      km: count,
      inspection_date: date,
      insurance_date: date,
      maintenance_date: date,
      notes: longText,
      oil_change_date: date,
      oil_change_km: count,
      oil_interval_km: { type: 'integer', min: 1 },
    },
  },
  drivers: {
    label: { tr: 'Sürücüler', en: 'Drivers' },
    fields: { full_name: requiredText, license_class: text, license_expiry: date, phone: text, notes: longText },
  },
  vehicle_inspections: {
    label: { tr: 'Araç denetimleri', en: 'Vehicle inspections' },
    fields: {
      vehicle_id: { type: 'text', required: true, references: 'vehicles' },
      driver_id: { type: 'text', references: 'drivers' },
      inspection_date: requiredDate,
      week_start: requiredDate,
      notes: longText,
      km: count,
      fault_id: { type: 'text', references: 'vehicle_faults' },
      fault_status: { type: 'text', oneOf: FAULT_STATUSES },
      service_visit: { type: 'flag' },
    },
  },
  vehicle_inspection_results: {
    label: { tr: 'Denetim sonuçları', en: 'Inspection results' },
    fields: {
      inspection_id: { type: 'text', required: true, references: 'vehicle_inspections' },
      item_key: { type: 'text', required: true, oneOf: INSPECTION_ITEMS },
      status: { type: 'text', required: true, oneOf: INSPECTION_STATUSES },
      note: longText,
    },
  },
  vehicle_faults: {
    label: { tr: 'Arızalar', en: 'Faults' },
    fields: {
      vehicle_id: { type: 'text', required: true, references: 'vehicles' },
      title: requiredText,
      description: longText,
      opened_date: date,
      closed_date: date,
      status: { type: 'text', oneOf: FAULT_STATUSES },
    },
  },
  vehicle_service_visits: {
    label: { tr: 'Servis ziyaretleri', en: 'Service visits' },
    fields: {
      vehicle_id: { type: 'text', required: true, references: 'vehicles' },
      fault_id: { type: 'text', references: 'vehicle_faults' },
      start_date: requiredDate,
      end_date: date,
      reason: longText,
      cost: { type: 'real', min: 0 },
      notes: longText,
    },
  },
  stock_inventory: {
    label: { tr: 'Stok', en: 'Stock' },
    naturalKey: 'seri_no',
    fields: {
      stok_kod: text,
      stok_adi: text,
      seri_no: requiredText,
      durum: text,
      tarih: date,
      girdi_yapan: text,
      bolge: text,
      adet: count,
    },
  },
  leaves: {
    label: { tr: 'İzinler', en: 'Leave' },
    fields: {
      employee_id: { type: 'text', required: true, references: 'employees' },
      leave_type: { type: 'text', required: true, oneOf: LEAVE_TYPES },
      first_day: requiredDate,
      last_day: requiredDate,
      half_day: { type: 'flag', required: true },
      note: longText,
    },
  },
} as const satisfies Record<TableName, Omit<TableDef, 'name'>>

export const TABLES: Readonly<Record<TableName, TableDef>> = Object.fromEntries(
  TABLE_NAMES.map((name): [TableName, TableDef] => [name, { name, ...definitions[name] }]),
) as Record<TableName, TableDef>

export function isTableName(name: string): name is TableName {
  return Object.hasOwn(definitions, name)
}

/** Columns every record carries besides its table's own fields. */
export const META_FIELDS = ['id', 'region', 'created_at', 'updated_at', 'updated_by'] as const
/** Kept in the document for soft deletes; the SQLite mirror lists them in `deleted_records`. */
export const DELETE_FIELDS = ['deleted_at', 'deleted_by'] as const
/**
 * Kept in a dated record's copy in the month it left (schema/periods.ts): `moved_to` names the
 * month it lives in now, `moved_seen` which of this document's edits the move had seen (a Yjs
 * state vector, base64), so edits made concurrently in the old month can still follow it.
 */
export const MOVE_FIELDS = ['moved_to', 'moved_seen'] as const

type FieldValue<F> = F extends { type: 'integer' | 'real' | 'flag' } ? number : string
type Fields<T extends TableName> = (typeof definitions)[T]['fields']
type RequiredKeys<T extends TableName> = {
  [K in keyof Fields<T>]: Fields<T>[K] extends { required: true } ? K : never
}[keyof Fields<T>]
type OptionalKeys<T extends TableName> = Exclude<keyof Fields<T>, RequiredKeys<T>>

/** What a user enters for a record of table T: required fields, optional ones may be null. */
export type RecordInput<T extends TableName> = { [K in RequiredKeys<T>]: FieldValue<Fields<T>[K]> } & {
  [K in OptionalKeys<T>]?: FieldValue<Fields<T>[K]> | null
}

export interface RecordMeta {
  id: string
  region: string
  created_at: string
  updated_at: string
  updated_by: string
}

/** A live record as stored and mirrored. */
export type TableRecord<T extends TableName> = RecordMeta & {
  [K in RequiredKeys<T>]: FieldValue<Fields<T>[K]>
} & { [K in OptionalKeys<T>]: FieldValue<Fields<T>[K]> | null }

export type EmployeeRow = TableRecord<'employees'>
export type TimesheetRow = TableRecord<'timesheets'>
export type VehicleRow = TableRecord<'vehicles'>
export type SettingRow = TableRecord<'settings'>

/** A field value as it lives in the document and in SQLite. */
export type CellValue = string | number | null
