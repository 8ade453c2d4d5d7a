import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Logger } from 'pino';
import { createRootLogger, PinoNestLogger } from './common/logging/logger.js';
import type { AppConfig } from './config/app-config.js';
import { migrateDatabase } from './database/database-startup.js';
import { WorkerModule } from './worker.module.js';

/** A worker process: the portfolio-run worker starts on bootstrap; it serves no HTTP. */
export async function createWorkerContext(
  config: AppConfig,
  databaseUrl: string,
  options: { logger?: Logger } = {},
): Promise<INestApplicationContext> {
  const logger = options.logger ?? createRootLogger(config.logLevel);
  await migrateDatabase(config, databaseUrl);
  const app = await NestFactory.createApplicationContext(
    WorkerModule.forRoot(config, databaseUrl),
    {
      logger: new PinoNestLogger(logger),
      abortOnError: false,
    },
  );
  await app.init();
  return app;
}
