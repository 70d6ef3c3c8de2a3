import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "../../../lib/auth/passwords.ts";
import { badUserInput } from "../../../lib/errors.ts";

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MAX_EMAIL_LENGTH = 254;
const MAX_DISPLAY_NAME_LENGTH = 64;

/** Emails are compared as typed apart from case and surrounding spaces, so one inbox is one account. */
export function parseEmail(value: string, field = "email"): string {
  const email = value.trim().toLowerCase();
  if (email.length > MAX_EMAIL_LENGTH || !EMAIL_PATTERN.test(email)) throw badUserInput(`${field} must be an email address`, field);
  return email;
}

export function parseNewPassword(value: string, field = "password"): string {
  const length = [...value].length;
  if (length < PASSWORD_MIN_LENGTH) throw badUserInput(`${field} must be at least ${PASSWORD_MIN_LENGTH} characters`, field);
  if (length > PASSWORD_MAX_LENGTH) throw badUserInput(`${field} must be at most ${PASSWORD_MAX_LENGTH} characters`, field);
  return value;
}

export function parseDisplayName(value: string, field = "displayName"): string {
  const name = value.trim().replace(/\s+/g, " ");
  const length = [...name].length;
  if (length === 0 || length > MAX_DISPLAY_NAME_LENGTH || /\p{Cc}/u.test(name)) {
    throw badUserInput(`${field} must be 1 to ${MAX_DISPLAY_NAME_LENGTH} printable characters`, field);
  }
  return name;
}
