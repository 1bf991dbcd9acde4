/**
 * Topology and helpers shared by the client's end-to-end suites. Platforms keep each node's
 * power state in a file under `state_dir`, so tests can set and read states directly.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCli, type CliResult, type TestServer } from './harness.ts'

/** `files`: state is the file's word (on/off; anything else cannot be read). */
const FILES = `
  files:
    variables: [name, state_dir]
    power_on: echo on > "$state_dir/$name"
    power_off: echo off > "$state_dir/$name"
    restart: echo on > "$state_dir/$name"
    status: |-
      state=$(cat "$state_dir/$name" 2>/dev/null || echo off)
      case "$state" in
        on) exit 0 ;;
        off) exit 111 ;;
        *) echo "cannot read the BMC of $name" >&2; exit 3 ;;
      esac`

/** `broken`: every action fails the way a dead BMC does. */
const BROKEN = `
  broken:
    variables: [name]
    power_on: echo "no answer from $name-bmc" >&2; exit 1
    power_off: echo "no answer from $name-bmc" >&2; exit 1
    restart: echo "no answer from $name-bmc" >&2; exit 1
    status: echo "no answer from $name-bmc" >&2; exit 1`

/** \`slow\`: an action takes effect \`delay_ms\` after it ran, as real hardware does. */
const SLOW = `
  slow:
    variables: [name, state_dir, delay_ms]
    power_on: echo "on $(( $(date +%s%3N) + delay_ms ))" > "$state_dir/$name"
    power_off: echo "off $(( $(date +%s%3N) + delay_ms ))" > "$state_dir/$name"
    restart: echo "on $(( $(date +%s%3N) + delay_ms ))" > "$state_dir/$name"
    status: |-
      read -r target at < "$state_dir/$name" 2>/dev/null || { target=off; at=0; }
      if [ "$(date +%s%3N)" -ge "$at" ]; then state=$target
      elif [ "$target" = on ]; then state=off
      else state=on; fi
      [ "$state" = on ] && exit 0 || exit 111`

/** A topology of `nodes` (name → platform and extra variables), every node given `state_dir`. */
export function topology(
  stateDir: string,
  nodes: Record<string, Record<string, string | number>>,
  groups = '',
): string {
  const lines = Object.entries(nodes).map(([name, variables]) => {
    const pairs = Object.entries({ ...variables, state_dir: stateDir }).map(
      ([key, value]) => `${key}: ${JSON.stringify(String(value))}`,
    )
    return `  ${name}: { ${pairs.join(', ')} }`
  })
  return `platforms:${FILES}${BROKEN}${SLOW}\nstatic_nodes:\n${lines.join('\n')}\n${groups}`
}

/** A fresh directory for state files. */
export function stateDirectory(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'flight-power-client-state-'))
}

/** Set nodes' state words (`on`, `off`, or anything else for "cannot be read"). */
export async function setStates(stateDir: string, states: Record<string, string>): Promise<void> {
  await Promise.all(
    Object.entries(states).map(([name, state]) => writeFile(join(stateDir, name), `${state}\n`)),
  )
}

/** Forget every node's state: all read as off. */
export async function clearStates(stateDir: string, names: readonly string[]): Promise<void> {
  await Promise.all(names.map((name) => rm(join(stateDir, name), { force: true })))
}

/** A node's state file, trimmed ('' when absent). */
export async function stateOf(stateDir: string, name: string): Promise<string> {
  return readFile(join(stateDir, name), 'utf8').then(
    (text) => text.trim(),
    () => '',
  )
}

/** Run the client against `server` with a token flag (the power token unless given). */
export function client(
  server: TestServer,
  args: string[],
  options: { token?: string; env?: Record<string, string>; stdin?: string } = {},
): Promise<CliResult> {
  return runCli([...args, '--url', server.url, '--token', options.token ?? server.powerToken], {
    env: options.env,
    stdin: options.stdin,
  })
}

/** `--json` output with the timing field zeroed, so it can be pinned. */
export function stableJson(stdout: string): unknown {
  const doc = JSON.parse(stdout) as {
    nodes?: { durationMs?: number | null; startedAt?: string }[]
  }
  for (const node of doc.nodes ?? []) {
    if (typeof node.durationMs === 'number') node.durationMs = 0
    if (typeof node.startedAt === 'string' && !Number.isNaN(Date.parse(node.startedAt)))
      node.startedAt = 'ANY'
  }
  return doc
}
