/** What a publish settings file yields once loaded and checked. */
import type { ManagementCertificate } from './certificate.ts';
import type { CloudName } from './clouds.ts';

/** A management certificate plus its validity at load time. */
export interface LoadedCertificate extends ManagementCertificate {
  /** notAfter is in the past (a warning was printed). */
  expired: boolean;
  /** notBefore is in the future. */
  notYetValid: boolean;
  /** Whole days from now until notAfter (negative once expired). */
  daysLeft: number;
}

/** One subscription of a publish settings file, with the values that apply to it. */
export interface PublishSubscription {
  /** Subscription id (a GUID). */
  id: string;
  name: string;
  /** Classic Service Management endpoint, ending with `/`. */
  serviceManagementUrl: string;
  /** The cloud of that endpoint; `custom` for an endpoint of no known cloud. */
  cloud: CloudName | 'custom';
  certificate: LoadedCertificate;
}

/** A loaded publish settings file. */
export interface PublishSettings {
  /** Absolute path of the file. */
  file: string;
  /** `1`: endpoint and certificate on the profile; `2.0`: per subscription. */
  schemaVersion: '1' | '2.0';
  subscriptions: PublishSubscription[];
}
