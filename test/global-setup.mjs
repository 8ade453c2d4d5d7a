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

// The real payloads the tests ingest live beside the repository, as in the workspace and CI.
const SHARED_FIXTURES = path.resolve(process.cwd(), '../shared/fixtures/securescore');

export default async function globalSetup() {
  // Without them, hundreds of tests would each fail on a missing file: say so once, first.
  if (!fs.existsSync(SHARED_FIXTURES)) {
    throw new Error(
      `The tests read the shared fixtures from ../shared beside this checkout; ${SHARED_FIXTURES} does not exist`,
    );
  }
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
