import { HttpRequestError, TimeoutError, WebSocketRequestError, type Address, type Hex } from 'viem';
import { generateSiweNonce, parseSiweMessage } from 'viem/siwe';
import type { Deps } from '../deps.ts';
import { ApiError } from '../errors.ts';

export const NONCE_TTL_S = 5 * 60;
/** Tolerated clock skew between the wallet and us. */
const SKEW_MS = 60_000;

const malformed = (why: string) => new ApiError(400, 'SIWE_MALFORMED', `malformed SIWE message: ${why}`);
const rejected = (code: string, message: string) => new ApiError(401, code, message);
const isBadDate = (d: Date | undefined) => d !== undefined && Number.isNaN(d.getTime());

/**
 * Sign-In with Ethereum (EIP-4361): single-use nonces in Redis and message
 * verification against PUBLIC_URL, the chain's id and the signer (EOA or
 * ERC-1271/6492 smart wallet, through the chain client).
 */
export class SiweVerifier {
  private chainId: Promise<number> | undefined;
  private readonly publicUrl: URL;

  constructor(private readonly deps: Deps) {
    this.publicUrl = new URL(deps.config.PUBLIC_URL);
  }

  get domain() {
    return this.publicUrl.host;
  }

  private nonceKey(nonce: string) {
    return `${this.deps.config.REDIS_PREFIX}siwe:nonce:${nonce}`;
  }

  /** The chain id, asked once (a failed lookup is retried next time). */
  getChainId(): Promise<number> {
    this.chainId ??= this.deps.chain.getChainId().catch((err: unknown) => {
      this.chainId = undefined;
      throw err;
    });
    return this.chainId;
  }

  async issueNonce(): Promise<string> {
    const nonce = generateSiweNonce();
    await this.deps.redis.set(this.nonceKey(nonce), '1', 'EX', NONCE_TTL_S);
    return nonce;
  }

  /**
   * Verifies everything, then consumes the nonce atomically: of concurrent
   * logins with one nonce exactly one gets past the DEL. Returns the signer.
   */
  async verify(message: string, signature: Hex, now = new Date()): Promise<{ address: Address; chainId: number }> {
    const m = parseSiweMessage(message);
    if (!m.domain || !m.address || !m.uri || !m.version || !m.chainId || !m.nonce || !m.issuedAt) {
      throw malformed('missing domain, address, URI, version, chain id, nonce or issued-at');
    }
    if (m.version !== '1') throw malformed('version must be 1');
    if (isBadDate(m.issuedAt) || isBadDate(m.expirationTime) || isBadDate(m.notBefore)) throw malformed('timestamps must be RFC 3339');

    if (m.domain !== this.domain) throw rejected('SIWE_DOMAIN_MISMATCH', `domain must be ${this.domain}`);
    if (m.scheme !== undefined && `${m.scheme}:` !== this.publicUrl.protocol) throw rejected('SIWE_DOMAIN_MISMATCH', 'scheme does not match');
    let uriOrigin: string | undefined;
    try {
      uriOrigin = new URL(m.uri).origin;
    } catch {
      throw malformed('URI is not a URL');
    }
    if (uriOrigin !== this.publicUrl.origin) throw rejected('SIWE_URI_MISMATCH', `URI must be on ${this.publicUrl.origin}`);
    const chainId = await this.getChainId();
    if (m.chainId !== chainId) throw rejected('SIWE_CHAIN_MISMATCH', `chain id must be ${chainId}`);

    const t = now.getTime();
    if (m.expirationTime && t >= m.expirationTime.getTime()) throw rejected('SIWE_EXPIRED', 'message has expired');
    if (m.notBefore && t < m.notBefore.getTime()) throw rejected('SIWE_NOT_YET_VALID', 'message is not valid yet');
    if (m.issuedAt.getTime() > t + SKEW_MS) throw rejected('SIWE_NOT_YET_VALID', 'issued-at is in the future');
    if (m.issuedAt.getTime() < t - NONCE_TTL_S * 1000 - SKEW_MS) throw rejected('SIWE_EXPIRED', 'message was issued too long ago');

    const key = this.nonceKey(m.nonce);
    if ((await this.deps.redis.exists(key)) !== 1) throw rejected('SIWE_NONCE_INVALID', 'unknown, expired or used nonce');

    let valid: boolean;
    try {
      valid = await this.deps.chain.verifySiweMessage({ message, signature, domain: this.domain, nonce: m.nonce, time: now });
    } catch (err) {
      // An unreachable chain is our failure (500), not a bad signature.
      if (err instanceof HttpRequestError || err instanceof TimeoutError || err instanceof WebSocketRequestError) throw err;
      valid = false;
    }
    if (!valid) throw rejected('SIWE_SIGNATURE_INVALID', 'signature does not match the message address');

    if ((await this.deps.redis.del(key)) !== 1) throw rejected('SIWE_NONCE_INVALID', 'unknown, expired or used nonce');
    return { address: m.address, chainId };
  }
}
