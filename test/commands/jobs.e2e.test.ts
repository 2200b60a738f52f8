/**
 * The operator's terminal for `cancel` and `status --watch` (built binary under tmux, loopback
 * spec-validating ARM): the job's name typed back cancels it; Ctrl-C during a watch exits 130.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPki } from '../fakes/certs.ts';
import { FakeArm } from '../fakes/fakeArm.ts';
import { hasTmux, startInteractive } from '../helpers/tmux.ts';
import { tempDir } from '../helpers/tempDir.ts';

const TOKEN = 'jobs-e2e-token-2b7c9d4e6f8a0b1c';
const SUB = '00000000-1111-2222-3333-444444444444';
let arm: FakeArm;
let caFile: string;

beforeAll(async () => {
  const pki = await makeTestPki();
  arm = await new FakeArm({
    tls: { key: pki.serverKey, cert: pki.serverCert },
    token: TOKEN,
  }).start();
  caFile = path.join(tempDir('jobs-e2e'), 'ca.pem');
  writeFileSync(caFile, pki.caPem);
});
afterAll(async () => {
  expect(arm.violations).toEqual([]);
  await arm.stop();
});

function start(args: string[]) {
  const where = ['--subscription', SUB, '--resource-group', 'rg-backup'];
  return startInteractive([...args, ...where, '--arm-endpoint', arm.url, '--ca-file', caFile], {
    env: { DISKPREP_ACCESS_TOKEN: TOKEN, DISKPREP_HOME: tempDir('jobs-e2e-home') },
  });
}

describe.runIf(await hasTmux())('cancel and status --watch in a terminal', () => {
  it('cancel: the job name typed back cancels the job', async () => {
    arm.addExternalDataBoxJob(SUB, 'rg-backup', 'portal-1');
    const t = await start(['cancel', '--job', 'portal-1']);
    try {
      await t.waitFor("Type the job's name (portal-1) to cancel it");
      await t.type('portal-1');
      expect(await t.exitCode()).toBe(0);
      const screen = await t.screen();
      expect(screen).toContain('job portal-1 (databox) cancelled: Cancelled');
      expect(screen).not.toContain(TOKEN);
      expect(arm.databoxJobs.get('portal-1')!.properties.status).toBe('Cancelled');
    } finally {
      await t.kill();
    }
  });

  it('status --watch: Ctrl-C while waiting exits 130', async () => {
    arm.addExternalDataBoxJob(SUB, 'rg-backup', 'portal-2');
    const t = await start(['status', '--job', 'portal-2', '--watch', '--interval', '3600']);
    try {
      await t.waitFor('checking every 3600 s until that changes');
      await t.keys('C-c');
      expect(await t.exitCode()).toBe(130);
    } finally {
      await t.kill();
    }
  });
});
