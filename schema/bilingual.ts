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

/**
 * An error a clerk may read: `text` keeps both languages as data so a screen shows one, `field`
 * names the input to mark. `message` stays the "Türkçe / English" line logs and the CLI print.
 */
export class BilingualError extends Error {
  readonly text: Bilingual
  readonly field?: string

  constructor(text: Bilingual, options: { readonly message?: string; readonly field?: string; readonly cause?: unknown } = {}) {
    super(options.message ?? bothLanguages(text), options.cause === undefined ? undefined : { cause: options.cause })
    this.text = text
    if (options.field !== undefined) this.field = options.field
  }
}

/** The Bilingual text an error carries, if it carries one. */
export function bilingualOf(error: unknown): Bilingual | undefined {
  if (typeof error !== 'object' || error === null || !('text' in error)) return undefined
  const text = (error as { text: unknown }).text
  return typeof text === 'object' && text !== null && typeof (text as Bilingual).tr === 'string' && typeof (text as Bilingual).en === 'string' ? (text as Bilingual) : undefined
}

/**
 * The language a terminal asks for: LC_ALL, else LC_MESSAGES, else LANG; "tr…" is Turkish, any
 * other named locale English. C/POSIX or nothing set names no language: then both are printed.
 */
export function localeLanguage(env: Readonly<Record<string, string | undefined>>): 'tr' | 'en' | undefined {
  const value = [env.LC_ALL, env.LC_MESSAGES, env.LANG].find((v) => v !== undefined && v !== '')
  if (value === undefined || /^(C|POSIX)([._@]|$)/i.test(value)) return undefined
  return value.toLowerCase().startsWith('tr') ? 'tr' : 'en'
}

/** An error as a terminal prints it: its text in the locale's language, else the "tr / en" line. */
export function inLocale(error: Error, env: Readonly<Record<string, string | undefined>> = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {}): string {
  const lang = localeLanguage(env)
  const text = bilingualOf(error)
  return lang === undefined || text === undefined ? error.message : text[lang]
}
