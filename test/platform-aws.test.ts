/**
 * The default aws platform (etc/topology.yaml), run by the real runner against a fake AWS CLI
 * that prints exactly what the real one does (see test/fakes/aws for the formats).
 */
import { afterAll, beforeEach, describe, expect, test } from 'bun:test'
import { parseTopology } from '../src/topology/index.ts'
import { defaultTopologyWith } from './fakes/default-topology.ts'
import { createFakeCli } from './fakes/fake-cli.ts'

const cloud = createFakeCli({
  node01: { platform: 'aws', ec2_id: 'i-0aaaaaaaaaaaaaaa1', region: 'eu-west-1' },
  node02: { platform: 'aws', ec2_id: 'i-0aaaaaaaaaaaaaaa2', region: 'us-east-2' },
})
afterAll(() => cloud.remove())
beforeEach(() => {
  cloud.write('output', 'json')
  cloud.write('i-0aaaaaaaaaaaaaaa1', 'running')
  cloud.unlink('i-0aaaaaaaaaaaaaaa1.error')
})

describe('aws status', () => {
  test('running is on and stopped is off', async () => {
    expect(await cloud.run('status', 'node01')).toMatchObject({
      success: true,
      state: 'on',
      exitCode: 0,
    })
    cloud.write('i-0aaaaaaaaaaaaaaa1', 'stopped')
    expect(await cloud.run('status', 'node01')).toMatchObject({
      success: true,
      state: 'off',
      exitCode: 111,
    })
  })

  test("asks for text output with the node's own instance id and region", async () => {
    await cloud.run('status', 'node01')
    expect(cloud.calls().at(-1)).toBe(
      'aws ec2 describe-instances --instance-ids i-0aaaaaaaaaaaaaaa1 --region eu-west-1 --query Reservations[0].Instances[0].State.Name --output text',
    )
  })

  // power-server matched `"running"` with its quotes, so `output = text` or `table` in
  // ~/.aws/config made every instance unknown.
  test.each(['json', 'text', 'table'])(
    'does not depend on the configured output format (%s)',
    async (format) => {
      cloud.write('output', format)
      expect(await cloud.run('status', 'node01')).toMatchObject({ success: true, state: 'on' })
    },
  )

  test.each(['pending', 'stopping', 'shutting-down'])(
    '%s is not there yet: unknown, with a message',
    async (state) => {
      cloud.write('i-0aaaaaaaaaaaaaaa1', state)
      const outcome = await cloud.run('status', 'node01')
      expect(outcome).toMatchObject({ success: false, state: 'unknown', exitCode: 75 })
      expect(outcome.message).toBe(
        `Instance i-0aaaaaaaaaaaaaaa1 is ${state}: not there yet, ask again shortly`,
      )
    },
  )

  test('terminated is an unexpected state, named in the message', async () => {
    cloud.write('i-0aaaaaaaaaaaaaaa1', 'terminated')
    const outcome = await cloud.run('status', 'node01')
    expect(outcome).toMatchObject({ success: false, state: 'unknown', exitCode: 1 })
    expect(outcome.message).toBe('Instance i-0aaaaaaaaaaaaaaa1 is in unexpected state "terminated"')
  })

  test("a CLI error fails the node with the CLI's own message", async () => {
    // node02's instance does not exist in the fake: InvalidInstanceID.NotFound, exit 254.
    const outcome = await cloud.run('status', 'node02')
    expect(outcome).toMatchObject({ success: false, state: 'unknown', exitCode: 1 })
    expect(outcome.message).toBe(
      "An error occurred (InvalidInstanceID.NotFound) when calling the DescribeInstances operation: The instance ID 'i-0aaaaaaaaaaaaaaa2' does not exist",
    )
  })

  test("missing credentials fail the node with the CLI's message", async () => {
    cloud.write(
      'i-0aaaaaaaaaaaaaaa1.error',
      'Unable to locate credentials. You can configure credentials by running "aws configure".\n',
    )
    const outcome = await cloud.run('status', 'node01')
    expect(outcome).toMatchObject({ success: false, state: 'unknown' })
    expect(outcome.message).toBe(
      'Unable to locate credentials. You can configure credentials by running "aws configure".',
    )
  })
})

describe('aws power actions', () => {
  test('off stops the instance: stopping until EC2 is done, then off', async () => {
    expect(await cloud.run('power_off', 'node01')).toMatchObject({ success: true, exitCode: 0 })
    expect(cloud.calls().at(-1)).toBe(
      'aws ec2 stop-instances --instance-ids i-0aaaaaaaaaaaaaaa1 --region eu-west-1 --output text',
    )
    expect(cloud.read('i-0aaaaaaaaaaaaaaa1')).toBe('stopping')
    expect(await cloud.run('status', 'node01')).toMatchObject({
      success: false,
      state: 'unknown',
      exitCode: 75,
    })
    cloud.write('i-0aaaaaaaaaaaaaaa1', 'stopped')
    expect(await cloud.run('status', 'node01')).toMatchObject({ success: true, state: 'off' })
  })

  test('on starts the instance: pending until EC2 is done, then on', async () => {
    cloud.write('i-0aaaaaaaaaaaaaaa1', 'stopped')
    const outcome = await cloud.run('power_on', 'node01')
    expect(outcome).toMatchObject({ success: true, exitCode: 0 })
    expect(outcome.stdout).toBe(
      'STARTINGINSTANCES\ti-0aaaaaaaaaaaaaaa1\nCURRENTSTATE\t0\tpending\nPREVIOUSSTATE\t80\tstopped\n',
    )
    expect(await cloud.run('status', 'node01')).toMatchObject({ success: false, exitCode: 75 })
    cloud.write('i-0aaaaaaaaaaaaaaa1', 'running')
    expect(await cloud.run('status', 'node01')).toMatchObject({ success: true, state: 'on' })
  })

  test('restart reboots the instance', async () => {
    expect(await cloud.run('restart', 'node01')).toMatchObject({ success: true, exitCode: 0 })
    expect(cloud.calls().at(-1)).toBe(
      'aws ec2 reboot-instances --instance-ids i-0aaaaaaaaaaaaaaa1 --region eu-west-1 --output text',
    )
    expect(cloud.read('i-0aaaaaaaaaaaaaaa1.reboots')).toBe('reboot')
  })

  test.each(['power_on', 'power_off', 'restart'] as const)(
    "%s fails with the CLI's message when EC2 refuses",
    async (action) => {
      const outcome = await cloud.run(action, 'node02')
      expect(outcome).toMatchObject({ success: false, exitCode: 254 })
      expect(outcome.message).toContain('(InvalidInstanceID.NotFound) when calling the')
    },
  )
})

describe('aws optional actions', () => {
  // stop-instances is already graceful on EC2 (ACPI first), so shutdown is the same call.
  test('shutdown stops the instance, as off does', async () => {
    expect(await cloud.run('shutdown', 'node01')).toMatchObject({ success: true, exitCode: 0 })
    expect(cloud.calls().at(-1)).toBe(
      'aws ec2 stop-instances --instance-ids i-0aaaaaaaaaaaaaaa1 --region eu-west-1 --output text',
    )
    expect(cloud.read('i-0aaaaaaaaaaaaaaa1')).toBe('stopping')
  })

  test('no power_cycle, identify or bootdev; cycle gets minutes for the stop and start', async () => {
    const aws = parseTopology(defaultTopologyWith({})).platforms.get('aws')!
    expect(Object.keys(aws.scripts).sort()).toEqual(
      ['power_off', 'power_on', 'restart', 'shutdown', 'status'].sort(),
    )
    expect(aws.timeouts.power_cycle).toBeGreaterThanOrEqual(300)
    expect(aws.timeouts.status).toBe(60)
  })
})
