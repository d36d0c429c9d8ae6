/**
 * A shell's language: the one saved on this PC at first, provided to every screen under the shell
 * (languageContext), and kept for the next start when the user switches it.
 */
import { ContextProvider } from '@lit/context'
import type { ReactiveElement } from 'lit'
import { languageContext } from './contexts.ts'
import { saveLang, savedLang, type Lang } from './i18n.ts'

export class LanguageController {
  private readonly provider: ContextProvider<typeof languageContext>

  constructor(private readonly host: ReactiveElement) {
    this.provider = new ContextProvider(host, { context: languageContext, initialValue: savedLang() })
  }

  get value(): Lang {
    return this.provider.value
  }

  set(lang: Lang): void {
    this.provider.setValue(lang)
    saveLang(lang)
    document.documentElement.lang = lang
    this.host.requestUpdate()
  }

  /** Türkçe ⇄ English (the header's button). */
  toggle(): void {
    this.set(this.value === 'tr' ? 'en' : 'tr')
  }
}
