/**
 * The BitLocker cipher diskprep asks for on a new drive, explicitly rather than whatever the
 * machine's default or policy happens to be.
 *
 * XTS-AES 128. Sources: the Import/Export requirements page ("Azure Import/Export system
 * requirements", learn.microsoft.com/azure/import-export/storage-import-export-requirements)
 * lists Windows 10 among the operating systems that prepare drives and asks only for "BitLocker"
 * on an NTFS first data volume, naming no cipher; the import tutorial's step "Enable BitLocker
 * encryption on the NTFS volume" takes BitLocker's default. On Windows 10 1511 and later that
 * default for fixed data drives is XTS-AES 128 ("Choose drive encryption method and cipher
 * strength (Windows 10 [Version 1511] and later)": "If none of the policies are set, BitLocker
 * will use the default encryption method of XTS-AES 128-bit"; Policy CSP - BitLocker,
 * EncryptionMethod, default value 6 = XTS-AES 128-bit). So XTS-AES 128 is the cipher of every
 * drive prepared the documented way on a supported Windows, the one the datacenter unlocks
 * routinely. The recovery password unlocks any cipher; AES-CBC would only matter for readers
 * older than Windows 10 1511, which the service does not use for new drives.
 */

/** Enable-BitLocker -EncryptionMethod value (BitLockerVolumeEncryptionMethodOnEnable). */
export const ENCRYPTION_METHOD = 'XtsAes128';

/**
 * FVE policy `EncryptionMethodWithXtsFdv` values (fixed data drives): 3 AES-CBC 128,
 * 4 AES-CBC 256, 6 XTS-AES 128, 7 XTS-AES 256 (Policy CSP - BitLocker, EncryptionMethod).
 */
export const POLICY_METHODS: Record<number, string> = {
  3: 'Aes128',
  4: 'Aes256',
  6: 'XtsAes128',
  7: 'XtsAes256',
};
