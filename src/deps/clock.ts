/** The clock seam. */
import { setTimeout as delay } from 'node:timers/promises';
import type { Clock } from './types.ts';

/** Wall clock and monotonic time of this process. */
export function createClock(): Clock {
  return {
    now: () => new Date(),
    monotonic: () => performance.now(),
    sleep: async (ms, signal) => {
      await delay(ms, undefined, { signal });
    },
  };
}
