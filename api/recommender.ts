import { createLogger } from '../lib/logger.ts';
import { Recommender } from '../recommend/service.ts';
import type { Deps } from './deps.ts';

const instances = new WeakMap<Deps, Recommender>();

/** The app's one recommender (shared by /recommend/* and the recommended quest list). */
export function recommenderFor(deps: Deps): Recommender {
  let r = instances.get(deps);
  if (!r) {
    const log = createLogger('recommender', deps.config.LOG_LEVEL);
    r = new Recommender(deps.db, {
      maxAgeMs: deps.config.RECOMMEND_REFRESH_S * 1000,
      onRefreshError: (err) => log.error({ err }, 'recommender refresh failed; serving the previous snapshot'),
    });
    instances.set(deps, r);
  }
  return r;
}
