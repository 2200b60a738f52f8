/**
 * Publish settings: the `.publishsettings` file of the classic (Service Management) service,
 * its subscriptions and management certificate, and the Azure cloud table.
 */
export { loadPublishSettings, chooseSubscription, type LoadOptions } from './load.ts';
export { decodeManagementCertificate, type ManagementCertificate } from './certificate.ts';
export {
  CLOUDS,
  CLOUD_NAMES,
  cloudByName,
  cloudForServiceManagementUrl,
  resolveCloud,
  type Cloud,
  type CloudName,
} from './clouds.ts';
export type { LoadedCertificate, PublishSettings, PublishSubscription } from './types.ts';
