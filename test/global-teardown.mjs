// Drops every database this run created; stops the embedded server if the setup started one.
import fs from 'node:fs';
import pg from 'pg';

export default async function globalTeardown() {
  const template = process.env.SSU_TEST_TEMPLATE_DB;
  if (template) {
    const client = new pg.Client({ connectionString: process.env.SSU_TEST_ADMIN_URL });
    await client.connect();
    const { rows } = await client.query(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [
      `${template}%`,
    ]);
    for (const { datname } of rows)
      await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    await client.end();
  }
  const embedded = globalThis.__SSU_EMBEDDED__;
  if (embedded) {
    await embedded.stop();
    fs.rmSync(embedded.dir, { recursive: true, force: true });
  }
}
