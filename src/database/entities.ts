import { ApiKeyEntity } from '../access/api-key.entity.js';
import { PartnerEntity } from '../access/partner.entity.js';
import { AssessmentEntity } from '../assessments/assessment.entity.js';
import { AuditEntryEntity } from '../audit/audit-entry.entity.js';
import { ClientTenantIndustryEntity } from '../client-tenants/client-tenant-industry.entity.js';
import { ClientTenantEntity } from '../client-tenants/client-tenant.entity.js';
import { IdempotencyKeyEntity } from '../common/idempotency/idempotency-key.entity.js';
import { PortfolioRunLackingControlEntity } from '../portfolio-runs/portfolio-run-lacking-control.entity.js';
import { PortfolioRunMemberEntity } from '../portfolio-runs/portfolio-run-member.entity.js';
import { PortfolioRunResultEntity } from '../portfolio-runs/portfolio-run-result.entity.js';
import { PortfolioRunEntity } from '../portfolio-runs/portfolio-run.entity.js';
import { ClientTenantControlStateEntity } from '../secure-scores/catalog/client-tenant-control-state.entity.js';
import { ControlProfileHistoryEntity } from '../secure-scores/catalog/control-profile-history.entity.js';
import { ControlProfileEntity } from '../secure-scores/catalog/control-profile.entity.js';
import { SecureScoreSnapshotEntity } from '../secure-scores/secure-score-snapshot.entity.js';
import {
  WeightingTableVersionEntity,
  WeightingTableVersionNameEntity,
} from '../weighting-tables/weighting-table-version.entity.js';

/** Every entity, listed once for the app, the CLI and the drift check. */
export const ENTITIES = [
  PartnerEntity,
  ApiKeyEntity,
  AuditEntryEntity,
  ClientTenantEntity,
  ClientTenantIndustryEntity,
  SecureScoreSnapshotEntity,
  ControlProfileEntity,
  ControlProfileHistoryEntity,
  ClientTenantControlStateEntity,
  IdempotencyKeyEntity,
  AssessmentEntity,
  PortfolioRunEntity,
  PortfolioRunMemberEntity,
  PortfolioRunResultEntity,
  PortfolioRunLackingControlEntity,
  WeightingTableVersionEntity,
  WeightingTableVersionNameEntity,
];
