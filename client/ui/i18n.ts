/**
 * The app's words in Turkish (first) and English, and dates, times and numbers formatted the way
 * each language writes them (tr-TR: 02.03.2026, 8,50). One dictionary type, so a key missing in
 * English is a type error rather than a blank label.
 */

export type Lang = 'tr' | 'en'

const tr = {
  'app.title': 'Rainstaff',
  'lang.switch': 'English',
  'signIn.title': 'Giriş',
  'signIn.relay': 'Sunucu adresi',
  'signIn.username': 'Kullanıcı adı',
  'signIn.password': 'Parola',
  'signIn.submit': 'Giriş yap',
  'signIn.busy': 'Giriş yapılıyor…',
  'signIn.offlineHint': 'Sunucuya ulaşılamazsa bu cihazda daha önce giriş yapmış kullanıcı çevrimdışı açabilir.',
  'signIn.offline': 'Sunucuya ulaşılamadı: çevrimdışı açıldı',
  'signIn.adminOnly': 'Bu görünüm yalnızca yönetici içindir',
  'signOut': 'Çıkış',
  'tab.puantaj': 'Puantaj',
  'tab.employees': 'Çalışanlar',
  'tab.vehicles': 'Araçlar',
  'tab.drivers': 'Sürücüler',
  'tab.reports': 'Raporlar',
  'tab.settings': 'Ayarlar',
  'tab.conflicts': 'Çakışmalar',
  'region': 'Bölge',
  'region.readOnly': 'salt okunur',
  'status.synced': 'Çevrimiçi, eşitlendi',
  'status.connected': 'Çevrimiçi, eşitleniyor',
  'status.connecting': 'Bağlanıyor',
  'status.disconnected': 'Çevrimdışı',
  'status.failed': 'Bağlantı reddedildi',
  'status.pending': 'Bekleyen değişiklik',
  'status.lastSynced': 'Son eşitleme',
  'status.never': 'hiç',
  'status.peers': 'Bölgede çevrimiçi',
  'status.noPeers': 'başka bilgisayar yok',
  'action.add': 'Ekle',
  'action.save': 'Kaydet',
  'action.update': 'Güncelle',
  'action.cancel': 'Vazgeç',
  'action.edit': 'Düzenle',
  'action.delete': 'Sil',
  'action.restore': 'Geri al',
  'action.showDeleted': 'Silinenleri göster',
  'action.hideDeleted': 'Silinenleri gizle',
  'action.search': 'Ara',
  'list.empty': 'Kayıt yok',
  'list.deleted': 'Silinen kayıtlar',
  'list.count': 'kayıt',
  'saved': 'Kaydedildi',
  'puantaj.entry': 'Puantaj girişi',
  'puantaj.employee': 'Çalışan',
  'puantaj.allEmployees': 'Tüm çalışanlar',
  'puantaj.template': 'Vardiya şablonu',
  'puantaj.noTemplate': '— şablon yok —',
  'puantaj.date': 'Tarih',
  'puantaj.start': 'Giriş',
  'puantaj.end': 'Çıkış',
  'puantaj.break': 'Mola (dk)',
  'puantaj.special': 'Özel gün',
  'puantaj.notes': 'Not',
  'puantaj.from': 'Başlangıç',
  'puantaj.to': 'Bitiş',
  'puantaj.keyboardHint': 'Enter sonraki alana geçer; son alanda kaydeder ve tarihi bir gün ilerletir. Esc düzenlemeyi bırakır.',
  'puantaj.computed': 'Hesaplanan saatler',
  'puantaj.total': 'Toplam',
  'puantaj.overnightMark': 'ertesi gün',
  'puantaj.noEmployees': 'Önce Çalışanlar sekmesinden çalışan ekleyin.',
  'hours.worked': 'Çalışılan',
  'hours.scheduled': 'Plan',
  'hours.overtime': 'Fazla mesai',
  'hours.night': 'Gece',
  'hours.overnight': 'Geceye taşan',
  'hours.special_normal': 'Özel gün normal',
  'hours.special_overtime': 'Özel gün fazla',
  'hours.special_night': 'Özel gün gece',
  'yes': 'Evet',
  'no': 'Hayır',
  'field.full_name': 'Ad soyad',
  'field.identity_no': 'T.C. kimlik no',
  'field.department': 'Bölüm',
  'field.title': 'Unvan',
  'field.plate': 'Plaka',
  'field.brand': 'Marka',
  'field.model': 'Model',
  'field.year': 'Yıl',
  'field.km': 'Km',
  'field.inspection_date': 'Muayene tarihi',
  'field.insurance_date': 'Sigorta tarihi',
  'field.maintenance_date': 'Bakım tarihi',
  'field.notes': 'Not',
  'field.oil_change_date': 'Yağ değişim tarihi',
  'field.oil_change_km': 'Yağ değişim km',
  'field.oil_interval_km': 'Yağ aralığı km',
  'field.license_class': 'Ehliyet sınıfı',
  'field.license_expiry': 'Ehliyet bitiş',
  'field.phone': 'Telefon',
  'field.name': 'Ad',
  'field.start_time': 'Giriş',
  'field.end_time': 'Çıkış',
  'field.break_minutes': 'Mola (dk)',
  'field.work_date': 'Tarih',
  'field.employee_id': 'Çalışan',
  'field.is_special': 'Özel gün',
  'field.value': 'Değer',
  'field.key': 'Anahtar',
  'alerts.title': 'Uyarılar',
  'alerts.none': 'Uyarı yok',
  'alert.oil.soon': 'Yağ değişimine {n} km kaldı',
  'alert.oil.overdue': 'Yağ değişimi {n} km geçti',
  'alert.inspection_date.soon': 'Muayeneye {n} gün kaldı',
  'alert.inspection_date.overdue': 'Muayene {n} gün gecikti',
  'alert.insurance_date.soon': 'Sigortanın bitmesine {n} gün kaldı',
  'alert.insurance_date.overdue': 'Sigorta {n} gün önce bitti',
  'alert.maintenance_date.soon': 'Bakıma {n} gün kaldı',
  'alert.maintenance_date.overdue': 'Bakım {n} gün gecikti',
  'alert.license_expiry.soon': 'Ehliyetin bitmesine {n} gün kaldı',
  'alert.license_expiry.overdue': 'Ehliyet {n} gün önce bitti',
  'alert.repeated_failure': 'Son iki denetimde olumsuz: {item}',
  'alert.open_fault': 'Açık arıza: {item}',
  'reports.month': 'Ay',
  'reports.employee': 'Çalışan',
  'reports.regions': 'Bölgeler',
  'reports.allRegions': 'Tüm bölgeler',
  'reports.xlsx': 'Excel indir (xlsx)',
  'reports.csv': 'CSV indir',
  'reports.rows': 'Satırlar',
  'reports.summary': 'Özet',
  'reports.skipped': 'Hesaplanamayan satırlar',
  'reports.saved': 'Kaydedildi: {path}',
  'settings.region': 'Bölge ayarları',
  'settings.company_name': 'Şirket adı',
  'settings.report_title': 'Rapor başlığı',
  'settings.weekday_hours': 'Hafta içi çalışma saati',
  'settings.saturday_start': 'Cumartesi başlangıç',
  'settings.saturday_end': 'Cumartesi bitiş',
  'settings.templates': 'Vardiya şablonları',
  'settings.connection': 'Sunucu bağlantısı',
  'settings.relay': 'Sunucu',
  'settings.user': 'Kullanıcı',
  'settings.syncNow': 'Şimdi eşitle',
  'settings.pause': 'Eşitlemeyi durdur',
  'settings.resume': 'Eşitlemeyi başlat',
  'settings.changeRelay': 'Başka bir sunucuya bağlanmak için çıkış yapıp yeni adresle giriş yapın.',
  'settings.language': 'Dil',
  'settings.badHours': 'Hafta içi saat 0 ile 24 arasında bir sayı olmalı (ör. 9 veya 7,5)',
  'settings.badTime': 'Saat SS:DD olmalı',
  'settings.badSaturday': 'Cumartesi bitişi başlangıçtan sonra olmalı',
  'conflicts.fields': 'Aynı alanın eşzamanlı düzenlemeleri',
  'conflicts.duplicates': 'Olası mükerrer puantajlar',
  'conflicts.none': 'Çakışma yok',
  'conflicts.record': 'Kayıt',
  'conflicts.field': 'Alan',
  'conflicts.kept': 'Geçerli değer',
  'conflicts.lost': 'Diğer değer',
  'conflicts.keep': 'Geçerliyi tut',
  'conflicts.take': 'Diğerini al',
  'conflicts.by': '{who}, {when}',
  'conflicts.keepThis': 'Bunu tut, diğerini sil',
  'admin.title': 'Yönetim görünümü (salt okunur)',
  'admin.totals': 'Bölge toplamları',
  'admin.employees': 'Çalışan',
  'admin.timesheets': 'Puantaj',
  'admin.lastEntry': 'Son giriş',
  'admin.recent': 'Son girişler',
  'admin.monthly': 'Bölgelere göre aylık saat',
  'admin.pcs': 'Çevrimiçi bilgisayarlar',
  'admin.by': 'Giren',
  'admin.at': 'Zaman',
  'admin.hours': 'saat',
  'empty': '—',
} as const

export type MessageKey = keyof typeof tr

const en: Record<MessageKey, string> = {
  'app.title': 'Rainstaff',
  'lang.switch': 'Türkçe',
  'signIn.title': 'Sign in',
  'signIn.relay': 'Relay address',
  'signIn.username': 'Username',
  'signIn.password': 'Password',
  'signIn.submit': 'Sign in',
  'signIn.busy': 'Signing in…',
  'signIn.offlineHint': 'When the relay cannot be reached, a user who signed in on this device before can unlock it offline.',
  'signIn.offline': 'The relay could not be reached: unlocked offline',
  'signIn.adminOnly': 'This view is for the admin only',
  'signOut': 'Sign out',
  'tab.puantaj': 'Timesheets',
  'tab.employees': 'Employees',
  'tab.vehicles': 'Vehicles',
  'tab.drivers': 'Drivers',
  'tab.reports': 'Reports',
  'tab.settings': 'Settings',
  'tab.conflicts': 'Conflicts',
  'region': 'Region',
  'region.readOnly': 'read-only',
  'status.synced': 'Online, synced',
  'status.connected': 'Online, syncing',
  'status.connecting': 'Connecting',
  'status.disconnected': 'Offline',
  'status.failed': 'Connection refused',
  'status.pending': 'Pending changes',
  'status.lastSynced': 'Last synced',
  'status.never': 'never',
  'status.peers': 'Online in region',
  'status.noPeers': 'no other PC',
  'action.add': 'Add',
  'action.save': 'Save',
  'action.update': 'Update',
  'action.cancel': 'Cancel',
  'action.edit': 'Edit',
  'action.delete': 'Delete',
  'action.restore': 'Restore',
  'action.showDeleted': 'Show deleted',
  'action.hideDeleted': 'Hide deleted',
  'action.search': 'Search',
  'list.empty': 'No records',
  'list.deleted': 'Deleted records',
  'list.count': 'records',
  'saved': 'Saved',
  'puantaj.entry': 'Timesheet entry',
  'puantaj.employee': 'Employee',
  'puantaj.allEmployees': 'All employees',
  'puantaj.template': 'Shift template',
  'puantaj.noTemplate': '— no template —',
  'puantaj.date': 'Date',
  'puantaj.start': 'Start',
  'puantaj.end': 'End',
  'puantaj.break': 'Break (min)',
  'puantaj.special': 'Special day',
  'puantaj.notes': 'Notes',
  'puantaj.from': 'From',
  'puantaj.to': 'To',
  'puantaj.keyboardHint': 'Enter moves to the next field; on the last one it saves and moves the date to the next day. Esc leaves editing.',
  'puantaj.computed': 'Computed hours',
  'puantaj.total': 'Total',
  'puantaj.overnightMark': 'next day',
  'puantaj.noEmployees': 'Add employees on the Employees tab first.',
  'hours.worked': 'Worked',
  'hours.scheduled': 'Scheduled',
  'hours.overtime': 'Overtime',
  'hours.night': 'Night',
  'hours.overnight': 'Overnight',
  'hours.special_normal': 'Special normal',
  'hours.special_overtime': 'Special overtime',
  'hours.special_night': 'Special night',
  'yes': 'Yes',
  'no': 'No',
  'field.full_name': 'Full name',
  'field.identity_no': 'Identity no',
  'field.department': 'Department',
  'field.title': 'Title',
  'field.plate': 'Plate',
  'field.brand': 'Brand',
  'field.model': 'Model',
  'field.year': 'Year',
  'field.km': 'Km',
  'field.inspection_date': 'Inspection date',
  'field.insurance_date': 'Insurance date',
  'field.maintenance_date': 'Maintenance date',
  'field.notes': 'Notes',
  'field.oil_change_date': 'Oil change date',
  'field.oil_change_km': 'Oil change km',
  'field.oil_interval_km': 'Oil interval km',
  'field.license_class': 'Licence class',
  'field.license_expiry': 'Licence expiry',
  'field.phone': 'Phone',
  'field.name': 'Name',
  'field.start_time': 'Start',
  'field.end_time': 'End',
  'field.break_minutes': 'Break (min)',
  'field.work_date': 'Date',
  'field.employee_id': 'Employee',
  'field.is_special': 'Special day',
  'field.value': 'Value',
  'field.key': 'Key',
  'alerts.title': 'Alerts',
  'alerts.none': 'No alerts',
  'alert.oil.soon': 'Oil change due in {n} km',
  'alert.oil.overdue': 'Oil change overdue by {n} km',
  'alert.inspection_date.soon': 'Inspection due in {n} days',
  'alert.inspection_date.overdue': 'Inspection overdue by {n} days',
  'alert.insurance_date.soon': 'Insurance expires in {n} days',
  'alert.insurance_date.overdue': 'Insurance expired {n} days ago',
  'alert.maintenance_date.soon': 'Maintenance due in {n} days',
  'alert.maintenance_date.overdue': 'Maintenance overdue by {n} days',
  'alert.license_expiry.soon': 'Licence expires in {n} days',
  'alert.license_expiry.overdue': 'Licence expired {n} days ago',
  'alert.repeated_failure': 'Failed in the last two inspections: {item}',
  'alert.open_fault': 'Open fault: {item}',
  'reports.month': 'Month',
  'reports.employee': 'Employee',
  'reports.regions': 'Regions',
  'reports.allRegions': 'All regions',
  'reports.xlsx': 'Download Excel (xlsx)',
  'reports.csv': 'Download CSV',
  'reports.rows': 'Rows',
  'reports.summary': 'Summary',
  'reports.skipped': 'Rows that could not be computed',
  'reports.saved': 'Saved: {path}',
  'settings.region': 'Region settings',
  'settings.company_name': 'Company name',
  'settings.report_title': 'Report title',
  'settings.weekday_hours': 'Weekday hours',
  'settings.saturday_start': 'Saturday start',
  'settings.saturday_end': 'Saturday end',
  'settings.templates': 'Shift templates',
  'settings.connection': 'Relay connection',
  'settings.relay': 'Relay',
  'settings.user': 'User',
  'settings.syncNow': 'Sync now',
  'settings.pause': 'Pause syncing',
  'settings.resume': 'Resume syncing',
  'settings.changeRelay': 'To connect to another relay, sign out and sign in with the new address.',
  'settings.language': 'Language',
  'settings.badHours': 'Weekday hours must be a number from 0 to 24 (e.g. 9 or 7.5)',
  'settings.badTime': 'Time must be HH:MM',
  'settings.badSaturday': 'Saturday end must be after its start',
  'conflicts.fields': 'Concurrent edits of the same field',
  'conflicts.duplicates': 'Likely duplicate timesheets',
  'conflicts.none': 'No conflicts',
  'conflicts.record': 'Record',
  'conflicts.field': 'Field',
  'conflicts.kept': 'Current value',
  'conflicts.lost': 'Other value',
  'conflicts.keep': 'Keep current',
  'conflicts.take': 'Take other',
  'conflicts.by': '{who}, {when}',
  'conflicts.keepThis': 'Keep this, delete the other',
  'admin.title': 'Admin view (read-only)',
  'admin.totals': 'Totals per region',
  'admin.employees': 'Employees',
  'admin.timesheets': 'Timesheets',
  'admin.lastEntry': 'Last entry',
  'admin.recent': 'Recent entries',
  'admin.monthly': 'Monthly hours per region',
  'admin.pcs': 'PCs online',
  'admin.by': 'By',
  'admin.at': 'At',
  'admin.hours': 'hours',
  'empty': '—',
}

const DICTIONARIES: Record<Lang, Record<MessageKey, string>> = { tr, en }

/** The text of `key` in `lang`, with `{name}` placeholders filled in. */
export function t(lang: Lang, key: MessageKey, vars: Readonly<Record<string, string | number>> = {}): string {
  return DICTIONARIES[lang][key].replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? `{${name}}`))
}

export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(tr, key)
}

const LOCALES: Record<Lang, string> = { tr: 'tr-TR', en: 'en-GB' }

export function locale(lang: Lang): string {
  return LOCALES[lang]
}

/** `2026-03-02` → `02.03.2026` (tr) or `02/03/2026` (en); anything unreadable comes back as given. */
export function formatDate(lang: Lang, iso: string | null | undefined): string {
  if (!iso) return t(lang, 'empty')
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso)
  if (!m) return iso
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])))
  return new Intl.DateTimeFormat(LOCALES[lang], { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'UTC' }).format(date)
}

/** Short weekday name of an ISO date (Pzt, Sal… / Mon, Tue…). */
export function formatWeekday(lang: Lang, iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso)
  if (!m) return ''
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])))
  return new Intl.DateTimeFormat(LOCALES[lang], { weekday: 'short', timeZone: 'UTC' }).format(date)
}

/** A stored ISO timestamp in the viewer's own zone: the time people remember typing it. */
export function formatDateTime(lang: Lang, iso: string | null | undefined): string {
  if (!iso) return t(lang, 'empty')
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  return new Intl.DateTimeFormat(LOCALES[lang], { dateStyle: 'short', timeStyle: 'medium' }).format(date)
}

export function formatHours(lang: Lang, hours: number): string {
  return new Intl.NumberFormat(LOCALES[lang], { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(hours)
}

export function formatNumber(lang: Lang, n: number): string {
  return new Intl.NumberFormat(LOCALES[lang]).format(n)
}

export function formatMonth(lang: Lang, month: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(month)
  if (!m) return month
  return new Intl.DateTimeFormat(LOCALES[lang], { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1)))
}

/** Today's date on this machine as ISO `YYYY-MM-DD` (office staff mean their own calendar day). */
export function todayIso(now: Date = new Date()): string {
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`
}

export function addDays(iso: string, days: number): string {
  const [y, m, d] = iso.split('-').map(Number)
  const date = new Date(Date.UTC(y, m - 1, d + days))
  return date.toISOString().slice(0, 10)
}

/** The language the user chose last on this device, else Turkish. */
export function savedLang(): Lang {
  try {
    return globalThis.localStorage?.getItem('rainstaff.lang') === 'en' ? 'en' : 'tr'
  } catch {
    return 'tr'
  }
}

export function saveLang(lang: Lang): void {
  try {
    globalThis.localStorage?.setItem('rainstaff.lang', lang)
  } catch {
    // Storage can be disabled; the choice then lasts for this page only.
  }
}
