/** Shared with serving's real-time fold-in, so both weigh signals identically. */
export { IMPLICIT_STRENGTH, interactionStrength, ratingStrength, type InteractionType } from "../../lib/models/signal-strength.ts";
