/**
 * The demo cluster of `npm start` (etc/demo/): its topology served by a real server shows 16
 * nodes through the real client, with the slow node answering and the broken one failing.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseDocument } from 'yaml'
import { repoRoot, runCli, startServer, type TestServer } from './harness.ts'

const dir = mkdtempSync(join(tmpdir(), 'flight-power-demo-'))
let server: TestServer

beforeAll(async () => {
  // What scripts/demo.ts does: point the platform's defaults at the state and the fake BMC.
  const topology = parseDocument(readFileSync(join(repoRoot, 'etc/demo/topology.yaml'), 'utf8'))
  topology.setIn(['platforms', 'demo', 'defaults', 'state_dir'], dir)
  topology.setIn(['platforms', 'demo', 'defaults', 'fake_bmc'], join(repoRoot, 'etc/demo/fake-bmc'))
  writeFileSync(join(dir, 'demo05'), 'off\n')
  server = await startServer({ topology: topology.toString() })
}, 60_000)

afterAll(async () => {
  await server?.stop()
  rmSync(dir, { recursive: true, force: true })
})

const client = (...args: string[]) =>
  runCli([...args, '--url', server.url, '--token', server.powerToken])

test("status @all shows the 16 demo nodes: states, the slow one, and the broken one's reason", async () => {
  const { code, stdout } = await client('status', '@all')
  expect(code).toBe(1)
  const lines = stdout.trim().split('\n')
  expect(lines.map((line) => line.split(/\s+/)[0])).toEqual(
    Array.from({ length: 16 }, (_, i) => `demo${String(i + 1).padStart(2, '0')}`),
  )
  expect(lines[4]).toMatch(/^demo05\s+Off$/)
  expect(lines[6]).toMatch(/^demo07\s+On$/)
  expect(lines[12]).toMatch(/^demo13\s+Unknown.*BMC demo13-bmc is not answering/)
  // The slow one is slow: the server measured its script, not this test's clock.
  const json = await client('status', 'demo07', '--json')
  const [slow] = (JSON.parse(json.stdout) as { nodes: { durationMs: number }[] }).nodes
  expect(slow?.durationMs).toBeGreaterThanOrEqual(3000)
})

test("on and off switch a demo node's state file", async () => {
  expect((await client('on', 'demo05')).code).toBe(0)
  expect(readFileSync(join(dir, 'demo05'), 'utf8')).toBe('on\n')
  expect((await client('off', '@rack2', '--yes')).code).toBe(1) // demo13 fails
  expect(readFileSync(join(dir, 'demo16'), 'utf8')).toBe('off\n')
  expect((await client('status', 'demo[09-12,14-16]')).code).toBe(111)
})

test('the demo supports every action: cycle, shutdown (a stubborn node is forced), identify, bootdev', async () => {
  const json = async (...args: string[]) => {
    const { code, stdout } = await client(...args, '--json')
    const nodes = JSON.parse(stdout).nodes as { name: string; success: boolean; forced?: boolean }[]
    return { code, nodes: new Map(nodes.map((node) => [node.name, node])) }
  }
  writeFileSync(join(dir, 'demo06'), 'off\n')
  expect((await json('cycle', 'demo06')).code).toBe(0)
  expect(readFileSync(join(dir, 'demo06'), 'utf8')).toBe('on\n')

  const shutdown = await json('shutdown', 'demo06,demo08', '--force-after', '1')
  expect(shutdown.code).toBe(0)
  expect(shutdown.nodes.get('demo06')).toMatchObject({ success: true, forced: false })
  expect(shutdown.nodes.get('demo08')).toMatchObject({ success: true, forced: true })
  expect(readFileSync(join(dir, 'demo08'), 'utf8')).toBe('off\n')

  expect((await client('identify', 'demo03')).code).toBe(0)
  expect(readFileSync(join(dir, 'demo03.identify'), 'utf8')).toBe('on\n')
  expect((await client('identify', '--off', 'demo03')).code).toBe(0)
  expect(readFileSync(join(dir, 'demo03.identify'), 'utf8')).toBe('off\n')
  expect((await client('bootdev', 'pxe', 'demo04', '--persistent', '--uefi')).code).toBe(0)
  expect(readFileSync(join(dir, 'demo04.bootdev'), 'utf8')).toBe('pxe persistent uefi\n')
}, 30_000)
