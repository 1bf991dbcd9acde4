/**
 * Every client command pays for what the binary evaluates at start-up: the libraries only the
 * server or a bad topology needs are loaded on first use, never by importing a room's door.
 */
import { expect, test } from 'bun:test'
import { resolve } from 'node:path'

const root = resolve(import.meta.dir, '..')
const HEAVY = /node_modules\/(zx|yaml|jose|hono|prom-client)\//

/** The heavy modules loaded after running `code` in a fresh Bun, by path. */
async function heavyAfter(code: string): Promise<string[]> {
  const child = Bun.spawn([process.execPath, '-e', code], { cwd: root, stdout: 'pipe' })
  const [out, exit] = await Promise.all([new Response(child.stdout).text(), child.exited])
  expect(exit).toBe(0)
  return (JSON.parse(out) as string[]).map((path) => HEAVY.exec(path)![1]!).sort()
}

const report = `console.log(JSON.stringify(Object.keys(require.cache).filter((k) => ${HEAVY}.test(k))))`

test('importing every door the binary imports loads none of zx, yaml, jose, hono, prom-client', async () => {
  const doors = ['client', 'redfish', 'server', 'slurm', 'topology', 'engine', 'exec']
  const imports = doors.map((door) => `await import('./src/${door}/index.ts');`).join(' ')
  expect(await heavyAfter(`${imports} ${report}`)).toEqual([])
})

test('making a runner loads zx, and a topology the subset reader declines loads yaml', async () => {
  const loaded = await heavyAfter(
    `const { createRunner } = await import('./src/exec/index.ts'); createRunner({ concurrency: 1 });
     const { parseTopology } = await import('./src/topology/index.ts');
     try { parseTopology('platforms: &p {}') } catch {}
     ${report}`,
  )
  expect([...new Set(loaded)]).toEqual(['yaml', 'zx'])
})
