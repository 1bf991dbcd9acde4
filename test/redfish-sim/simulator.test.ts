/**
 * The simulator's own contract, over real HTTPS on loopback with fetch: the Redfish shapes,
 * the errors real BMCs send, and every knob. Power transitions use a fake clock, not sleeps.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync, readFileSync } from 'node:fs'
import { startSimulator, type Simulator } from './index.ts'

const BASIC = `Basic ${Buffer.from('admin:password').toString('base64')}`
let now = 1_000_000
let sim: Simulator
let ca: string

beforeAll(async () => {
  sim = await startSimulator({
    tls: true,
    clock: () => now,
    bmcs: [
      { name: 'plain', power: 'On' },
      { name: 'slow', transitionMs: 30_000 },
      { name: 'busy', unavailable: 2, retryAfter: 3 },
      { name: 'twin', systems: ['A', 'B'] },
      { name: 'old', indicator: 'IndicatorLED' },
      { name: 'force', resetTypes: ['ForceOn', 'ForceOff'], resetInfo: 'ActionInfo' },
      { name: 'stubborn', power: 'On', ignoreGraceful: true },
      { name: 'raced', etagConflicts: 1 },
      { name: 'strict', requireIfMatch: true },
      { name: 'silent', silent: true },
    ],
  })
  ca = readFileSync(sim.caFile ?? '', 'utf8')
})

afterAll(() => sim.stop())

interface Answer {
  status: number
  headers: Headers
  body: Record<string, any>
}

async function call(
  bmc: string,
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const response = await fetch(`${sim.bmc(bmc).url}${path}`, {
    method: init.method ?? 'GET',
    headers: { Authorization: BASIC, ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    tls: { ca },
  })
  const text = await response.text()
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : {} }
}

const SYSTEM = '/redfish/v1/Systems/1'
const RESET = `${SYSTEM}/Actions/ComputerSystem.Reset`

function messageId(answer: Answer): string {
  return answer.body.error?.['@Message.ExtendedInfo']?.[0]?.MessageId ?? ''
}

describe('shapes', () => {
  test('ServiceRoot answers without credentials and links Systems and Sessions', async () => {
    const root = await call('plain', '/redfish/v1/', { headers: { Authorization: '' } })
    expect(root.status).toBe(200)
    expect(root.headers.get('odata-version')).toBe('4.0')
    expect(root.body.Systems['@odata.id']).toBe('/redfish/v1/Systems')
    expect(root.body.Links.Sessions['@odata.id']).toBe('/redfish/v1/SessionService/Sessions')
  })

  test('a ComputerSystem carries PowerState, the Reset action, Boot and an ETag', async () => {
    const system = await call('plain', SYSTEM)
    expect(system.body.PowerState).toBe('On')
    const reset = system.body.Actions['#ComputerSystem.Reset']
    expect(reset.target).toBe(RESET)
    expect(reset['ResetType@Redfish.AllowableValues']).toContain('ForceOff')
    expect(system.body.Boot['BootSourceOverrideTarget@Redfish.AllowableValues']).toContain('Pxe')
    expect(system.body.LocationIndicatorActive).toBe(false)
    expect(system.body.IndicatorLED).toBeUndefined()
    expect(system.headers.get('etag')).toBe(system.body['@odata.etag'])
  })

  test('a service with two systems lists both', async () => {
    const systems = await call('twin', '/redfish/v1/Systems')
    expect(systems.body['Members@odata.count']).toBe(2)
    expect(systems.body.Members.map((m: any) => m['@odata.id'])).toEqual([
      '/redfish/v1/Systems/A',
      '/redfish/v1/Systems/B',
    ])
    expect((await call('twin', '/redfish/v1/Systems/B')).body.Id).toBe('B')
  })

  test('an unknown URI is a 404 with ResourceMissingAtURI', async () => {
    const missing = await call('plain', '/redfish/v1/Systems/9')
    expect(missing.status).toBe(404)
    expect(messageId(missing)).toEndWith('.ResourceMissingAtURI')
  })
})

describe('authentication', () => {
  test('a wrong password is a 401 with a Base message, and no change is made', async () => {
    const wrong = await call('plain', RESET, {
      method: 'POST',
      body: { ResetType: 'ForceOff' },
      headers: { Authorization: `Basic ${Buffer.from('admin:nope').toString('base64')}` },
    })
    expect(wrong.status).toBe(401)
    expect(messageId(wrong)).toMatch(/^Base\.1\.\d+\.\d+\.ResourceAtUriUnauthorized$/)
    expect(wrong.body.error['@Message.ExtendedInfo'][0].Message).toContain(
      'Invalid username or password',
    )
    expect(sim.bmc('plain').system().powerState).toBe('On')
  })

  test('no credentials at all is a 401 NoValidSession', async () => {
    const none = await call('plain', SYSTEM, { headers: { Authorization: '' } })
    expect(none.status).toBe(401)
    expect(messageId(none)).toEndWith('.NoValidSession')
  })

  test('a session: created with X-Auth-Token and Location, used, deleted, then refused', async () => {
    const login = await call('plain', '/redfish/v1/SessionService/Sessions', {
      method: 'POST',
      body: { UserName: 'admin', Password: 'password' },
      headers: { Authorization: '' },
    })
    expect(login.status).toBe(201)
    const token = login.headers.get('x-auth-token') ?? ''
    const location = login.headers.get('location') ?? ''
    expect(token).not.toBe('')
    expect(location).toBe(`/redfish/v1/SessionService/Sessions/${login.body.Id}`)
    const asSession = { Authorization: '', 'X-Auth-Token': token }
    expect((await call('plain', SYSTEM, { headers: asSession })).status).toBe(200)
    expect(sim.bmc('plain').sessionCount()).toBe(1)
    expect((await call('plain', location, { method: 'DELETE', headers: asSession })).status).toBe(
      204,
    )
    expect((await call('plain', SYSTEM, { headers: asSession })).status).toBe(401)
    const kinds = sim
      .bmc('plain')
      .events()
      .map((e) => e.type)
      .filter((t) => t.startsWith('session'))
    expect(kinds).toEqual(['session-created', 'session-deleted'])
  })

  test('a session with a wrong password is refused with 401', async () => {
    const login = await call('plain', '/redfish/v1/SessionService/Sessions', {
      method: 'POST',
      body: { UserName: 'admin', Password: 'nope' },
      headers: { Authorization: '' },
    })
    expect(login.status).toBe(401)
    expect(login.headers.get('x-auth-token')).toBeNull()
    expect(messageId(login)).toEndWith('.ResourceAtUriUnauthorized')
  })
})

describe('reset', () => {
  test('an unknown ResetType is a 400 ActionParameterValueNotInList naming it', async () => {
    const bad = await call('plain', RESET, { method: 'POST', body: { ResetType: 'Explode' } })
    expect(bad.status).toBe(400)
    expect(messageId(bad)).toEndWith('.ActionParameterValueNotInList')
    expect(bad.body.error['@Message.ExtendedInfo'][0].MessageArgs).toEqual([
      'Explode',
      'ResetType',
      'ComputerSystem.Reset',
    ])
    const missing = await call('plain', RESET, { method: 'POST', body: {} })
    expect(messageId(missing)).toEndWith('.ActionParameterMissing')
  })

  test('a ForceOn/ForceOff service advertises them in ActionInfo and refuses On', async () => {
    const system = await call('force', SYSTEM)
    const reset = system.body.Actions['#ComputerSystem.Reset']
    expect(reset['ResetType@Redfish.AllowableValues']).toBeUndefined()
    const info = await call('force', reset['@Redfish.ActionInfo'])
    expect(info.body.Parameters).toEqual([
      expect.objectContaining({ Name: 'ResetType', AllowableValues: ['ForceOn', 'ForceOff'] }),
    ])
    const on = await call('force', RESET, { method: 'POST', body: { ResetType: 'On' } })
    expect(on.status).toBe(400)
    expect(sim.bmc('force').system().powerState).toBe('Off')
    expect(
      (await call('force', RESET, { method: 'POST', body: { ResetType: 'ForceOn' } })).status,
    ).toBe(200)
    expect(sim.bmc('force').system().powerState).toBe('On')
    expect(sim.bmc('force').events()).toEqual([
      { type: 'reset', system: '1', resetType: 'ForceOn' },
    ])
  })

  test('a slow server reports PoweringOn until its transition time has passed', async () => {
    await call('slow', RESET, { method: 'POST', body: { ResetType: 'On' } })
    expect((await call('slow', SYSTEM)).body.PowerState).toBe('PoweringOn')
    now += 29_999
    expect((await call('slow', SYSTEM)).body.PowerState).toBe('PoweringOn')
    now += 1
    expect((await call('slow', SYSTEM)).body.PowerState).toBe('On')
    await call('slow', RESET, { method: 'POST', body: { ResetType: 'ForceOff' } })
    expect((await call('slow', SYSTEM)).body.PowerState).toBe('PoweringOff')
    now += 30_000
    expect((await call('slow', SYSTEM)).body.PowerState).toBe('Off')
  })

  test('an OS that ignores GracefulShutdown stays on until ForceOff', async () => {
    await call('stubborn', RESET, { method: 'POST', body: { ResetType: 'GracefulShutdown' } })
    expect(sim.bmc('stubborn').system().powerState).toBe('On')
    await call('stubborn', RESET, { method: 'POST', body: { ResetType: 'ForceOff' } })
    expect(sim.bmc('stubborn').system().powerState).toBe('Off')
    expect(
      sim
        .bmc('stubborn')
        .events()
        .map((e) => e.type === 'reset' && e.resetType),
    ).toEqual(['GracefulShutdown', 'ForceOff'])
  })
})

describe('busy and silent BMCs', () => {
  test('the first N requests get 503 with Retry-After, then the service answers', async () => {
    const first = await call('busy', SYSTEM)
    expect(first.status).toBe(503)
    expect(first.headers.get('retry-after')).toBe('3')
    expect(messageId(first)).toEndWith('.ServiceTemporarilyUnavailable')
    expect((await call('busy', SYSTEM)).status).toBe(503)
    expect((await call('busy', SYSTEM)).status).toBe(200)
    expect(
      sim
        .bmc('busy')
        .requests()
        .map((r) => r.status),
    ).toEqual([503, 503, 200])
  })

  test('a silent BMC accepts the connection and never answers', async () => {
    const bmc = sim.bmc('silent')
    const outcome = await fetch(`${bmc.url}${SYSTEM}`, {
      headers: { Authorization: BASIC },
      tls: { ca },
      signal: AbortSignal.timeout(500),
    }).then(
      () => 'answered',
      (error: Error) => error.name,
    )
    expect(outcome).toBe('TimeoutError')
    expect(bmc.requests()).toEqual([])
  })
})

describe('PATCH, ETags and the indicator', () => {
  test('If-Match is honoured: a stale ETag gets 412, the current one applies the change', async () => {
    const before = await call('plain', SYSTEM)
    const stale = await call('plain', SYSTEM, {
      method: 'PATCH',
      headers: { 'If-Match': '"stale"' },
      body: { Boot: { BootSourceOverrideTarget: 'Pxe', BootSourceOverrideEnabled: 'Once' } },
    })
    expect(stale.status).toBe(412)
    expect(messageId(stale)).toEndWith('.PreconditionFailed')
    expect(sim.bmc('plain').system().boot.BootSourceOverrideTarget).toBe('None')
    const fresh = await call('plain', SYSTEM, {
      method: 'PATCH',
      headers: { 'If-Match': before.headers.get('etag') ?? '' },
      body: { Boot: { BootSourceOverrideTarget: 'Pxe', BootSourceOverrideEnabled: 'Once' } },
    })
    expect(fresh.status).toBe(200)
    expect(fresh.body.Boot.BootSourceOverrideTarget).toBe('Pxe')
    expect(fresh.headers.get('etag')).not.toBe(before.headers.get('etag'))
    expect(
      sim
        .bmc('plain')
        .events()
        .filter((e) => e.type === 'boot'),
    ).toEqual([
      {
        type: 'boot',
        system: '1',
        boot: { BootSourceOverrideTarget: 'Pxe', BootSourceOverrideEnabled: 'Once' },
      },
    ])
  })

  test('a boot target outside the allowed values is a 400 PropertyValueNotInList', async () => {
    const bad = await call('plain', SYSTEM, {
      method: 'PATCH',
      body: { Boot: { BootSourceOverrideTarget: 'Floppy' } },
    })
    expect(bad.status).toBe(400)
    expect(messageId(bad)).toEndWith('.PropertyValueNotInList')
  })

  test('etagConflicts: the first PATCH with a current ETag still finds it changed', async () => {
    const etag = (await call('raced', SYSTEM)).headers.get('etag') ?? ''
    const body = { Boot: { BootSourceOverrideTarget: 'Hdd' } }
    const first = await call('raced', SYSTEM, {
      method: 'PATCH',
      headers: { 'If-Match': etag },
      body,
    })
    const second = await call('raced', SYSTEM, {
      method: 'PATCH',
      headers: { 'If-Match': etag },
      body,
    })
    expect([first.status, second.status]).toEqual([412, 200])
  })

  test('requireIfMatch: a PATCH without If-Match is a 428', async () => {
    const bare = await call('strict', SYSTEM, {
      method: 'PATCH',
      body: { LocationIndicatorActive: true },
    })
    expect(bare.status).toBe(428)
    expect(messageId(bare)).toEndWith('.PreconditionRequired')
    expect(sim.bmc('strict').system().indicatorActive).toBe(false)
  })

  test('LocationIndicatorActive is recorded; an old service knows only IndicatorLED', async () => {
    await call('plain', SYSTEM, { method: 'PATCH', body: { LocationIndicatorActive: true } })
    expect(sim.bmc('plain').system().indicatorActive).toBe(true)
    const old = await call('old', SYSTEM)
    expect(old.body.IndicatorLED).toBe('Off')
    expect(old.body.LocationIndicatorActive).toBeUndefined()
    const modern = await call('old', SYSTEM, {
      method: 'PATCH',
      body: { LocationIndicatorActive: true },
    })
    expect(modern.status).toBe(400)
    expect(messageId(modern)).toEndWith('.PropertyUnknown')
    await call('old', SYSTEM, { method: 'PATCH', body: { IndicatorLED: 'Blinking' } })
    expect(sim.bmc('old').events()).toEqual([
      { type: 'indicator', system: '1', property: 'IndicatorLED', value: 'Blinking' },
    ])
  })
})

describe('certificates and options', () => {
  test('the CA file verifies the BMC; without it the TLS handshake is refused', async () => {
    expect(existsSync(sim.caFile ?? '')).toBe(true)
    const refused = await fetch(`${sim.bmc('plain').url}/redfish/v1/`).then(
      () => 'answered',
      (error: Error) => String(error),
    )
    expect(refused).toMatch(/certificate|self.signed|issuer/i)
  })

  test('a bad knob is refused with a sentence naming the BMC and the field', async () => {
    const attempt = startSimulator({ tls: false, bmcs: [{}, { transitionMs: -1 }] })
    await expect(attempt).rejects.toThrow(
      'Cannot start Redfish simulator: bmcs[1].transitionMs: expected a whole number >= 0, got -1',
    )
    await expect(
      startSimulator({ tls: false, bmcs: [{ resetType: ['On'] } as any] }),
    ).rejects.toThrow('bmcs[0]: unknown option "resetType"')
    await expect(
      startSimulator({ tls: false, bmcs: [{ resetTypes: ['On', 'Off' as any] }] }),
    ).rejects.toThrow('bmcs[0].resetTypes[1]: expected one of On, ForceOff')
  })

  test('plain HTTP when asked, and stop() frees the ports', async () => {
    const plain = await startSimulator({ tls: false, bmcs: 2 })
    expect(plain.caFile).toBeNull()
    expect(plain.bmcs.map((b) => b.url.startsWith('http://'))).toEqual([true, true])
    expect((await fetch(`${plain.bmcs[1]?.url}/redfish`)).status).toBe(200)
    const url = plain.bmcs[0]?.url
    await plain.stop()
    await expect(fetch(`${url}/redfish`)).rejects.toThrow()
  })
})
