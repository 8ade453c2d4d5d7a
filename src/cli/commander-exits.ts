import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { Command } from 'commander';
import { InjectCommander } from 'nest-commander';

/** commander's own ending of a run (help, version, a usage error), with its exit code. */
export class CommanderExit extends Error {
  constructor(readonly exitCode: number) {
    super(`commander exit ${exitCode}`);
  }
}

/**
 * commander ends a help, version or usage-error run with `process.exit`, which skipped the
 * CLI's `finally` and left its embedded PostgreSQL running on the data folder. Every command
 * (nest-commander's `errorHandler` reaches the root only) throws a `CommanderExit` instead,
 * which unwinds through that `finally`; commander has printed its text by then.
 */
@Injectable()
export class CommanderExits implements OnApplicationBootstrap {
  constructor(@InjectCommander() private readonly program: Command) {}

  /** After nest-commander's onModuleInit has built the command tree. */
  onApplicationBootstrap(): void {
    const override = (command: Command): void => {
      command.exitOverride((error) => {
        throw new CommanderExit(error.exitCode);
      });
      command.commands.forEach(override);
    };
    override(this.program);
  }
}
