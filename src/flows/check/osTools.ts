/**
 * The OS tools diskprep drives, looked up on `deps.env.PATH` and run once with a harmless
 * version/help probe, so a broken install (a missing library, a wrapper that fails) shows up
 * here rather than halfway through a drive.
 */
import path from 'node:path';
import { constants } from 'node:fs';
import type { Deps } from '../../deps/types.ts';
import { runPowerShell } from '../../disk/windows/powershell.ts';
import type { CheckResult } from './types.ts';
import { checkWindowsBitLocker } from './windowsBitLocker.ts';

/** A Linux tool, its probe, and the Debian package that installs it. */
export interface LinuxTool {
  name: string;
  args: string[];
  pkg: string;
  /** Required tools fail the check when missing; the others warn. */
  required: boolean;
  why: string;
}

/** What Linux needs: drives are listed, unlocked, mounted and checked with these. */
export const LINUX_TOOLS: readonly LinuxTool[] = [
  {
    name: 'lsblk',
    args: ['--version'],
    pkg: 'util-linux',
    required: true,
    why: 'lists the drives',
  },
  {
    name: 'dislocker',
    args: ['--help'],
    pkg: 'dislocker',
    required: true,
    why: 'unlocks BitLocker drives',
  },
  {
    name: 'ntfs-3g',
    args: ['--version'],
    pkg: 'ntfs-3g',
    required: true,
    why: 'mounts NTFS read-write',
  },
  {
    name: 'cryptsetup',
    args: ['--version'],
    pkg: 'cryptsetup-bin',
    required: true,
    why: 'checks the BitLocker protector (bitlkDump)',
  },
  {
    name: 'mkntfs',
    args: ['--version'],
    pkg: 'ntfs-3g',
    required: false,
    why: 'formats NTFS inside an unlocked volume',
  },
  {
    name: 'blkid',
    args: ['--version'],
    pkg: 'util-linux',
    required: false,
    why: 'identifies BitLocker partitions',
  },
];

/** Finds an executable `name` on `pathVar` (like `which`); undefined when absent. */
export async function findOnPath(
  fs: Deps['fs'],
  name: string,
  pathVar: string | undefined,
): Promise<string | undefined> {
  for (const dir of (pathVar ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      await fs.access(candidate, constants.X_OK);
      if ((await fs.stat(candidate)).isFile()) return candidate;
    } catch {
      // Not here: next directory.
    }
  }
  return undefined;
}

function firstLine(text: string): string {
  const line =
    text
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l.length > 0) ?? '';
  return line.length > 80 ? `${line.slice(0, 77)}...` : line;
}

function lastLine(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  return lines[lines.length - 1] ?? '';
}

async function checkLinuxTool(
  deps: Pick<Deps, 'exec' | 'fs' | 'env'>,
  tool: LinuxTool,
): Promise<CheckResult> {
  const id = `tool:${tool.name}`;
  const title = `${tool.name} (${tool.why})`;
  const miss = tool.required ? 'fail' : 'warn';
  const found = await findOnPath(deps.fs, tool.name, deps.env.PATH);
  if (!found) {
    return {
      id,
      title,
      status: miss,
      detail: `${tool.name} is not on PATH`,
      fix: `install it: sudo apt-get install ${tool.pkg}`,
      data: { package: tool.pkg },
    };
  }
  try {
    const r = await deps.exec.run(found, tool.args, {
      reject: false,
      timeoutMs: 15_000,
      env: { PATH: deps.env.PATH },
    });
    if (r.exitCode === 0) {
      return {
        id,
        title,
        status: 'ok',
        detail: `${found}: ${firstLine(r.stdout || r.stderr) || 'runs'}`,
        data: { path: found },
      };
    }
    const why = lastLine(r.stderr || r.stdout);
    return {
      id,
      title,
      status: miss,
      detail: `${found} ${tool.args.join(' ')} exited with ${r.exitCode}${why ? `: ${why}` : ''}`,
      fix: `reinstall it: sudo apt-get install --reinstall ${tool.pkg}`,
      data: { path: found, exitCode: r.exitCode, package: tool.pkg },
    };
  } catch (err) {
    return {
      id,
      title,
      status: miss,
      detail: `${found} cannot be run: ${(err as Error).message}`,
      fix: `reinstall it: sudo apt-get install --reinstall ${tool.pkg}`,
      data: { path: found, package: tool.pkg },
    };
  }
}

async function checkWindowsTools(deps: Pick<Deps, 'exec'>): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const cmdlets = ['Get-Disk', 'Get-BitLockerVolume'];
  try {
    const r = await runPowerShell(
      deps,
      `Get-Command ${cmdlets.join(', ')} -ErrorAction Stop | ForEach-Object { $_.Name }`,
      { step: 'looking for the storage and BitLocker cmdlets', reject: false, timeoutMs: 60_000 },
    );
    const have = new Set(r.stdout.split(/\r?\n/).map((l) => l.trim()));
    const missing = cmdlets.filter((c) => !have.has(c));
    results.push(
      r.exitCode === 0 && missing.length === 0
        ? {
            id: 'tool:cmdlets',
            title: 'Storage and BitLocker cmdlets',
            status: 'ok',
            detail: cmdlets.join(', '),
          }
        : {
            id: 'tool:cmdlets',
            title: 'Storage and BitLocker cmdlets',
            status: 'fail',
            detail: `missing: ${(missing.length ? missing : cmdlets).join(', ')}${lastLine(r.stderr) ? ` (${lastLine(r.stderr)})` : ''}`,
            fix: 'use Windows 10 / Server 2016 or later; on Windows Server add BitLocker: Install-WindowsFeature BitLocker -IncludeManagementTools, then restart the computer',
          },
    );
  } catch (err) {
    results.push({
      id: 'tool:cmdlets',
      title: 'Storage and BitLocker cmdlets',
      status: 'fail',
      detail: `PowerShell cannot be run: ${(err as Error).message}`,
      fix: 'make sure powershell.exe (Windows PowerShell 5.1) is on PATH',
    });
  }
  results.push(await checkWindowsBitLocker(deps));
  try {
    const r = await deps.exec.run('manage-bde', ['-?'], { reject: false, timeoutMs: 30_000 });
    const looksRight = /BitLocker/i.test(r.stdout + r.stderr);
    results.push(
      looksRight
        ? {
            id: 'tool:manage-bde',
            title: 'manage-bde (BitLocker keys)',
            status: 'ok',
            detail: firstLine(r.stdout) || 'runs',
          }
        : {
            id: 'tool:manage-bde',
            title: 'manage-bde (BitLocker keys)',
            status: 'fail',
            detail: `manage-bde -? exited with ${r.exitCode}: ${lastLine(r.stderr || r.stdout)}`,
            fix: 'add the BitLocker feature (it installs manage-bde)',
          },
    );
  } catch (err) {
    results.push({
      id: 'tool:manage-bde',
      title: 'manage-bde (BitLocker keys)',
      status: 'fail',
      detail: (err as Error).message,
      fix: 'add the BitLocker feature (it installs manage-bde)',
    });
  }
  return results;
}

/** One result per tool the platform needs. */
export async function checkOsTools(
  deps: Pick<Deps, 'exec' | 'fs' | 'env' | 'platform'>,
  needsDisk: boolean,
): Promise<CheckResult[]> {
  if (!needsDisk) {
    return [
      {
        id: 'tools',
        title: 'OS tools',
        status: 'skip',
        detail: 'no drive is prepared in this run',
      },
    ];
  }
  if (deps.platform === 'win32') return checkWindowsTools(deps);
  return Promise.all(LINUX_TOOLS.map((t) => checkLinuxTool(deps, t)));
}
