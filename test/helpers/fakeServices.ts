/**
 * The shared e2e fixture of the Azure side: the loopback classic service (mutual TLS, with an
 * openssl management certificate in a generated publish-settings file) and the loopback ARM
 * (Data Box and Microsoft.ImportExport, every request validated against the OpenAPI specs),
 * started together. Staging locations: ./staging.ts; typed answers to the prompts: ./answers.ts.
 */
import { makeTestPki, type TestPki } from '../fakes/certs.ts';
import { FakeArm, type FakeArmOptions } from '../fakes/fakeArm.ts';
import { FakeClassic } from '../fakes/fakeClassic.ts';
import { FakeEntra, OPERATOR, operatorToken } from '../fakes/fakeEntra.ts';
import {
  makeManagementCert,
  type ManagementCertFixture,
  writePublishSettings,
} from '../ship/fixtures.ts';

/** The classic subscription of the publish-settings file. */
export const SUB = '8a4a0a51-728e-482e-8daa-c477f03c541d';
/** The ARM subscription of the jobs on the fake ARM. */
export const ARM_SUB = '00000000-1111-2222-3333-444444444444';

/** The running fakes. */
export interface Fakes {
  pki: TestPki;
  cert: ManagementCertFixture;
  classic: FakeClassic;
  arm: FakeArm;
  /** The publish-settings file for {@link SUB} at the fake classic service. */
  publishSettings: string;
  stop(): Promise<void>;
}

/**
 * Starts both fakes (the ARM accepts the bearer `token`; `armOptions` tune it) and writes the
 * publish-settings file.
 */
export async function startFakes(
  token: string,
  armOptions: Pick<FakeArmOptions, 'retryAfterSeconds'> = {},
): Promise<Fakes> {
  const pki = await makeTestPki();
  const cert = await makeManagementCert(pki);
  const classic = await new FakeClassic({
    tls: { key: pki.serverKey, cert: pki.serverCert, ca: pki.caPem },
    subscription: SUB,
    managementCert: cert.certPem,
  }).start();
  const arm = await new FakeArm({
    tls: { key: pki.serverKey, cert: pki.serverCert },
    token,
    ...armOptions,
  }).start();
  const publishSettings = await writePublishSettings(cert, SUB, classic.url);
  return {
    pki,
    cert,
    classic,
    arm,
    publishSettings,
    async stop() {
      await classic.stop();
      await arm.stop();
    },
  };
}

/** The loopback Entra authority and the ARM that takes the token it issues. */
export interface SignInFakes {
  pki: TestPki;
  /** Its one user, {@link OPERATOR}, approves device codes when the test says. */
  entra: FakeEntra;
  arm: FakeArm;
  /** The access token the authority issues and the ARM accepts. */
  token: string;
  stop(): Promise<void>;
}

/** Starts the fake Entra authority (TLS, test CA) and the fake ARM (`armOptions` tune it). */
export async function startSignInFakes(
  armOptions: Pick<FakeArmOptions, 'retryAfterSeconds'> = {},
): Promise<SignInFakes> {
  const pki = await makeTestPki();
  const tls = { key: pki.serverKey, cert: pki.serverCert };
  const token = operatorToken();
  const entra = await new FakeEntra({
    tls,
    apps: [],
    accessToken: token,
    users: [OPERATOR],
  }).start();
  const arm = await new FakeArm({ tls, token, ...armOptions }).start();
  return {
    pki,
    entra,
    arm,
    token,
    async stop() {
      await entra.stop();
      await arm.stop();
    },
  };
}
