import { AGE_GROUPS, type AgeGroupName, type UserTable } from "./dataset.ts";
import { GENRE_DEFINITIONS, genreIndex } from "./genres.ts";
import type { Random } from "./random.ts";
import type { TextContext } from "./text-context.ts";

const DAY_MS = 86_400_000;
export const REGISTRATION_SPAN_MS = 3 * 365 * DAY_MS;

/** Readers before their activity exists: the segment is derived later from their registration date and how much they rate. */
export interface GeneratedUsers extends Omit<UserTable, "segment"> {
  /** Genre indexes (0-based) each user leans towards, strongest first. */
  readonly favouriteGenres: number[][];
  /** Whether the user told us (user_genre_preferences rows) or we must learn it. */
  readonly statesPreferences: boolean[];
}

export const ADMIN_EMAIL = "admin@shelfgraph.example";
const EMAIL_PROVIDERS = ["example.com", "example.net", "example.org", "mail.example"];
const AGE_WEIGHTS = [5, 18, 30, 22, 13, 8, 4];
const COUNTRIES = ["US", "GB", "CA", "AU", "IN", "DE", "FR", "NL", "ES", "IT", "BR", "MX", "IE", "NZ", "SE", "PL", "PH", "ZA", "NG", "JP"];
const COUNTRY_WEIGHTS = [40, 10, 6, 4, 6, 4, 3, 2, 2, 2, 3, 2, 1.5, 1, 1, 1.5, 2, 1.5, 1.5, 1];
const FAVOURITE_COUNT_WEIGHTS = [0.35, 0.4, 0.25];
const FAVOURITE_STRENGTH = [1, 0.7, 0.5];

/** Reading tastes shift with age; these multipliers bend genre choice so demographics carry a little signal. */
const AGE_GENRE_BOOST: Readonly<Record<AgeGroupName, Readonly<Record<string, number>>>> = {
  UNDER_18: { "young-adult": 5, "middle-grade": 3, fantasy: 1.5, "graphic-novels": 2 },
  AGE_18_24: { "young-adult": 2.5, fantasy: 1.5, "contemporary-romance": 1.5, "graphic-novels": 1.5 },
  AGE_25_34: { "contemporary-romance": 1.3, thriller: 1.2, "self-help": 1.3 },
  AGE_35_44: { thriller: 1.3, "literary-fiction": 1.2, business: 1.3 },
  AGE_45_54: { mystery: 1.3, "historical-fiction": 1.3, history: 1.3 },
  AGE_55_64: { mystery: 1.5, history: 1.8, biography: 1.8, classics: 1.3 },
  AGE_65_PLUS: { mystery: 1.8, history: 2, biography: 2, classics: 1.5, "cozy-mystery": 2, "young-adult": 0.3 },
};

/** Readers' profiles: names, unique emails, demographics, registration date and the genres they lean to. */
export function generateUsers(context: TextContext, random: Random, count: number, referenceTime: number): GeneratedUsers {
  const { faker } = context;
  const users: GeneratedUsers = {
    count,
    displayName: [],
    email: [],
    role: [],
    ageGroup: [],
    country: [],
    registeredAt: new Float64Array(count),
    favouriteGenres: [],
    statesPreferences: [],
  };
  const emails = new Set<string>([ADMIN_EMAIL]);

  for (let index = 0; index < count; index++) {
    const sex = random.chance(0.5) ? "female" : "male";
    const firstName = faker.person.firstName(sex);
    const lastName = faker.person.lastName();
    const isAdmin = index === 0;
    const style = random.next();
    users.displayName.push(
      isAdmin ? "Demo Admin" : style < 0.65 ? `${firstName} ${lastName}` : style < 0.85 ? `${firstName} ${lastName[0]}.` : faker.internet.username({ firstName, lastName }),
    );
    users.email.push(isAdmin ? ADMIN_EMAIL : uniqueEmail(faker.internet.email({ firstName, lastName, provider: random.pick(EMAIL_PROVIDERS) }), emails));
    users.role.push(isAdmin ? "ADMIN" : "READER");
    const ageGroup = random.chance(0.08) ? null : AGE_GROUPS[random.weightedIndex(AGE_WEIGHTS)]!;
    users.ageGroup.push(ageGroup);
    users.country.push(COUNTRIES[random.weightedIndex(COUNTRY_WEIGHTS)]!);
    // Sign-ups grow over time, so recent months hold more of them; the demo admin is the oldest account.
    const age = isAdmin ? REGISTRATION_SPAN_MS : REGISTRATION_SPAN_MS * Math.pow(random.next(), 1.25);
    users.registeredAt[index] = Math.round(referenceTime - age);
    users.favouriteGenres.push(pickFavouriteGenres(random, ageGroup));
    users.statesPreferences.push(isAdmin || random.chance(0.35));
  }
  return users;
}

export function favouriteStrength(position: number): number {
  return FAVOURITE_STRENGTH[position] ?? 0.5;
}

function pickFavouriteGenres(random: Random, ageGroup: AgeGroupName | null): number[] {
  const boost = ageGroup ? AGE_GENRE_BOOST[ageGroup] : {};
  const weights = GENRE_DEFINITIONS.map((genre) => genre.share * (boost[genre.slug] ?? 1));
  const wanted = 1 + random.weightedIndex(FAVOURITE_COUNT_WEIGHTS);
  const favourites: number[] = [];
  while (favourites.length < wanted) {
    // The second and third favourite are often neighbours of the first (fantasy readers also read young adult).
    const first = favourites[0];
    const candidate =
      first !== undefined && random.chance(0.5) ? genreIndex(random.pick(GENRE_DEFINITIONS[first]!.related)) : random.weightedIndex(weights);
    if (!favourites.includes(candidate)) favourites.push(candidate);
  }
  return favourites;
}

/** Faker draws from a few thousand names, so clashes happen; a number before the @ resolves them. */
function uniqueEmail(candidate: string, taken: Set<string>): string {
  const email = candidate.toLowerCase();
  const at = email.lastIndexOf("@");
  let unique = email;
  for (let suffix = 2; taken.has(unique); suffix++) unique = `${email.slice(0, at)}${suffix}${email.slice(at)}`;
  taken.add(unique);
  return unique;
}
