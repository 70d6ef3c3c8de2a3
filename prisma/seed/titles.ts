import type { GenreFamily } from "./genres.ts";
import { fillTemplate, type TextContext } from "./text-context.ts";
import { ADJECTIVES, EVOCATIVE_WORDS, OCCUPATIONS, RELATIONS, SEASONS, SERIES_WORDS, VOCABULARY } from "./vocabulary.ts";

export interface GeneratedTitle {
  readonly title: string;
  readonly subtitle: string | null;
}

interface Pattern {
  readonly weight: number;
  readonly template: string;
}

const FICTION_PATTERNS: readonly Pattern[] = [
  { weight: 3, template: "The {noun} of {place}" },
  { weight: 3, template: "The {noun} of {plural}" },
  { weight: 3, template: "{evocative}" },
  { weight: 2, template: "A {noun} in {season}" },
  { weight: 4, template: "The {adjective} {noun}" },
  { weight: 2, template: "The {occupation}'s {relation}" },
  { weight: 1.5, template: "{plural} and {plural2}" },
  { weight: 1, template: "The Last {noun}" },
  { weight: 2, template: "{adjective} {plural}" },
  { weight: 1, template: "What the {noun} Knew" },
  { weight: 1, template: "{firstName}'s {noun}" },
  { weight: 1, template: "Before the {noun}" },
];

const NONFICTION_PATTERNS: readonly Pattern[] = [
  { weight: 3, template: "The {noun} Effect" },
  { weight: 3, template: "{noun}" },
  { weight: 2, template: "The Age of {plural}" },
  { weight: 2, template: "Why We {verb}" },
  { weight: 2, template: "The {adjective} {noun}" },
  { weight: 1.5, template: "{evocative}" },
  { weight: 1.5, template: "A Brief History of {plural}" },
  { weight: 1, template: "The {noun} Paradox" },
];

/** Nouns that read well after "the": "The Untold Story of the Brain". */
const NONFICTION_TOPICS = ["Body", "Brain", "Mind", "Ocean", "Forest", "Silk Road", "Frontier", "Gene", "Machine", "Plague", "Future", "Atom", "Universe", "Cell", "City"];

const NONFICTION_VERBS = ["Sleep", "Remember", "Forget", "Believe", "Work", "Travel", "Read", "Run", "Trust", "Dream", "Lie", "Laugh", "Hope", "Eat"];

const NONFICTION_SUBTITLES = [
  "A History of {plural}",
  "How {plural} Made the Modern World",
  "The Surprising Science of {plural}",
  "{count} Lessons for a Changing World",
  "Why {plural} Matter More Than Ever",
  "The Untold Story of the {topic}",
  "What {plural} Teach Us About Ourselves",
  "A New History of the {topic}",
  "Rethinking {plural} for the Twenty-First Century",
];

const FICTION_SUBTITLES: Readonly<Record<GenreFamily, readonly string[]>> = {
  speculative: ["A Novel"],
  crime: ["A Thriller", "A Mystery", "A Novel", "A Detective Novel"],
  romance: ["A Novel", "A Love Story"],
  literary: ["A Novel"],
  young: ["A Novel", "An Adventure"],
  nonfiction: [],
};

const GENRE_SUBTITLES: Readonly<Record<string, string>> = {
  "short-stories": "Stories",
  poetry: "Poems",
  "graphic-novels": "A Graphic Novel",
  memoir: "A Memoir",
  biography: "A Life",
};

function pickPattern(context: TextContext, patterns: readonly Pattern[]): string {
  return patterns[context.random.weightedIndex(patterns.map((pattern) => pattern.weight))]!.template;
}

/** A title in one of many shapes ("The X of Y", one evocative word, "A Z in W"...), with a subtitle for some books. */
export function generateTitle(context: TextContext, family: GenreFamily, primaryGenre: string): GeneratedTitle {
  const { random, faker } = context;
  const words = VOCABULARY[family];
  const plural = random.pick(words.plurals);
  let plural2 = random.pick(words.plurals);
  while (plural2 === plural && words.plurals.length > 1) plural2 = random.pick(words.plurals);
  const values = {
    noun: random.pick(words.nouns),
    plural,
    plural2,
    adjective: random.pick(ADJECTIVES),
    evocative: random.pick(EVOCATIVE_WORDS),
    occupation: random.pick(OCCUPATIONS),
    relation: random.pick(RELATIONS),
    season: random.chance(0.6) ? random.pick(SEASONS) : faker.location.city(),
    place: faker.location.city(),
    firstName: faker.person.firstName(),
    verb: random.pick(NONFICTION_VERBS),
  };

  if (primaryGenre === "biography") {
    return { title: faker.person.fullName(), subtitle: random.chance(0.5) ? "A Life" : `The Life and Times of a ${random.pick(OCCUPATIONS)}` };
  }

  const title = fillTemplate(pickPattern(context, family === "nonfiction" ? NONFICTION_PATTERNS : FICTION_PATTERNS), values);

  const genreSubtitle = GENRE_SUBTITLES[primaryGenre];
  if (genreSubtitle !== undefined && random.chance(0.7)) return { title, subtitle: genreSubtitle };
  if (family === "nonfiction" && random.chance(0.8)) {
    const topic = random.pick(NONFICTION_TOPICS);
    return {
      title,
      subtitle: fillTemplate(random.pick(NONFICTION_SUBTITLES), { plural: random.pick(words.plurals), topic, count: String(random.intBetween(3, 21)) }),
    };
  }
  const fictionSubtitles = FICTION_SUBTITLES[family];
  if (fictionSubtitles.length > 0 && random.chance(0.12)) return { title, subtitle: random.pick(fictionSubtitles) };
  return { title, subtitle: null };
}

/** A series name in the family's idiom: "The Ember Chronicles", "The Inspector Vance Mysteries". */
export function generateSeriesName(context: TextContext, family: GenreFamily): string {
  const { random, faker } = context;
  const kind = random.pick(SERIES_WORDS[family]);
  switch (family) {
    case "crime":
      return random.chance(0.5)
        ? `${random.pick(["Inspector", "Detective", "DCI", "Sergeant"])} ${faker.person.lastName()}`
        : `The ${faker.location.city()} ${kind}`;
    case "romance":
      return random.chance(0.5) ? `The ${faker.person.lastName()} ${kind}` : `${faker.location.city()} ${kind}`;
    default:
      return `The ${random.pick(random.chance(0.5) ? EVOCATIVE_WORDS : VOCABULARY[family].nouns)} ${kind}`;
  }
}

/** Goodreads' convention, which readers recognise: "The Iron Crown (The Ember Chronicles, #2)". */
export function seriesTitle(title: string, seriesName: string, volume: number): string {
  return `${title} (${seriesName}, #${volume})`;
}
