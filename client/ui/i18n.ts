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
  'record.exists': '{key} zaten kayıtlı; hiçbir şey değiştirilmedi. Var olan kaydı açmak ister misiniz?',
  'record.open': 'Kaydı aç',
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
  'import.open': 'Eski veri içe aktar',
  'import.title': 'Eski programdan içe aktar (puantaj.db)',
  'import.intro': 'Eski programın puantaj.db dosyasını seçin. Önce hiçbir şey yazılmadan ne olacağı gösterilir. Yalnızca {region} bölgesinin satırları alınır; diğer bölgelerin satırları atlanır ve aşağıda listelenir.',
  'import.file': 'Dosya',
  'import.legacyTable.reports': 'Rapor geçmişi',
  'import.legacyTable.users': 'Kullanıcılar',
  'import.reading': 'Dosya okunuyor ve satırlar denetleniyor…',
  'import.phase.plan': 'Satırlar denetleniyor',
  'import.phase.write': 'Kayıtlar yazılıyor',
  'import.preview': 'Ön izleme: henüz hiçbir şey yazılmadı',
  'import.done': 'İçe aktarma tamamlandı',
  'import.version': 'Dosya sürümü',
  'import.pcRegion': 'Dosyanın bilgisayarı',
  'import.source.option': 'bölgesiz eski dosya: sizin bölgeniz',
  'import.source.admin_entry_region': 'dosyadaki admin_entry_region ayarı',
  'import.source.majority': 'çalışanların çoğunun bölgesi',
  'import.source.default': 'eski programın varsayılanı',
  'import.counts': 'Tablolara göre satırlar',
  'import.table': 'Tablo',
  'import.read': 'Okunan',
  'import.created': 'Yeni',
  'import.present': 'Zaten var',
  'import.merged': 'Birleşen',
  'import.skipped': 'Atlanan',
  'import.warnings': 'Uyarılı',
  'import.notWritable': 'bu bölgeye yazamazsınız: atlanır',
  'import.problems': 'Bakılması gereken satırlar ({n})',
  'import.noProblems': 'Sorunlu satır yok.',
  'import.legacyId': 'Eski no',
  'import.outcome': 'Sonuç',
  'import.reason': 'Neden',
  'import.outcome.created': 'alındı',
  'import.outcome.present': 'zaten var',
  'import.outcome.merged': 'birleştirildi',
  'import.outcome.skipped': 'atlandı',
  'import.notes': 'Dosya hakkında',
  'import.deletions': 'Eski programda silinen kayıtlar',
  'import.deletion.recorded': 'kaydedildi, bir daha gelmez',
  'import.deletion.applied': 'Rainstaff’ta silindi',
  'import.deletion.kept_edited': 'Rainstaff’ta değiştirildiği için tutuldu: elle bakın',
  'import.deletion.not_recorded': 'kaydedilemedi (dosyanın bölgesine yazamazsınız)',
  'import.confirm': '{n} yeni kaydı içe aktar',
  'import.nothingNew': 'Yeni kayıt yok: bu dosya zaten içe aktarılmış. İçe aktarmak hiçbir şeyi değiştirmez.',
  'import.written': '{n} yeni kayıt yazıldı; eşitlenince diğer bilgisayarlar da görür.',
  'import.pending': 'Sunucuya gidecek bekleyen değişiklik',
  'import.another': 'Başka dosya seç',
  'import.close': 'Kapat',
  'reason.invalid_time': 'Geçersiz saat',
  'reason.invalid_date': 'Geçersiz tarih',
  'reason.invalid_number': 'Sayı değil',
  'reason.invalid_value': 'Okunamayan değer',
  'reason.missing_required': 'Zorunlu alan boş',
  'reason.orphan': 'Sahipsiz kayıt',
  'reason.parent_skipped': 'Bağlı kaydı alınmadı',
  'reason.parent_deleted': 'Bağlı kaydı silinmiş',
  'reason.deleted_in_legacy': 'Eski programda silinmiş',
  'reason.region_unavailable': 'Başka bölge',
  'reason.not_migrated': 'Aktarılmıyor',
  'reason.negative_break': 'Negatif mola',
  'reason.break_exceeds_shift': 'Mola vardiyadan uzun',
  'reason.same_start_end': 'Giriş ve çıkış aynı',
  'reason.region_mismatch': 'Bölge uyuşmazlığı',
  'reason.reference_dropped': 'Bağlantı boş bırakıldı',
  'reason.odd_value': 'Tuhaf değer',
  'reason.duplicate': 'Dosyada iki kez',
  'reason.differs': 'Değerler farklı',
  'reason.deleted_in_rainstaff': 'Rainstaff’ta silinmiş',
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
  'record.exists': '{key} is already registered; nothing was changed. Open the existing record?',
  'record.open': 'Open the record',
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
  'import.open': 'Import legacy data',
  'import.title': 'Import from the legacy program (puantaj.db)',
  'import.intro': 'Choose a puantaj.db file of the legacy program. First you see what would happen, with nothing written. Only the rows of region {region} are imported; rows of other regions are skipped and listed below.',
  'import.file': 'File',
  'import.legacyTable.reports': 'Report history',
  'import.legacyTable.users': 'Users',
  'import.reading': 'Reading the file and checking its rows…',
  'import.phase.plan': 'Checking rows',
  'import.phase.write': 'Writing records',
  'import.preview': 'Preview: nothing has been written yet',
  'import.done': 'Import finished',
  'import.version': 'File version',
  'import.pcRegion': 'The file’s PC',
  'import.source.option': 'file without regions: your region',
  'import.source.admin_entry_region': 'the file’s admin_entry_region setting',
  'import.source.majority': 'where most of its employees are',
  'import.source.default': 'the legacy program’s default',
  'import.counts': 'Rows per table',
  'import.table': 'Table',
  'import.read': 'Read',
  'import.created': 'New',
  'import.present': 'Already there',
  'import.merged': 'Merged',
  'import.skipped': 'Skipped',
  'import.warnings': 'With warnings',
  'import.notWritable': 'you cannot write this region: skipped',
  'import.problems': 'Rows to look at ({n})',
  'import.noProblems': 'No problem rows.',
  'import.legacyId': 'Legacy id',
  'import.outcome': 'Outcome',
  'import.reason': 'Reason',
  'import.outcome.created': 'imported',
  'import.outcome.present': 'already there',
  'import.outcome.merged': 'merged',
  'import.outcome.skipped': 'skipped',
  'import.notes': 'About the file',
  'import.deletions': 'Records deleted in the legacy program',
  'import.deletion.recorded': 'recorded, will not come back',
  'import.deletion.applied': 'deleted in Rainstaff',
  'import.deletion.kept_edited': 'kept because it was changed in Rainstaff: check by hand',
  'import.deletion.not_recorded': 'not recorded (you cannot write the file’s region)',
  'import.confirm': 'Import {n} new records',
  'import.nothingNew': 'Nothing new: this file has been imported already. Importing it changes nothing.',
  'import.written': '{n} new records written; the other PCs see them once synced.',
  'import.pending': 'Changes waiting for the relay',
  'import.another': 'Choose another file',
  'import.close': 'Close',
  'reason.invalid_time': 'Invalid time',
  'reason.invalid_date': 'Invalid date',
  'reason.invalid_number': 'Not a number',
  'reason.invalid_value': 'Unreadable value',
  'reason.missing_required': 'Required field empty',
  'reason.orphan': 'Orphan',
  'reason.parent_skipped': 'Parent not imported',
  'reason.parent_deleted': 'Parent deleted',
  'reason.deleted_in_legacy': 'Deleted in the legacy program',
  'reason.region_unavailable': 'Other region',
  'reason.not_migrated': 'Not migrated',
  'reason.negative_break': 'Negative break',
  'reason.break_exceeds_shift': 'Break longer than the shift',
  'reason.same_start_end': 'Start equals end',
  'reason.region_mismatch': 'Region mismatch',
  'reason.reference_dropped': 'Reference left empty',
  'reason.odd_value': 'Odd value',
  'reason.duplicate': 'Twice in the file',
  'reason.differs': 'Values differ',
  'reason.deleted_in_rainstaff': 'Deleted in Rainstaff',
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

/**
 * One language's half of a "Türkçe / English" message (the schema's and the importer's reasons).
 * A message whose values hold " / " themselves cannot be split safely and is shown whole.
 */
export function languagePart(lang: Lang, message: string): string {
  const parts = message.split(' / ')
  return parts.length === 2 ? parts[lang === 'tr' ? 0 : 1] : message
}
