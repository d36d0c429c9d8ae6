/**
 * The relay's history endpoints (relay/PROTOCOL.md §12) for the CLI and, later, the app: a
 * record's changes with who made them and when, and the clocks a document held at a time (what a
 * restore rebuilds the document's past from, client/restore.ts). Answers are checked before use.
 */
import { readRecordHistory, readStateAt, type RecordHistoryAnswer, type StateAtAnswer } from '../crdt/historyWire.ts'
import type { TableName } from '../schema/tables.ts'
import { relayJson, RelayApiError } from './relayApi.ts'
import type { Session } from './signIn.ts'

const UNREADABLE = { tr: 'Sunucunun geçmiş yanıtı okunamadı', en: 'The relay’s history answer could not be read' }

/** Record `id`'s changes, from document `document` (a region: the relay finds the months it lived in). */
export async function fetchRecordHistory(session: Session, document: string, table: TableName, id: string): Promise<RecordHistoryAnswer> {
  const query = new URLSearchParams({ table, id })
  const answer = readRecordHistory(await relayJson<unknown>(session, `/api/history/${document}?${query}`))
  if (answer === undefined) throw new RelayApiError(200, 'bad_answer', UNREADABLE)
  return answer
}

/** What `document` held at `at` (ISO), as the relay's log says. */
export async function fetchStateAt(session: Session, document: string, at: string): Promise<StateAtAnswer> {
  const answer = readStateAt(await relayJson<unknown>(session, `/api/history/${document}/state?${new URLSearchParams({ at })}`))
  if (answer === undefined) throw new RelayApiError(200, 'bad_answer', UNREADABLE)
  return answer
}
