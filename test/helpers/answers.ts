/**
 * Answers to the interactive prompts, typed into a real terminal (tmux) the way an operator
 * types them: one script per group of questions, shared by the e2e tests of `s:` and `u:`.
 */
import { RETURN_ADDRESS } from './returnFlags.ts';
import type { TmuxSession } from './tmux.ts';

/** A return address as the services receive it ({@link RETURN_ADDRESS} by default). */
export type ReturnAddressFixture = typeof RETURN_ADDRESS;

/** Options of {@link answerReturnDetails}. */
export interface ReturnAnswers {
  /** The return carrier: how many places below the first one the service lists (default 0). */
  carrierDown?: number;
  /** The account number with the return carrier. */
  account: string;
  address?: ReturnAddressFixture;
  /**
   * A slip typed first at the question whose label starts with the key (`Return contact
   * email`): the helper waits for diskprep's "try again" and then types the right answer.
   */
  slips?: Record<string, string>;
}

/**
 * Waits for each return-address question (contact name, phone, email, street, city, state,
 * postal code, country) and types its answer, then picks the return carrier from the list and
 * types the carrier account.
 */
export async function answerReturnDetails(s: TmuxSession, o: ReturnAnswers): Promise<void> {
  const address = o.address ?? RETURN_ADDRESS;
  for (const [prompt, text] of [
    ['Return contact name', address.recipientName],
    ['Return contact phone', address.phone],
    ['Return contact email', address.email],
    ['Return street address', address.streetAddress1],
    ['Return city', address.city],
    ['Return state or province', address.stateOrProvince],
    ['Return postal code', address.postalCode],
    ['Return country or region', address.countryOrRegion],
  ] as const) {
    await s.waitFor(prompt);
    const slip = o.slips?.[prompt];
    if (slip !== undefined) {
      await s.type(slip);
      await s.waitFor(`"${slip}": `);
      // Asked again: the question's label a second time, after the one-line explanation.
      const label = prompt.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      await s.waitFor(new RegExp(`try again[^\\n]*\\n[\\s\\S]*${label}`));
    }
    await s.type(text);
  }
  await s.waitFor('Carrier for the return shipment');
  for (let i = 0; i < (o.carrierDown ?? 0); i++) await s.keys('Down');
  await s.keys('Enter');
  await s.waitFor('account number');
  await s.type(o.account);
}

/** The multi-select of the first disks (two or more can be prepared). */
const CHECKLIST = 'Which disks should be filled?';
/** The single disk question (only one disk can be prepared). */
const SINGLE = /Which disk should be drive \d+ of the job\?/;

/**
 * Answers the first disk question with `devs`, in their order of the list, as an operator does:
 * in the multi-select (two or more disks usable, which depends on what else is attached), moves
 * the cursor (❯) to each with ↓ and ticks it with Space, then Enter; in the single question,
 * types the one path. Returns the screen the question was first seen on.
 */
export async function pickDisks(s: TmuxSession, devs: readonly string[]): Promise<string> {
  const asked = await s.waitFor(new RegExp(`${CHECKLIST.replace('?', '\\?')}|${SINGLE.source}`));
  if (!asked.includes(CHECKLIST)) {
    if (devs.length !== 1) throw new Error(`one disk question for ${devs.join(', ')}:\n${asked}`);
    await s.type(devs[0]!);
    return asked;
  }
  for (const dev of devs) {
    await moveCursorTo(s, `${dev}:`);
    await s.keys('Space');
    await s.waitFor(new RegExp(`^❯◉ ${dev}:`, 'm'), 5_000);
  }
  await s.keys('Enter');
  return asked;
}

/** The line the checklist's cursor is on (the last one drawn). */
function cursorLine(screen: string): string {
  return screen.split('\n').findLast((l) => l.startsWith('❯')) ?? '';
}

/** Presses ↓ until the cursor is on the line starting with `label` (the list wraps around). */
async function moveCursorTo(s: TmuxSession, label: string): Promise<void> {
  let line = cursorLine(await s.screen());
  for (let moves = 0; moves < 100; moves++) {
    if (line.slice(3).startsWith(label)) return;
    await s.keys('Down');
    const before = line;
    const deadline = Date.now() + 5_000;
    while (line === before && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 30));
      line = cursorLine(await s.screen());
    }
  }
  throw new Error(`no line ${label} in the disk list:\n${await s.screen()}`);
}
