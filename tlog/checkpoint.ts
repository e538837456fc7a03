/**
 * C2SP signed notes (https://c2sp.org/signed-note) with Ed25519 signatures,
 * and the tlog checkpoint body (https://c2sp.org/tlog-checkpoint): origin,
 * tree size, base64 root hash. Browser-safe: WebCrypto only.
 *
 *   key ID = SHA-256(key name ‖ 0x0A ‖ 0x01 ‖ 32-byte public key)[:4]
 *   vkey   = <name>+<hex key ID>+<base64(0x01 ‖ public key)>
 *   line   = "— " name " " base64(key ID ‖ signature) "\n"
 */
import { concat, fromBase64, subtleSha256, toBase64 } from './hash.ts';

type WebCryptoKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;
const ED25519 = 0x01;
const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });
const bytes = (b: Uint8Array) => b as Uint8Array<ArrayBuffer>;

export interface Checkpoint {
  origin: string;
  size: number;
  root: Uint8Array;
  /** Extension lines (without newlines); normally none. */
  extensions?: string[];
}

export interface NoteVerifier { name: string; keyId: number; publicKey: Uint8Array; key: WebCryptoKey }
export interface NoteSigner { name: string; keyId: number; publicKey: Uint8Array; vkey: string; sign(text: Uint8Array): Promise<Uint8Array> }

function checkKeyName(name: string): void {
  if (!name || /[\s+]/u.test(name)) throw new Error(`key name ${JSON.stringify(name)} must be non-empty without spaces or '+'`);
}

export async function keyId(name: string, publicKey: Uint8Array): Promise<number> {
  const h = await subtleSha256(enc.encode(name), Uint8Array.of(0x0a, ED25519), publicKey);
  return new DataView(h.buffer, h.byteOffset, 4).getUint32(0);
}

export const vkeyString = (name: string, id: number, publicKey: Uint8Array): string =>
  `${name}+${id.toString(16).padStart(8, '0')}+${toBase64(concat(Uint8Array.of(ED25519), publicKey))}`;

/** Parses a verifier key string; throws on any other format or a key ID that does not match the key. */
export async function parseVerifierKey(vkey: string): Promise<NoteVerifier> {
  const m = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/=]+)$/.exec(vkey.trim());
  if (!m) throw new Error('verifier key: expected <name>+<hex key id>+<base64 key>');
  const [, name, idHex, b64] = m as unknown as [string, string, string, string];
  const raw = fromBase64(b64);
  if (raw.length !== 33 || raw[0] !== ED25519) throw new Error('verifier key: not an Ed25519 key (type 0x01, 32 bytes)');
  const publicKey = raw.subarray(1);
  const id = parseInt(idHex, 16);
  if ((await keyId(name, publicKey)) !== id) throw new Error('verifier key: key ID does not match the name and key');
  const key = await crypto.subtle.importKey('raw', bytes(publicKey), { name: 'Ed25519' }, false, ['verify']);
  return { name, keyId: id, publicKey, key };
}

/** A signer from an Ed25519 private key in PKCS#8 DER. */
export async function createNoteSigner(name: string, pkcs8: Uint8Array): Promise<NoteSigner> {
  checkKeyName(name);
  const key = await crypto.subtle.importKey('pkcs8', bytes(pkcs8), { name: 'Ed25519' }, true, ['sign']);
  const jwk = await crypto.subtle.exportKey('jwk', key);
  if (!jwk.x) throw new Error('signing key: no public key in the JWK export');
  const publicKey = fromBase64(jwk.x.replace(/-/g, '+').replace(/_/g, '/') + '=');
  const id = await keyId(name, publicKey);
  return {
    name, keyId: id, publicKey, vkey: vkeyString(name, id, publicKey),
    sign: async (text) => new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, key, bytes(text))),
  };
}

/** Signs `text` (which must end in a newline) and returns the whole note. */
export async function signNote(text: string, signers: readonly NoteSigner[]): Promise<string> {
  checkText(text);
  let out = `${text}\n`;
  for (const s of signers) {
    const id = new Uint8Array(4);
    new DataView(id.buffer).setUint32(0, s.keyId);
    out += `— ${s.name} ${toBase64(concat(id, await s.sign(enc.encode(text))))}\n`;
  }
  return out;
}

function checkText(text: string): void {
  if (!text.endsWith('\n')) throw new Error('note text must end with a newline');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0009\u000b-\u001f]/.test(text)) throw new Error('note text contains control characters');
}

export interface VerifiedNote { text: string; signers: string[] }

/**
 * Splits and verifies a note against trusted keys. Signatures of unknown keys
 * are ignored; a failing signature of a known key rejects the note; at least
 * one known key must have signed.
 */
export async function openNote(note: Uint8Array | string, verifiers: readonly NoteVerifier[]): Promise<VerifiedNote> {
  if (typeof note !== 'string' && note.length > 1 << 20) throw new Error('note: too large');
  const s = typeof note === 'string' ? note : dec.decode(note);
  const split = s.lastIndexOf('\n\n');
  if (split < 0 || !s.endsWith('\n')) throw new Error('note: malformed (no signature block)');
  const text = s.slice(0, split + 1);
  checkText(text);
  const lines = s.slice(split + 2, -1).split('\n');
  if (lines.length > 100) throw new Error('note: too many signatures');
  const signers: string[] = [];
  for (const line of lines) {
    const m = /^— (\S+) ([A-Za-z0-9+/=]+)$/.exec(line);
    if (!m) throw new Error(`note: malformed signature line ${JSON.stringify(line)}`);
    const sig = fromBase64(m[2] as string);
    if (sig.length < 5) throw new Error('note: signature too short');
    const id = new DataView(sig.buffer, sig.byteOffset, 4).getUint32(0);
    const v = verifiers.find((x) => x.name === m[1] && x.keyId === id);
    if (!v) continue;
    if (!(await crypto.subtle.verify({ name: 'Ed25519' }, v.key, bytes(sig.subarray(4)), bytes(enc.encode(text))))) {
      throw new Error(`note: signature by ${v.name} does not verify`);
    }
    signers.push(v.name);
  }
  if (!signers.length) throw new Error('note: no signature by a trusted key');
  return { text, signers };
}

export function formatCheckpoint(c: Checkpoint): string {
  if (!c.origin || c.origin.includes('\n')) throw new Error('checkpoint: bad origin');
  if (!Number.isSafeInteger(c.size) || c.size < 0) throw new Error('checkpoint: bad size');
  if (c.root.length !== 32) throw new Error('checkpoint: root must be 32 bytes');
  const ext = (c.extensions ?? []).map((l) => {
    if (!l || l.includes('\n')) throw new Error('checkpoint: extension lines must be non-empty single lines');
    return `${l}\n`;
  }).join('');
  return `${c.origin}\n${c.size}\n${toBase64(c.root)}\n${ext}`;
}

export function parseCheckpoint(text: string): Checkpoint {
  const lines = text.split('\n');
  if (lines.pop() !== '' || lines.length < 3) throw new Error('checkpoint: expected at least 3 newline-terminated lines');
  const [origin, sizeLine, rootLine, ...extensions] = lines as [string, string, string, ...string[]];
  if (!origin) throw new Error('checkpoint: empty origin');
  if (!/^(0|[1-9]\d*)$/.test(sizeLine) || !Number.isSafeInteger(Number(sizeLine))) throw new Error(`checkpoint: bad tree size ${JSON.stringify(sizeLine)}`);
  const root = fromBase64(rootLine);
  if (root.length !== 32) throw new Error('checkpoint: root hash must be 32 bytes');
  if (extensions.some((l) => !l)) throw new Error('checkpoint: empty extension line');
  return { origin, size: Number(sizeLine), root, extensions };
}

export async function signCheckpoint(c: Checkpoint, signer: NoteSigner): Promise<string> {
  return signNote(formatCheckpoint(c), [signer]);
}

/** Verifies the signature and origin of a checkpoint note and parses it. */
export async function openCheckpoint(note: Uint8Array | string, verifier: NoteVerifier, origin: string): Promise<Checkpoint> {
  const { text } = await openNote(note, [verifier]);
  const c = parseCheckpoint(text);
  if (c.origin !== origin) throw new Error(`checkpoint: origin ${JSON.stringify(c.origin)} is not ${JSON.stringify(origin)}`);
  return c;
}
