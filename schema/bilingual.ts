/**
 * A message as data, in both of the product's languages, until the moment it is shown in one.
 */
export interface Bilingual {
  readonly tr: string
  readonly en: string
}

/** "Türkçe / English": the one-line form logs, close reasons and the CLI's stderr use. */
export function bothLanguages(message: Bilingual): string {
  return `${message.tr} / ${message.en}`
}
