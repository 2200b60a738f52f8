/** The non-interactive prompt names the values a choice's flag takes: the enabled choices only. */
import { describe, expect, it } from 'vitest';
import { createNonInteractivePrompt } from '../../src/deps/prompt.ts';
import { NeedsAnswerError } from '../../src/errors.ts';

async function failure(run: () => Promise<unknown>): Promise<NeedsAnswerError> {
  const err = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(NeedsAnswerError);
  return err as NeedsAnswerError;
}

describe('createNonInteractivePrompt', () => {
  const prompt = createNonInteractivePrompt();

  it('a select names its enabled choices by flag value, leaving out refused disks and sentinels', async () => {
    const err = await failure(() =>
      prompt.select<unknown>({
        message: 'Which disk should diskprep prepare?',
        flag: '--drive',
        choices: [
          {
            name: '/dev/sda: system disk',
            value: { n: 0 },
            flagValue: 'SYS1',
            disabled: 'system or boot disk',
          },
          { name: '/dev/sdb: WD (serial WD-1)', value: { n: 1 }, flagValue: 'WD-1' },
          { name: '/dev/sdc: no serial', value: { n: 2 }, flagValue: '/dev/sdc' },
          { name: 'another (type it)', value: '\u0000other' },
        ],
      }),
    );
    expect(err.exitCode).toBe(3);
    expect(err.message).toBe(
      'Which disk should diskprep prepare: no answer in a non-interactive run',
    );
    expect(err.hint).toBe('pass --drive, one of: WD-1, /dev/sdc');
    expect(err.details).toEqual({ flag: '--drive', candidates: ['WD-1', '/dev/sdc'], total: 2 });
  });

  it('string values are their own flag values; other values fall back to the name', async () => {
    const err = await failure(() =>
      prompt.select({
        message: '2 jobs were created here. Which one?',
        flag: '--job',
        choices: [
          { name: 'photos', value: 0 },
          { name: 'seed01', value: 1 },
        ],
      }),
    );
    expect(err.hint).toBe('pass --job, one of: photos, seed01');
    const carrier = await failure(() =>
      prompt.select({
        message: 'Carrier',
        flag: '--carrier',
        choices: [
          { name: 'FedEx (Federal Express)', value: 'FedEx' },
          { name: 'DHL', value: 'DHL' },
        ],
      }),
    );
    expect(carrier.hint).toBe('pass --carrier, one of: FedEx, DHL');
  });

  it('a text question only names its flag', async () => {
    const err = await failure(() =>
      prompt.text({ message: 'Tracking number:', flag: '--tracking-number' }),
    );
    expect(err.hint).toBe('pass --tracking-number');
    expect(err.details).toBeUndefined();
  });
});
