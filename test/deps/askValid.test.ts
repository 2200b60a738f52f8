/**
 * The one retry loop over the prompt (src/deps/askValid.ts): a wrong answer is explained in one
 * line and asked again, three tries, then exit 2; a typed confirmation goes back to the review.
 */
import { describe, expect, it } from 'vitest';
import { askValid, confirmTyped } from '../../src/deps/askValid.ts';
import { fakeDeps } from '../helpers/fakeDeps.ts';

const email = (v: string) => (v.includes('@') ? true : 'an email address like ops@example.org');

describe('askValid', () => {
  it('asks again after a wrong answer, explaining it in one line, and returns the good one', async () => {
    const f = fakeDeps({ answers: { '--return-email': ['ops.example.org', ' ops@example.org '] } });
    const v = await askValid(f.deps, { message: 'Email', flag: '--return-email', check: email });
    expect(v).toBe('ops@example.org');
    expect(f.asked).toEqual(['--return-email', '--return-email']);
    expect(f.recorded.stderr).toEqual([
      expect.stringMatching(
        /^.*"ops\.example\.org": an email address like ops@example\.org; try again \(2 tries left\)$/,
      ),
    ]);
  });

  it('stops after three wrong answers with exit 2 naming the flag; a secret answer is never echoed', async () => {
    const f = fakeDeps({ answers: { '--bitlocker-key': ['1-2', '3-4', '5-6'] } });
    const err = await askValid(f.deps, {
      message: 'Key',
      flag: '--bitlocker-key',
      secret: true,
      check: () => '8 groups of 6 digits',
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({
      exitCode: 2,
      code: 'ERR_DISKPREP_TOO_MANY_TRIES',
      message: 'that answer: 8 groups of 6 digits (3 tries)',
      hint: 'run the same command again, or pass --bitlocker-key',
    });
    expect(f.recorded.stderr.join('\n')).not.toMatch(/1-2|3-4/);
    expect(f.asked).toHaveLength(3);
  });

  it('without a terminal asks nothing: exit 3 naming the flag', async () => {
    const f = fakeDeps();
    await expect(
      askValid(f.deps, { message: 'Email', flag: '--return-email', check: email }),
    ).rejects.toMatchObject({ exitCode: 3, flag: '--return-email' });
  });
});

describe('confirmTyped', () => {
  it('"y" shows the review again and asks again; "yes" then confirms', async () => {
    const f = fakeDeps({ answers: { '--yes': ['y', 'yes'] } });
    let reviews = 0;
    const ok = await confirmTyped(f.deps, {
      message: 'Type "yes"',
      flag: '--yes',
      word: 'yes',
      review: () => reviews++,
    });
    expect(ok).toBe(true);
    expect(reviews).toBe(1);
    expect(f.recorded.stderr.join('\n')).toContain('"y" is not "yes": nothing was sent');
  });

  it('"no" stops at once; three slips stop too', async () => {
    const no = fakeDeps({ answers: { '--yes': ['no'] } });
    const q = { message: 'Type "yes"', flag: '--yes', word: 'yes', review: () => undefined };
    expect(await confirmTyped(no.deps, q)).toBe(false);
    expect(no.asked).toHaveLength(1);
    const slips = fakeDeps({ answers: { '--yes': ['y', 'ye', 'yess'] } });
    expect(await confirmTyped(slips.deps, q)).toBe(false);
    expect(slips.asked).toHaveLength(3);
  });
});
