import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { freshDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { indexEvidence, seedAction, seedEvidence, seedMission, seedPlayer } from '../testing.ts';
import { syntheticPhoto } from './fixtures.ts';
import { exactDuplicate, nearestHash, neighbours } from './index.ts';
import { inspectMedia } from './inspect.ts';
import { chunks, hamming, phash } from './phash.ts';

const NEAR = 7;
const edits = {
  recompressed: (b: Buffer) => sharp(b).jpeg({ quality: 50 }).toBuffer(),
  cropped: (b: Buffer) => sharp(b).extract({ left: 4, top: 3, width: 632, height: 474 }).jpeg().toBuffer(),
  brightened: (b: Buffer) => sharp(b).modulate({ brightness: 1.1 }).jpeg().toBuffer(),
  resized: (b: Buffer) => sharp(b).resize(320).jpeg({ quality: 80 }).toBuffer(),
};

describe('perceptual hash', () => {
  const photos: Buffer[] = [];
  before(async () => {
    for (let seed = 1; seed <= 5; seed++) photos.push(await syntheticPhoto(seed));
  });

  it('keeps edited copies of a photo within the near-duplicate distance', async () => {
    for (const photo of photos) {
      const h = await phash(photo);
      for (const [name, edit] of Object.entries(edits)) {
        const d = hamming(h, await phash(await edit(photo)));
        assert.ok(d <= NEAR, `${name}: distance ${d}`);
      }
    }
  });

  it('keeps different photos far apart', async () => {
    const hs = await Promise.all(photos.map((p) => phash(p)));
    for (let i = 0; i < hs.length; i++) for (let j = i + 1; j < hs.length; j++) assert.ok(hamming(hs[i]!, hs[j]!) > 2 * NEAR, `${i}/${j}`);
  });

  it('chunks: a hash within distance 7 shares a chunk within 1 bit (pigeonhole)', () => {
    const h = 0x0123456789abcdefn;
    const flipped = h ^ (1n << 3n) ^ (1n << 20n) ^ (1n << 21n) ^ (1n << 40n) ^ (1n << 41n) ^ (1n << 60n) ^ (1n << 61n);
    assert.equal(hamming(h, flipped), 7);
    const near = chunks(h).some((v, i) => neighbours(v, 1).includes(chunks(flipped)[i]!));
    assert.ok(near);
    assert.deepEqual(chunks(0xffff000000000001n), [0xffff, 0, 0, 1]);
    assert.equal(neighbours(0, 2).length, 1 + 16 + 120);
  });

  it('sniffs the real type and checks dimensions', async () => {
    const jpeg = photos[0]!;
    const ok = await inspectMedia(jpeg, 'image/jpeg');
    assert.equal(ok.decodable, true);
    assert.equal(ok.typeMismatch, false);
    assert.equal(ok.width, 640);
    const png = await sharp(jpeg).png().toBuffer();
    assert.equal((await inspectMedia(png, 'image/jpeg')).typeMismatch, true);
    const tiny = await sharp(jpeg).resize(16, 16).jpeg().toBuffer();
    assert.equal((await inspectMedia(tiny, 'image/jpeg')).decodable, false);
    const junk = await inspectMedia(new TextEncoder().encode('not an image at all'), 'image/jpeg');
    assert.equal(junk.decodable, false);
    assert.equal(junk.typeMismatch, true);
  });

  it('reads EXIF GPS and time when present', async () => {
    const withExif = await sharp(photos[0]!)
      .withExif({ IFD0: { Make: 'Test' }, IFD2: { DateTimeOriginal: '2026:11:20 12:00:00' } })
      .jpeg()
      .toBuffer();
    const facts = await inspectMedia(withExif, 'image/jpeg');
    assert.ok(facts.exif?.takenAt instanceof Date);
    assert.equal((await inspectMedia(photos[1]!, 'image/jpeg')).exif, null);
  });
});

describe('near-duplicate index (Postgres)', () => {
  let db: TestDatabase;
  before(async () => {
    db = await freshDatabase();
  });
  after(() => db.drop());

  it('finds reused and edited photos across players, not different ones', async () => {
    const missionId = await seedMission(db.sql);
    const alice = await seedPlayer(db.sql);
    const bob = await seedPlayer(db.sql);
    const t0 = new Date(Date.now() - 3_600_000);
    const originals: { hash: bigint; photo: Buffer }[] = [];
    for (let seed = 11; seed <= 14; seed++) {
      const photo = await syntheticPhoto(seed);
      const actionId = await seedAction(db.sql, { playerId: alice, missionId, submittedAt: t0 });
      const evidenceId = await seedEvidence(db.sql, actionId, photo);
      const hash = await phash(photo);
      await indexEvidence(db.sql, evidenceId, hash, 640, 480);
      await indexEvidence(db.sql, evidenceId, hash, 640, 480); // idempotent
      originals.push({ hash, photo });
    }
    const { rows } = await db.sql.query('SELECT count(*)::int AS n FROM evidence_phash_chunks');
    assert.equal(rows[0].n, 16);

    const bobAction = await seedAction(db.sql, { playerId: bob, missionId });
    const now = new Date();
    const first = originals[0]!;
    assert.equal(await exactDuplicate(db.sql, (await inspectMedia(first.photo, 'image/jpeg')).sha256, bobAction, now), true);
    for (const [name, edit] of Object.entries(edits)) {
      const match = await nearestHash(db.sql, await phash(await edit(first.photo)), bobAction, now, NEAR);
      assert.ok(match && match.distance <= NEAR, `${name} not found`);
    }
    const fresh = await syntheticPhoto(99);
    assert.equal(await nearestHash(db.sql, await phash(fresh), bobAction, now, NEAR), null);
    assert.equal(await exactDuplicate(db.sql, (await inspectMedia(fresh, 'image/jpeg')).sha256, bobAction, now), false);
    // Only earlier submissions count: the originals are not duplicates of a later copy.
    assert.equal(await nearestHash(db.sql, first.hash, bobAction, new Date(t0.getTime() - 1000), NEAR), null);
  });
});
