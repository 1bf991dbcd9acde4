/** The pure parts of the Redfish mapping: settings, PowerState, reset choice, errors, Retry-After. */
import { describe, expect, test } from 'bun:test'
import { parseTopology } from '../topology/index.ts'
import { pickResetType, powerStateOutcome } from './actions.ts'
import { retryAfterMs } from './connection.ts'
import { extendedInfoText } from './errors.ts'
import { bmcSettings } from './settings.ts'

function settingsOf(node: string, serverEnv: Record<string, string> = {}) {
  const topology = parseTopology(
    `static_nodes:\n  n1: { platform: rf, ${node} }\nplatforms:\n  rf: { driver: redfish }\n`,
  )
  return () => bmcSettings({ node: topology.nodes.get('n1')!, env: {} }, serverEnv)
}

describe('bmcSettings', () => {
  test('defaults: <name>-bmc, the server password, certificates checked', () => {
    expect(settingsOf('redfish_username: admin', { REDFISH_PASSWORD: 'pw' })()).toEqual({
      host: 'n1-bmc',
      username: 'admin',
      password: 'pw',
      insecure: false,
    })
  })

  test('node variables win over the server environment', () => {
    const settings = settingsOf(
      'redfish_username: root, redfish_password: own, bmc: "10.0.0.1:8443", redfish_system: 2, redfish_ca_file: /ca.pem, redfish_insecure: false',
      { REDFISH_PASSWORD: 'server' },
    )()
    expect(settings).toEqual({
      host: '10.0.0.1:8443',
      username: 'root',
      password: 'own',
      system: '2',
      caFile: '/ca.pem',
      insecure: false,
    })
  })

  test('bad or missing settings name the node and the variable', () => {
    expect(settingsOf('redfish_password: x')).toThrow('n1: variable "redfish_username" is not set')
    expect(settingsOf('redfish_username: a')).toThrow(
      'n1: no Redfish password: set the variable "redfish_password" or REDFISH_PASSWORD',
    )
    expect(settingsOf('redfish_username: a, redfish_password: x, bmc: "evil/path"')).toThrow(
      'n1: bmc "evil/path" is not a host name or host:port',
    )
    expect(settingsOf('redfish_username: a, redfish_password: x, bmc: "h:70000"')).toThrow(
      'n1: bmc "h:70000" is not a host name or host:port',
    )
    expect(settingsOf('redfish_username: a, redfish_password: x, redfish_insecure: yes')).toThrow(
      'n1: redfish_insecure must be true or false, not "yes"',
    )
  })
})

describe('the mapping', () => {
  test('PowerState in the exit-code language', () => {
    expect(powerStateOutcome('On', 111)).toEqual({ exitCode: 0, message: null })
    expect(powerStateOutcome('Off', 9).exitCode).toBe(9)
    expect(powerStateOutcome('PoweringOff', 111)).toEqual({
      exitCode: 75,
      message: 'PowerState is PoweringOff: not there yet',
    })
    expect(() => powerStateOutcome('Paused', 111)).toThrow('unknown PowerState "Paused"')
    expect(() => powerStateOutcome(undefined, 111)).toThrow('the system has no PowerState')
  })

  test('the first allowed reset type; any when the service does not say', () => {
    expect(pickResetType(['On', 'ForceOn'], ['ForceOn', 'ForceOff'])).toBe('ForceOn')
    expect(pickResetType(['On', 'ForceOn'], ['On', 'ForceOn'])).toBe('On')
    expect(pickResetType(['On', 'ForceOn'], undefined)).toBe('On')
    expect(pickResetType(['PowerCycle'], ['On'])).toBeUndefined()
  })

  test("a BMC's error text: every ExtendedInfo message, else error.message", () => {
    const info = (messages: string[]) => ({
      error: {
        code: 'Base.1.15.0.GeneralError',
        message: 'general',
        '@Message.ExtendedInfo': messages.map((Message) => ({ Message })),
      },
    })
    expect(extendedInfoText(info(['One.', 'Two.']))).toBe('One. Two.')
    expect(extendedInfoText(info([]))).toBe('general')
    expect(extendedInfoText('not json')).toBeUndefined()
  })

  test('Retry-After in seconds or as a date; 1 s when absent or odd', () => {
    expect(retryAfterMs('3')).toBe(3000)
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4000)).toBe(6000)
    expect(retryAfterMs(null)).toBe(1000)
    expect(retryAfterMs('soon')).toBe(1000)
  })
})
