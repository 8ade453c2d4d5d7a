// Jest loads global setup outside its module mapping, so this file uses the compiled service
// (`npm test` builds first): start (or find) PostgreSQL and migrate the run's template database
// with the real migrations. Spec files copy the template (test/support/test-database.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { migrateDatabase } from '../dist/src/database/database-startup.js';
import { loadConfig } from '../dist/src/config/app-config.js';
import { startEmbeddedPostgres } from '../dist/src/database/embedded-postgres.js';

export default async function globalSetup() {
  const external = process.env.TEST_DATABASE_URL;
  let adminUrl = external;
  if (!external) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssu-test-pg-'));
    const embedded = await startEmbeddedPostgres({ dataDir: dir, port: null });
    globalThis.__SSU_EMBEDDED__ = { stop: embedded.stop, dir };
    adminUrl = embedded.url;
  }
  const template = `ssu_test_${process.pid}_${Date.now().toString(36)}`;
  process.env.SSU_TEST_ADMIN_URL = adminUrl;
  process.env.SSU_TEST_TEMPLATE_DB = template;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  await client.query(`CREATE DATABASE ${template}`);
  await client.end();
  const url = new URL(adminUrl);
  url.pathname = `/${template}`;
  await migrateDatabase(loadConfig({}), url.toString());
}
