/** What the figures were measured on: printed at the top of every bench and of the summary. */
import { readFileSync } from 'node:fs'
import { availableParallelism, release } from 'node:os'

/** One line: cores, CPU model, memory, kernel, Bun version, load average. */
export function describeMachine(): string {
  const cpuinfo = readText('/proc/cpuinfo')
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown CPU'
  const memKb = Number(/^MemTotal:\s+(\d+) kB$/m.exec(readText('/proc/meminfo'))?.[1] ?? Number.NaN)
  const memory = Number.isFinite(memKb)
    ? `${(memKb / 1024 / 1024).toFixed(1)} GiB RAM`
    : 'unknown RAM'
  return `${availableParallelism()} × ${model}, ${memory}, Linux ${release()}, Bun ${Bun.version}`
}

/** The 1-minute load average, to judge whether other work was competing for the CPU. */
export function loadAverage(): string {
  return readText('/proc/loadavg').split(' ').slice(0, 3).join(' ') || 'unknown'
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return ''
  }
}
