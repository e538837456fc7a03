import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createNoteSigner, formatCheckpoint, keyId, openCheckpoint, openNote, parseCheckpoint, parseVerifierKey, signCheckpoint, signNote,
} from './checkpoint.ts';
import { fromBase64 } from './hash.ts';

// The example of c2sp.org/signed-note ("Verifier keys" → "Example").
const SPEC_VKEY = 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k';
const SPEC_NOTE = 'This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n';
const PKCS8 = fromBase64('MC4CAQAwBQYDK2VwBCIEIMs25wZtmXD69PpbU0M9sZLrKxUEDIt0WGuMbOG5NvDj');

describe('signed note (c2sp.org/signed-note)', () => {
  it('verifies the spec example with the spec verifier key; key ID matches the recommended derivation', async () => {
    const v = await parseVerifierKey(SPEC_VKEY);
    assert.equal(v.keyId, 0x530d903a);
    assert.equal(await keyId('example.com/foo', v.publicKey), 0x530d903a);
    const { text, signers } = await openNote(SPEC_NOTE, [v]);
    assert.equal(text, 'This is an example message.\n');
    assert.deepEqual(signers, ['example.com/foo']);
  });

  it('rejects a changed text, a changed signature, and notes with no trusted signer', async () => {
    const v = await parseVerifierKey(SPEC_VKEY);
    await assert.rejects(openNote(SPEC_NOTE.replace('example message', 'example massage'), [v]), /does not verify/);
    await assert.rejects(openNote(SPEC_NOTE.replace('Uw2QOkn8', 'Uw2QOkn9'), [v]), /does not verify/);
    const other = await parseVerifierKey((await createNoteSigner('example.com/foo', PKCS8)).vkey);
    await assert.rejects(openNote(SPEC_NOTE, [other]), /no signature by a trusted key/); // same name, other key id: ignored
    await assert.rejects(parseVerifierKey(SPEC_VKEY.replace('530d903a', '530d903b')), /key ID does not match/);
  });

  it('signs and verifies checkpoints; Ed25519 is deterministic; the vkey round-trips', async () => {
    const signer = await createNoteSigner('oneheart.local/ledger', PKCS8);
    const v = await parseVerifierKey(signer.vkey);
    assert.match(signer.vkey, /^oneheart\.local\/ledger\+[0-9a-f]{8}\+AT6G7WXBKiFv1u0ruH/);
    const cp = { origin: 'oneheart.local/ledger', size: 20852163, root: fromBase64('CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=') };
    // body layout of the c2sp.org/tlog-checkpoint example
    assert.equal(formatCheckpoint({ ...cp, origin: 'example.com/behind-the-sofa' }), 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n');
    const note = await signCheckpoint(cp, signer);
    assert.equal(note, await signCheckpoint(cp, signer));
    const back = await openCheckpoint(note, v, 'oneheart.local/ledger');
    assert.equal(back.size, cp.size);
    assert.deepEqual(back.root, cp.root);
    await assert.rejects(openCheckpoint(note, v, 'other.example/log'), /origin/);
    await assert.rejects(openCheckpoint(note.replace('20852163', '20852164'), v, cp.origin), /does not verify/);
    await assert.rejects(openCheckpoint(await signNote('oneheart.local/ledger\n01\nAAAA\n', [signer]), v, cp.origin), /bad tree size/);
    assert.throws(() => parseCheckpoint('a\n1\n'), /at least 3/);
  });
});
