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
