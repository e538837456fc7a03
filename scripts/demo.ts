// `npm run demo`: seeds a realistic demo world into a running `npm start` (deterministic, seeded
// PRNG), closes two epochs on the chain, writes a sample proof bundle and prints a walk-through.
// Refuses to seed twice (marker row in audit_log). `npm start -- --demo` runs it once the stack is up.
//
//   npm run demo [-- --seed 20261 --players 200 --actions 2400]
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { Address } from 'viem';
import { closeDefaultHashPool } from '../ledger/index.ts';
import { loadDeployments } from '../lib/chain.ts';
import { loadStackConfig } from '../lib/config.ts';
import { createRedis } from '../lib/redis.ts';
import { Leaderboard } from '../api/impact/leaderboard.ts';
import { AlreadySeededError, seedDemo, type SeedResult } from './demo/seed.ts';
import { openOperator } from './ledger-ops.ts';
import { bundleForEntry } from './proof-bundle.ts';

const int = (v: string | undefined, name: string, dflt: number): number => {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name}: expected a positive integer, got ${v}`);
  return n;
};

export function walkthrough(r: SeedResult, urls: { api: string; rpc: string; s3: string; bucket: string; bundleFile: string; explorer?: string }): string {
  const [e1, e2] = r.epochs;
  const tx = (h: string | null | undefined) => (h ? (urls.explorer ? `${urls.explorer.replace(/\/+$/, '')}/tx/${h}` : h) : '(already anchored)');
  return `
  OneHeart demo world (seed ${r.seed})
    ${r.countries} countries, ${r.zones} zones, ${r.missions} missions, ${r.players} players, ${r.sponsors} sponsors
    ${r.approved} approved deeds on the hash-chained ledger, ${r.rejected} rejected cheat attempts
    epoch ${e1?.epoch} (${e1?.month}): ${e1?.treeSize} entries, anchor tx ${tx(e1?.txHash)}
    epoch ${e2?.epoch} (${e2?.month}): ${e2?.treeSize} entries, anchor tx ${tx(e2?.txHash)}
    (ledger created_at cannot be backdated, so both epochs were closed with a simulated clock just after each month's end)

  Try it:
    API health       ${urls.api}/ready
    OpenAPI          ${urls.api}/api/openapi.json
    zones            ${urls.api}/api/map/zones
    impact ledger    ${urls.api}/api/impact/ledger
    verify page      ${urls.api}/verify?seq=${r.sampleSeq}
                     (or paste ${urls.bundleFile} into ${urls.api}/verify)
    sample entry     seq ${r.sampleSeq} by ${r.sampleAddress}
    verify from CLI  npm run verify -- ${urls.bundleFile} --rpc ${urls.rpc}
    any other entry  npm run ledger:bundle -- --seq <n> --out bundle.json
    audit            npm run audit
    tiled log        ${urls.s3}/${urls.bucket}/log/checkpoint
    marketplace      ${urls.api}/api/reward/marketplace (${r.marketplace.rewards} rewards; signed in)
${r.marketplace.redemptions.map((m) => `    redeemed         ${m.reward} by ${m.player}, burn tx ${tx(m.burnTxHash)}`).join('\n')}

  Dashboards (open with #token=<access token> of a wallet session with the role):
    nation           ${urls.api}/dashboard/nation   (auditor, admin)
    policy simulator ${urls.api}/dashboard/policy   (auditor, admin)
    sponsor panel    ${urls.api}/dashboard/sponsor  (sponsor; admin or auditor: ?sponsor=0x…)
    review queue     ${urls.api}/dashboard/review   (admin)
`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seed: { type: 'string' }, players: { type: 'string' }, actions: { type: 'string' } } });
  const ops = await openOperator();
  const redis = createRedis(ops.config.REDIS_URL);
  try {
    const chainId = await ops.reader.getChainId();
    const contracts = (await loadDeployments(ops.config.DEPLOYMENTS_DIR, chainId))?.contracts;
    const [heartToken, distributor] = [contracts?.HeartToken?.address, contracts?.RewardDistributor?.address];
    if (!heartToken || !distributor) throw new Error(`no HeartToken/RewardDistributor deployment for chain ${chainId} in ${ops.config.DEPLOYMENTS_DIR}`);
    const result = await seedDemo({
      ...ops, contracts: { heartToken: heartToken as Address, distributor: distributor as Address },
      leaderboard: new Leaderboard(redis, ops.config.REDIS_PREFIX), seed: int(values.seed, 'seed', 20261), players: int(values.players, 'players', 200), actions: int(values.actions, 'actions', 2400),
      log: (m) => console.log(`[demo] ${m}`),
    });
    const bundleFile = path.join(loadStackConfig().DATA_DIR, 'demo-bundle.json');
    await writeFile(bundleFile, `${JSON.stringify(await bundleForEntry(ops, result.sampleSeq), null, 2)}\n`);
    console.log(walkthrough(result, {
      api: `http://${ops.config.HOST}:${ops.config.PORT}`, rpc: ops.config.RPC_URL, s3: ops.config.S3_ENDPOINT, bucket: ops.config.S3_BUCKET,
      bundleFile, explorer: ops.config.EXPLORER_URL,
    }));
  } finally {
    redis.disconnect();
    await ops.close();
    await closeDefaultHashPool();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err: unknown) => {
    console.error(`demo: ${(err as Error).message}`);
    process.exit(err instanceof AlreadySeededError ? 2 : 1);
  });
}
