// The typed OneHeart client for the mobile app: openapi-fetch over the generated paths
// (client/schema.d.ts), a bearer-token middleware that rotates the session once on a 401, and
// helpers for the app's flows (wallet sign-in, quests, evidence upload and proofs, Heart claims).
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import { createSiweMessage } from 'viem/siwe';
import type { paths } from './schema.d.ts';

export type { paths };

type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';
type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;
/** The JSON body a route answers with `status`, from the generated schema. */
export type ResponseOf<P extends keyof paths, M extends Method, S extends number = 200> =
  Operation<P, M> extends { responses: { [K in S]: { content: { 'application/json': infer T } } } } ? T : never;
/** The JSON request body of a route, from the generated schema. */
export type BodyOf<P extends keyof paths, M extends Method> =
  Operation<P, M> extends { requestBody?: { content: { 'application/json': infer T } } } ? T : never;

export type Session = ResponseOf<'/api/auth/login', 'post'>;
export type Quest = ResponseOf<'/api/quest/list', 'get'>['quests'][number];
export type Assignment = ResponseOf<'/api/quest/{id}/start', 'post', 201>;
export type ProofSubmission = BodyOf<'/api/proof/submit', 'post'>;
export type Proof = ResponseOf<'/api/proof/submit', 'post'>;
export type ProofDetail = ResponseOf<'/api/proof/{id}', 'get'>;
export type Claim = ResponseOf<'/api/token/claim', 'get'>;
export type RelayedClaim = ResponseOf<'/api/token/claim', 'post'>;
export type ApiErrorBody = ResponseOf<'/api/auth/login', 'post', 400>;

/** The tokens the client keeps; persist them with `onSession` to survive an app restart. */
export interface SessionTokens {
  accessToken: string;
  refreshToken: string;
}

/** What signs the SIWE message: a viem LocalAccount, a WalletClient account, or anything alike. */
export interface WalletSigner {
  address: `0x${string}`;
  signMessage(args: { message: string }): Promise<`0x${string}`>;
}

export interface OneHeartClientOptions {
  /** Where the API answers, e.g. `https://api.oneheart.example`. */
  baseUrl: string;
  fetch?: typeof globalThis.fetch;
  /** The API's `PUBLIC_URL` (SIWE messages name its host and a URI on it); defaults to `baseUrl`. */
  publicUrl?: string;
  /** Chain id of the deployment the API serves; needed by `signInWithWallet`. */
  chainId?: number;
  /** A stored session to resume. */
  session?: SessionTokens | null;
  /** Called whenever the tokens change (sign-in, rotation, sign-out, a refused refresh). */
  onSession?: (session: SessionTokens | null) => void;
}

/** An error answer of the API: `{ error: { code, message, details?, requestId } }` with its HTTP status. */
export class OneHeartError extends Error {
  override name = 'OneHeartError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string | undefined,
    readonly details?: unknown,
  ) {
    super(`${status} ${code}: ${message}`);
  }
}

/** Routes that carry no bearer token (the refresh route among them, so a refresh never recurses). */
const UNAUTHENTICATED = new Set(['/api/auth/nonce', '/api/auth/login', '/api/auth/refresh', '/api/auth/logout']);

function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.response.ok && result.data !== undefined) return result.data;
  const body = result.error as Partial<ApiErrorBody> | string | undefined;
  const e = typeof body === 'object' ? body.error : undefined;
  throw new OneHeartError(result.response.status, e?.code ?? 'HTTP_ERROR', e?.message ?? (typeof body === 'string' && body ? body : result.response.statusText), e?.requestId ?? result.response.headers.get('x-request-id') ?? undefined, e?.details);
}

const hex = (bytes: ArrayBuffer) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');

/** Lowercase hex SHA-256 of `bytes` (WebCrypto: browsers, React Native with a crypto polyfill, Node). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  return hex(await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
}

export interface EvidenceInput {
  assignmentId: string;
  /** The photo's bytes, sent as is to object storage. */
  bytes: Uint8Array;
  contentType: string;
}

export type ProofInput = EvidenceInput & Omit<ProofSubmission, 'assignmentId' | 'objectKey' | 'sha256' | 'idempotencyKey'> & {
  /** Reuse the same key when retrying a submission; a new random one otherwise. */
  idempotencyKey?: string;
};

export function createOneHeartClient(options: OneHeartClientOptions) {
  const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  const api: Client<paths> = createClient<paths>({ baseUrl: options.baseUrl, fetch: fetchImpl });
  let session: SessionTokens | null = options.session ?? null;
  let refreshing: Promise<string | null> | null = null;
  const retryable = new Map<string, { copy: Request; token: string }>();

  const setSession = (next: SessionTokens | null) => {
    session = next;
    options.onSession?.(next);
  };

  /** One rotation at a time: concurrent 401s share it (a reused refresh token would revoke the session). */
  function refresh(): Promise<string | null> {
    refreshing ??= (async () => {
      const refreshToken = session?.refreshToken;
      if (!refreshToken) return null;
      const { data } = await api.POST('/api/auth/refresh', { body: { refreshToken } });
      // a refused refresh ends the session; the caller gets the original 401
      setSession(data ? { accessToken: data.accessToken, refreshToken: data.refreshToken } : null);
      return data?.accessToken ?? null;
    })().finally(() => {
      refreshing = null;
    });
    return refreshing;
  }

  const auth: Middleware = {
    onRequest({ request, schemaPath, id }) {
      if (UNAUTHENTICATED.has(schemaPath) || !session) return undefined;
      request.headers.set('authorization', `Bearer ${session.accessToken}`);
      retryable.set(id, { copy: request.clone(), token: session.accessToken });
      return request;
    },
    async onResponse({ response, id, options: o }) {
      const sent = retryable.get(id);
      retryable.delete(id);
      if (response.status !== 401 || !sent) return undefined;
      // another request may have rotated the tokens meanwhile: then only retry
      const token = session && session.accessToken !== sent.token ? session.accessToken : await refresh();
      if (!token) return undefined;
      await response.body?.cancel();
      sent.copy.headers.set('authorization', `Bearer ${token}`);
      return o.fetch(sent.copy);
    },
    onError({ id }) {
      retryable.delete(id);
    },
  };
  api.use(auth);

  async function uploadEvidence(input: EvidenceInput): Promise<{ objectKey: string; sha256: string }> {
    const { assignmentId, bytes, contentType } = input;
    const slot = unwrap(await api.POST('/api/proof/upload-url', { body: { assignmentId, contentType, size: bytes.byteLength } }));
    const put = await fetchImpl(slot.url, { method: slot.method, headers: slot.headers, body: bytes as Uint8Array<ArrayBuffer> });
    if (!put.ok) throw new OneHeartError(put.status, 'UPLOAD_FAILED', `object storage answered ${put.status}: ${await put.text()}`, undefined);
    return { objectKey: slot.objectKey, sha256: await sha256Hex(bytes) };
  }

  async function submitProof(body: ProofSubmission): Promise<Proof> {
    return unwrap(await api.POST('/api/proof/submit', { body }));
  }

  return {
    /** The typed openapi-fetch client: every route of the API, with the session's bearer token. */
    api,
    get session(): SessionTokens | null {
      return session;
    },
    setSession,

    /** Sign-In with Ethereum: nonce → EIP-4361 message signed by `wallet` → session. */
    async signInWithWallet(wallet: WalletSigner, fields: { statement?: string } = {}): Promise<Session> {
      if (options.chainId === undefined) throw new TypeError('createOneHeartClient({ chainId }) is required to sign in');
      const publicUrl = new URL(options.publicUrl ?? options.baseUrl);
      const { nonce } = unwrap(await api.POST('/api/auth/nonce'));
      const message = createSiweMessage({
        domain: publicUrl.host,
        address: wallet.address,
        statement: fields.statement ?? 'Sign in to OneHeart',
        uri: `${publicUrl.origin}/login`,
        version: '1',
        chainId: options.chainId,
        nonce,
        issuedAt: new Date(),
      });
      const signature = await wallet.signMessage({ message });
      const signedIn = unwrap(await api.POST('/api/auth/login', { body: { message, signature } }));
      setSession({ accessToken: signedIn.accessToken, refreshToken: signedIn.refreshToken });
      return signedIn;
    },
    /** Revokes the refresh token and forgets the session. */
    async signOut(): Promise<void> {
      const refreshToken = session?.refreshToken;
      setSession(null);
      if (refreshToken) unwrap(await api.POST('/api/auth/logout', { body: { refreshToken } }));
    },

    quests: {
      async list(zoneId?: string): Promise<Quest[]> {
        return unwrap(await api.GET('/api/quest/list', { params: { query: zoneId ? { zoneId } : {} } })).quests;
      },
      async start(questId: string): Promise<Assignment> {
        return unwrap(await api.POST('/api/quest/{id}/start', { params: { path: { id: questId } } }));
      },
      /** Applies the impact of the quest's approved proof (409 PROOF_NOT_APPROVED until the verifier approves). */
      async complete(questId: string) {
        return unwrap(await api.POST('/api/quest/{id}/complete', { params: { path: { id: questId } } }));
      },
      async history(questId: string) {
        return unwrap(await api.GET('/api/quest/{id}/history', { params: { path: { id: questId } } })).attempts;
      },
    },

    proofs: {
      uploadEvidence,
      submit: submitProof,
      /** Presigned upload of the photo straight to object storage, then the proof submission. */
      async submitWithEvidence(input: ProofInput): Promise<Proof> {
        const { bytes, contentType, idempotencyKey, ...fields } = input;
        const { objectKey, sha256 } = await uploadEvidence({ assignmentId: input.assignmentId, bytes, contentType });
        return submitProof({ ...fields, objectKey, sha256, idempotencyKey: idempotencyKey ?? globalThis.crypto.randomUUID() });
      },
      async get(proofId: string): Promise<ProofDetail> {
        return unwrap(await api.GET('/api/proof/{id}', { params: { path: { id: proofId } } }));
      },
      async list(page: { limit?: number; offset?: number } = {}) {
        const query = { ...(page.limit !== undefined ? { limit: String(page.limit) } : {}), ...(page.offset !== undefined ? { offset: String(page.offset) } : {}) };
        return unwrap(await api.GET('/api/proof/list', { params: { query } }));
      },
    },

    claims: {
      /** Claimable Heart of the latest anchored epoch, its Merkle proof and ready-to-sign calldata. */
      async get(): Promise<Claim> {
        return unwrap(await api.GET('/api/token/claim'));
      },
      /** The operator sends the claim for you (tokens go to your address); idempotent per epoch. */
      async relay(): Promise<RelayedClaim> {
        return unwrap(await api.POST('/api/token/claim'));
      },
    },
  };
}

export type OneHeartClient = ReturnType<typeof createOneHeartClient>;
