/**
 * The return-shipment options `prepare` (to create the job) and `ship` (`u:`) both take, and
 * their translation into the typed answers of src/ship.
 */
import type { Command } from 'commander';
import type { ReturnAddressAnswers, ShipAnswersInput } from '../model/shipping.ts';

/** Adds `--return-name` ... `--return-carrier-account`. */
export function addReturnOptions(cmd: Command): Command {
  return cmd
    .option('--return-name <name>', 'return contact name')
    .option('--return-phone <phone>', 'return contact phone')
    .option('--return-email <email>', 'return contact email')
    .option('--return-street <line>', 'return street address')
    .option('--return-city <city>', 'return city')
    .option('--return-state <state>', 'return state or province')
    .option('--return-postal-code <code>', 'return postal code')
    .option('--return-country <country>', 'return country or region')
    .option('--return-carrier <name>', 'carrier for the return shipment')
    .option('--return-carrier-account <number>', 'your account number with the return carrier');
}

/** The return answers given as flags. */
export type ReturnFlags = Pick<ShipAnswersInput, 'returnCarrier' | 'returnCarrierAccount'> & {
  returnAddress: ReturnAddressAnswers;
};

/** Reads the return answers out of a command's parsed options. */
export function returnFrom(o: Record<string, unknown>): ReturnFlags {
  const s = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    returnAddress: {
      name: s(o.returnName),
      phone: s(o.returnPhone),
      email: s(o.returnEmail),
      street: s(o.returnStreet),
      city: s(o.returnCity),
      state: s(o.returnState),
      postalCode: s(o.returnPostalCode),
      country: s(o.returnCountry),
    },
    returnCarrier: s(o.returnCarrier),
    returnCarrierAccount: s(o.returnCarrierAccount),
  };
}
