/**
 * Cut-off text in full on hover. So that a long name or note cannot widen the page, table cells
 * end in an ellipsis and selects stay narrow (styles.ts); when the pointer comes onto such a cell
 * or select, the whole text becomes its `title`, and so does each option's whose text the select
 * is too narrow for. Done once for the page, across shadow roots, when the pointer arrives: only
 * text that is really cut off gets a tooltip, and no screen needs code of its own for it.
 */

/** Titles this module set: the only ones it changes or takes away again. */
const ours = new WeakSet<Element>()

/** Room a select's arrow takes beside its text, in CSS pixels (Chromium's is about 20). */
const SELECT_ARROW = 24

let canvas: CanvasRenderingContext2D | null | undefined

/** The width `text` takes in `element`'s font; a select's text cannot be measured by its layout. */
function textWidth(element: Element, text: string): number {
  canvas ??= document.createElement('canvas').getContext('2d')
  if (canvas === null) return 0
  canvas.font = getComputedStyle(element).font
  return canvas.measureText(text).width
}

function shownText(element: Element): string {
  return (element.textContent ?? '').replace(/\s+/g, ' ').trim()
}

/** Sets (or, when nothing is cut off any more, takes back) the title of `element`; an author's title stays. */
function entitle(element: HTMLElement, text: string, cutOff: boolean): void {
  if (element.hasAttribute('title') && !ours.has(element)) return
  if (cutOff && text !== '') {
    element.title = text
    ours.add(element)
  } else if (ours.has(element)) {
    element.removeAttribute('title')
    ours.delete(element)
  }
}

function entitleCell(cell: HTMLTableCellElement): void {
  entitle(cell, shownText(cell), cell.scrollWidth > cell.clientWidth)
}

function entitleSelect(select: HTMLSelectElement): void {
  const style = getComputedStyle(select)
  const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - SELECT_ARROW
  const tooWide = (option: HTMLOptionElement): boolean => textWidth(select, shownText(option)) > room
  for (const option of select.options) entitle(option, shownText(option), tooWide(option))
  const chosen = select.selectedOptions[0]
  entitle(select, chosen === undefined ? '' : shownText(chosen), chosen !== undefined && tooWide(chosen))
}

/** The cell or select the pointer was last on: moving within it changes nothing. */
let under: EventTarget | undefined

function onPointerMove(event: Event): void {
  // The first cell or select on the way up from what the pointer is on, inside shadow roots too.
  const target = event.composedPath().find((node) => node instanceof HTMLTableCellElement || node instanceof HTMLSelectElement)
  if (target === under) return
  under = target
  if (target instanceof HTMLTableCellElement) entitleCell(target)
  else if (target instanceof HTMLSelectElement) entitleSelect(target)
}

export function showCutOffTextOnHover(target: Document = document): void {
  // Moves rather than mouseover: a row that appears under a resting pointer gets no mouseover.
  target.addEventListener('mousemove', onPointerMove, { passive: true })
}
