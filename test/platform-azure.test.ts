/**
 * The default azure platform (etc/topology.yaml), run by the real runner against a fake Azure
 * CLI that prints exactly what the real one does (see test/fakes/az for the formats).
 */
import { afterAll, beforeEach, describe, expect, test } from 'bun:test'
import { parseTopology } from '../src/topology/index.ts'
import { defaultTopologyWith } from './fakes/default-topology.ts'
import { createFakeCli } from './fakes/fake-cli.ts'

const cloud = createFakeCli({
  vm01: { platform: 'azure', resource_group: 'hpc-rg' },
  vm02: { platform: 'azure', resource_group: 'hpc-rg', azure_power_off: 'deallocate' },
  vm03: { platform: 'azure', resource_group: 'gone-rg' },
  vm04: { platform: 'azure', resource_group: 'hpc-rg', azure_power_off: 'shutdown' },
})
afterAll(() => cloud.remove())
beforeEach(() => {
  for (const vm of ['vm01', 'vm02', 'vm04']) {
    cloud.write(`hpc-rg/${vm}`, 'ProvisioningState/succeeded\nPowerState/running\n')
    cloud.unlink(`hpc-rg/${vm}.error`)
  }
})

const GET_VIEW =
  "az vm get-instance-view --resource-group hpc-rg --name vm01 --query instanceView.statuses[?starts_with(code,'PowerState/')].code --output tsv"

describe('azure status', () => {
  test("asks for the PowerState/ code of the node's own VM, as tsv", async () => {
    await cloud.run('status', 'vm01')
    expect(cloud.calls().at(-1)).toBe(GET_VIEW)
  })

  test('PowerState/running is on', async () => {
    expect(await cloud.run('status', 'vm01')).toMatchObject({
      success: true,
      state: 'on',
      exitCode: 0,
    })
  })

  test.each(['stopped', 'deallocated'])('PowerState/%s is off', async (state) => {
    cloud.write('hpc-rg/vm01', `ProvisioningState/succeeded\nPowerState/${state}\n`)
    expect(await cloud.run('status', 'vm01')).toMatchObject({
      success: true,
      state: 'off',
      exitCode: 111,
    })
  })

  // power-server read statuses[1]: while an operation runs, Azure lists other statuses first.
  test('reads the power state wherever it stands in the list', async () => {
    cloud.write(
      'hpc-rg/vm01',
      'ProvisioningState/updating\nOSState/generalized\nPowerState/running\n',
    )
    expect(await cloud.run('status', 'vm01')).toMatchObject({ success: true, state: 'on' })
    cloud.write('hpc-rg/vm01', 'PowerState/deallocated\nProvisioningState/succeeded\n')
    expect(await cloud.run('status', 'vm01')).toMatchObject({ success: true, state: 'off' })
  })

  test.each(['starting', 'stopping', 'deallocating'])(
    'PowerState/%s is not there yet: unknown, with a message',
    async (state) => {
      cloud.write('hpc-rg/vm01', `ProvisioningState/updating\nPowerState/${state}\n`)
      const outcome = await cloud.run('status', 'vm01')
      expect(outcome).toMatchObject({ success: false, state: 'unknown', exitCode: 75 })
      expect(outcome.message).toBe(`VM vm01 is ${state}: not there yet, ask again shortly`)
    },
  )

  test('a VM with no power state yet is unknown, with a message', async () => {
    cloud.write('hpc-rg/vm01', 'ProvisioningState/creating\n')
    const outcome = await cloud.run('status', 'vm01')
    expect(outcome).toMatchObject({ success: false, state: 'unknown', exitCode: 1 })
    expect(outcome.message).toBe('VM vm01 reports no power state')
  })

  test('an unknown power state is named in the message', async () => {
    cloud.write('hpc-rg/vm01', 'PowerState/unknown\n')
    const outcome = await cloud.run('status', 'vm01')
    expect(outcome).toMatchObject({ success: false, state: 'unknown' })
    expect(outcome.message).toBe('VM vm01 is in unexpected state "PowerState/unknown"')
  })

  test("a CLI error fails the node with the CLI's message", async () => {
    const outcome = await cloud.run('status', 'vm03')
    expect(outcome).toMatchObject({ success: false, state: 'unknown', exitCode: 1 })
    expect(outcome.message).toBe(
      "Message: The Resource 'Microsoft.Compute/virtualMachines/vm03' under resource group 'gone-rg' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix",
    )
  })

  test("not being logged in fails the node with the CLI's message", async () => {
    cloud.write('hpc-rg/vm01.error', "ERROR: Please run 'az login' to setup account.\n")
    const outcome = await cloud.run('status', 'vm01')
    expect(outcome).toMatchObject({ success: false, state: 'unknown' })
    expect(outcome.message).toBe("ERROR: Please run 'az login' to setup account.")
  })
})

describe('azure power actions', () => {
  test('off stops the VM by default, as power-server did', async () => {
    expect(await cloud.run('power_off', 'vm01')).toMatchObject({ success: true, exitCode: 0 })
    expect(cloud.calls().at(-1)).toBe('az vm stop --resource-group hpc-rg --name vm01 --no-wait')
    expect(await cloud.run('status', 'vm01')).toMatchObject({ success: true, state: 'off' })
    expect(cloud.read('hpc-rg/vm01')).toContain('PowerState/stopped')
  })

  test('off deallocates a node with azure_power_off: deallocate', async () => {
    expect(await cloud.run('power_off', 'vm02')).toMatchObject({ success: true, exitCode: 0 })
    expect(cloud.calls().at(-1)).toBe(
      'az vm deallocate --resource-group hpc-rg --name vm02 --no-wait',
    )
    expect(cloud.read('hpc-rg/vm02')).toContain('PowerState/deallocated')
    expect(await cloud.run('status', 'vm02')).toMatchObject({ success: true, state: 'off' })
  })

  test('an azure_power_off other than stop or deallocate fails, saying why', async () => {
    const outcome = await cloud.run('power_off', 'vm04')
    expect(outcome).toMatchObject({ success: false, exitCode: 1 })
    expect(outcome.message).toBe('azure_power_off must be "stop" or "deallocate", not "shutdown"')
    expect(cloud.read('hpc-rg/vm04')).toContain('PowerState/running')
  })

  test('on starts a deallocated VM', async () => {
    cloud.write('hpc-rg/vm02', 'ProvisioningState/succeeded\nPowerState/deallocated\n')
    expect(await cloud.run('power_on', 'vm02')).toMatchObject({ success: true, exitCode: 0 })
    expect(cloud.calls().at(-1)).toBe('az vm start --resource-group hpc-rg --name vm02 --no-wait')
    expect(await cloud.run('status', 'vm02')).toMatchObject({ success: true, state: 'on' })
  })

  test('restart restarts the VM', async () => {
    expect(await cloud.run('restart', 'vm01')).toMatchObject({ success: true, exitCode: 0 })
    expect(cloud.calls().at(-1)).toBe('az vm restart --resource-group hpc-rg --name vm01 --no-wait')
    expect(cloud.read('hpc-rg/vm01.restarts')).toBe('restart')
  })

  test.each(['power_on', 'power_off', 'restart'] as const)(
    "%s fails with the CLI's message for a missing VM",
    async (action) => {
      const outcome = await cloud.run(action, 'vm03')
      expect(outcome).toMatchObject({ success: false, exitCode: 3 })
      expect(outcome.message).toStartWith(
        "Message: The Resource 'Microsoft.Compute/virtualMachines/vm03'",
      )
    },
  )
})

describe('azure optional actions', () => {
  // az vm stop and deallocate shut the guest OS down first: shutdown is what off does.
  test.each([
    ['vm01', 'stop', 'PowerState/stopped'],
    ['vm02', 'deallocate', 'PowerState/deallocated'],
  ])('shutdown of %s runs az vm %s', async (vm, verb, state) => {
    expect(await cloud.run('shutdown', vm)).toMatchObject({ success: true, exitCode: 0 })
    expect(cloud.calls().at(-1)).toBe(
      `az vm ${verb} --resource-group hpc-rg --name ${vm} --no-wait`,
    )
    expect(cloud.read(`hpc-rg/${vm}`)).toContain(state)
  })

  test('shutdown with a bad azure_power_off fails, saying why', async () => {
    const outcome = await cloud.run('shutdown', 'vm04')
    expect(outcome).toMatchObject({ success: false, exitCode: 1 })
    expect(outcome.message).toBe('azure_power_off must be "stop" or "deallocate", not "shutdown"')
  })

  test('no power_cycle, identify or bootdev; cycle gets minutes for the stop and start', async () => {
    const azure = parseTopology(defaultTopologyWith({})).platforms.get('azure')!
    expect(Object.keys(azure.scripts).sort()).toEqual(
      ['power_off', 'power_on', 'restart', 'shutdown', 'status'].sort(),
    )
    expect(azure.timeouts.power_cycle).toBeGreaterThanOrEqual(300)
    expect(azure.timeouts.status).toBe(120)
  })
})
