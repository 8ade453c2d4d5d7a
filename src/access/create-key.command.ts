import { Command, CommandRunner, Option } from 'nest-commander';
import { DomainError } from '../common/errors/domain-error.js';
import { UUID_PATTERN } from '../common/paging.js';
import { AccessService } from './access.service.js';
import { ROLES, SYSTEM_PRINCIPAL, type Role } from './roles.js';

interface CreateKeyOptions {
  role: Role;
  partner?: string;
  name?: string;
}

@Command({ name: 'keys:create', description: 'Create an API key and print it (shown once)' })
export class CreateKeyCommand extends CommandRunner {
  constructor(private readonly access: AccessService) {
    super();
  }

  async run(_args: string[], options: CreateKeyOptions): Promise<void> {
    try {
      const created = await this.access.createApiKey(SYSTEM_PRINCIPAL, {
        name: options.name ?? `cli ${options.role} key`,
        role: options.role,
        partnerId: options.partner ?? null,
      });
      process.stdout.write(`${JSON.stringify(created, null, 2)}\n`);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      // Named by the option that sets each member, not by its pointer in an HTTP body.
      const details = error.errors
        .map((e) => `  ${OPTION_OF[e.pointer] ?? e.pointer}: ${e.message}`)
        .join('\n');
      throw new Error(`${error.message}\n${details}`);
    }
  }

  @Option({ flags: '-r, --role <role>', description: `One of ${ROLES.join(', ')}`, required: true })
  parseRole(value: string): Role {
    if (!(ROLES as readonly string[]).includes(value)) {
      throw new Error(`--role must be one of ${ROLES.join(', ')}`);
    }
    return value as Role;
  }

  @Option({
    flags: '-p, --partner <partnerId>',
    description: 'The partner a partner key belongs to',
  })
  parsePartner(value: string): string {
    if (!UUID_PATTERN.test(value)) throw new Error('--partner must be a UUID');
    return value;
  }

  @Option({ flags: '-n, --name <name>', description: 'A label for the key (1 to 200 characters)' })
  parseName(value: string): string {
    // As POST /v1/api-keys checks it (CreateApiKeyDto, which this process does not load).
    if (value.length > 200 || !/\S/.test(value))
      throw new Error('--name must be 1 to 200 characters, not all blank');
    return value;
  }
}

const OPTION_OF: Record<string, string> = {
  '/name': '--name',
  '/role': '--role',
  '/partnerId': '--partner',
};
