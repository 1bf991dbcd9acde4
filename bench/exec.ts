/**
 * Compares the script runner with `xargs -P` running the same trivial scripts, to show what the
 * runner adds on top of spawning bash. Run with `bun bench/exec.ts`; it asserts nothing.
 */
import { createRunner } from '../src/exec/index.ts'

const SCRIPTS = 1000
const CONCURRENCY = 50
const ROUNDS = 5
const SCRIPT = 'test "$flight_node" = "$expected"'

async function viaRunner(): Promise<number> {
  const runner = createRunner({ concurrency: CONCURRENCY })
  const started = performance.now()
  const results = await Promise.all(
    Array.from({ length: SCRIPTS }, (_, i) =>
      runner.run({
        key: `node${i}`,
        script: SCRIPT,
        env: { flight_node: `node${i}`, expected: `node${i}` },
        timeoutMs: 30_000,
      }),
    ),
  )
  const elapsed = performance.now() - started
  const failed = results.filter((result) => result.exitCode !== 0).length
  if (failed > 0) throw new Error(`Runner bench failed: ${failed} scripts did not exit 0`)
  return elapsed
}

async function viaXargs(): Promise<number> {
  // Each NUL-separated line becomes one `bash -c` script; the variables are baked in, since
  // xargs has no per-run environment.
  const input = Array.from({ length: SCRIPTS }, (_, i) => {
    return `flight_node=node${i} expected=node${i}; ${SCRIPT}\0`
  }).join('')
  const started = performance.now()
  const child = Bun.spawn(['xargs', '-0', '-P', String(CONCURRENCY), '-n', '1', 'bash', '-c'], {
    stdin: new TextEncoder().encode(input),
    stdout: 'inherit',
    stderr: 'inherit',
  })
  const exitCode = await child.exited
  const elapsed = performance.now() - started
  if (exitCode !== 0) throw new Error(`xargs bench failed: exit code ${exitCode}`)
  return elapsed
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2
}

function cell(value: number): string {
  return value.toFixed(0).padStart(9)
}

const runner: number[] = []
const xargs: number[] = []
// Warm both paths once so the first round does not pay for module loading and page cache.
await viaRunner()
await viaXargs()
for (let round = 0; round < ROUNDS; round++) {
  runner.push(await viaRunner())
  xargs.push(await viaXargs())
}

console.log(`${SCRIPTS} scripts, concurrency ${CONCURRENCY}, ${ROUNDS} rounds (ms)\n`)
console.log(`round  ${'runner'.padStart(9)}  ${'xargs'.padStart(9)}  ${'ratio'.padStart(6)}`)
for (let round = 0; round < ROUNDS; round++) {
  const r = runner[round] ?? 0
  const x = xargs[round] ?? 0
  console.log(
    `${String(round + 1).padStart(5)}  ${cell(r)}  ${cell(x)}  ${(r / x).toFixed(2).padStart(6)}`,
  )
}
const r = median(runner)
const x = median(xargs)
console.log(`${'median'.padStart(5)}  ${cell(r)}  ${cell(x)}  ${(r / x).toFixed(2).padStart(6)}`)
console.log(`\nrunner/xargs = ${(r / x).toFixed(2)} (goal <= 1.5)`)
