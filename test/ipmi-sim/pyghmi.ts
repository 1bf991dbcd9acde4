/**
 * A second real BMC implementation for the IPMI end-to-end tests: pyghmi's FakeBmc (Debian
 * python3-pyghmi) on loopback, subclassed by pyghmi_bmc.py to record what it is asked, for
 * what OpenIPMI's ipmi_sim does not pass on (the boot flags: persistent, EFI).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { spawnAnswering } from './sim.ts'

/** Debian's python, which has python3-pyghmi (the `python3` on PATH may be another one). */
const PYTHON = '/usr/bin/python3'

/** One running pyghmi BMC. */
export interface PyghmiBmc {
  readonly port: number
  /**
   * What it was asked, in order, as pyghmi_bmc.py records it: `power soft`,
   * `bootdev pxe persistent=1 efi=0`, `identify 0 force=1`.
   */
  requests(): string[]
  stop(): Promise<void>
}

/** The boot device selectors of IPMI's Set System Boot Options (parameter 5, data 2). */
const BOOT_DEVICE: Record<string, string> = {
  '0': 'none',
  '1': 'pxe',
  '2': 'disk',
  '5': 'cdrom',
  '6': 'bios',
}

/** Whether Debian's python3-pyghmi is installed. */
export function hasPyghmi(): boolean {
  if (!existsSync(PYTHON)) return false
  return Bun.spawnSync([PYTHON, '-c', 'import pyghmi.cmd.fakebmc']).exitCode === 0
}

/** Start pyghmi's BMC on a free loopback port, powered on, and wait until it answers. */
export async function startPyghmiBmc(options: {
  dir: string
  user: string
  password: string
}): Promise<PyghmiBmc> {
  mkdirSync(options.dir, { recursive: true })
  const log = join(options.dir, 'requests')
  writeFileSync(log, '')
  const { port, child: bmc } = await spawnAnswering(
    "pyghmi's BMC",
    (port) =>
      Bun.spawn([PYTHON, join(import.meta.dir, 'pyghmi_bmc.py'), String(port), options.user, log], {
        env: { ...process.env, IPMI_PASSWORD: options.password },
        stdin: 'ignore',
        stdout: 'pipe',
        stderr: 'pipe',
      }),
    options,
  )
  const stop = async () => {
    bmc.kill('SIGKILL')
    await bmc.exited
  }
  return {
    port,
    requests: () =>
      readFileSync(log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) =>
          line.replace(
            /^bootdev (\d+) valid=1 /,
            (_, selector: string) => `bootdev ${BOOT_DEVICE[selector] ?? selector} `,
          ),
        ),
    stop,
  }
}
