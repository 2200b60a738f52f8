import type { Command } from 'commander';
import { addCommonOptions, collect, commonFrom, examples, type SetInvocation } from '../common.ts';

/** `diskprep verify --target <dir> | --drive <disk>`: re-read a prepared drive against its manifest. */
export function registerVerify(program: Command, set: SetInvocation): void {
  const cmd = program
    .command('verify')
    .description(
      're-read every file in a drive manifest and check lengths and MD5 hashes, and the manifest against the journal',
    )
    .option('--target <dir>', 'a mounted drive to verify (repeatable)', collect, [])
    .option(
      '--drive <disk>',
      'a prepared disk to unlock read-only and verify (device path, serial, or drive letter)',
    )
    .option(
      '--bitlocker-key <key>',
      "recovery password of --drive (default: the journal's record of the drive, else asked)",
    )
    .option(
      '--drive-id <id>',
      "--drive's id when the disk reports no serial (finds its key in the journal)",
    )
    .option(
      '-s, --staging <dir>',
      'staging location whose journal recorded the manifest hashes (legacy: s:<dir>)',
    )
    .option('--job <name>', 'the job in the staging location (default: all of its jobs)')
    .option(
      '--manifest-hash <md5>',
      'expected manifest MD5 per target, in order (from the drive-info XML)',
      collect,
    );
  addCommonOptions(cmd);
  examples(cmd, [
    'diskprep verify --drive /dev/sdb --drive-id WD-WMATV123456 s:/srv/staging   # the key from the journal',
    'diskprep verify --drive /dev/sdb --bitlocker-key "$BITLOCKER_KEY"   # on Windows: --drive E',
    'diskprep verify --target E:\\ s:D:\\staging',
    'diskprep verify --target /mnt/drive1 --staging /srv/staging --json',
    'diskprep verify --target /mnt/drive1 --manifest-hash <md5>   # the MD5 in the drive-info XML',
  ]);
  cmd.action((o: Record<string, unknown>) =>
    set({
      command: 'verify',
      common: commonFrom(o),
      run: async (deps) => {
        const { verify } = await import('../../commands/verify/index.ts');
        await verify(
          {
            targets: o.target as string[],
            drive: o.drive as string | undefined,
            bitlockerKey: o.bitlockerKey as string | undefined,
            driveId: o.driveId as string | undefined,
            staging: o.staging as string | undefined,
            job: o.job as string | undefined,
            manifestHashes: o.manifestHash as string[] | undefined,
          },
          deps,
        );
      },
    }),
  );
}
