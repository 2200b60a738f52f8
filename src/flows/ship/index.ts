/**
 * The shipping step: `diskprep u:` / `diskprep ship` use it whole; `prepare` calls
 * {@link enterShippingDetails} when the operator enters the shipping details right away.
 */
export {
  enterShippingDetails,
  printShipResult,
  type EnterShippingOptions,
} from './enterShippingDetails.ts';
export { acceptsShippingDetails, explainState, nextStep } from './jobStates.ts';
export type { ServiceFactory } from '../../importjob/connect.ts';
export { locateJob, type LocatedJob } from './locateJob.ts';
export { SHIPPING_RULES, maskAccount, addressLine } from './review.ts';
export { askReturnDetails, type ReturnContext } from './askShippingDetails.ts';
export {
  readRememberedReturn,
  rememberReturn,
  type RememberedReturn,
} from '../../registry/returnAddress.ts';
export type {
  ReturnAddressAnswers,
  ShipAnswers,
  ShipAnswersInput,
  ShipJob,
  ShipResult,
} from '../../model/shipping.ts';
