/** The stdout seam: results only. `--json` prints exactly one JSON document. */
import type { Redactor } from '../redact.ts';
import type { Output } from './types.ts';

/** Creates the stdout seam writing through `write`. */
export function createOutput(options: {
  json: boolean;
  redactor: Redactor;
  write: (chunk: string) => void;
}): Output {
  const { json, redactor, write } = options;
  return {
    jsonMode: json,
    json(value, opts = {}) {
      const text = JSON.stringify(value, null, 2);
      write(`${opts.raw ? text : redactor.redact(text)}\n`);
    },
    line(text = '') {
      if (json) return;
      write(`${redactor.redact(text)}\n`);
    },
  };
}
