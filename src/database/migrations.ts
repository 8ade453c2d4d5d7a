import { Foundation1764345600000 } from '../../migrations/1764345600000-Foundation.js';

/** Every migration in order; listed explicitly so that ESM builds and tests need no glob loading. */
export const MIGRATIONS = [Foundation1764345600000];
