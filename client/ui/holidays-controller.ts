/**
 * A Lit controller for the public holidays a screen counts with: the workspace's calendar (the
 * relay's list with the head office's decisions, else computed; client/holidayCalendar.ts). The
 * years a screen shows are asked of the relay once in the background, and the screen draws again
 * when a list changes.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit'
import type { PublicHoliday } from '../../schema/holidays.ts'
import type { HolidayCalendar } from '../holidayCalendar.ts'
import type { Workspace } from './workspace.ts'

export class HolidaysShown implements ReactiveController {
  private calendar: HolidayCalendar | undefined
  private readonly changed = (): void => this.host.requestUpdate()

  constructor(private readonly host: ReactiveControllerHost & { readonly workspace: Workspace | undefined }) {
    host.addController(this)
  }

  hostUpdate(): void {
    const calendar = this.host.workspace?.holidays
    if (calendar === this.calendar) return
    this.calendar?.off('change', this.changed)
    this.calendar = calendar
    calendar?.on('change', this.changed)
  }

  hostDisconnected(): void {
    this.calendar?.off('change', this.changed)
    this.calendar = undefined
  }

  /** The holidays of the years `dates` fall in (ISO dates or YYYY-MM months). */
  forDates(dates: readonly string[]): PublicHoliday[] {
    const ws = this.host.workspace
    if (ws === undefined) return []
    const years = [...new Set(dates.map((d) => Number(d.slice(0, 4))).filter((y) => Number.isInteger(y)))]
    ws.holidays.ensure(ws.session, years)
    return years.flatMap((y) => ws.holidays.of(y))
  }

  /** The holidays a month's figures look at: its year and the one before (the law's first week). */
  around(month: string): PublicHoliday[] {
    const year = Number(month.slice(0, 4))
    return this.forDates([`${year - 1}`, `${year}`])
  }
}
