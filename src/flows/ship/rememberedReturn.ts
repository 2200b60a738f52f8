/**
 * The return details a run offers: this job's own, kept in its journal by `prepare`
 * (answers.json; never the account number), else this computer's last (registry). A job's own
 * answers are taken as given by a run that cannot ask; this computer's are only ever offered.
 */
import type { Deps } from '../../deps/types.ts';
import type { RememberedAnswers } from '../../journal/answersRecord.ts';
import { readRememberedReturn, type RememberedReturn } from '../../registry/returnAddress.ts';

/** What to offer, and whether it was given for this very job. */
export interface RememberedReturnFor {
  answers: RememberedReturn;
  fromJournal: boolean;
}

/** This job's remembered return details (`journal`: its answers.json), else this computer's. */
export async function rememberedReturn(
  deps: Deps,
  journal: RememberedAnswers | undefined,
): Promise<RememberedReturnFor> {
  if (journal?.returnAddress && Object.keys(journal.returnAddress).length > 0)
    return {
      answers: {
        returnAddress: journal.returnAddress,
        ...(journal.returnCarrier ? { returnCarrier: journal.returnCarrier } : {}),
      },
      fromJournal: true,
    };
  return { answers: await readRememberedReturn(deps), fromJournal: false };
}
