import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import type { Principal } from '../access/roles.js';
import { AuditService } from '../audit/audit.service.js';
import { sqlState } from '../common/errors/database-errors.js';
import { DomainError } from '../common/errors/domain-error.js';
import { decodeCursor, Page, PageQuery, toPage } from '../common/paging.js';
import { diffTables } from '../rating/table-diff.js';
import { checkDocument } from './table-document.js';
import { assertNoOverlap, immutable, lockDraft, supersede } from './table-version-rules.js';
import { ResolvedTable, ResolveOptions, TableReference, TableResolver } from './table-resolver.js';
import { WeightingTableVersionEntity } from './weighting-table-version.entity.js';
import {
  addressViolations,
  assertAddressable,
  auditDetails,
  mergePatch,
  TableNameView,
  TableVersionSummary,
  TableVersionView,
  toSummary,
  toView,
} from './weighting-table-views.js';

export type { ResolvedTable, ResolveOptions, TableReference } from './table-resolver.js';

@Injectable()
export class WeightingTablesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly resolver: TableResolver,
  ) {}

  /** A new draft; every violation of the document is listed (422); an existing name+version is a 409. */
  async create(principal: Principal, body: unknown): Promise<TableVersionView> {
    const checked = checkDocument(body);
    const { name, version } = checked.table;
    try {
      return await this.dataSource.transaction(async (manager) => {
        // The ledger first: a name and version once created, even as a deleted draft, is taken.
        const claimed: unknown[] = await manager.query(
          `INSERT INTO weighting_table_version_names (name, version) VALUES ($1, $2)
           ON CONFLICT DO NOTHING RETURNING name`,
          [name, version],
        );
        if (claimed.length === 0) {
          const exists = await manager.existsBy(WeightingTableVersionEntity, { name, version });
          throw new DomainError(
            'conflict',
            exists
              ? `Weighting table ${name} version ${version} already exists`
              : `Weighting table ${name} version ${version} was created before and deleted as a draft; a version is never reused, so give this document another version`,
          );
        }
        await manager.insert(WeightingTableVersionEntity, {
          name,
          version,
          status: 'draft',
          document: checked.document,
          sha256: checked.sha256,
          effectiveFrom: checked.table.effectiveFrom,
          effectiveTo: checked.table.effectiveTo ?? null,
          createdBy: principal.keyId,
        });
        await this.record(manager, principal, 'created', checked.table, null, checked.sha256);
        return toView(
          await manager.findOneByOrFail(WeightingTableVersionEntity, { name, version }),
        );
      });
    } catch (error) {
      if (sqlState(error) === '23505') {
        throw new DomainError(
          'conflict',
          `Weighting table ${name} version ${version} already exists`,
        );
      }
      throw error;
    }
  }

  /** Replaces a draft's whole document (PUT); the document keeps the URL's name and version. */
  replace(
    principal: Principal,
    name: string,
    version: string,
    body: unknown,
  ): Promise<TableVersionView> {
    return this.rewriteDraft(principal, name, version, () => body);
  }

  /** RFC 7396 merge patch of a draft's document (PATCH), then validated like a replacement. */
  patch(
    principal: Principal,
    name: string,
    version: string,
    patch: unknown,
  ): Promise<TableVersionView> {
    return this.rewriteDraft(principal, name, version, (draft) =>
      mergePatch(draft.document, patch),
    );
  }

  /**
   * A draft's new document, made from the draft as read under its lock: a merge patch made from
   * an earlier read put back what a concurrent PATCH had just changed.
   */
  private async rewriteDraft(
    principal: Principal,
    name: string,
    version: string,
    documentFrom: (draft: WeightingTableVersionEntity) => unknown,
  ): Promise<TableVersionView> {
    // A published version answers 409 whatever the body; only then is the document judged.
    await this.findDraft(name, version);
    return this.dataSource.transaction(async (manager) => {
      const row = await lockDraft(manager, name, version);
      const checked = checkDocument(documentFrom(row));
      const moved = addressViolations(checked.document, name, version);
      if (moved.length > 0)
        throw DomainError.validation(
          moved,
          'The document must keep the name and version in the URL',
        );
      await manager.update(
        WeightingTableVersionEntity,
        { name, version },
        {
          document: checked.document,
          sha256: checked.sha256,
          effectiveFrom: checked.table.effectiveFrom,
          effectiveTo: checked.table.effectiveTo ?? null,
          updatedAt: new Date(),
        },
      );
      await this.record(manager, principal, 'replaced', checked.table, row.sha256, checked.sha256);
      return toView(await manager.findOneByOrFail(WeightingTableVersionEntity, { name, version }));
    });
  }

  async remove(principal: Principal, name: string, version: string): Promise<void> {
    assertAddressable(name, version);
    await this.dataSource.transaction(async (manager) => {
      const row = await lockDraft(manager, name, version);
      await manager.delete(WeightingTableVersionEntity, { name, version });
      await this.record(manager, principal, 'deleted', row, row.sha256, null);
    });
  }

  /**
   * draft -> published, once; the interval may not overlap another published version's (409),
   * unless this publication supersedes that one from the day it begins (`supersedes`).
   */
  async publish(
    principal: Principal,
    name: string,
    version: string,
    request: { supersedes?: string } = {},
  ): Promise<TableVersionView> {
    assertAddressable(name, version);
    return this.dataSource.transaction(async (manager) => {
      // One publication per name at a time, so the overlap check below cannot race another one;
      // the exclusion constraint stays the last word.
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('weighting-table:' || $1))`, [
        name,
      ]);
      const row = await manager.findOne(WeightingTableVersionEntity, {
        where: { name, version },
        lock: { mode: 'pessimistic_write' },
      });
      if (!row) throw DomainError.notFound(`Weighting table ${name} version ${version}`);
      if (row.status === 'published') {
        throw new DomainError(
          'conflict',
          `Weighting table ${name} version ${version} is already published`,
        );
      }
      const superseded =
        request.supersedes === undefined ? null : await supersede(manager, row, request.supersedes);
      await assertNoOverlap(manager, row);
      if (superseded) {
        await this.record(
          manager,
          principal,
          'superseded',
          superseded,
          superseded.sha256,
          superseded.sha256,
          {
            supersededFrom: row.effectiveFrom,
            supersededBy: row.version,
          },
        );
      }
      await manager.update(
        WeightingTableVersionEntity,
        { name, version },
        {
          status: 'published',
          publishedBy: principal.keyId,
          publishedAt: new Date(),
          updatedAt: new Date(),
        },
      );
      await this.record(
        manager,
        principal,
        'published',
        row,
        row.sha256,
        row.sha256,
        superseded ? { supersedes: superseded.version } : {},
      );
      return toView(await manager.findOneByOrFail(WeightingTableVersionEntity, { name, version }));
    });
  }

  async get(name: string, version: string): Promise<TableVersionView> {
    return toView(await this.find(name, version));
  }

  /** Table names with their versions, by name. */
  async listNames(query: PageQuery): Promise<Page<TableNameView>> {
    const after = decodeCursor(query.cursor, ['text'])?.[0] ?? null;
    const names: { name: string }[] = await this.dataSource.query(
      `SELECT DISTINCT name FROM weighting_table_versions
       WHERE $1::text IS NULL OR name > $1 ORDER BY name LIMIT $2`,
      [after, query.limit + 1],
    );
    const page = toPage(
      names,
      query.limit,
      (n) => [n.name],
      (n) => n.name,
    );
    const rows = await this.dataSource.getRepository(WeightingTableVersionEntity).find({
      where: { name: In(page.items) },
      order: { effectiveFrom: 'ASC', version: 'ASC' },
    });
    const items = page.items.map((name) => ({
      name,
      versions: rows.filter((row) => row.name === name).map(toSummary),
    }));
    return { items, nextCursor: page.nextCursor };
  }

  /** The versions of one name, by effective date then version. */
  async listVersions(name: string, query: PageQuery): Promise<Page<TableVersionSummary>> {
    assertAddressable(name);
    const after = decodeCursor(query.cursor, ['date', 'text']);
    const qb = this.dataSource
      .getRepository(WeightingTableVersionEntity)
      .createQueryBuilder('v')
      .where('v.name = :name', { name });
    if (after) {
      qb.andWhere('(v.effective_from, v.version) > (:from::date, :version)', {
        from: after[0],
        version: after[1],
      });
    }
    const rows = await qb
      .orderBy('v.effective_from')
      .addOrderBy('v.version')
      .limit(query.limit + 1)
      .getMany();
    if (rows.length === 0 && !after) await this.assertNameExists(name);
    return toPage(rows, query.limit, (v) => [v.effectiveFrom, v.version], toSummary);
  }

  /** One entry per changed weight, tier, gate and modifier, from version `a` to version `b`. */
  async diff(name: string, a: string, b: string) {
    const [from, to] = await Promise.all([this.find(name, a), this.find(name, b)]);
    return {
      name,
      from: { version: from.version, sha256: from.sha256 },
      to: { version: to.version, sha256: to.sha256 },
      changes: diffTables(checkDocument(from.document).table, checkDocument(to.document).table),
    };
  }

  /**
   * The table to rate with at `asOf`: the named version (published, or a draft when allowed), else
   * the published version of the name whose [effectiveFrom, effectiveTo) holds asOf's UTC day.
   * Without a reference, the one table name with a version in force. Otherwise 422.
   */
  resolveTable(
    reference: TableReference | null,
    asOf: Date,
    options: ResolveOptions = {},
  ): Promise<ResolvedTable> {
    return this.resolver.resolve(reference, asOf, options);
  }

  /** Exactly this version, compiled (published ones from the cache); 404 when it does not exist. */
  compiledVersion(name: string, version: string): Promise<ResolvedTable> {
    return this.resolver.version(name, version);
  }

  private async find(name: string, version: string): Promise<WeightingTableVersionEntity> {
    assertAddressable(name, version);
    const row = await this.dataSource.manager.findOneBy(WeightingTableVersionEntity, {
      name,
      version,
    });
    if (!row) throw DomainError.notFound(`Weighting table ${name} version ${version}`);
    return row;
  }

  private async findDraft(name: string, version: string): Promise<WeightingTableVersionEntity> {
    const row = await this.find(name, version);
    if (row.status === 'published') throw immutable(name, version);
    return row;
  }

  private async assertNameExists(name: string): Promise<void> {
    const exists = await this.dataSource.manager.existsBy(WeightingTableVersionEntity, { name });
    if (!exists) throw DomainError.notFound(`Weighting table ${name}`);
  }

  private record(
    manager: EntityManager,
    principal: Principal,
    what: 'created' | 'replaced' | 'deleted' | 'published' | 'superseded',
    version: { name: string; version: string; effectiveFrom: string; effectiveTo?: string | null },
    beforeSha256: string | null,
    afterSha256: string | null,
    more: Record<string, unknown> = {},
  ): Promise<void> {
    return this.audit.record(manager, principal, {
      action: `weighting-table.${what}`,
      entityType: 'weighting-table-version',
      entityId: `${version.name}@${version.version}`,
      beforeSha256,
      afterSha256,
      details: {
        ...auditDetails({ ...version, effectiveTo: version.effectiveTo ?? null }),
        ...more,
      },
    });
  }
}
