/**
 * Book-Crossing locations are free text, "city, state, country", lower case and
 * often misspelt. The last part is matched against every region name Intl knows
 * in English plus the usual aliases; anything else stays unknown (null).
 */
const ALIASES: Record<string, string> = {
  usa: "US",
  "u.s.a.": "US",
  "u.s.a": "US",
  us: "US",
  "united states of america": "US",
  america: "US",
  uk: "GB",
  "u.k.": "GB",
  "united kingdom": "GB",
  "great britain": "GB",
  england: "GB",
  scotland: "GB",
  wales: "GB",
  "northern ireland": "GB",
  "the netherlands": "NL",
  holland: "NL",
  deutschland: "DE",
  "españa": "ES",
  espana: "ES",
  italia: "IT",
  "la france": "FR",
  "méxico": "MX",
  "republic of korea": "KR",
  "south korea": "KR",
  korea: "KR",
  "the philippines": "PH",
  "russian federation": "RU",
  "czech republic": "CZ",
  catalunya: "ES",
  catalonia: "ES",
  "new zealand": "NZ",
  suisse: "CH",
  schweiz: "CH",
  "österreich": "AT",
  brasil: "BR",
  myanmar: "MM",
  burma: "MM",
};

/** Codes Intl still names that are groupings (EU, UN...) or withdrawn from ISO 3166 (SU, DD...), whose names belong to a current code. */
const NOT_CURRENT_COUNTRIES = new Set(["EU", "EZ", "UN", "QO", "XA", "XB", "ZZ", "AN", "DD", "DY", "FX", "HV", "BU", "CS", "SU", "TP", "UK", "VD", "NH", "YD", "YU", "ZR", "RH"]);

let byName: Map<string, string> | null = null;

function regionNames(): Map<string, string> {
  if (byName) return byName;
  const names = new Intl.DisplayNames(["en"], { type: "region", fallback: "none" });
  byName = new Map();
  const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  for (const first of letters) {
    for (const second of letters) {
      const code = `${first}${second}`;
      const name = names.of(code);
      if (name && !NOT_CURRENT_COUNTRIES.has(code)) byName.set(normalise(name), code);
    }
  }
  for (const [alias, code] of Object.entries(ALIASES)) byName.set(normalise(alias), code);
  return byName;
}

function normalise(name: string): string {
  return name
    .toLowerCase()
    .replace(/[.,"'!?]+$/g, "")
    .replace(/\s+/g, " ")
    .trim();
}

/** The ISO 3166-1 alpha-2 code of a location's country, or null when it is not recognisable. */
export function countryCodeOf(location: string | null): string | null {
  if (!location) return null;
  const parts = location.split(",");
  const country = normalise(parts[parts.length - 1] ?? "");
  if (country === "" || country === "n/a") return null;
  return regionNames().get(country) ?? null;
}
