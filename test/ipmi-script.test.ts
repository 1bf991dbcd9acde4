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
  node09: { platform: 'ipmi', ipmi_username: 'admin', ipmi_identify_seconds: 255 },
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

describe('ipmi scripts for the optional actions', () => {
  const node08 = 'ipmitool -I lanplus -H 10.0.0.8 -p 6230 -U root -E -C 3'
  const password = " | IPMI_PASSWORD=it's a $(secret)"

  test('power_cycle cycles a chassis that is on, after reading its state', async () => {
    expect(await fake.run('cycle', 'node08')).toMatchObject({ success: true, exitCode: 0 })
    expect(fake.calls()).toEqual([
      `${node08} chassis power status${password}`,
      `${node08} chassis power cycle${password}`,
    ])
  })

  test('power_cycle switches a chassis that is off on: IPMI may ignore a cycle there', async () => {
    fake.write('reply', 'Chassis Power is off\n')
    expect(await fake.run('cycle', 'node08')).toMatchObject({ success: true, exitCode: 0 })
    expect(fake.calls().at(-1)).toBe(`${node08} chassis power on${password}`)
  })

  test('power_cycle sends nothing on an unexpected state reply', async () => {
    fake.write('reply', 'Chassis Power is unknown\n')
    const outcome = await fake.run('cycle', 'node08')
    expect(outcome).toMatchObject({ success: false, exitCode: 1 })
    expect(outcome.message).toBe('Unexpected reply from BMC 10.0.0.8: Chassis Power is unknown')
    expect(fake.calls()).toHaveLength(1)
  })

  test('shutdown sends `chassis power soft`', async () => {
    fake.write('reply', 'Chassis Power Control: Soft\n')
    expect(await fake.run('shutdown', 'node08')).toMatchObject({ success: true })
    expect(fake.calls()).toEqual([`${node08} chassis power soft${password}`])
  })

  test('identify: on until told off, or for ipmi_identify_seconds; off is interval 0', async () => {
    await fake.run('identify', 'node08', { identify: 'on' })
    await fake.run('identify', 'node08', { identify: 'off' })
    await fake.run('identify', 'node09', { identify: 'on' })
    expect(fake.calls()).toEqual([
      `${node08} chassis identify force${password}`,
      `${node08} chassis identify 0${password}`,
      'ipmitool -I lanplus -H node09-bmc -p 623 -U admin -E chassis identify 255 | IPMI_PASSWORD=',
    ])
  })

  test.each([
    ['pxe', false, false, 'pxe'],
    ['disk', true, false, 'disk options=persistent'],
    ['bios', false, true, 'bios options=efiboot'],
    ['cdrom', true, true, 'cdrom options=persistent,efiboot'],
    ['default', false, false, 'none'],
  ] as const)(
    'bootdev %s (persistent %p, uefi %p) is `chassis bootdev %s`',
    async (device, persistent, uefi, args) => {
      fake.write('reply', `Set Boot Device to ${args.split(' ')[0]}\n`)
      const outcome = await fake.run('bootdev', 'node08', { device, persistent, uefi })
      expect(outcome).toMatchObject({ success: true, exitCode: 0 })
      expect(fake.calls()).toEqual([`${node08} chassis bootdev ${args}${password}`])
    },
  )

  // What ipmitool 1.8.19 does when a BMC refuses (seen against ipmi_sim): exit 0, no reply.
  test("bootdev fails without ipmitool's confirmation, even when ipmitool exits 0", async () => {
    fake.write('reply', '')
    fake.write('stderr', 'Set Chassis Boot Parameter 5 failed: Unspecified error\n')
    const outcome = await fake.run('bootdev', 'node08', { device: 'pxe' })
    expect(outcome).toMatchObject({ success: false, exitCode: 1 })
    expect(outcome.message).toBe('Set Chassis Boot Parameter 5 failed: Unspecified error')

    fake.unlink('stderr')
    fake.write('reply', 'Set Boot Device to disk\n')
    expect(await fake.run('bootdev', 'node08', { device: 'pxe' })).toMatchObject({
      success: false,
      message: 'Set Boot Device to disk',
    })
  })

  test('bootdev and identify refuse values outside the vocabulary with exit 2', async () => {
    const bad = { device: 'floppy' } as unknown as { device: 'pxe' }
    expect(await fake.run('bootdev', 'node08', bad)).toMatchObject({
      success: false,
      exitCode: 2,
      message: 'Unknown FLIGHT_POWER_BOOT_DEVICE "floppy"',
    })
    expect(await fake.run('identify', 'node08')).toMatchObject({
      success: false,
      exitCode: 2,
      message: 'FLIGHT_POWER_IDENTIFY must be on or off, not ""',
    })
    expect(fake.calls()).toEqual([])
  })
})
