/**
 * The default ipmi platform's scripts (etc/topology.yaml) with a fake ipmitool that records
 * its arguments: the defaults of the optional variables, the password kept off the command
 * line, and status matching only ipmitool's exact line. test/ipmi.test.ts runs the same
 * scripts against real BMC simulators.
 */
import { afterAll, beforeEach, describe, expect, test } from 'bun:test'
import { createFakeCli } from './fakes/fake-cli.ts'

const fake = createFakeCli({
  // Only what power-server 1.0's topology had: everything else takes its default.
  node07: { platform: 'ipmi', ipmi_username: 'admin' },
  node08: {
    platform: 'ipmi',
    ipmi_username: 'root',
    ipmi_password: "it's a $(secret)",
    bmc: '10.0.0.8',
    ipmi_port: 6230,
    ipmi_cipher_suite: 3,
  },
})
afterAll(() => fake.remove())
beforeEach(() => {
  fake.write('calls', '')
  fake.write('reply', 'Chassis Power is on\n')
  fake.unlink('stderr')
  fake.unlink('exit')
})

describe('ipmi scripts', () => {
  test("default to <name>-bmc, port 623 and ipmitool's own cipher suite", async () => {
    await fake.run('status', 'node07')
    expect(fake.calls()).toEqual([
      'ipmitool -I lanplus -H node07-bmc -p 623 -U admin -E chassis power status | IPMI_PASSWORD=',
    ])
  })

  test('take the BMC, port, cipher suite and password from the node', async () => {
    await fake.run('status', 'node08')
    expect(fake.calls()).toEqual([
      "ipmitool -I lanplus -H 10.0.0.8 -p 6230 -U root -E -C 3 chassis power status | IPMI_PASSWORD=it's a $(secret)",
    ])
  })

  test("a node without ipmi_password uses IPMI_PASSWORD from the server's environment, as in 1.0", async () => {
    const legacy = createFakeCli(
      {
        node07: { platform: 'ipmi', ipmi_username: 'admin' },
        node08: { platform: 'ipmi', ipmi_username: 'root', ipmi_password: 'own' },
      },
      { serverEnv: { IPMI_PASSWORD: 'from power-server.conf' } },
    )
    try {
      legacy.write('reply', 'Chassis Power is on\n')
      await legacy.run('status', 'node07')
      await legacy.run('status', 'node08')
      expect(legacy.calls()).toEqual([
        'ipmitool -I lanplus -H node07-bmc -p 623 -U admin -E chassis power status | IPMI_PASSWORD=from power-server.conf',
        'ipmitool -I lanplus -H node08-bmc -p 623 -U root -E chassis power status | IPMI_PASSWORD=own',
      ])
    } finally {
      legacy.remove()
    }
  })

  test.each([
    ['power_on', 'on'],
    ['power_off', 'off'],
    ['restart', 'reset'],
  ] as const)(
    '%s sends `chassis power %s`, password through the environment only',
    async (action, verb) => {
      fake.write('reply', 'Chassis Power Control: done\n')
      expect(await fake.run(action, 'node08')).toMatchObject({ success: true, exitCode: 0 })
      const [call] = fake.calls()
      expect(call).toBe(
        `ipmitool -I lanplus -H 10.0.0.8 -p 6230 -U root -E -C 3 chassis power ${verb} | IPMI_PASSWORD=it's a $(secret)`,
      )
    },
  )

  test('status: "Chassis Power is on" is on, "Chassis Power is off" is off', async () => {
    expect(await fake.run('status', 'node07')).toMatchObject({ success: true, state: 'on' })
    fake.write('reply', 'Chassis Power is off\n')
    expect(await fake.run('status', 'node07')).toMatchObject({
      success: true,
      state: 'off',
      exitCode: 111,
    })
  })

  test('status finds the line among others ipmitool may print', async () => {
    fake.write('reply', 'Set Session Privilege Level to OPERATOR failed\nChassis Power is off\n')
    expect(await fake.run('status', 'node07')).toMatchObject({ success: true, state: 'off' })
  })

  // power-server's `grep on` read both of these as "on".
  test.each(['Chassis Power is unknown', 'Power control not supported on this chassis'])(
    'status does not mistake "%s" for on',
    async (reply) => {
      fake.write('reply', `${reply}\n`)
      const outcome = await fake.run('status', 'node07')
      expect(outcome).toMatchObject({ success: false, state: 'unknown', exitCode: 1 })
      expect(outcome.message).toBe(`Unexpected reply from BMC node07-bmc: ${reply}`)
    },
  )

  test('an ipmitool failure fails the node with ipmitool\'s message, even with "on" on stdout', async () => {
    fake.write('reply', 'Chassis Power is on\n')
    fake.write('stderr', 'Error: Unable to establish IPMI v2 / RMCP+ session\n')
    fake.write('exit', '1')
    const outcome = await fake.run('status', 'node07')
    expect(outcome).toMatchObject({ success: false, state: 'unknown', exitCode: 1 })
    expect(outcome.message).toBe('Error: Unable to establish IPMI v2 / RMCP+ session')
  })

  test('an ipmitool exit status that happens to be the off code is still a failure', async () => {
    fake.write('exit', '111')
    expect(await fake.run('status', 'node07')).toMatchObject({
      success: false,
      state: 'unknown',
      exitCode: 1,
    })
  })
})
