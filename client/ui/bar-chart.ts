/**
 * <rs-bar-chart>: a small horizontal bar chart drawn as SVG (one bar per label, value printed at
 * its end). Enough for "hours per region" without a charting library.
 */
import { css, LitElement, svg, html, type PropertyDeclarations, type TemplateResult } from 'lit'

export interface Bar {
  readonly label: string
  readonly value: number
}

const ROW = 30
const LABEL_WIDTH = 110
const VALUE_WIDTH = 90
const WIDTH = 560

export class BarChart extends LitElement {
  static override properties: PropertyDeclarations = {
    bars: { attribute: false },
    format: { attribute: false },
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
      font: 13px system-ui, sans-serif;
    }
    .bar {
      fill: var(--accent, #1f63b5);
    }
    .track {
      fill: #edf1f5;
    }
    text {
      fill: var(--ink, #1d2733);
    }
  `

  bars: readonly Bar[] = []
  format: (value: number) => string = (value) => String(value)
  caption = ''

  override render(): TemplateResult {
    const max = Math.max(0, ...this.bars.map((b) => b.value))
    const span = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    const height = Math.max(ROW, this.bars.length * ROW)
    return html`<svg viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label=${this.caption} data-testid="bar-chart">
      ${this.bars.map((bar, i) => {
        const y = i * ROW
        const width = max === 0 ? 0 : (bar.value / max) * span
        return svg`<g data-label=${bar.label} data-value=${bar.value}>
          <text x=${LABEL_WIDTH - 8} y=${y + ROW / 2 + 4} text-anchor="end">${bar.label}</text>
          <rect class="track" x=${LABEL_WIDTH} y=${y + 6} width=${span} height=${ROW - 12} rx="3"></rect>
          <rect class="bar" x=${LABEL_WIDTH} y=${y + 6} width=${width} height=${ROW - 12} rx="3"></rect>
          <text x=${LABEL_WIDTH + span + 8} y=${y + ROW / 2 + 4}>${this.format(bar.value)}</text>
        </g>`
      })}
    </svg>`
  }
}

customElements.define('rs-bar-chart', BarChart)
