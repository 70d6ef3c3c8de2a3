import { parseArgs } from "node:util";
import { signAccessToken } from "../lib/auth/tokens.ts";
import { loadConfigOrExit } from "../lib/config.ts";

/**
 * `npm run token -- --user 1 [--role admin] [--expires 1h]` prints an access token
 * signed with JWT_SECRET, for trying the API and for service accounts. In production
 * tokens come from the identity provider that shares JWT_SECRET/JWT_ISSUER.
 */
const usage = "usage: npm run token -- --user <id> [--role reader|admin] [--expires 1h]";
const { values } = parseArgs({
  options: { user: { type: "string" }, role: { type: "string", default: "reader" }, expires: { type: "string", default: "1h" } },
});
const userId = Number(values.user);
const role = values.role?.toUpperCase();
if (!Number.isSafeInteger(userId) || userId <= 0 || (role !== "READER" && role !== "ADMIN") || !/^\d+[smhdw]$/.test(values.expires ?? "")) {
  process.stderr.write(`${usage}\n`);
  process.exit(2);
}
const config = loadConfigOrExit();
process.stdout.write(`${await signAccessToken(config, { userId, role }, values.expires)}\n`);
