/**
 * <rs-km-chart>: a vehicle's odometer readings over time as a small SVG line chart, the readings
 * that went down marked red, with the first and last day and the lowest and highest km written
 * on the axes. Readings without a day (a km typed on a day nobody knows) sit at the right end,
 * as schema/kmHistory.ts orders them. Enough for "how far and how fast" without a chart library.
 */
import { css, html, LitElement, nothing, svg, type PropertyDeclarations, type TemplateResult } from 'lit'
import type { KmHistory, KmReading } from '../../schema/kmHistory.ts'
import { formatDate, formatNumber, type Lang } from './i18n.ts'

const WIDTH = 560
const HEIGHT = 200
const LEFT = 70
const RIGHT = 16
const TOP = 14
const BOTTOM = 30

const DAY_MS = 86_400_000
const dayNumber = (iso: string): number => Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) / DAY_MS

export class KmChart extends LitElement {
  static override properties: PropertyDeclarations = {
    history: { attribute: false },
    language: { attribute: false },
    caption: {},
  }

  static override styles = css`
    :host {
      display: block;
    }
    svg {
      width: 100%;
      max-width: ${WIDTH}px;
      height: auto;
      font: 12px system-ui, sans-serif;
    }
    .axis {
      stroke: var(--line-strong, #b9c3ce);
    }
    .line {
      fill: none;
      stroke: var(--accent, #1f63b5);
      stroke-width: 2;
    }
    .point {
      fill: var(--accent, #1f63b5);
    }
    .point.drop {
      fill: var(--bad, #b3261e);
    }
    text {
      fill: var(--muted, #5b6b7c);
    }
  `

  history: KmHistory = { readings: [], drops: [], current: undefined }
  language: Lang = 'tr'
  caption = ''

  override render(): TemplateResult | typeof nothing {
    const readings = this.history.readings
    if (readings.length === 0) return nothing
    const dropped = new Set(this.history.drops.map((d) => d.reading))
    const dated = readings.filter((r) => r.date !== null).map((r) => dayNumber(r.date!))
    const first = dated.length === 0 ? 0 : Math.min(...dated)
    const last = dated.length === 0 ? 0 : Math.max(...dated)
    // An undated reading is the latest: a step right of the last day.
    const span = Math.max(1, last - first) * (readings.some((r) => r.date === null) ? 1.1 : 1)
    const kms = readings.map((r) => r.km)
    const low = Math.min(...kms)
    const high = Math.max(...kms)
    const plotW = WIDTH - LEFT - RIGHT
    const plotH = HEIGHT - TOP - BOTTOM
    const x = (r: KmReading, i: number): number => {
      if (readings.length === 1) return LEFT + plotW / 2
      if (dated.length === 0) return LEFT + (plotW * i) / (readings.length - 1)
      return LEFT + (plotW * ((r.date === null ? first + span : dayNumber(r.date)) - first)) / span
    }
    const y = (km: number): number => (high === low ? TOP + plotH / 2 : TOP + plotH - (plotH * (km - low)) / (high - low))
    const points = readings.map((r, i) => [x(r, i), y(r.km)] as const)
    const lang = this.language
    const days = readings.filter((r) => r.date !== null).map((r) => r.date!)
    const firstDate = days[0] ?? null
    const lastDate = days.at(-1) ?? null
    return html`<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label=${this.caption} data-testid="km-chart">
      <line class="axis" x1=${LEFT} y1=${TOP + plotH} x2=${WIDTH - RIGHT} y2=${TOP + plotH}></line>
      <line class="axis" x1=${LEFT} y1=${TOP} x2=${LEFT} y2=${TOP + plotH}></line>
      <text x=${LEFT - 6} y=${TOP + 4} text-anchor="end">${formatNumber(lang, high)}</text>
      <text x=${LEFT - 6} y=${TOP + plotH} text-anchor="end">${formatNumber(lang, low)}</text>
      ${firstDate ? svg`<text x=${LEFT} y=${HEIGHT - 8}>${formatDate(lang, firstDate)}</text>` : nothing}
      ${lastDate && lastDate !== firstDate ? svg`<text x=${WIDTH - RIGHT} y=${HEIGHT - 8} text-anchor="end">${formatDate(lang, lastDate)}</text>` : nothing}
      <polyline class="line" points=${points.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(' ')}></polyline>
      ${readings.map(
        (r, i) => svg`<circle class="point ${dropped.has(r) ? 'drop' : ''}" cx=${points[i]![0].toFixed(1)} cy=${points[i]![1].toFixed(1)} r="4"
          data-testid="km-point" data-km=${r.km} data-date=${r.date ?? ''} data-drop=${dropped.has(r) ? 'true' : 'false'}>
          <title>${r.date === null ? '' : `${formatDate(lang, r.date)}: `}${formatNumber(lang, r.km)} km</title>
        </circle>`,
      )}
    </svg>`
  }
}

customElements.define('rs-km-chart', KmChart)

declare global {
  interface HTMLElementTagNameMap {
    'rs-km-chart': KmChart
  }
}
