/** Registers every subcommand. One file per command, each owning its options. */
import type { Command } from 'commander';
import type { SetInvocation } from '../common.ts';
import { registerSettings } from './settings.ts';
import { registerInit } from './init.ts';
import { registerPlan } from './plan.ts';
import { registerPrepare } from './prepare.ts';
import { registerVerify } from './verify.ts';
import { registerDrives } from './drives.ts';
import { registerShip } from './ship.ts';
import { registerStatus } from './status.ts';
import { registerCheck } from './check.ts';
import { registerVerifyImport } from './verifyImport.ts';
import { registerJobs } from './jobs.ts';
import { registerCancel } from './cancel.ts';
import { registerWhoami } from './whoami.ts';
import { registerLogin, registerLogout } from './login.ts';

/** Adds all subcommands to `program`. */
export function registerCommands(program: Command, set: SetInvocation): void {
  registerPrepare(program, set);
  registerShip(program, set);
  registerStatus(program, set);
  registerJobs(program, set);
  registerCancel(program, set);
  registerInit(program, set);
  registerPlan(program, set);
  registerDrives(program, set);
  registerVerify(program, set);
  registerVerifyImport(program, set);
  registerCheck(program, set);
  registerSettings(program, set);
  registerWhoami(program, set);
  registerLogin(program, set);
  registerLogout(program, set);
}
