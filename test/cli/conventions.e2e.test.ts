/**
 * The conventions every command shares, on the built binary: `-o/--output json|table` beside
 * `--json`, the `{"error": ...}` document on stdout for every failure under JSON (argument
 * errors included), unknown flags reported first with a suggestion, and the candidates named
 * when a choice is demanded of a script.
 */
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/tempDir.ts';
import { makeStaging } from '../helpers/staging.ts';

/** A staging location holding `names` (offline jobs, each with its own data folder). */
function stagingWithJobs(names: readonly string[]): string {
  const files = Object.fromEntries(names.map((n) => [`${n}/file.txt`, `${n}\n`]));
  return makeStaging(
    names.map((name) => ({ name, service: 'offline' as const, data: name })),
    files,
  );
}

const oneLine = (text: string) => text.trim().split('\n');

describe('unknown flags first, with a suggestion', () => {
  it('prepare --stagign /x names the typo and --staging, not the missing --staging; exit 2', async () => {
    const r = await runCli(['prepare', '--stagign', '/x']);
    expect(r.exitCode).toBe(2);
    expect(oneLine(r.stderr)).toEqual([
      "diskprep: unknown option '--stagign' (did you mean --staging?) — see diskprep --help",
    ]);
    expect(r.stdout).toBe('');
  });

  it('a missing required option is still reported when every flag is known', async () => {
    const r = await runCli(['plan', '--drive-size', '1TB']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^diskprep: required option '-s, --staging <dir>' not specified/);
  });

  it('jobs and init take a subscription id: a name is refused before any Azure call, exit 2, one line pointing to whoami', async () => {
    for (const args of [
      ['jobs', '--subscription', 'Contoso Backup'],
      ['init', '--staging', tempDir('sub-name'), '--job', 'photos', '--subscription', 'Prod'],
    ]) {
      const r = await runCli(args, { env: { DISKPREP_ACCESS_TOKEN: undefined } });
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(oneLine(r.stderr)).toHaveLength(1);
      expect(r.stderr).toContain(
        'expected the subscription id (a GUID), not its name: see the ids with diskprep whoami',
      );
    }
  });

  it('a mistyped command gets its suggestion on the same line', async () => {
    const r = await runCli(['prepar', '--json']);
    expect(r.exitCode).toBe(2);
    expect(oneLine(r.stderr)).toHaveLength(1);
    expect(r.stderr).toContain("unknown command 'prepar' (did you mean prepare?)");
  });
});

describe('-o/--output json|table', () => {
  it('-o json, --output json and --output=json print what --json prints; -o table what no flag prints', async () => {
    const staging = stagingWithJobs(['photos']);
    const args = ['plan', `s:${staging}`, '--drive-size', '1TB'];
    const json = await runCli([...args, '--json']);
    expect(json.exitCode, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ job: 'photos', files: 1 });
    for (const o of [['-o', 'json'], ['--output', 'json'], ['--output=json']]) {
      const r = await runCli([...args, ...o]);
      expect(r.stdout, o.join(' ')).toBe(json.stdout);
    }
    const table = await runCli([...args, '-o', 'table']);
    const plain = await runCli(args);
    expect(table.exitCode).toBe(0);
    expect(table.stdout).toBe(plain.stdout);
    expect(table.stdout).not.toMatch(/^\{/);
  });

  it('a bad value exits 2 with one line listing the values', async () => {
    const r = await runCli(['drives', '-o', 'yaml']);
    expect(r.exitCode).toBe(2);
    expect(oneLine(r.stderr)).toHaveLength(1);
    expect(r.stderr).toContain("argument 'yaml' is invalid. Allowed choices are json, table.");
  });

  it('--json with -o table is refused: exit 2, the error object on stdout', async () => {
    const r = await runCli(['drives', '--json', '-o', 'table']);
    expect(r.exitCode).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({
      error: {
        code: 'ERR_DISKPREP_USAGE',
        message: '--json and --output table ask for different outputs',
        hint: 'pass one of them',
        exitCode: 2,
      },
    });
  });
});

describe('errors under --json: {"error": {code, message, hint, exitCode}} on stdout, the line on stderr', () => {
  it.each([
    [['prepare', '--stagign', '/x', '--json'], 'ERR_DISKPREP_USAGE', 2],
    [['plan', '--staging', '--json'], 'ERR_DISKPREP_USAGE', 2],
    [['plan', '-o', 'json', 's:'], 'ERR_DISKPREP_USAGE', 2],
    [
      ['plan', 's:/nonexistent/staging', '--drive-size', '1TB', '--output=json'],
      'ERR_DISKPREP_USAGE',
      2,
    ],
  ])('%j → %s, exit %d', async (args, code, exitCode) => {
    const r = await runCli(args);
    expect(r.exitCode).toBe(exitCode);
    const doc = JSON.parse(r.stdout) as { error: { message: string; hint: string | null } };
    expect(Object.keys(doc)).toEqual(['error']);
    expect(doc.error).toMatchObject({ code, exitCode });
    expect(typeof doc.error.message).toBe('string');
    expect(doc.error).toHaveProperty('hint');
    // The same one line on stderr as without --json.
    expect(oneLine(r.stderr)).toEqual([
      `diskprep: ${doc.error.message}${doc.error.hint ? ` — ${doc.error.hint}` : ''}`,
    ]);
  });
});

describe('candidates where a script must choose', () => {
  it('several jobs and no --job: exit 3 naming every job', async () => {
    const staging = stagingWithJobs(['photos', 'seed01', 'video']);
    const r = await runCli(['plan', `s:${staging}`, '--drive-size', '1TB']);
    expect(r.exitCode).toBe(3);
    expect(oneLine(r.stderr)).toHaveLength(1);
    expect(r.stderr).toContain(
      'no answer in a non-interactive run — pass --job, one of: photos, seed01, video',
    );
  });

  it('twelve jobs: ten named and "and 2 more"; --json carries them in details', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `job${String(i + 1).padStart(2, '0')}`);
    const staging = stagingWithJobs(names);
    const r = await runCli(['plan', `s:${staging}`, '--drive-size', '1TB', '--json']);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain(`pass --job, one of: ${names.slice(0, 10).join(', ')} and 2 more`);
    const doc = JSON.parse(r.stdout) as { error: { code: string; details: unknown } };
    expect(doc.error.code).toBe('ERR_DISKPREP_NEEDS_ANSWER');
    expect(doc.error.details).toEqual({ flag: '--job', candidates: names.slice(0, 10), total: 12 });
  });

  it('cancel --yes without --job: exit 3 naming the jobs of this computer not yet cancelled', async () => {
    const home = tempDir('conventions-home');
    const job = (name: string, extra: Record<string, string> = {}) => ({
      name,
      service: 'databox',
      createdAt: '2026-11-20T08:30:00Z',
      ...extra,
    });
    fs.writeFileSync(
      path.join(home, 'jobs.json'),
      JSON.stringify({
        version: 1,
        jobs: [job('photos'), job('seed01', { cancelledAt: '2026-11-21T08:30:00Z' }), job('video')],
      }),
    );
    const r = await runCli(['cancel', '--yes', '--json'], { env: { DISKPREP_HOME: home } });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain('pass --job, one of: video, photos');
    const doc = JSON.parse(r.stdout) as { error: { details: unknown } };
    expect(doc.error.details).toEqual({ flag: '--job', candidates: ['video', 'photos'], total: 2 });
  });
});
