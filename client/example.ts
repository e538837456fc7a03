// What the mobile app does, end to end, with the typed client against a running API:
//
//   npm run client:example -- --api http://localhost:3000 [--chain-id 31337] [--public-url <PUBLIC_URL>] [--wait 30]
//
// A fresh wallet signs in (SIWE), picks the first open quest, starts it, uploads a photo through
// the presigned URL, submits the proof at the quest's location, waits up to --wait seconds for the
// verifier's decision, completes the quest when approved and shows the Heart it can claim.
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createOneHeartClient, OneHeartError } from './index.ts';

export interface ExampleOptions {
  api: string;
  chainId: number;
  publicUrl?: string;
  waitSeconds: number;
  log: (line: string) => void;
}

export interface ExampleResult {
  player: string;
  questId: string | null;
  proofId: string | null;
  decision: string | null;
}

export async function runExample(o: ExampleOptions): Promise<ExampleResult> {
  const client = createOneHeartClient({ baseUrl: o.api, chainId: o.chainId, ...(o.publicUrl ? { publicUrl: o.publicUrl } : {}) });
  const wallet = privateKeyToAccount(generatePrivateKey());
  const { player } = await client.signInWithWallet(wallet);
  o.log(`signed in as ${player.did} (player ${player.id})`);

  const quests = await client.quests.list();
  o.log(`${quests.length} open quest(s)`);
  const quest = quests[0];
  if (!quest) {
    o.log('no open quest: seed some with `npm run demo`');
    return { player: player.id, questId: null, proofId: null, decision: null };
  }
  const assignment = await client.quests.start(quest.id);
  o.log(`started "${quest.title}" (assignment ${assignment.id})`);

  // On a phone these are the camera's JPEG bytes; here a generated picture.
  const photo = new Uint8Array(await sharp({
    create: { width: 320, height: 240, channels: 3, background: { r: 40, g: 160, b: 90 } },
  }).jpeg().toBuffer());
  const proof = await client.proofs.submitWithEvidence({
    assignmentId: assignment.id, bytes: photo, contentType: 'image/jpeg',
    latitude: quest.latitude, longitude: quest.longitude, accuracyM: 5, capturedAt: new Date().toISOString(),
    device: { platform: 'node', model: 'client-example' },
  });
  o.log(`proof ${proof.id} submitted: ${proof.status}`);

  let decision: string | null = null;
  for (let waited = 0; decision === null && waited < o.waitSeconds; waited++) {
    await new Promise((r) => setTimeout(r, 1000));
    decision = (await client.proofs.get(proof.id)).verification?.decision ?? null;
  }
  o.log(decision ? `verifier decision: ${decision}` : `no verifier decision within ${o.waitSeconds} s (is the verifier running?)`);
  if (decision === 'approve') {
    const impact = await client.quests.complete(quest.id);
    o.log(`quest completed: ledger entry ${impact.seq}`);
  }

  try {
    const claim = await client.claims.get();
    o.log(`claimable Heart (wei) in epoch ${claim.epoch}: ${claim.claimable}`);
  } catch (err) {
    if (!(err instanceof OneHeartError && err.code === 'NO_CLAIM')) throw err;
    o.log('nothing to claim yet: Heart becomes claimable once the month is closed (`npm run epoch:close`)');
  }
  await client.signOut();
  return { player: player.id, questId: quest.id, proofId: proof.id, decision };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: { api: { type: 'string' }, 'chain-id': { type: 'string', default: '31337' }, 'public-url': { type: 'string' }, wait: { type: 'string', default: '30' } },
  });
  if (!values.api) {
    console.error('usage: npm run client:example -- --api <url> [--chain-id 31337] [--public-url <PUBLIC_URL>] [--wait 30]');
    process.exit(2);
  }
  try {
    await runExample({
      api: values.api, chainId: Number(values['chain-id']), waitSeconds: Number(values.wait), log: (l) => console.log(l),
      ...(values['public-url'] ? { publicUrl: values['public-url'] } : {}),
    });
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
