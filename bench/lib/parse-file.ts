/**
 * One cold topology load in a fresh process, for bench/startup.ts and bench/limits.ts:
 * `bun bench/lib/parse-file.ts MODE FILE` prints {"ms":…,"hwmKb":…,"nodes":…} where MODE is
 * `load` (flight-power's loadTopology: parse, validate, build, through its own subset reader when
 * the file allows), `load-yaml` (the same with the `yaml` library only: the loader before the
 * fast path), `yaml` (the `yaml` library's parse alone) or `bun` (Bun's native Bun.YAML.parse
 * alone, for comparison).
 */
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { loadTopology } from '../../src/topology/index.ts'
import { procStatusKb } from './proc.ts'

const [mode, file] = process.argv.slice(2)
if (!file || !['load', 'load-yaml', 'yaml', 'bun'].includes(mode ?? '')) {
  console.error('Usage: bun bench/lib/parse-file.ts load|load-yaml|yaml|bun FILE')
  process.exit(2)
}
let nodes: number
const started = performance.now()
if (mode === 'load' || mode === 'load-yaml') {
  nodes = (await loadTopology(file, { fast: mode === 'load' })).nodes.size
} else {
  const text = readFileSync(file, 'utf8')
  const value = (mode === 'yaml' ? parse(text, { uniqueKeys: false }) : Bun.YAML.parse(text)) as {
    static_nodes?: object
  }
  nodes = Object.keys(value.static_nodes ?? {}).length
}
const ms = performance.now() - started
console.log(JSON.stringify({ ms, hwmKb: procStatusKb(process.pid, 'VmHWM'), nodes }))
