import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { resolveDatabase } from './database/database-startup.js';
import { CliModule } from './cli/cli.module.js';
import { CommanderExit } from './cli/commander-exits.js';
import { createRootLogger, PinoNestLogger } from './common/logging/logger.js';
import { ConfigError, loadConfig } from './config/app-config.js';

/** `npm run cli -- <command>`: the service's modules without HTTP, for batch work and operations. */
async function main(): Promise<void> {
  // The CLI is not a standing worker: only `runs:start --wait` takes jobs, while it waits.
  const config = loadConfig(process.env, {
    logLevel: (process.env.LOG_LEVEL as never) ?? 'warn',
    role: 'api',
    // No requests to serve, so the CLI's own thread prepares bodies beside its ingest threads
    // (cores - 1 of them by default): the same rate as one more thread, without its heap.
    ingestOnCallerThread: true,
  });
  const logger = createRootLogger(config.logLevel);
  const database = await resolveDatabase(config, logger);
  // nest-commander resets process.exitCode after a failed command; keep the outcome here.
  let exitCode = 0;
  try {
    await CommandFactory.run(CliModule.forRoot(config, database.url), {
      logger: new PinoNestLogger(logger),
      cliName: 'securescore',
      serviceErrorHandler: (error) => {
        if (error instanceof CommanderExit) {
          exitCode = Math.max(exitCode, error.exitCode);
          return;
        }
        process.stderr.write(`${error.message}\n`);
        exitCode = 1;
      },
    });
  } finally {
    await database.stop();
  }
  process.exit(Math.max(exitCode, Number(process.exitCode ?? 0)));
}

main().catch((error: unknown) => {
  process.stderr.write(error instanceof ConfigError ? `${error.message}\n` : `${String(error)}\n`);
  process.exit(1);
});
