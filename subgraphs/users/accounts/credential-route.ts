import express, { type Express } from "express";
import { CREDENTIAL_LOOKUP_PATH, verifyLookupRequest, type CredentialLookupResponse } from "../../../lib/auth/credential-lookup.ts";
import type { Runtime } from "../../../lib/runtime.ts";
import { activeApiKey } from "../api-keys/api-keys.ts";
import { isSessionActive } from "./sessions.ts";

/**
 * The gateway's lookup of API keys and sessions (lib/auth/credential-lookup.ts).
 * Only requests signed with INTERNAL_SECRET are answered, so the route tells an
 * outsider nothing about which keys exist.
 */
export function mountCredentialRoute(app: Express, runtime: Runtime): void {
  app.post(CREDENTIAL_LOOKUP_PATH, express.json({ limit: "8kb" }), async (request, response) => {
    const lookup = verifyLookupRequest(runtime.config.INTERNAL_SECRET, (request.body as { request?: unknown } | undefined)?.request);
    if (!lookup) {
      response.status(403).json({ error: "forbidden" });
      return;
    }
    try {
      const prisma = runtime.db.prisma;
      const answer: CredentialLookupResponse =
        "apiKeyHash" in lookup ? { apiKey: await activeApiKey(prisma, lookup.apiKeyHash) } : { session: { active: await isSessionActive(prisma, lookup.sessionId) } };
      response.json(answer);
    } catch (error) {
      runtime.logger.error({ err: error }, "credential lookup failed");
      response.status(503).json({ error: "unavailable" });
    }
  });
}
