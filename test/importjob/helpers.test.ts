import forge from 'node-forge';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NeedsAnswerError } from '../../src/errors.ts';
import { datacenterAddressLines } from '../../src/importjob/databox.ts';
import { redactJson, retryDelayMs } from '../../src/importjob/restClient.ts';
import { addressLines } from '../../src/model/importJob.ts';
import { resolveCloud } from '../../src/publishsettings/clouds.ts';
import { chooseSubscription, loadPublishSettings } from '../../src/publishsettings/load.ts';
import { parseServiceError } from '../../src/importjob/serviceError.ts';
import { fakeDeps } from '../helpers/fakeDeps.ts';

describe('service errors', () => {
  it('reads ARM, classic odata.error and XML error bodies', () => {
    expect(
      parseServiceError(
        '{"error":{"code":"Conflict","message":"Job exists.","details":[{"message":"Pick another name."}]}}',
      ),
    ).toEqual({
      code: 'Conflict',
      message: 'Job exists. Pick another name.',
    });
    expect(
      parseServiceError(
        '{"odata.error":{"code":"400","message":{"lang":"en-US","value":"Bad drive."},"azure.values":[{"ExtendedCode":"InvalidDriveId"}]}}',
      ),
    ).toEqual({ code: 'InvalidDriveId', message: 'Bad drive.' });
    expect(
      parseServiceError(
        '<Error><Code>ForbiddenError</Code><Message>The server failed to authenticate the request.</Message></Error>',
      ),
    ).toEqual({
      code: 'ForbiddenError',
      message: 'The server failed to authenticate the request.',
    });
  });
});

describe('retry delays', () => {
  const now = new Date('2026-11-21T10:00:00Z');
  it('honours Retry-After in seconds and as a date, else backs off exponentially', () => {
    expect(retryDelayMs(1, '7', now)).toBe(7000);
    expect(retryDelayMs(1, 'Sat, 21 Nov 2026 10:00:30 GMT', now)).toBe(30_000);
    expect([1, 2, 3, 6, 9].map((a) => retryDelayMs(a, undefined, now))).toEqual([
      1000, 2000, 4000, 30_000, 30_000,
    ]);
  });
});

describe('redacting request bodies', () => {
  it('hides BitLocker keys, carrier accounts, storage keys and SAS, keeps hashes', () => {
    const body = {
      DriveList: [{ DriveId: 'X', BitLockerKey: 'k1', ManifestHash: 'AB' }],
      Properties: {
        StorageAccountKey: 'k2',
        ContainerSas: 'c?sig=1',
        ReturnShipping: { CarrierAccountNumber: 'k3' },
      },
      details: {
        importDiskDetailsCollection: { X: { bitLockerKey: 'k4', manifestHash: 'CD' } },
        keyEncryptionKey: { kekType: 'MicrosoftManaged' },
      },
    };
    const text = JSON.stringify(redactJson(body));
    for (const s of ['k1', 'k2', 'c?sig=1', 'k3', 'k4']) expect(text).not.toContain(`"${s}"`);
    expect(text).toContain('"AB"');
    expect(text).toContain('"MicrosoftManaged"');
  });
});

describe('clouds', () => {
  it('follows the publish settings endpoint to sovereign clouds', () => {
    expect(resolveCloud(undefined, 'https://management.core.usgovcloudapi.net').name).toBe('usgov');
    expect(resolveCloud(undefined, 'https://management.core.chinacloudapi.cn/').armEndpoint).toBe(
      'https://management.chinacloudapi.cn/',
    );
    expect(resolveCloud(undefined, 'https://management.core.windows.net/').name).toBe('public');
  });

  it('recognises a sovereign host by its domain, falls back to public, and --cloud wins', () => {
    expect(resolveCloud(undefined, 'https://management.usgovcloudapi.net/').name).toBe('usgov');
    expect(resolveCloud(undefined, 'https://127.0.0.1:8443/').name).toBe('public');
    expect(resolveCloud(undefined, 'not a url').name).toBe('public');
    expect(resolveCloud('china', 'https://management.core.windows.net/').name).toBe('china');
    expect(resolveCloud('AzureGermanCloud').armScope).toBe(
      'https://management.microsoftazure.de/.default',
    );
    expect(() => resolveCloud('mars')).toThrow(/unknown cloud "mars"/);
  });
});

describe('publish settings for the classic service (loader + subscription choice)', () => {
  it('reads a schema 2.0 file and its password-less PKCS#12 certificate, registering the key', async () => {
    const keys = forge.pki.rsa.generateKeyPair(1024);
    const cert = forge.pki.createCertificate();
    cert.publicKey = keys.publicKey;
    cert.serialNumber = '01';
    cert.validity.notBefore = new Date();
    cert.validity.notAfter = new Date(Date.now() + 86_400_000);
    cert.setSubject([{ name: 'commonName', value: 'mgmt' }]);
    cert.setIssuer([{ name: 'commonName', value: 'mgmt' }]);
    cert.sign(keys.privateKey, forge.md.sha256.create());
    const p12 = forge.pkcs12.toPkcs12Asn1(keys.privateKey, cert, '', { algorithm: '3des' });
    const b64 = forge.util.encode64(forge.asn1.toDer(p12).getBytes());
    const dir = await mkdtemp(path.join(os.tmpdir(), 'diskprep-ps-'));
    const file = path.join(dir, 'a.publishsettings');
    await writeFile(
      file,
      `<?xml version="1.0" encoding="utf-8"?><PublishData><PublishProfile SchemaVersion="2.0" PublishMethod="AzureServiceManagementAPI">` +
        `<Subscription ServiceManagementUrl="https://management.core.usgovcloudapi.net" Id="8a4a0a51-728e-482e-8daa-c477f03c541d" Name="Gov" ManagementCertificate="${b64}" />` +
        `<Subscription ServiceManagementUrl="https://management.core.windows.net" Id="11111111-728e-482e-8daa-c477f03c541d" Name="Other" ManagementCertificate="${b64}" />` +
        `</PublishProfile></PublishData>`,
    );
    const { deps } = fakeDeps({ now: new Date() });
    const settings = await loadPublishSettings(deps, file);
    // Two subscriptions and no --subscription: asked for, never guessed (non-interactive: exit 3).
    const err = (await chooseSubscription(deps, settings, undefined).catch(
      (e: unknown) => e,
    )) as NeedsAnswerError;
    expect(err).toBeInstanceOf(NeedsAnswerError);
    expect(err.message).toMatch(/holds 2 subscriptions/);
    expect(err.flag).toBe('--subscription');
    const sub = await chooseSubscription(deps, settings, 'Gov');
    expect(sub).toMatchObject({
      id: '8a4a0a51-728e-482e-8daa-c477f03c541d',
      serviceManagementUrl: 'https://management.core.usgovcloudapi.net/',
      cloud: 'usgov',
    });
    expect(sub.certificate.certPem).toContain('BEGIN CERTIFICATE');
    expect(deps.redactor.redact(sub.certificate.keyPem)).toBe('***');
    expect(deps.redactor.redact(b64)).toBe('***');
  });
});

describe('address blocks', () => {
  it('one layout for every service: recipient, streets, city line, country, phone, extra', () => {
    expect(
      addressLines({
        recipient: 'Microsoft Azure Import/Export Service',
        street: ['1 Datacenter Way', undefined, 'Dock 4'],
        city: 'Boydton',
        stateOrProvince: 'VA',
        postalCode: '23917',
        country: 'USA',
        phone: '4345550100',
        extra: 'Ship with tracking',
      }),
    ).toEqual([
      'Microsoft Azure Import/Export Service',
      '1 Datacenter Way',
      'Dock 4',
      'Boydton, VA, 23917',
      'USA',
      'Phone: 4345550100',
      'Ship with tracking',
    ]);
    expect(addressLines({ street: [], city: 'Dublin' })).toEqual(['Dublin']);
  });

  it('Data Box: company after the contact, the phone extension, or the instruction alone', () => {
    expect(
      datacenterAddressLines({
        datacenterAddressType: 'DatacenterAddressLocation',
        contactPersonName: 'Import team',
        company: 'Microsoft',
        street1: '1 Way',
        city: 'Amsterdam',
        zip: '1000',
        country: 'NL',
        phone: '+31 20',
        phoneExtension: '42',
      }).lines,
    ).toEqual([
      'Import team',
      'Microsoft',
      '1 Way',
      'Amsterdam, 1000',
      'NL',
      'Phone: +31 20 ext. 42',
    ]);
    expect(
      datacenterAddressLines({
        datacenterAddressType: 'DatacenterAddressInstruction',
        communicationInstruction: 'Call first',
      }),
    ).toEqual({ lines: [], instructions: 'Call first' });
  });
});
