import { parseArgs } from "node:util";
import { signAccessToken } from "../lib/auth/tokens.ts";
import { loadConfigOrExit } from "../lib/config.ts";

/**
 * `npm run token -- --user 1 [--role admin] [--expires 1h]` prints an access token
 * signed with JWT_SECRET, for trying the API, for tests and for operators. It
 * carries `exp` like every token, and may not outlive ACCESS_TOKEN_MAX_LIFETIME_SECONDS
 * (the gateway would refuse it). Readers get theirs from signIn; partners use API keys.
 */
const usage = "usage: npm run token -- --user <id> [--role reader|admin] [--expires 1h]";
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };
const { values } = parseArgs({
  options: { user: { type: "string" }, role: { type: "string", default: "reader" }, expires: { type: "string", default: "1h" } },
});
const userId = Number(values.user);
const role = values.role?.toUpperCase();
const span = /^(\d+)([smhdw])$/.exec(values.expires ?? "");
if (!Number.isSafeInteger(userId) || userId <= 0 || (role !== "READER" && role !== "ADMIN") || !span) {
  process.stderr.write(`${usage}\n`);
  process.exit(2);
}
const config = loadConfigOrExit();
const seconds = Number(span[1]) * UNIT_SECONDS[span[2]!]!;
if (seconds <= 0 || seconds > config.ACCESS_TOKEN_MAX_LIFETIME_SECONDS) {
  process.stderr.write(`--expires must be between 1s and ACCESS_TOKEN_MAX_LIFETIME_SECONDS (${config.ACCESS_TOKEN_MAX_LIFETIME_SECONDS}s)\n`);
  process.exit(2);
}
process.stdout.write(`${await signAccessToken(config, { userId, role }, seconds)}\n`);
