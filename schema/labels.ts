/**
 * Field labels in both languages: what a clerk reads next to an input, in lists and inside an
 * error ("Ad soyad boş olamaz"). The schema needs them for its messages, so they live here and
 * the UI reads them from here too.
 */
import type { Bilingual } from './bilingual.ts'

export const FIELD_LABELS: Readonly<Record<string, Bilingual>> = {
  full_name: { tr: 'Ad soyad', en: 'Full name' },
  identity_no: { tr: 'T.C. kimlik no', en: 'Identity no' },
  department: { tr: 'Bölüm', en: 'Department' },
  title: { tr: 'Unvan', en: 'Title' },
  plate: { tr: 'Plaka', en: 'Plate' },
  brand: { tr: 'Marka', en: 'Brand' },
  model: { tr: 'Model', en: 'Model' },
  year: { tr: 'Yıl', en: 'Year' },
  km: { tr: 'Km', en: 'Km' },
  inspection_date: { tr: 'Muayene tarihi', en: 'Inspection date' },
  insurance_date: { tr: 'Sigorta tarihi', en: 'Insurance date' },
  maintenance_date: { tr: 'Bakım tarihi', en: 'Maintenance date' },
  notes: { tr: 'Not', en: 'Notes' },
  oil_change_date: { tr: 'Yağ değişim tarihi', en: 'Oil change date' },
  oil_change_km: { tr: 'Yağ değişim km', en: 'Oil change km' },
  oil_interval_km: { tr: 'Yağ aralığı km', en: 'Oil interval km' },
  license_class: { tr: 'Ehliyet sınıfı', en: 'Licence class' },
  license_expiry: { tr: 'Ehliyet bitiş', en: 'Licence expiry' },
  phone: { tr: 'Telefon', en: 'Phone' },
  name: { tr: 'Ad', en: 'Name' },
  start_time: { tr: 'Giriş', en: 'Start' },
  end_time: { tr: 'Çıkış', en: 'End' },
  break_minutes: { tr: 'Mola (dk)', en: 'Break (min)' },
  work_date: { tr: 'Tarih', en: 'Date' },
  employee_id: { tr: 'Çalışan', en: 'Employee' },
  is_special: { tr: 'Özel gün', en: 'Special day' },
  value: { tr: 'Değer', en: 'Value' },
  key: { tr: 'Anahtar', en: 'Key' },
  vehicle_id: { tr: 'Araç', en: 'Vehicle' },
  driver_id: { tr: 'Sürücü', en: 'Driver' },
  description: { tr: 'Açıklama', en: 'Description' },
  cost: { tr: 'Tutar', en: 'Cost' },
  status: { tr: 'Durum', en: 'Status' },
  opened_date: { tr: 'Açılış tarihi', en: 'Opened on' },
  closed_date: { tr: 'Kapanış tarihi', en: 'Closed on' },
  start_date: { tr: 'Başlangıç tarihi', en: 'Start date' },
  end_date: { tr: 'Bitiş tarihi', en: 'End date' },
  note: { tr: 'Not', en: 'Note' },
  reason: { tr: 'Neden', en: 'Reason' },
  week_start: { tr: 'Hafta başı', en: 'Week start' },
  birth_date: { tr: 'Doğum tarihi', en: 'Date of birth' },
  leave_type: { tr: 'İzin türü', en: 'Leave type' },
  first_day: { tr: 'İlk gün', en: 'First day' },
  last_day: { tr: 'Son gün', en: 'Last day' },
  half_day: { tr: 'Yarım gün', en: 'Half day' },
  inspection_id: { tr: 'Denetim', en: 'Inspection' },
  item_key: { tr: 'Denetim maddesi', en: 'Checklist item' },
  fault_id: { tr: 'Arıza', en: 'Fault' },
  fault_status: { tr: 'Arıza durumu', en: 'Fault status' },
  service_visit: { tr: 'Servise gitti', en: 'Went to service' },
  stok_kod: { tr: 'Stok kodu', en: 'Stock code' },
  stok_adi: { tr: 'Stok adı', en: 'Item name' },
  seri_no: { tr: 'Seri no', en: 'Serial no' },
  durum: { tr: 'Durum', en: 'Condition' },
  tarih: { tr: 'Tarih', en: 'Date' },
  girdi_yapan: { tr: 'Giren', en: 'Entered by' },
  bolge: { tr: 'Bölge', en: 'Region' },
  adet: { tr: 'Adet', en: 'Quantity' },
}

/** Where a table names a field its own way: an employee's start date is the day they were hired. */
const TABLE_FIELD_LABELS: Readonly<Record<string, Readonly<Record<string, Bilingual>>>> = {
  employees: {
    start_date: { tr: 'İşe giriş tarihi', en: 'Hire date' },
    end_date: { tr: 'İşten çıkış tarihi', en: 'Leaving date' },
  },
  // The weekly inspection's day, not the vehicle's muayene.
  vehicle_inspections: {
    inspection_date: { tr: 'Denetim tarihi', en: 'Inspection day' },
  },
  // A fault's title is what went wrong, not an employee's title.
  vehicle_faults: {
    title: { tr: 'Arıza', en: 'Fault' },
  },
}

/** The field's label (in `table`, when given), the field's own name when it has none (a clerk never sees those forms). */
export function fieldLabelText(field: string, table?: string): Bilingual {
  const own = table !== undefined && Object.hasOwn(TABLE_FIELD_LABELS, table) ? TABLE_FIELD_LABELS[table] : undefined
  if (own !== undefined && Object.hasOwn(own, field)) return own[field]
  return Object.hasOwn(FIELD_LABELS, field) ? FIELD_LABELS[field] : { tr: field, en: field }
}
