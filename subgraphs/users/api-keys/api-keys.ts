import { announceRevoked } from "../accounts/revocations.ts";
import type { ApiKeyRecord } from "../../../lib/auth/credential-lookup.ts";
import { API_KEY_SCOPES, isApiKeyScope } from "../../../lib/auth/identity.ts";
import { API_KEY_PREFIX, hashSecret, newSecret } from "../../../lib/auth/secrets.ts";
import type { ApiKey, PrismaClient } from "../../../lib/db/database.ts";
import { badUserInput, notFound } from "../../../lib/errors.ts";
import { parseId } from "../../../lib/graphql/arguments.ts";
import type { UsersContext } from "../context.ts";
import { requireViewer } from "../viewer.ts";

/**
 * Partner API keys, managed by administrators. A key is 256 random bits shown
 * once, when created; only its SHA-256 is stored. Each key has scopes (what it
 * may do beyond the public catalogue) and its own requests-per-minute limit.
 */
const MAX_NAME_LENGTH = 100;
const MAX_RATE_LIMIT_PER_MINUTE = 1_000_000;
/** Shown in listings so operators can tell keys apart without the key. */
const DISPLAYED_PREFIX_LENGTH = API_KEY_PREFIX.length + 6;

interface CreateApiKeyInput {
  name: string;
  scopes: string[];
  rateLimitPerMinute: number;
}

function parseInput(input: CreateApiKeyInput) {
  const name = input.name.trim();
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) throw badUserInput(`input.name must be 1 to ${MAX_NAME_LENGTH} characters`, "input.name");
  const unknown = input.scopes.filter((scope) => !isApiKeyScope(scope));
  if (unknown.length > 0) {
    throw badUserInput(`Unknown scopes ${unknown.map((s) => JSON.stringify(s)).join(", ")}; known scopes: ${API_KEY_SCOPES.join(", ")}`, "input.scopes");
  }
  const rate = input.rateLimitPerMinute;
  if (!Number.isInteger(rate) || rate < 1 || rate > MAX_RATE_LIMIT_PER_MINUTE) {
    throw badUserInput(`input.rateLimitPerMinute must be a whole number from 1 to ${MAX_RATE_LIMIT_PER_MINUTE}`, "input.rateLimitPerMinute");
  }
  return { name, scopes: [...new Set(input.scopes)].sort(), rateLimitPerMinute: rate };
}

export const apiKeyQueries = {
  apiKeys: (_parent: unknown, _args: unknown, context: UsersContext): Promise<ApiKey[]> =>
    context.runtime.db.prisma.apiKey.findMany({ orderBy: { id: "desc" } }),
};

export const apiKeyMutations = {
  async createApiKey(_parent: unknown, args: { input: CreateApiKeyInput }, context: UsersContext): Promise<{ key: string; apiKey: ApiKey }> {
    const data = parseInput(args.input);
    const key = newSecret(API_KEY_PREFIX);
    const apiKey = await context.runtime.db.prisma.apiKey.create({
      data: { ...data, keyHash: hashSecret(key), keyPrefix: key.slice(0, DISPLAYED_PREFIX_LENGTH), createdById: requireViewer(context).userId },
    });
    context.logger.info({ apiKeyId: apiKey.id, scopes: apiKey.scopes }, "API key created");
    return { key, apiKey };
  },

  /** Idempotent: revoking a revoked key returns it unchanged. */
  async revokeApiKey(_parent: unknown, args: { id: string }, context: UsersContext): Promise<ApiKey> {
    const id = parseId(args.id);
    const prisma = context.runtime.db.prisma;
    const { count } = await prisma.apiKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date() } });
    const apiKey = await prisma.apiKey.findUnique({ where: { id } });
    if (!apiKey) throw notFound("ApiKey", id);
    if (count > 0) {
      await announceRevoked(context.runtime, { kind: "apiKey", apiKeyHash: apiKey.keyHash }, context.revokedCredentials);
      context.logger.info({ apiKeyId: id }, "API key revoked");
    }
    return apiKey;
  },
};

/** What the gateway needs to accept a key; null for unknown and revoked keys. */
export async function activeApiKey(prisma: PrismaClient, keyHash: string): Promise<ApiKeyRecord | null> {
  const apiKey = await prisma.apiKey.findUnique({ where: { keyHash } });
  if (!apiKey || apiKey.revokedAt) return null;
  // Once per gateway cache period per key, so this write stays cheap.
  await prisma.apiKey.update({ where: { id: apiKey.id }, data: { lastUsedAt: new Date() } });
  return { id: apiKey.id, name: apiKey.name, scopes: apiKey.scopes.filter(isApiKeyScope), rateLimitPerMinute: apiKey.rateLimitPerMinute };
}
