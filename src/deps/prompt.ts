/**
 * The prompt seam: four questions (text, confirm, select, checklist) on @inquirer/prompts,
 * drawn on stderr so stdout stays for results. The non-interactive implementation never
 * asks: it fails with exit 3 naming the flag that answers the question.
 */
import { checkbox, confirm, input, password, select } from '@inquirer/prompts';
import { NeedsAnswerError } from '../errors.ts';
import type { Prompt } from './types.ts';

/** A prompt that never asks: every question is a {@link NeedsAnswerError} naming its flag. */
export function createNonInteractivePrompt(): Prompt {
  const fail = (message: string, flag: string): never => {
    throw new NeedsAnswerError(message.replace(/[?:]\s*$/, ''), flag);
  };
  return {
    interactive: false,
    text: async (q) => fail(q.message, q.flag),
    confirm: async (q) => fail(q.message, q.flag),
    select: async (q) => fail(q.message, q.flag),
    checklist: async (q) => fail(q.message, q.flag),
  };
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
      return checkbox(
        {
          message: q.message,
          choices: q.choices.map((c) => ({
            name: c.name,
            value: c.value,
            description: c.description,
            disabled: c.disabled,
          })),
        },
        context,
      );
    },
  };
}
