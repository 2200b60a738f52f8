/**
 * The one retry loop over the prompt seam: a wrong answer (a key that is not base64, an e-mail
 * without "@", a date in the future, a mistyped recovery password, "y" where "yes" must be
 * typed) is explained in one line and asked again, so one slip never ends a run and never
 * loses the answers given before it. After {@link TRIES} wrong answers the run stops (exit 2,
 * or the caller's refusal for a typed confirmation). Non-interactively nothing is asked: the
 * prompt seam fails with exit 3 naming the flag, as before.
 */
import { UsageError } from '../errors.ts';
import { plural } from '../format.ts';
import type { Deps } from './types.ts';

/** Answers an operator may give to one question before the run stops. */
export const TRIES = 3;

/** A question whose answer is checked by {@link askValid}. */
export interface CheckedQuestion {
  message: string;
  flag: string;
  default?: string;
  /** Hide the typed text (keys, passwords, account numbers); a wrong one is never echoed. */
  secret?: boolean;
  /** True for a good answer (trimmed), else why it is wrong, in a few words. */
  check: (value: string) => true | string | Promise<true | string>;
}

/**
 * Asks `q` until its answer passes `q.check`, at most {@link TRIES} times; returns it trimmed.
 *
 * @throws UsageError (exit 2, `ERR_DISKPREP_TOO_MANY_TRIES`) after the last wrong answer
 * @throws NeedsAnswerError (exit 3) from the prompt seam in a non-interactive run
 */
export async function askValid(
  deps: Pick<Deps, 'prompt' | 'terminal'>,
  q: CheckedQuestion,
): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const answer = (
      await deps.prompt.text({
        message: q.message,
        flag: q.flag,
        ...(q.default !== undefined && q.default !== '' ? { default: q.default } : {}),
        ...(q.secret ? { secret: true } : {}),
      })
    ).trim();
    const verdict = await q.check(answer);
    if (verdict === true) return answer;
    const what = q.secret || answer === '' ? 'that answer' : `"${answer}"`;
    if (attempt >= TRIES)
      throw new UsageError(`${what}: ${verdict} (${TRIES} tries)`, {
        code: 'ERR_DISKPREP_TOO_MANY_TRIES',
        hint: `run the same command again, or pass ${q.flag}`,
        details: { flag: q.flag, tries: TRIES },
      });
    const left = TRIES - attempt;
    deps.terminal.warn(
      `${what}: ${verdict}; try again (${left} ${plural(left, 'try', 'tries')} left)`,
    );
  }
}

/**
 * A typed confirmation ("yes", not "y"): anything but `word` or a plain "no" is explained and
 * `review` is shown again before the question is asked again, at most {@link TRIES} times.
 * True when `word` was typed; false on "no" or after the last try (the caller refuses then,
 * having sent nothing).
 */
export async function confirmTyped(
  deps: Pick<Deps, 'prompt' | 'terminal'>,
  q: { message: string; flag: string; word: string; review: () => void },
): Promise<boolean> {
  for (let attempt = 1; attempt <= TRIES; attempt++) {
    if (attempt > 1) q.review();
    const typed = (await deps.prompt.text({ message: q.message, flag: q.flag })).trim();
    if (typed.toLowerCase() === q.word) return true;
    if (/^no?$/i.test(typed)) return false;
    const left = TRIES - attempt;
    if (left > 0)
      deps.terminal.warn(
        `"${typed}" is not "${q.word}": nothing was sent; check the details and type ${q.word} to go on, or no to stop (${left} ${plural(left, 'try', 'tries')} left)`,
      );
  }
  return false;
}
