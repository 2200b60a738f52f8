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
