// `npm run migrate`: applies pending SQL migrations to DATABASE_URL.
import { loadStackConfig } from '../lib/config.ts';
import { migrate } from '../lib/migrator.ts';

const { DATABASE_URL } = loadStackConfig();
if (!DATABASE_URL) {
  console.error('DATABASE_URL: is required but not set');
  process.exit(2);
}
const { applied, skipped } = await migrate(DATABASE_URL);
console.log(`migrations: ${applied.length} applied${applied.length ? ` (${applied.join(', ')})` : ''}, ${skipped.length} already applied`);
