/** One operator's return address, as the tests type it and as the services receive it. */
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

/** The `--return-*` flags of a scripted run: {@link RETURN_ADDRESS} and a carrier account. */
export function returnFlags(carrier: string, account: string): string[] {
  const a = RETURN_ADDRESS;
  return [
    '--return-name',
    a.recipientName,
    '--return-phone',
    a.phone,
    '--return-email',
    a.email,
    '--return-street',
    a.streetAddress1,
    '--return-city',
    a.city,
    '--return-state',
    a.stateOrProvince,
    '--return-postal-code',
    a.postalCode,
    '--return-country',
    a.countryOrRegion,
    '--return-carrier',
    carrier,
    '--return-carrier-account',
    account,
  ];
}
