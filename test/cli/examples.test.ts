/** How the example runner reads a command line: words as a POSIX shell splits these examples. */
import { describe, expect, it } from 'vitest';
import { allHelpExamples, shellWords } from './examples.ts';

describe('shellWords', () => {
  it('splits on blanks, keeps quoted spaces, expands $NAME outside single quotes, keeps backslashes', () => {
    expect(
      shellWords(`diskprep s:D:\\staging --return-name "Backup Ops" --key "$KEY" '$KEY' E:\\`, {
        KEY: '111111-222222',
      }),
    ).toEqual([
      'diskprep',
      's:D:\\staging',
      '--return-name',
      'Backup Ops',
      '--key',
      '111111-222222',
      '$KEY',
      'E:\\',
    ]);
  });

  it('an unset variable or an open quote is an error, not an empty word', () => {
    expect(() => shellWords('diskprep --x "$NOPE"', {})).toThrow(/\$NOPE/);
    expect(() => shellWords('diskprep --x "open', {})).toThrow(/unbalanced/);
  });
});

describe('allHelpExamples', () => {
  it('joins continued lines, drops comments and marks the interactive ones', () => {
    const ship = allHelpExamples().filter((e) => e.source === 'help: diskprep ship');
    expect(ship.map((e) => e.interactive)).toEqual([true, true, false]);
    const scripted = ship[2]!.text;
    expect(scripted).toMatch(/^diskprep ship --staging \/srv\/staging .* --yes --json$/);
    expect(scripted).not.toContain('\\');
    expect(ship[0]!.text).toBe('diskprep u:');
  });
});
