import { Foundation1764345600000 } from '../../migrations/1764345600000-Foundation.js';
import { SecureScoreIngestion1764352800000 } from '../../migrations/1764352800000-SecureScoreIngestion.js';
import { SeedControlCatalog1764356400000 } from '../../migrations/1764356400000-SeedControlCatalog.js';
import { WeightingTables1764360000000 } from '../../migrations/1764360000000-WeightingTables.js';
import { AssessmentsAndPortfolioRuns1764363600000 } from '../../migrations/1764363600000-AssessmentsAndPortfolioRuns.js';
import { SnapshotArchiveStorage1764367200000 } from '../../migrations/1764367200000-SnapshotArchiveStorage.js';
import { AssessmentDocumentsAsJson1764370800000 } from '../../migrations/1764370800000-AssessmentDocumentsAsJson.js';
import { Lz4Compression1764374400000 } from '../../migrations/1764374400000-Lz4Compression.js';
import { LackingControlCounts1764378000000 } from '../../migrations/1764378000000-LackingControlCounts.js';
import { IdempotentResponsesAsJson1764381600000 } from '../../migrations/1764381600000-IdempotentResponsesAsJson.js';
import { WeightingTableVersionNames1764385200000 } from '../../migrations/1764385200000-WeightingTableVersionNames.js';
import { SnapshotControlFindings1764388800000 } from '../../migrations/1764388800000-SnapshotControlFindings.js';
import { LowerCaseAzureTenantIds1764392400000 } from '../../migrations/1764392400000-LowerCaseAzureTenantIds.js';
import { RatedIndustryOfRunResults1764396000000 } from '../../migrations/1764396000000-RatedIndustryOfRunResults.js';
import { SupersededTableVersions1764399600000 } from '../../migrations/1764399600000-SupersededTableVersions.js';

/** Every migration in order; listed explicitly so that ESM builds and tests need no glob loading. */
export const MIGRATIONS = [
  Foundation1764345600000,
  SecureScoreIngestion1764352800000,
  SeedControlCatalog1764356400000,
  WeightingTables1764360000000,
  AssessmentsAndPortfolioRuns1764363600000,
  SnapshotArchiveStorage1764367200000,
  AssessmentDocumentsAsJson1764370800000,
  Lz4Compression1764374400000,
  LackingControlCounts1764378000000,
  IdempotentResponsesAsJson1764381600000,
  WeightingTableVersionNames1764385200000,
  SnapshotControlFindings1764388800000,
  LowerCaseAzureTenantIds1764392400000,
  RatedIndustryOfRunResults1764396000000,
  SupersededTableVersions1764399600000,
];
