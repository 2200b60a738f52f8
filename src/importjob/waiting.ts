/**
 * Every call to an import service can take seconds (ARM's long-running operations, sign-in,
 * a slow classic endpoint): each one turns a spinner on stderr saying what it waits for (drawn
 * only on a TTY and never under `--json`: src/deps/terminal.ts). Creating a job takes longest (a
 * Data Box job: 20 s and more), so a run without a terminal also gets one line saying what it
 * waits for, instead of silence.
 */
import { withSpinner } from '../deps/spinner.ts';
import type { Terminal } from '../deps/types.ts';
import type { ImportJobService } from '../model/importJob.ts';

/** `service` with a spinner around each call (and a line for job creation off a terminal). */
export function withWaitIndicators(
  terminal: Terminal,
  service: ImportJobService,
): ImportJobService {
  const on = `the ${service.kind} service`;
  const wait = <T>(text: string, fn: () => Promise<T>): Promise<T> =>
    withSpinner(terminal, text, fn);
  return {
    kind: service.kind,
    createJob: (request) => {
      const text = `creating import job ${request.name} on ${on}: waiting for Azure to accept it`;
      if (!terminal.isTTY) terminal.info(`${text} (this can take a minute)`);
      return wait(text, () => service.createJob(request));
    },
    getJob: (name) => wait(`asking ${on} about job ${name}`, () => service.getJob(name)),
    getShippingInfo: (location) =>
      wait(`asking ${on} for the datacenter address of ${location}`, () =>
        service.getShippingInfo(location),
      ),
    setReturnDetails: (name, details) =>
      wait(`updating the return details of job ${name}`, () =>
        service.setReturnDetails(name, details),
      ),
    markShipped: (name, shipment) =>
      wait(`recording the shipment of job ${name}`, () => service.markShipped(name, shipment)),
    cancel: (name, reason) => wait(`cancelling job ${name}`, () => service.cancel(name, reason)),
    listJobs: () => wait(`listing the jobs of ${on}`, () => service.listJobs()),
  };
}
