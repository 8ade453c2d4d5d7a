import { exampleTable } from './fixtures.js';
import type { TestApp } from './test-app.js';

/** Publishes a copy of the example table under a version and effective interval of the test's choosing. */
export async function publishTable(
  t: TestApp,
  version: string,
  effectiveFrom: string,
  changes: Record<string, unknown> = {},
  publish = true,
): Promise<any> {
  const document = { ...exampleTable(), version, effectiveFrom, effectiveTo: null, ...changes };
  const created = await t.request({ method: 'POST', url: '/v1/weighting-tables', body: document });
  if (created.status !== 201)
    throw new Error(`table not created: ${created.status} ${created.text}`);
  if (!publish) return created.body;
  const published = await t.request({
    method: 'POST',
    url: `/v1/weighting-tables/${document.name}/versions/${version}/publish`,
  });
  if (published.status !== 200 && published.status !== 201) {
    throw new Error(`table not published: ${published.status} ${published.text}`);
  }
  return published.body;
}
