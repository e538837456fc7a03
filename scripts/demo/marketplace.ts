// The demo's marketplace: a few partner rewards with stock, and redemptions through the real path.
// Two of the players who earned the most claim their Heart on chain (RewardDistributor.claim with
// the latest anchored epoch's Merkle proof; anyone may send it, the tokens go to the player), reserve
// a reward (api/rewards/reservations.ts reserve: stock held, priced, idempotent), and burn its price
// from their own wallet with HeartToken.redeem(amount, redemptionId). The indexer mirrors the
// Redeemed events and fulfils the redemptions.
import type pg from 'pg';
import { custom, createWalletClient, encodeFunctionData, parseEther, type Address, type Hex, type PublicClient, type WalletClient } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { reserve } from '../../api/rewards/reservations.ts';
import { buildClaimTree, claimProof, packClaims, toHex } from '../../ledger/index.ts';
import { heartTokenAbi } from '../../lib/heart-token.ts';
import { rewardDistributorAbi } from '../../lib/reward-distributor.ts';

const HEART = 10n ** 18n;
/** [title, description, partner, price in Heart, stock] */
export const DEMO_REWARDS: readonly (readonly [string, string, string, bigint, number])[] = [
  ['Reusable water bottle', 'Steel bottle, refill at any partner kiosk', 'Aqua Co-op', 1n, 50],
  ['Day bus pass', 'Unlimited city bus rides for one day', 'City Transit', 2n, 30],
  ['Tree sapling', 'A native sapling to plant in your zone', 'Green Belt Nursery', 3n, 20],
  ['Community garden kit', 'Seeds, gloves and a trowel', 'Urban Roots', 5n, 10],
];
/** Reservations outlive the demo's own payment by far; the running indexer fulfils them within seconds. */
const RESERVATION_TTL_S = 3600;

export interface MarketplaceOptions {
  pool: pg.Pool; reader: PublicClient; writer: WalletClient;
  contracts: { heartToken: Address; distributor: Address };
  /** The demo's players with their wallets (the buyers are chosen among them). */
  players: readonly { id: string; address: string; privateKey: Hex; role: string }[];
  buyers?: number;
}

export interface MarketplaceResult {
  rewards: number;
  redemptions: { redemptionId: Hex; player: string; reward: string; amount: string; burnTxHash: Hex }[];
}

async function mined(reader: PublicClient, hash: Hex): Promise<void> {
  const receipt = await reader.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success') throw new Error(`transaction ${hash} reverted`);
}

/** Inserts the rewards, then claims, reserves and burns for `buyers` (default 2) of the top earners of the latest anchored epoch. */
export async function seedMarketplace(o: MarketplaceOptions): Promise<MarketplaceResult> {
  const rewards = [];
  for (const [title, description, partner, price, stock] of DEMO_REWARDS) {
    const { rows } = await o.pool.query<{ id: string }>(
      'INSERT INTO rewards (id, title, description, partner, cost_heart, stock) VALUES (gen_random_uuid(), $1, $2, $3, $4, $5) RETURNING id::text',
      [title, description, partner, (price * HEART).toString(), stock]);
    rewards.push({ id: rows[0]!.id, title, price: price * HEART });
  }

  const [epoch] = (await o.pool.query<{ epoch: number; rewards_root: Buffer }>(`SELECT epoch, rewards_root FROM epochs WHERE status = 'anchored' ORDER BY epoch DESC LIMIT 1`)).rows;
  if (!epoch) throw new Error('no anchored epoch: the marketplace needs claimable Heart');
  const claims = (await o.pool.query<{ address: string; amount: string }>('SELECT address, cumulative_amount::text AS amount FROM reward_claims WHERE epoch = $1 ORDER BY leaf_index', [epoch.epoch])).rows;
  const tree = await buildClaimTree(packClaims(claims.map((c) => c.address), claims.map((c) => BigInt(c.amount))));
  if (toHex(tree.root) !== toHex(new Uint8Array(epoch.rewards_root))) throw new Error(`epoch ${epoch.epoch}: reward_claims do not rebuild the anchored rewards root`);
  const byAddress = new Map(o.players.filter((p) => p.role === 'player').map((p) => [p.address.toLowerCase(), p]));
  const top = claims.map((c, leaf) => ({ ...c, leaf })).filter((c) => byAddress.has(c.address))
    .sort((a, b) => (BigInt(b.amount) > BigInt(a.amount) ? 1 : BigInt(b.amount) < BigInt(a.amount) ? -1 : a.leaf - b.leaf)).slice(0, o.buyers ?? 2);

  const redemptions: MarketplaceResult['redemptions'] = [];
  for (const [i, c] of top.entries()) {
    const player = byAddress.get(c.address)!;
    const account = o.writer.account!;
    await mined(o.reader, await o.writer.writeContract({
      account, chain: null, address: o.contracts.distributor, abi: rewardDistributorAbi, functionName: 'claim',
      args: [c.address as Address, BigInt(c.amount), BigInt(epoch.epoch), claimProof(tree, c.leaf)],
    }));
    await mined(o.reader, await o.writer.sendTransaction({ account, chain: null, to: c.address as Address, value: parseEther('0.01') })); // gas for the burn
    const balance = await o.reader.readContract({ address: o.contracts.heartToken, abi: heartTokenAbi, functionName: 'balanceOf', args: [c.address as Address] });
    const reward = [...rewards].reverse().find((r) => r.price <= balance);
    if (!reward) throw new Error(`${c.address} claimed ${balance} wei of Heart, less than the cheapest reward`);
    const { redemption } = await reserve(o.pool, { playerId: player.id, rewardId: reward.id, quantity: 1, idempotencyKey: `demo-redeem-${i}`, ttlSeconds: RESERVATION_TTL_S, balance });
    const wallet = createWalletClient({ account: privateKeyToAccount(player.privateKey), transport: custom({ request: o.reader.request }) });
    const burnTxHash = await wallet.sendTransaction({
      chain: null, to: o.contracts.heartToken, data: encodeFunctionData({ abi: heartTokenAbi, functionName: 'redeem', args: [redemption.amount, redemption.id] }),
    });
    await mined(o.reader, burnTxHash);
    redemptions.push({ redemptionId: redemption.id, player: c.address, reward: reward.title, amount: redemption.amount.toString(), burnTxHash });
  }
  return { rewards: rewards.length, redemptions };
}
