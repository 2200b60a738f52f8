/**
 * The multi-select of disks as an operator meets it: the built binary in a real terminal (tmux),
 * `diskprep s:<staging> --all` with no `--drive`, onto two real BitLocker volumes (made by
 * Windows) on loop devices, the staging location on a third loop device (ext4, mounted). The
 * list greys the disks that cannot be prepared with the reason; Enter with nothing ticked is
 * one line and the question stays; the two disks ticked are numbered in the list's order, each
 * confirmed and keyed before either is opened, and filled at once (a progress line each). Ctrl-C in the middle, then the
 * same command: both recorded drives are found by what the journal recorded and resumed with
 * no question, neither formatted. `diskprep verify` passes on each, and read back through a
 * fresh unlock the drives hold the job between them, every file once, each its manifest's.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  canRun,
  dislockersOf,
  ELEPHANT_KEY,
  LoopLab,
  mountsUnder,
  XTS_KEY,
} from '../disk/loopImages.ts';
import { runCli } from '../helpers/cli.ts';
import { pickDisks } from '../helpers/answers.ts';
import { hasTmux, startInteractive, type TmuxSession } from '../helpers/tmux.ts';
import { jobDescriptor, writeJobFiles, writeTree } from '../helpers/staging.ts';
import { tempDir } from '../helpers/tempDir.ts';
import { Volumes } from '../helpers/volumes.ts';
import { bytes, JOB_SECRETS, manifestFilePaths, readBack } from './flowLab.ts';

const tmux = await hasTmux();
const sessions: TmuxSession[] = [];
const volumes = new Volumes();
let lab: LoopLab | undefined;
// A private TMPDIR (passed to every child, under tmux too): the "nothing left mounted" checks
// then see only this file's dislocker mounts.
const PRIVATE_TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'diskprep-multiselect-'));
process.env.TMPDIR = PRIVATE_TMP;
afterAll(() => {
  if (mountsUnder(PRIVATE_TMP).length === 0)
    fs.rmSync(PRIVATE_TMP, { recursive: true, force: true });
});
afterEach(async () => {
  for (const s of sessions.splice(0)) await s.kill();
  lab?.dispose();
  lab = undefined;
  volumes.cleanup();
});

const JOB = 'multi01';

/** Each recorded drive's committed files and NTFS serial, from the job's journal. */
function recordedDrives(staging: string): { driveId: string; files: number; ntfs?: string }[] {
  const file = path.join(staging, '.diskprep', 'journal', JOB, 'copy-state.json');
  if (!fs.existsSync(file)) return [];
  const state = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    drives: { driveId: string; files: number; disk?: { ntfsSerial?: string } }[];
  };
  return state.drives.map((d) => ({
    driveId: d.driveId,
    files: d.files,
    ...(d.disk?.ntfsSerial ? { ntfs: d.disk.ntfsSerial } : {}),
  }));
}

/** Every line of the checklist, read by moving its cursor once around the whole list. */
async function checklistLines(s: TmuxSession): Promise<string[]> {
  const cursor = async () =>
    (await s.screen()).split('\n').findLast((l) => l.startsWith('❯')) ?? '';
  const lines: string[] = [];
  let line = await cursor();
  while (!lines.includes(line) && lines.length < 100) {
    lines.push(line);
    await s.keys('Down');
    const before = line;
    const deadline = Date.now() + 5_000;
    while (line === before && Date.now() < deadline) line = await cursor();
  }
  // Back where it started: the list is as the operator first saw it.
  return lines.map((l) => l.slice(1));
}

describe.skipIf(!canRun || !tmux)(
  'the multi-select of disks in a real terminal (root, tmux)',
  () => {
    it('two BitLocker loop volumes ticked, confirmed, keyed and filled at once; Ctrl-C; the same command resumes both without a question; verify and read-back agree', async () => {
      lab = new LoopLab();
      const devs = [
        { dev: lab.attach(lab.unpackNtfs('bitlk-aes-xts-128-ntfs')), key: XTS_KEY },
        { dev: lab.attach(lab.unpackNtfs('bitlk-aes-cbc-elephant-128-ntfs')), key: ELEPHANT_KEY },
      ];
      // The staging location on its own mounted loop device: a disk the list must refuse.
      const staging = volumes.make('ext4', 96);
      const data: Record<string, Buffer> = {};
      // Small files, written and fsynced one by one through ntfs-3g: slow enough to interrupt
      // after a commit (every 40 files) on each drive.
      for (let i = 0; i < 600; i++)
        data[`seed/d${i % 6}/part-${String(i).padStart(3, '0')}.bin`] = bytes(4096, 500 + i);
      writeJobFiles(
        staging,
        jobDescriptor({ name: JOB, service: 'offline', data: 'seed' }),
        JOB_SECRETS,
      );
      writeTree(staging, data);
      const stagingDev = fs
        .readFileSync('/proc/mounts', 'utf8')
        .split('\n')
        .find((l) => l.split(' ')[1] === staging)!
        .split(' ')[0]!;
      const env = {
        DISKPREP_HOME: tempDir('ms-home'),
        DISKPREP_COMMIT_FILES: '40',
      };
      const args = [`s:${staging}`, '--all'];
      // Wide enough that no disk line of the list is broken in two (it is read line by line).
      const s = await startInteractive(args, { env, width: 500 });
      sessions.push(s);

      await s.waitFor('Which disks should be filled?');
      const list = await checklistLines(s);
      // The two volumes can be ticked; the staging disk and the system disk are greyed, with why.
      for (const { dev } of devs)
        expect(list.filter((l) => l.startsWith(`◯ ${dev}: `))).toHaveLength(1);
      const stagingLine = list.find((l) => l.startsWith(`- ${stagingDev}: `));
      expect(stagingLine).toContain(`holds the staging location ${staging}`);
      expect(stagingLine).toContain(`mounted at ${staging}`);
      expect(list.some((l) => /^- \/dev\/\S+: .*system or boot disk/.test(l))).toBe(true);
      // Usable first: no greyed line above a disk that can be ticked.
      const firstGrey = list.findIndex((l) => l.startsWith('-'));
      expect(list.slice(firstGrey).some((l) => l.startsWith('◯'))).toBe(false);

      // Enter with nothing ticked (Enter on a disk, as in a single question): one line, asked again.
      await s.keys('Enter');
      await s.waitFor(
        '> no disk ticked: press Space on each disk to fill, then Enter (Ctrl-C stops)',
      );
      expect(await s.screen()).toContain('? Which disks should be filled?');

      // Ticked lower one first: the drives are numbered in the list's order all the same.
      const listed = [...devs].sort(
        (a, b) =>
          list.findIndex((l) => l.startsWith(`◯ ${a.dev}: `)) -
          list.findIndex((l) => l.startsWith(`◯ ${b.dev}: `)),
      );
      await pickDisks(s, [listed[1]!.dev, listed[0]!.dev]);
      await s.waitFor(`filled? They are filled at the same time`);
      const ids = ['WD-MSEL0001', 'WD-MSEL0002'];
      for (const [i, { dev, key }] of listed.entries()) {
        await s.waitFor(`${dev} reports no serial number`);
        await s.type(ids[i]!);
        await s.waitFor(new RegExp(`ERASE everything on .* at ${dev}\\?`));
        await s.type('y');
        await s.waitFor(`BitLocker recovery password of ${dev} (drive ${ids[i]}`);
        await s.type(key);
      }
      // Every answer given before any disk is opened: then both are unlocked, formatted, ready.
      const answered = await s.screen();
      expect(answered).not.toContain('is ready at');
      await s.waitFor(`drive 2 (${ids[1]}) is ready at`, 60_000);
      const picked = await s.screen();
      expect(picked.indexOf(`drive 1 (${ids[0]}) is ready at`)).toBeGreaterThan(
        picked.indexOf(`BitLocker recovery password of ${listed[1]!.dev}`),
      );
      expect(picked).toMatch(
        new RegExp(
          `to copy\\); each is confirmed before it is touched ${listed[0]!.dev}, ${listed[1]!.dev}`,
        ),
      );

      // Both fill at once: a progress line each. Ctrl-C once each has a commit.
      await s.waitFor(/drive +1 WD-MSEL0001 .*\n.*drive +2 WD-MSEL0002 /, 60_000);
      const deadline = Date.now() + 60_000;
      const bothCommitted = () => {
        const r = recordedDrives(staging);
        return r.length === 2 && r.every((d) => d.files > 0);
      };
      while (!bothCommitted() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      await s.keys('C-c');
      expect(await s.exitCode()).toBe(130);
      for (const { dev } of devs) expect(dislockersOf(dev)).toEqual([]);
      const stopped = recordedDrives(staging);
      expect(stopped.map((d) => d.driveId)).toEqual(ids);
      expect(stopped.every((d) => d.files > 0 && d.ntfs !== undefined)).toBe(true);
      expect(stopped[0]!.files + stopped[1]!.files).toBeLessThan(600);
      // Formatted within a second or so of each other, yet two volumes to the identity checks.
      expect(stopped[0]!.ntfs).not.toBe(stopped[1]!.ntfs);

      // The same command: both drives found and resumed, not one question, nothing formatted.
      const again = await startInteractive(args, { env, width: 500 });
      sessions.push(again);
      const code = await again.exitCode(60_000);
      const resumed = await again.screen();
      expect(code, resumed).toBe(0);
      expect(resumed).not.toMatch(
        /Which disk|ERASE|reports no serial number|recovery password of|was being filled/,
      );
      for (const [i, { dev }] of listed.entries())
        expect(resumed).toContain(`resuming drive ${ids[i]} on ${dev} (BitLocker volume`);
      // Both opened before either starts: they fill at once again.
      expect(resumed.indexOf(`drive 2 (${ids[1]}) is ready`)).toBeLessThan(
        resumed.indexOf(`drive ${ids[0]} complete`),
      );
      for (const k of [XTS_KEY, ELEPHANT_KEY]) expect(picked + resumed).not.toContain(k);

      const seen = new Map<string, string>();
      for (const [i, { dev, key }] of listed.entries()) {
        const v = await runCli(
          ['verify', '--drive', dev, '--drive-id', ids[i]!, `s:${staging}`, '--json'],
          { env },
        );
        expect(v.exitCode, v.stderr).toBe(0);
        expect(JSON.parse(v.stdout)).toMatchObject({ ok: true, drives: [{ driveId: ids[i] }] });
        const back = await readBack(dev, key, JOB);
        expect(back.ntfsSerial).toBe(stopped[i]!.ntfs);
        expect(back.files.size).toBeGreaterThan(stopped[i]!.files);
        expect(manifestFilePaths(back.manifest).sort()).toEqual(
          [...back.files.keys()].map((k) => `\\${JOB}\\${k.replaceAll('/', '\\')}`).sort(),
        );
        for (const [rel, content] of back.files) {
          expect(seen.get(rel), `${rel} on both drives`).toBeUndefined();
          seen.set(rel, ids[i]!);
          expect(content, rel).toEqual(data[`seed/${rel}`]);
        }
      }
      expect([...seen.keys()].sort()).toEqual(
        Object.keys(data)
          .map((k) => k.slice(5))
          .sort(),
      );
      for (const { dev } of devs) expect(dislockersOf(dev)).toEqual([]);
    });
  },
);
