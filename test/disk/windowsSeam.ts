/**
 * Shared parts of the Windows backend tests: fixtures (test/fixtures/windows/README.md cites the
 * documentation each follows), the exact PowerShell command line of a script, the listing stub.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { formatCommand } from '../../src/deps/exec.ts';
import { diskGuard } from '../../src/disk/windows/diskGuard.ts';
import { LIST_SCRIPT } from '../../src/disk/windows/listWindows.ts';
import { powershellArgs } from '../../src/disk/windows/powershell.ts';
import { DiskprepError } from '../../src/errors.ts';
import type { ExecStub } from '../helpers/fakeDeps.ts';
import { REPO_ROOT } from '../helpers/paths.ts';

/** A fixture's text. */
export const fixture = (name: string): string =>
  readFileSync(join(REPO_ROOT, 'test/fixtures/windows', name), 'utf8');

/** A fixture parsed, to derive a variant (a suspended protector, another file system). */
export const fixtureJson = <T>(name: string): T => JSON.parse(fixture(name)) as T;

/** The display form of the powershell.exe command running `script`. */
export const ps = (script: string): string =>
  formatCommand('powershell.exe', powershellArgs(script));

/** A script behind the disk-identity guard (src/disk/windows/diskGuard.ts). */
export const guarded = (n: number, script: string): string => diskGuard(String(n)) + script;

/** The listing script answered with an inventory fixture. */
export const listStub = (inventory = fixture('inventory.json')): ExecStub => ({
  command: ps(LIST_SCRIPT),
  stdout: inventory,
});

/** The listing answered with the machine whose disks are in use (inventory-in-use.json). */
export const inUseListStub = (): ExecStub => listStub(fixture('inventory-in-use.json'));

/** The DiskprepError a promise rejects with (fails the test when it resolves). */
export async function rejection(p: Promise<unknown>): Promise<DiskprepError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DiskprepError);
  return err as DiskprepError;
}

/** Recovery passwords of the fixtures (made up, valid checksum groups). */
export const E_KEY = '235818-357951-253979-013365-241120-245575-342914-591910';
export const G_KEY = '529573-278784-259347-197835-171457-264044-610280-313269';
export const yes = async (): Promise<boolean> => true;
