/**
 * The questions of the shipping step, each answered by its flag or asked: carrier, tracking
 * number, drive count, ship date, the return contact and address, the return carrier and its
 * account. A flag's value is checked like a typed answer; a bad one is a usage error naming the
 * flag; a bad typed answer is explained and asked again (askValid, three tries). With no TTY (or
 * `--non-interactive` / `--yes`) a missing answer exits 3 naming its flag (with a `missing`
 * collector, every missing flag at once); the drive count, the ship date and the return state
 * then take their defaults (drives prepared, today, none), which are facts. This computer's
 * remembered return address is only ever offered, never sent unasked; a job's own answers kept
 * by `prepare` (its journal) are taken as given by a run that cannot ask (`takeRemembered`).
 */
import { z } from 'zod';
import { count } from '../../format.ts';
import type { Deps } from '../../deps/types.ts';
import { NeedsAnswerError, UsageError } from '../../errors.ts';
import { askValid } from '../../deps/askValid.ts';
import type { ReturnAddress } from '../../model/importJob.ts';
import { isoDate, parseIsoDate, wholeDaysBetween } from './dates.ts';
import type { RememberedReturn } from '../../registry/returnAddress.ts';
import type { ShipAnswers, ShipAnswersInput } from '../../model/shipping.ts';

/** What the questions need to know besides the flags. */
export interface AskContext {
  /** Carriers the service lists for the job's location; [] when unknown (free text then). */
  carriers: readonly string[];
  /** Where the carriers come from, for messages (`West US`). */
  location: string | undefined;
  /** Drives the journal says were prepared, else the job's drive list length. */
  defaultDriveCount: number | undefined;
  /** Drives in the job's drive list on the service (0 when it lists none). */
  jobDriveCount: number;
  /** When the job was created (ISO), for the two-week rule. */
  createdAt: string | undefined;
  remembered: RememberedReturn;
  /** `remembered` was given for this very job (its journal): a run that cannot ask takes it. */
  takeRemembered?: boolean;
  /** Note the flags a run that cannot ask lacks instead of failing at the first. */
  missing?: MissingAnswers | undefined;
}

/** Jobs not shipped within two weeks of creation may be deleted (azure-importexport.md §3.2). */
export const SHIP_WITHIN_DAYS = 14;

type Check = (value: string) => true | string;

const required: Check = (v) => (v === '' ? 'an answer is needed' : true);
const OTHER = '\u0000other';

/** Tracking numbers people type while testing or before they have one. */
const PLACEHOLDER =
  /^(?:(.)\1*|1234\d*|0*123456789\d*|n\/?a|none|tbd|todo|test\w*|unknown|placeholder|dummy|sample|xxx+|abc\w*)$/i;

/** True when a tracking number looks like a placeholder rather than a carrier's number. */
export function looksLikePlaceholder(tracking: string): boolean {
  return PLACEHOLDER.test(tracking.replace(/[\s-]/g, '')) || tracking.length < 6;
}

/**
 * Collects the flags of the questions a non-interactive run could not ask, instead of failing
 * at the first: the caller names them all in one exit 3 (see collectAnswers.ts of prepare).
 */
export interface MissingAnswers {
  flags: string[];
}

/**
 * One exit 3 naming every flag a run that cannot ask lacked; `unchanged` says what was left as
 * it was (`nothing was sent`).
 */
export function missingAnswersError(flags: readonly string[], unchanged: string): NeedsAnswerError {
  return new NeedsAnswerError(`missing ${flags.join(', ')}`, flags[0]!, {
    hint: `pass ${flags.length === 1 ? 'it' : `all ${flags.length}`} and run the same command again (${unchanged})`,
    details: { flags },
  });
}

/** Runs one question; with `missing`, a {@link NeedsAnswerError} is noted and `''` returned. */
async function orMissing(
  missing: MissingAnswers | undefined,
  ask: () => Promise<string>,
): Promise<string> {
  if (!missing) return ask();
  try {
    return await ask();
  } catch (err) {
    if (!(err instanceof NeedsAnswerError)) throw err;
    if (!missing.flags.includes(err.flag)) missing.flags.push(err.flag);
    return '';
  }
}

async function askText(
  deps: Deps,
  q: {
    flag: string;
    message: string;
    given: string | undefined;
    check: Check;
    /** Offered as the default of the prompt. */
    default?: string;
    /** The default is a fact (today, drives prepared): taken without asking in scripts. */
    factDefault?: boolean;
    secret?: boolean;
    missing?: MissingAnswers | undefined;
  },
): Promise<string> {
  if (q.given !== undefined) {
    const v = q.given.trim();
    const ok = q.check(v);
    if (ok !== true)
      throw new UsageError(q.secret ? `${q.flag}: ${ok}` : `${q.flag} "${v}": ${ok}`, {
        hint: `pass a valid ${q.flag}`,
      });
    return v;
  }
  if (!deps.prompt.interactive && q.factDefault && q.default !== undefined) return q.default;
  return orMissing(q.missing, () =>
    askValid(deps, {
      message: q.message,
      flag: q.flag,
      check: q.check,
      ...(q.default !== undefined ? { default: q.default } : {}),
      ...(q.secret ? { secret: true } : {}),
    }),
  );
}

async function askCarrier(
  deps: Deps,
  q: {
    flag: string;
    message: string;
    given: string | undefined;
    carriers: readonly string[];
    location: string | undefined;
    default?: string;
    /** The service takes only its listed carriers (return shipment). */
    strict: boolean;
    missing?: MissingAnswers | undefined;
  },
): Promise<string> {
  const where = q.location ? ` for ${q.location}` : '';
  if (q.given !== undefined) {
    const v = q.given.trim();
    if (v === '') throw new UsageError(`${q.flag} is empty`, { hint: `pass the carrier's name` });
    const match = q.carriers.find((c) => c.toLowerCase() === v.toLowerCase());
    if (match) return match;
    if (q.carriers.length > 0 && q.strict)
      throw new UsageError(`${q.flag} "${v}": the service takes ${q.carriers.join(', ')}${where}`, {
        hint: `pass ${q.flag} ${q.carriers[0]}`,
      });
    if (q.carriers.length > 0)
      deps.terminal.warn(
        `${v} is not among the carriers the service lists${where} (${q.carriers.join(', ')})`,
      );
    return v;
  }
  if (q.carriers.length === 0) return askText(deps, { ...q, check: required, default: q.default });
  const choices = q.carriers.map((c) => ({ name: c, value: c }));
  const def = q.carriers.find((c) => c.toLowerCase() === q.default?.toLowerCase());
  const picked = await orMissing(q.missing, () =>
    deps.prompt.select<string>({
      message: q.message,
      flag: q.flag,
      choices: q.strict
        ? choices
        : [...choices, { name: 'another carrier (type its name)', value: OTHER }],
      ...(def ? { default: def } : {}),
    }),
  );
  if (picked !== OTHER) return picked;
  return askText(deps, { ...q, given: undefined, check: required, default: undefined });
}

/**
 * The carrier taking the drives and the package's tracking number (`--carrier`,
 * `--tracking-number`), asked unless given; `prepare --ship-now` asks them before its copy.
 */
export async function askPackage(
  deps: Deps,
  given: Pick<ShipAnswersInput, 'carrier' | 'trackingNumber'>,
  ctx: Pick<AskContext, 'carriers' | 'location'> & { missing?: MissingAnswers | undefined },
): Promise<{ carrierName: string; trackingNumber: string }> {
  const carrierName = await askCarrier(deps, {
    flag: '--carrier',
    message: 'Carrier taking the drives to the datacenter',
    given: given.carrier,
    carriers: ctx.carriers,
    location: ctx.location,
    strict: false,
    missing: ctx.missing,
  });
  const trackingNumber = await askText(deps, {
    flag: '--tracking-number',
    message: 'Tracking number of the package',
    given: given.trackingNumber,
    check: (v) => (v === '' ? 'the tracking number is needed' : true),
    missing: ctx.missing,
  });
  if (trackingNumber !== '' && looksLikePlaceholder(trackingNumber))
    deps.terminal.warn(
      `tracking number "${trackingNumber}" looks like a placeholder: the datacenter matches the package by it, give the number on the carrier's label`,
    );
  return { carrierName, trackingNumber };
}

/** Asks every shipping question not answered by a flag. */
export async function askShippingDetails(
  deps: Deps,
  given: ShipAnswersInput,
  ctx: AskContext,
): Promise<ShipAnswers> {
  deps.redactor.add(given.returnCarrierAccount);
  const today = isoDate(deps.clock.now());

  const { carrierName, trackingNumber } = await askPackage(deps, given, ctx);
  const { missing } = ctx;

  const countCheck: Check = (v) => {
    const n = Number(v);
    return Number.isInteger(n) && n >= 1 && n <= 10
      ? true
      : 'a whole number from 1 to 10 (a job holds at most 10 drives)';
  };
  const driveCountText = await askText(deps, {
    flag: '--drive-count',
    message: 'Number of drives in the package',
    given: given.driveCount === undefined ? undefined : String(given.driveCount),
    check: countCheck,
    missing,
    ...(ctx.defaultDriveCount !== undefined
      ? { default: String(ctx.defaultDriveCount), factDefault: true }
      : {}),
  });
  const driveCount = Number(driveCountText);
  if (ctx.jobDriveCount > 0 && driveCount !== ctx.jobDriveCount)
    deps.terminal.warn(
      `the package holds ${count(driveCount, 'drive')} but the job lists ${ctx.jobDriveCount}: every drive of the job goes in one package`,
    );

  const dateCheck: Check = (v) => {
    const d = parseIsoDate(v);
    if (!d) return 'a date as YYYY-MM-DD';
    const age = wholeDaysBetween(v, today);
    if (age < 0) return `the ship date cannot be in the future (today is ${today})`;
    if (age > SHIP_WITHIN_DAYS)
      return `more than ${SHIP_WITHIN_DAYS} days ago: drives must be shipped within two weeks (today is ${today})`;
    return true;
  };
  const shipDate = await askText(deps, {
    flag: '--ship-date',
    message: 'Date the package was shipped (YYYY-MM-DD)',
    given: given.shipDate,
    check: dateCheck,
    missing,
    default: today,
    factDefault: true,
  });
  if (ctx.createdAt && /^\d{4}-\d{2}-\d{2}/.test(ctx.createdAt)) {
    const created = ctx.createdAt.slice(0, 10);
    if (wholeDaysBetween(created, shipDate) > SHIP_WITHIN_DAYS)
      deps.terminal.warn(
        `the job was created on ${created}, more than two weeks before ${shipDate}: the service may delete jobs not shipped within two weeks; check it still exists (diskprep status)`,
      );
  }

  const { returnAddress, returnShipping } = await askReturnDetails(deps, given, {
    carriers: ctx.carriers,
    location: ctx.location,
    remembered: ctx.remembered,
    missing,
    ...(ctx.takeRemembered ? { takeRemembered: true } : {}),
  });

  return {
    shipment: { carrierName, trackingNumber, driveCount, shipDate },
    returnAddress,
    returnShipping,
  };
}

/** What the return questions need besides the flags. */
export type ReturnContext = Pick<AskContext, 'carriers' | 'location' | 'remembered'> & {
  /** Note the flags a non-interactive run lacks instead of failing at the first. */
  missing?: MissingAnswers | undefined;
  /**
   * The remembered answers were given for this very job (its journal): a run that cannot ask
   * takes them as if given; otherwise they are only offered as defaults.
   */
  takeRemembered?: boolean;
};

/** The return contact and address: flags, else (taken or offered) remembered, else asked. */
async function askReturnAddress(
  deps: Deps,
  r: NonNullable<ShipAnswersInput['returnAddress']>,
  ctx: ReturnContext,
  take: boolean,
): Promise<ReturnAddress> {
  const m = ctx.remembered.returnAddress;
  const field = (
    flag: string,
    message: string,
    value: string | undefined,
    remembered: string | undefined,
    check: Check = required,
  ) =>
    askText(deps, {
      flag,
      message,
      given: value ?? (take ? remembered : undefined),
      check,
      default: remembered,
      missing: ctx.missing,
    });
  const recipientName = await field(
    '--return-name',
    'Return contact name',
    r.name,
    m.recipientName,
  );
  const phone = await field('--return-phone', 'Return contact phone', r.phone, m.phone, (v) =>
    (v.match(/\d/g)?.length ?? 0) >= 4 ? true : 'a phone number with at least 4 digits',
  );
  const email = await field('--return-email', 'Return contact email', r.email, m.email, (v) =>
    z.string().email().safeParse(v).success ? true : 'an email address like ops@example.org',
  );
  const streetAddress1 = await field(
    '--return-street',
    'Return street address',
    r.street,
    m.streetAddress1,
  );
  const city = await field('--return-city', 'Return city', r.city, m.city);
  // Optional: a run that cannot ask takes "none" rather than failing for it.
  const stateOrProvince = await askText(deps, {
    flag: '--return-state',
    message: 'Return state or province (empty if none)',
    given: r.state ?? (take ? m.stateOrProvince : undefined),
    check: () => true,
    default: m.stateOrProvince ?? '',
    factDefault: true,
  });
  const postalCode = await field(
    '--return-postal-code',
    'Return postal code',
    r.postalCode,
    m.postalCode,
  );
  const countryOrRegion = await field(
    '--return-country',
    'Return country or region (e.g. US)',
    r.country,
    m.countryOrRegion,
  );
  return {
    recipientName,
    streetAddress1,
    city,
    ...(stateOrProvince ? { stateOrProvince } : {}),
    postalCode,
    countryOrRegion,
    phone,
    email,
  };
}

/**
 * The return contact, address, carrier and account: each answered by its `--return-*` flag or
 * asked (the remembered address offered as defaults). `prepare` asks these before it creates a
 * job; {@link askShippingDetails} asks them after the shipment questions.
 */
export async function askReturnDetails(
  deps: Deps,
  given: Pick<ShipAnswersInput, 'returnAddress' | 'returnCarrier' | 'returnCarrierAccount'>,
  ctx: ReturnContext,
): Promise<Pick<ShipAnswers, 'returnAddress' | 'returnShipping'>> {
  deps.redactor.add(given.returnCarrierAccount);
  const take = ctx.takeRemembered === true && !deps.prompt.interactive;
  const returnAddress = await askReturnAddress(deps, given.returnAddress ?? {}, ctx, take);

  const returnCarrier = await askCarrier(deps, {
    flag: '--return-carrier',
    message: 'Carrier for the return shipment',
    given: given.returnCarrier ?? (take ? ctx.remembered.returnCarrier : undefined),
    carriers: ctx.carriers,
    location: ctx.location,
    default: ctx.remembered.returnCarrier,
    strict: true,
    missing: ctx.missing,
  });
  const account = await askText(deps, {
    flag: '--return-carrier-account',
    message: `Your ${returnCarrier || 'return carrier'} account number (the service bills the return to it)`,
    given: given.returnCarrierAccount,
    missing: ctx.missing,
    check: (v) =>
      v === ''
        ? 'the account number is needed'
        : v.length > 64
          ? 'longer than 64 characters'
          : true,
    secret: true,
  });
  deps.redactor.add(account);

  return {
    returnAddress,
    returnShipping: { carrierName: returnCarrier, carrierAccountNumber: account },
  };
}
