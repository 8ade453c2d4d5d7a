import 'reflect-metadata';
import type { Server } from 'node:http';
import type { INestApplicationContext } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { resolveDatabase } from './database/database-startup.js';
import { ConfigError, loadConfig } from './config/app-config.js';
import { databaseStartupProblem } from './common/errors/database-errors.js';
import { createRootLogger } from './common/logging/logger.js';
import { ShutdownState } from './health/shutdown-state.js';

/** `--role api|worker|all` (or `--role=...`) on the command line wins over ROLE. */
function roleArgument(args: string[]): { ROLE?: string } {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--role') return { ROLE: args[i + 1] ?? '' };
    if (args[i].startsWith('--role=')) return { ROLE: args[i].slice('--role='.length) };
  }
  return {};
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig({ ...process.env, ...roleArgument(process.argv.slice(2)) });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const logger = createRootLogger(config.logLevel);
  const database = await resolveDatabase(config, logger);
  let app: INestApplicationContext | undefined;
  let server: Server | undefined;
  try {
    // A worker process takes portfolio-run jobs and serves no HTTP, so it does not load the
    // HTTP layer at all; `api` and `all` listen.
    if (config.role === 'worker') {
      const { createWorkerContext } = await import('./worker.factory.js');
      app = await createWorkerContext(config, database.url, { logger });
    } else {
      const { createHttpApp } = await import('./app.factory.js');
      const http: NestFastifyApplication = await createHttpApp(config, database.url, { logger });
      app = http;
      await http.listen({ port: config.port, host: config.host });
      server = http.getHttpServer();
    }
  } catch (error) {
    // An embedded PostgreSQL left running (a port in use, say) would hold the data folder and
    // outlive this process.
    await app?.close().catch(() => undefined);
    await database.stop();
    throw error;
  }
  logger.info({ port: config.port, role: config.role, embedded: !config.databaseUrl }, 'Started');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'Shutting down: finishing in-flight requests');
    if (config.role !== 'worker') app.get(ShutdownState).draining = true;
    // Fastify's close() ends the keep-alive sockets idle when it starts; one whose request
    // finishes later would hold the exit for keepAliveTimeout. Each is closed once idle.
    if (server) setInterval(() => server.closeIdleConnections(), 100).unref();
    const deadline = setTimeout(() => {
      logger.error('Shutdown took too long; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    deadline.unref();
    await app.close();
    await database.stop();
    logger.info('Stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  const database = databaseStartupProblem(error);
  if (database !== null) {
    process.stderr.write(`Start-up failed: ${database}\n`);
    process.exit(69); // EX_UNAVAILABLE
  }
  process.stderr.write(
    `Start-up failed: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
