import pg from 'pg';

/**
 * A book of `count` client tenants for portfolio tests, made in SQL from one stored snapshot (no
 * HTTP round trip per client tenant): each copy gets its own client tenant and industry.
 */
export async function cloneBook(
  databaseUrl: string,
  templateSnapshotId: string,
  count: number,
  prefix: string,
): Promise<void> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    await db.query(
      `WITH tenants AS (
         INSERT INTO client_tenants (azure_tenant_id, industry)
         SELECT $2 || '-' || g, (ARRAY['healthcare', 'education', 'manufacturing', NULL])[1 + g % 4]
         FROM generate_series(1, $3) g RETURNING id)
       INSERT INTO secure_score_snapshots (client_tenant_id, created_date_time, graph_id, source_shape,
         current_score, max_score, active_user_count, licensed_user_count, enabled_services,
         average_comparative_scores, control_names, control_categories, control_scores,
         control_score_percentages, control_max_scores, content_sha256, raw_gzip)
       SELECT t.id, s.created_date_time, s.graph_id, s.source_shape, s.current_score, s.max_score,
         s.active_user_count, s.licensed_user_count, s.enabled_services, s.average_comparative_scores,
         s.control_names, s.control_categories, s.control_scores, s.control_score_percentages,
         s.control_max_scores, s.content_sha256, s.raw_gzip
       FROM tenants t, secure_score_snapshots s WHERE s.id = $1`,
      [templateSnapshotId, prefix, count],
    );
  } finally {
    await db.end();
  }
}
