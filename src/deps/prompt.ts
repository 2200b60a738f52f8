/**
 * The prompt seam: four questions (text, confirm, select, checklist) on @inquirer/prompts,
 * drawn on stderr so stdout stays for results. The non-interactive implementation never
 * asks: it fails with exit 3 naming the flag that answers the question.
 */
import { checkbox, confirm, input, password, select } from '@inquirer/prompts';
import { NeedsAnswerError, needsChoice } from '../errors.ts';
import type { Choice, Prompt } from './types.ts';

/**
 * A prompt that never asks: every question is a {@link NeedsAnswerError} naming its flag; a
 * choice also names the values the flag takes (the enabled choices).
 */
export function createNonInteractivePrompt(): Prompt {
  const question = (message: string) => message.replace(/[?:]\s*$/, '');
  const fail = (message: string, flag: string): never => {
    throw new NeedsAnswerError(question(message), flag);
  };
  const failChoice = (q: {
    message: string;
    flag: string;
    choices: readonly Choice<unknown>[];
  }): never => {
    throw needsChoice(question(q.message), q.flag, candidatesOf(q.choices));
  };
  return {
    interactive: false,
    text: async (q) => fail(q.message, q.flag),
    confirm: async (q) => fail(q.message, q.flag),
    select: async (q) => failChoice(q),
    checklist: async (q) => failChoice(q),
  };
}

/**
 * The flag values of the enabled choices. A value no one can type on a command line (a
 * sentinel such as "another carrier") is not a candidate.
 */
function candidatesOf(choices: readonly Choice<unknown>[]): string[] {
  return choices
    .filter((c) => !c.disabled)
    .map((c) => c.flagValue ?? (typeof c.value === 'string' ? c.value : c.name))
    .filter((v) => ![...v].some((ch) => ch.charCodeAt(0) < 0x20));
}

/** The interactive prompt on the given streams. */
export function createInteractivePrompt(options: {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  signal: AbortSignal;
}): Prompt {
  const context = { input: options.input, output: options.output, signal: options.signal };
  return {
    interactive: true,
    async text(q) {
      const validate = q.validate ? (v: string) => q.validate!(v) : undefined;
      if (q.secret) return password({ message: q.message, mask: '*', validate }, context);
      return input({ message: q.message, default: q.default, validate }, context);
    },
    async confirm(q) {
      return confirm({ message: q.message, default: q.default ?? false }, context);
    },
    async select(q) {
      return select(
        {
          message: q.message,
          choices: q.choices.map((c) => ({
            name: c.name,
            value: c.value,
            description: c.description,
            disabled: c.disabled,
          })),
          default: q.default,
          pageSize: 15,
        },
        context,
      );
    },
    async checklist(q) {
      const { required } = q;
      return checkbox(
        {
          message: q.message,
          choices: q.choices.map((c) => ({
            name: c.name,
            value: c.value,
            // The answer line names each choice as its flag would (a disk: serial or path).
            short: c.flagValue ?? c.name,
            description: c.description,
            disabled: c.disabled,
          })),
          pageSize: 15,
          ...(required
            ? { validate: (ticked: readonly unknown[]) => ticked.length > 0 || required }
            : {}),
        },
        context,
      );
    },
  };
}
