import type { GenreFamily } from "./genres.ts";
import { fillTemplate, type TextContext } from "./text-context.ts";
import { ADJECTIVES, VOCABULARY } from "./vocabulary.ts";

/**
 * Back-cover blurbs: an opening, a complication, and what the book is about,
 * sometimes followed by a line of praise. Nouns and themes come from the book's
 * genre family so the text agrees with the genres (content-based models read it).
 */
const OPENINGS: Readonly<Record<GenreFamily, readonly string[]>> = {
  speculative: [
    "In the {lowerAdjective} city of {place}, {name} has spent {her} whole life hiding a dangerous gift.",
    "When the {lowerNoun} falls, {name} is the only one who remembers what came before.",
    "{name} was never meant to inherit the {lowerNoun}.",
    "Three hundred years after the war that broke the world, {name} scavenges the ruins outside {place}.",
    "Aboard a failing colony ship bound for a world no one has seen, {name} wakes decades too early.",
  ],
  crime: [
    "When a body is found in the marshes outside {place}, Detective {name} {lastName} is the last person anyone wants on the case.",
    "{name} {lastName} thought {she} had left {place} and its secrets behind for good.",
    "Everyone in {place} has something to hide, and {name} is about to find out what.",
    "On the night of the storm, {name}'s sister vanished without a trace.",
    "The letter arrives twenty years too late, and it names {name} as a witness.",
  ],
  romance: [
    "{name} {lastName} has exactly one rule: never fall for a client.",
    "After a very public breakup, {name} flees to {place} for one quiet summer.",
    "{name} needs a fake fiancé for {her} sister's wedding, and fast.",
    "The last person {name} expected to see in {place} was the one who broke {her} heart.",
    "London, 1815: {name} has no intention of marrying a duke.",
  ],
  literary: [
    "In the summer of 1962, {name} {lastName} returns to {place} to bury {her} father.",
    "Told across three generations, this is the story of the {lastName} family and the house that held them together.",
    "{name} has kept the same secret for forty years.",
    "When {name} inherits a crumbling farmhouse outside {place}, {she} finds letters that rewrite everything {she} knew about {her} mother.",
    "On an island where nothing ever changes, {name} waits for a ship that never comes.",
  ],
  young: [
    "Sixteen-year-old {name} has never been able to keep a secret, until now.",
    "{name} is the only student at the academy who cannot do magic.",
    "When {name} finds a map hidden in {her} grandmother's attic, the summer in {place} becomes an adventure.",
    "Twelve-year-old {name} {lastName} is sure of three things, and all three are about to be wrong.",
    "Everyone in {place} knows the woods are off limits. {name} goes in anyway.",
  ],
  nonfiction: [
    "Why do some ideas change the world while others vanish without a trace?",
    "Drawing on a decade of research, {author} tells the story of {theme}.",
    "From ancient trade routes to the modern laboratory, this is a sweeping account of {theme}.",
    "In this landmark book, {author} overturns what we thought we knew about the {lowerNoun}.",
    "Part history, part investigation, this book follows the {lowerNoun} from its origins to the present day.",
  ],
};

const COMPLICATIONS: Readonly<Record<GenreFamily, readonly string[]>> = {
  speculative: [
    "But the {lowerNoun} is waking, and the old powers are choosing sides.",
    "Now a stranger from beyond the {lowerNoun} claims {she} is the key to ending a war that has lasted a thousand years.",
    "To survive, {she} must trust the one person sworn to kill {him}.",
  ],
  crime: [
    "As the evidence piles up, the line between victim and suspect begins to blur.",
    "But someone is watching, and they will do anything to keep the past buried.",
    "With every answer, the truth becomes more dangerous.",
  ],
  romance: [
    "What begins as a simple arrangement soon becomes anything but.",
    "Sparks fly, tempers flare, and neither of them is ready for what happens next.",
    "But some promises are harder to keep than others.",
  ],
  literary: [
    "What follows is a portrait of love, loss and the stories families tell to survive.",
    "As the past surfaces, old loyalties are tested and new ones are forged.",
    "Over one long season, everything {she} believed begins to shift.",
  ],
  young: [
    "With the help of unlikely friends, {she} must uncover the truth before it is too late.",
    "But nothing in {place} is what it seems, least of all {her} new best friend.",
    "Now {she} has until the end of term to save everything {she} loves.",
  ],
  nonfiction: [
    "Along the way we meet scientists, rebels and dreamers whose work shaped the world we live in.",
    "The result is a book that is as entertaining as it is illuminating.",
    "It is a story of ambition, accident and extraordinary persistence.",
  ],
};

const SUMMARIES = [
  "{Title} is a {lowerAdjective2} {kind} about {theme}.",
  "A {kind} about {theme}, {Title} confirms {author} as a writer to watch.",
  "{Title} is {author}'s most ambitious book yet: a {kind} about {theme}.",
];

const PRAISE = [
  "Impossible to put down.",
  "Perfect for book clubs.",
  "A modern classic.",
  "Readers will be thinking about it long after the last page.",
  "Moving, funny and utterly original.",
];

const KIND: Readonly<Record<GenreFamily, string>> = {
  speculative: "novel",
  crime: "thriller",
  romance: "love story",
  literary: "novel",
  young: "story",
  nonfiction: "book",
};

export function generateDescription(context: TextContext, family: GenreFamily, title: string, author: string): string {
  const { random, faker } = context;
  const words = VOCABULARY[family];
  const female = random.chance(0.5);
  const values = {
    name: faker.person.firstName(female ? "female" : "male"),
    lastName: faker.person.lastName(),
    place: faker.location.city(),
    lowerNoun: random.pick(words.nouns).toLowerCase(),
    lowerAdjective: random.pick(ADJECTIVES).toLowerCase(),
    lowerAdjective2: random.pick(["gripping", "tender", "luminous", "propulsive", "witty", "haunting", "sweeping", "thoughtful", "heartfelt"]),
    theme: random.pick(words.themes),
    kind: KIND[family],
    Title: title,
    author,
    she: female ? "she" : "he",
    her: female ? "her" : "his",
    him: female ? "her" : "him",
  };
  const sentences = [random.pick(OPENINGS[family]), random.pick(COMPLICATIONS[family]), random.pick(SUMMARIES)];
  if (random.chance(0.35)) sentences.push(random.pick(PRAISE));
  return fillTemplate(sentences.join(" "), values);
}
