/** Messages between the chaos driver and its peer processes (Node IPC, structured clone). */

export type PeerRequest =
  | {
      readonly id: number
      readonly kind: 'cli'
      /** A client command of `bin/rainstaff` (client/cli.ts), run on the peer's state directory. */
      readonly command: string
      readonly args: readonly string[]
      /** Standard input for the command (the password for `login`). */
      readonly stdin?: string
      /** Compare the stored docs before and after: input that is refused must change nothing. */
      readonly guard: boolean
    }

export interface PeerReply {
  readonly id: number
  /** The command's exit code; -1 when it threw something the CLI does not expect. */
  readonly code: number
  readonly stdout: string
  readonly stderr: string
  /** With `guard`: whether the stored docs differ afterwards. */
  readonly changed: boolean
}

export type PeerMessage = { readonly kind: 'ready' } | ({ readonly kind: 'reply' } & PeerReply)
