/**
 * Styles every component shares (each has its own shadow root): forms, tables, buttons, the
 * inline error. Colours and spacing come from custom properties set in styles.css.
 */
import { css } from 'lit'

export const shared = css`
  :host {
    display: block;
    font: inherit;
    color: var(--ink);
  }
  h2 {
    font-size: 1.15rem;
    margin: 0.2rem 0 0.8rem;
  }
  h3 {
    font-size: 1rem;
    margin: 1.2rem 0 0.5rem;
  }
  section {
    background: var(--panel);
    border: 1px solid var(--line);
    border-radius: 6px;
    padding: 0.8rem 1rem;
    margin-bottom: 1rem;
  }
  form,
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 0.6rem 0.8rem;
    align-items: flex-end;
  }
  label {
    display: flex;
    flex-direction: column;
    gap: 0.15rem;
    font-size: 0.8rem;
    color: var(--muted);
  }
  label.check {
    flex-direction: row;
    align-items: center;
    gap: 0.35rem;
    color: var(--ink);
    font-size: 0.9rem;
    padding-bottom: 0.35rem;
  }
  input,
  select,
  textarea {
    font: inherit;
    color: var(--ink);
    padding: 0.3rem 0.45rem;
    border: 1px solid var(--line-strong);
    border-radius: 4px;
    background: white;
    min-width: 0;
  }
  input:focus,
  select:focus,
  button:focus-visible {
    outline: 2px solid var(--accent);
    outline-offset: 1px;
  }
  input[aria-invalid='true'],
  select[aria-invalid='true'] {
    border-color: var(--bad);
    background: #fff5f5;
  }
  button {
    font: inherit;
    padding: 0.32rem 0.8rem;
    border-radius: 4px;
    border: 1px solid var(--line-strong);
    background: white;
    cursor: pointer;
  }
  button.primary {
    background: var(--accent);
    border-color: var(--accent);
    color: white;
  }
  button.danger {
    color: var(--bad);
  }
  button.link {
    border: none;
    background: none;
    color: var(--accent);
    padding: 0.1rem 0.3rem;
  }
  button:disabled {
    opacity: 0.5;
    cursor: default;
  }
  table {
    border-collapse: collapse;
    width: 100%;
    font-size: 0.88rem;
  }
  th,
  td {
    text-align: left;
    padding: 0.28rem 0.5rem;
    border-bottom: 1px solid var(--line);
    white-space: nowrap;
  }
  th {
    font-weight: 600;
    color: var(--muted);
    background: var(--panel-head);
    position: sticky;
    top: 0;
  }
  td.num,
  th.num {
    text-align: right;
    font-variant-numeric: tabular-nums;
  }
  td.wrap {
    white-space: normal;
  }
  tfoot td {
    font-weight: 600;
    border-top: 2px solid var(--line-strong);
  }
  .scroll {
    overflow: auto;
    max-height: 60vh;
  }
  input.invalid,
  select.invalid {
    border-color: #b3261e;
    outline: 2px solid #b3261e33;
    background: #fff6f5;
  }
  .field-error {
    display: block;
    color: #b3261e;
    font-size: 0.85em;
    max-width: 22em;
    white-space: normal;
  }
  .error {
    color: var(--bad);
    background: #fff1f0;
    border: 1px solid #f3c2bd;
    border-radius: 4px;
    padding: 0.4rem 0.6rem;
    margin: 0.5rem 0 0;
    white-space: pre-wrap;
  }
  .ok {
    color: var(--good);
    margin: 0.5rem 0 0;
  }
  .muted {
    color: var(--muted);
    font-size: 0.85rem;
  }
  .badge {
    display: inline-block;
    border-radius: 999px;
    padding: 0 0.5rem;
    font-size: 0.78rem;
    background: var(--panel-head);
    border: 1px solid var(--line);
  }
  .badge.overdue {
    background: #fde2e1;
    border-color: #f3b4ae;
    color: #8a1c12;
  }
  .badge.soon {
    background: #fff3d6;
    border-color: #f0d38a;
    color: #6b4d00;
  }
  /* Long text must not widen the page (a 5,000-character note, a long name at 1024 px): cells
     end in an ellipsis (overflow-titles.ts makes the whole text a title on hover), wrapped cells break
     anywhere, selects stay narrow, and a wide table scrolls inside its section. */
  :host {
    overflow-wrap: anywhere;
    min-width: 0;
    max-width: 100%;
  }
  section {
    max-width: 100%;
    overflow-x: auto;
  }
  td {
    max-width: 22rem;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  td.wrap {
    overflow-wrap: anywhere;
    max-width: 40rem;
  }
  select {
    max-width: 18rem;
    text-overflow: ellipsis;
  }
  input,
  textarea {
    max-width: 100%;
  }
  /* A confirmation to give, an undo to take, a region only to read: the entry screens' notices. */
  .warnings {
    border: 1px solid #d9a400;
    background: #fff8e1;
    padding: 0.5rem 0.8rem;
    margin-top: 0.6rem;
  }
  .warnings ul {
    margin: 0.3rem 0;
  }
  .toast {
    position: fixed;
    bottom: 1.2rem;
    left: 50%;
    transform: translateX(-50%);
    background: #1d2733;
    color: #fff;
    padding: 0.55rem 1rem;
    border-radius: 4px;
    display: flex;
    gap: 0.8rem;
    align-items: center;
    z-index: 10;
  }
  .toast button {
    color: #fff;
    background: transparent;
    border: 1px solid #fff;
  }
  .read-only {
    border: 1px solid var(--line-strong, #b9c3ce);
    background: #f2f5f8;
    padding: 0.6rem 0.9rem;
  }
`
