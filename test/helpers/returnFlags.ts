/** The `--return-*` flags of a scripted run: one operator's return address and carrier account. */
export function returnFlags(carrier: string, account: string): string[] {
  return [
    '--return-name',
    'Backup Ops',
    '--return-phone',
    '+1 425 555 0100',
    '--return-email',
    'ops@example.org',
    '--return-street',
    '1 Main St',
    '--return-city',
    'Redmond',
    '--return-state',
    'WA',
    '--return-postal-code',
    '98052',
    '--return-country',
    'US',
    '--return-carrier',
    carrier,
    '--return-carrier-account',
    account,
  ];
}

/** The return address {@link returnFlags} gives, as the job services and the journal hold it. */
export const RETURN_ADDRESS = {
  recipientName: 'Backup Ops',
  streetAddress1: '1 Main St',
  city: 'Redmond',
  stateOrProvince: 'WA',
  postalCode: '98052',
  countryOrRegion: 'US',
  phone: '+1 425 555 0100',
  email: 'ops@example.org',
};
