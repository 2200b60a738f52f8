import { describe, expect, it } from 'vitest';
import {
  containerSasFormProblem,
  containerSasValue,
  parseContainerSas,
} from '../../src/model/containerSas.ts';
import { containerSasToken } from '../engine/stagingFixture.ts';

const TOKEN = containerSasToken('seed');
const SIG = new URLSearchParams(TOKEN).get('sig')!;

describe('container SAS forms', () => {
  it('splits every form an operator pastes into container and token', () => {
    expect(TOKEN).toMatch(/^sv=\d{4}-\d\d-\d\d&.*&sr=c&sp=racwdl&sig=/);
    expect(parseContainerSas(`seed?${TOKEN}`)).toEqual({ container: 'seed', token: TOKEN });
    expect(parseContainerSas(`?${TOKEN}`)).toEqual({ token: TOKEN });
    expect(parseContainerSas(` ${TOKEN}\n`)).toEqual({ token: TOKEN });
    expect(parseContainerSas(`https://acct.blob.core.windows.net/seed?${TOKEN}`)).toEqual({
      container: 'seed',
      token: TOKEN,
    });
    expect(parseContainerSas(`http://127.0.0.1:10000/devstoreaccount1/%24root?${TOKEN}`)).toEqual({
      container: '$root',
      token: TOKEN,
    });
  });

  it('builds <container>?<token> from a token in any stored form', () => {
    expect(containerSasValue('seed', TOKEN)).toBe(`seed?${TOKEN}`);
    expect(containerSasValue('seed', `?${TOKEN}`)).toBe(`seed?${TOKEN}`);
    expect(containerSasValue('seed', `seed?${TOKEN}`)).toBe(`seed?${TOKEN}`);
  });

  it('says what is wrong with a <ContainerSas> value without quoting the token', () => {
    expect(containerSasFormProblem(`seed?${TOKEN}`, 'seed')).toBeUndefined();
    expect(containerSasFormProblem(`$root?${TOKEN}`)).toBeUndefined();
    for (const [value, problem] of [
      [TOKEN, /bare SAS token/],
      [`?${TOKEN}`, /bare SAS token/],
      [`Seed_1?${TOKEN}`, /"Seed_1" .* not a container name/],
      [`other?${TOKEN}`, /names container "other", not the job's "seed"/],
      ['seed?sv=2022-11-02', /no sv= and sig=/],
    ] as const) {
      const p = containerSasFormProblem(value, 'seed');
      expect(p).toMatch(problem);
      expect(p).not.toContain(SIG);
    }
  });
});
