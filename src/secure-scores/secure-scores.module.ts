import { Module } from '@nestjs/common';
import { ClientTenantsModule } from '../client-tenants/client-tenants.module.js';
import { ControlCatalogService } from './catalog/control-catalog.service.js';
import { SnapshotImporter } from './import/snapshot-importer.js';
import { SnapshotPreparer } from './preparation/snapshot-preparer.js';
import { SecureScoresService } from './secure-scores.service.js';

@Module({
  imports: [ClientTenantsModule],
  providers: [SecureScoresService, ControlCatalogService, SnapshotImporter, SnapshotPreparer],
  exports: [SecureScoresService, ControlCatalogService, SnapshotImporter],
})
export class SecureScoresModule {}
