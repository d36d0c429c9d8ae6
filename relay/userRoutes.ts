/**
 * The admin's account endpoints: `GET /api/users`, `POST /api/users` (add) and
 * `POST /api/users/NAME/{role,disable,enable,password,delete}` (relay/README.md, "Accounts over
 * HTTP"). The rules are relay/users.ts's, the same as `rainstaff users`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { field, HttpError, MAX_USERNAME, printable, readJson, requireAdmin, sendJson, stringField, type HttpContext } from './httpBase.ts'
import { addUser, deleteUser, getUser, listUsers, setDisabled, setPassword, setRole, type Role, type User } from './users.ts'

function roleField(body: unknown): Role | undefined {
  const role = field(body, 'role')
  if (role === undefined) return undefined
  if (role !== 'editor' && role !== 'admin') {
    throw new HttpError(400, 'Rol editor veya admin olmalı', 'The role must be editor or admin', {}, 'bad_role')
  }
  return role
}

function regionField(body: unknown): string | null | undefined {
  const region = field(body, 'region')
  if (region === undefined || region === null) return region
  if (typeof region !== 'string' || region.length > 64) {
    throw new HttpError(400, 'Geçersiz bölge', 'Invalid region', {}, 'unknown_region')
  }
  return region === '' ? null : region
}

/** What the account list shows: never a hash, an account id or a generation. */
function publicUser(user: User): Record<string, unknown> {
  return {
    username: user.username,
    role: user.role,
    region: user.region,
    disabled: user.disabled,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
  }
}

function describeUser(user: User): string {
  return `${user.username} (${user.role}${user.region ? ', ' + user.region : ''}${user.disabled ? ', disabled' : ''})`
}


const USER_ACTIONS = ['role', 'disable', 'enable', 'password', 'delete'] as const
type UserAction = (typeof USER_ACTIONS)[number]

/**
 * The admin's account endpoints: `GET /api/users`, `POST /api/users` (add) and
 * `POST /api/users/NAME/{role,disable,enable,password,delete}`. Everything is checked by
 * relay/users.ts as for `rainstaff users`; every change is logged with the admin who made it.
 * An admin cannot disable, delete or demote their own account here, nor reset their own
 * password (that is POST /api/password, which asks for the current one): no lock-out by a click.
 */
export async function userRoutes(req: IncomingMessage, res: ServerResponse, ctx: HttpContext, pathname: string, method: string): Promise<void> {
  const admin = requireAdmin(req, ctx)
  if (pathname === '/api/users') {
    if (method === 'GET') return sendJson(res, 200, { users: listUsers(ctx.store).map(publicUser), regions: ctx.regions.map((r) => ({ slug: r.slug, name: r.name })) })
    if (method !== 'POST') throw new HttpError(405, 'Yalnızca GET veya POST', 'GET or POST only', { allow: 'GET, POST' }, 'method')
    const body = await readJson(req)
    const role = roleField(body)
    if (role === undefined) throw new HttpError(400, 'Rol editor veya admin olmalı', 'The role must be editor or admin', {}, 'bad_role')
    const added = await addUser(
      ctx.store,
      { username: stringField(body, 'username', MAX_USERNAME), role, region: regionField(body) ?? null, password: stringField(body, 'password') },
      ctx.regions,
    )
    ctx.log(`relay: hesap / account: ${admin.username} ekledi / added ${describeUser(added)}`)
    return sendJson(res, 201, { user: publicUser(added) })
  }
  const match = /^\/api\/users\/([^/]+)\/([a-z]+)$/.exec(pathname)
  const action = match?.[2] as UserAction | undefined
  if (!match || action === undefined || !USER_ACTIONS.includes(action)) throw new HttpError(404, 'Bulunamadı', 'Not found', {}, 'not_found')
  if (method !== 'POST') throw new HttpError(405, 'Yalnızca POST', 'POST only', { allow: 'POST' }, 'method')
  let username: string
  try {
    username = decodeURIComponent(match[1] ?? '')
  } catch {
    throw new HttpError(400, 'Geçersiz yol', 'Invalid path', {}, 'bad_path')
  }
  const target = getUser(ctx.store, username)
  if (target === undefined) throw new HttpError(404, `Kullanıcı yok: ${printable(username)}`, `No such user: ${printable(username)}`, {}, 'no_such_user')
  if (target.accountId === admin.accountId) {
    throw new HttpError(
      409,
      'Kendi hesabınızı buradan değiştiremezsiniz; parolanız için "Parolamı değiştir"',
      'You cannot change your own account here; for your password use "Change my password"',
      {},
      'self',
    )
  }
  const body = await readJson(req).catch((error: unknown) => {
    // The actions without fields may come with an empty body.
    if (error instanceof HttpError && error.code === 'bad_json' && action !== 'role' && action !== 'password') return {}
    throw error
  })
  let line: string
  let after: User | undefined
  switch (action) {
    case 'role': {
      const role = roleField(body)
      const region = regionField(body)
      if (role === undefined && region === undefined) {
        throw new HttpError(400, 'Rol veya bölge gerekli', 'A role or a region is required', {}, 'bad_role')
      }
      after = setRole(ctx.store, target.username, { ...(role !== undefined ? { role } : {}), ...(region !== undefined ? { region } : {}) }, ctx.regions)
      line = `değiştirdi / changed ${describeUser(target)} → ${describeUser(after)}`
      break
    }
    case 'disable':
    case 'enable':
      setDisabled(ctx.store, target.username, action === 'disable')
      line = `${action === 'disable' ? 'devre dışı bıraktı / disabled' : 'etkinleştirdi / enabled'} ${target.username}`
      break
    case 'password':
      await setPassword(ctx.store, target.username, stringField(body, 'password'))
      line = `parolasını sıfırladı / reset the password of ${target.username}`
      break
    case 'delete':
      deleteUser(ctx.store, target.username)
      line = `sildi / deleted ${describeUser(target)}`
      break
  }
  ctx.log(`relay: hesap / account: ${admin.username} ${line}`)
  after = action === 'delete' ? undefined : getUser(ctx.store, target.username)
  sendJson(res, 200, after === undefined ? { deleted: target.username } : { user: publicUser(after) })
}
