/**
 * The guard in front of user-typed SQL on the mirror: one SELECT (or WITH … SELECT) statement and
 * nothing that writes. sql.js has no read-only mode, so callers also run the query on a mirror
 * that is rebuilt from the docs and thrown away; this check is what makes the refusal clear.
 */
import { BilingualError } from '../schema/bilingual.ts'

export class ReadOnlySqlError extends BilingualError {
  constructor(tr: string, en: string) {
    super({ tr, en })
    this.name = 'ReadOnlySqlError'
  }
}

// `replace` is missing on purpose: it is also a string function; REPLACE INTO fails the SELECT test.
const WRITES = /\b(insert|update|delete|create|drop|alter|attach|detach|pragma|vacuum|reindex|analyze|begin|commit|rollback|savepoint|release)\b/i

/** Text outside string literals, quoted identifiers and comments, with each of those blanked. */
function code(sql: string): string {
  return sql
    .replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|`[^`]*`|\[[^\]]*\]/g, ' ')
    .replace(/--[^\n]*|\/\*[\s\S]*?(\*\/|$)/g, ' ')
}

/** Throws ReadOnlySqlError unless `sql` is a single read-only query. */
export function checkReadOnly(sql: string): void {
  const text = code(sql).trim().replace(/;\s*$/, '')
  if (text === '') throw new ReadOnlySqlError('Sorgu boş', 'The query is empty')
  if (text.includes(';')) throw new ReadOnlySqlError('Yalnızca tek bir sorgu çalıştırılabilir', 'Only a single statement may run')
  if (!/^(select|with|values)\b/i.test(text) || WRITES.test(text)) {
    throw new ReadOnlySqlError('Yalnızca SELECT sorguları çalıştırılabilir', 'Only SELECT queries may run')
  }
}
