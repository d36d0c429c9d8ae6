/**
 * The words of undo and of a record's history in the office app, Turkish first. Spread into the
 * app's one dictionary (messages.ts), so a key missing in English is still a type error.
 */

export const historyTr = {
  'undo.done': 'Geri alındı: {n} kayıt',
  'redo.done': 'Yeniden yapıldı: {n} kayıt',
  'undo.nothing': 'Geri alınacak değişikliğiniz yok',
  'undo.none': 'Geri alınamadı:',
  'redo.none': 'Yeniden yapılamadı:',
  'undo.skipped': '{n} kayıt başkası değiştirdiği için olduğu gibi bırakıldı.',
  'history.panel': 'Geçmiş',
  'history.open': 'Geçmiş',
  'history.close': 'Kapat',
  'history.restoreAt': 'Bu tarihteki haline getir',
  'restore.preview': '{at} tarihindeki hale dönmek için yapılacaklar:',
  'restore.nothing': 'Bu kayıt {at} tarihindeki haliyle aynı: değiştirilecek bir şey yok',
  'restore.go': 'Geri getir',
  'restore.done': 'Kayıt {at} tarihindeki haline getirildi',
  'restore.restored': 'geri getirilecek',
  'restore.reverted': 'değerleri geri alınacak',
  'restore.deleted': 'yeniden silinecek',
  'restore.monthTitle': 'Ayı bir tarihteki haline getir',
  'restore.at': 'Tarih ve saat',
  'restore.check': 'Önizle',
  'restore.monthNothing': 'Ay {at} tarihindeki haliyle aynı: değiştirilecek bir şey yok',
  'restore.monthDone': '{n} kayıt {at} tarihindeki haline getirildi',
} as const

export type HistoryMessageKey = keyof typeof historyTr

export const historyEn: Record<HistoryMessageKey, string> = {
  'undo.done': 'Undone: {n} records',
  'redo.done': 'Redone: {n} records',
  'undo.nothing': 'You have no change to undo',
  'undo.none': 'Nothing undone:',
  'redo.none': 'Nothing redone:',
  'undo.skipped': '{n} records were left as they are: someone else changed them since.',
  'history.panel': 'History',
  'history.open': 'History',
  'history.close': 'Close',
  'history.restoreAt': 'Put back as it was then',
  'restore.preview': 'To go back to {at}:',
  'restore.nothing': 'The record is as it was at {at}: nothing to change',
  'restore.go': 'Put back',
  'restore.done': 'The record was put back as it was at {at}',
  'restore.restored': 'to be restored',
  'restore.reverted': 'fields to be reverted',
  'restore.deleted': 'to be deleted again',
  'restore.monthTitle': 'Put the month back as it was at a time',
  'restore.at': 'Date and time',
  'restore.check': 'Preview',
  'restore.monthNothing': 'The month is as it was at {at}: nothing to change',
  'restore.monthDone': '{n} records were put back as they were at {at}',
}
