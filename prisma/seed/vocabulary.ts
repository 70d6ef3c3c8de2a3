import type { GenreFamily } from "./genres.ts";

/**
 * Hand-picked words for titles and blurbs. Faker's generic word lists produce
 * titles like "The Bandwidth of Pendant"; these read like the shelves they imitate.
 */
export interface FamilyVocabulary {
  /** Singular nouns: "The {noun} of ...", "The Last {noun}". */
  readonly nouns: readonly string[];
  /** Plural nouns: "... of {plural}". */
  readonly plurals: readonly string[];
  /** What the story is about, for the blurb: "a story of {theme}". */
  readonly themes: readonly string[];
}

export const ADJECTIVES: readonly string[] = [
  "Silent", "Hidden", "Last", "Lost", "Broken", "Burning", "Golden", "Scarlet", "Forgotten", "Wild", "Midnight",
  "Crimson", "Hollow", "Iron", "Quiet", "Winter", "Dark", "Bright", "Secret", "Little", "Long", "Final", "Shattered",
  "Endless", "Distant", "Wandering", "Drowned", "Paper", "Glass", "Silver", "Bitter", "Sweet", "Restless", "Sleeping",
  "Stolen", "Unquiet", "Falling", "Northern", "Southern", "Salt", "Summer", "Autumn", "Velvet", "Ashen", "Painted",
];

export const EVOCATIVE_WORDS: readonly string[] = [
  "Afterglow", "Tidewater", "Undertow", "Wildwood", "Nightfall", "Hush", "Wanderlust", "Threshold", "Driftwood",
  "Solstice", "Vestige", "Halcyon", "Meridian", "Reverie", "Quicksilver", "Borderlands", "Stillwater", "Homecoming",
  "Ironbound", "Saltwater", "Starfall", "Windfall", "Heartwood", "Moonrise", "Kindling", "Lodestar", "Wayfarer",
  "Evensong", "Aftermath", "Tinderbox", "Sanctuary", "Wildfire", "Riptide", "Equinox", "Fathom", "Ember", "Echo",
  "Lullaby", "Vanishing", "Reckoning", "Harvest", "Providence", "Exile", "Inheritance", "Undercurrent", "Longitude",
  "Whiteout", "Flicker", "Tempest", "Crossing", "Remnant", "Silverton", "Holloway", "Daybreak", "Outlier", "Keepsake",
];

export const OCCUPATIONS: readonly string[] = [
  "Clockmaker", "Lighthouse Keeper", "Cartographer", "Beekeeper", "Bookbinder", "Glassblower", "Gardener", "Astronomer",
  "Apothecary", "Ferryman", "Silversmith", "Tailor", "Baker", "Mapmaker", "Perfumer", "Watchmaker", "Storyteller",
  "Translator", "Midwife", "Stationmaster", "Innkeeper", "Lacemaker", "Falconer", "Printer", "Painter", "Violinmaker",
];

export const RELATIONS: readonly string[] = ["Daughter", "Son", "Wife", "Apprentice", "Sister", "Widow", "Secret", "Promise", "Last Wish", "Legacy", "Granddaughter"];

export const SEASONS: readonly string[] = ["Winter", "Spring", "Summer", "Autumn", "December", "June", "the Rain", "the Dark", "the Snow", "August"];

export const SERIES_WORDS: Readonly<Record<GenreFamily, readonly string[]>> = {
  speculative: ["Chronicles", "Cycle", "Saga", "Trilogy", "Sequence", "Archive", "Codex"],
  crime: ["Mysteries", "Files", "Case Files", "Investigations", "Series"],
  romance: ["Brothers", "Sisters", "Hearts", "Series", "Season"],
  literary: ["Quartet", "Trilogy", "Novels", "Saga"],
  young: ["Academy", "Chronicles", "Adventures", "Trilogy", "Series"],
  nonfiction: ["Series", "Library", "Histories"],
};

export const VOCABULARY: Readonly<Record<GenreFamily, FamilyVocabulary>> = {
  speculative: {
    nouns: ["Crown", "Dragon", "Throne", "Star", "Void", "Gate", "Shadow", "Storm", "Empire", "Blade", "Machine", "Orbit",
      "Signal", "Witch", "Oracle", "Ruin", "Tide", "Frost", "Circuit", "Ghost", "Flame", "Abyss", "Citadel", "Engine",
      "Colony", "Relic", "Sorcerer", "Moon", "Serpent", "Tower", "Forge", "Spire", "Key", "Wolf", "Starship", "Heir"],
    plurals: ["Ashes", "Bones", "Stars", "Storms", "Shadows", "Kings", "Dragons", "Ruins", "Thorns", "Echoes", "Embers",
      "Machines", "Ravens", "Crowns", "Ghosts", "Worlds", "Winds", "Wolves", "Blades", "Suns"],
    themes: ["power and its price", "survival at the edge of the known world", "what it means to be human", "an ancient magic returning",
      "loyalty tested by war", "first contact", "a prophecy nobody wanted", "the cost of immortality"],
  },
  crime: {
    nouns: ["Lie", "Witness", "Alibi", "Secret", "Stranger", "Silence", "Debt", "Grave", "Girl", "Woman", "House", "Night",
      "Body", "Confession", "Fall", "Trap", "Verdict", "Motive", "Truth", "Game", "Bridge", "Guest", "Window", "Marsh",
      "Cellar", "Inheritance", "Letter", "Suspect", "Widow", "Lake", "Vanishing", "Cabin"],
    plurals: ["Lies", "Secrets", "Bones", "Sins", "Strangers", "Shadows", "Whispers", "Mirrors", "Footsteps", "Debts",
      "Witnesses", "Knives", "Keys", "Graves"],
    themes: ["a disappearance nobody can explain", "a killer hiding in plain sight", "old sins that refuse to stay buried",
      "a marriage built on secrets", "a small town's darkest night", "a cold case reopened", "trust and betrayal"],
  },
  romance: {
    nouns: ["Heart", "Summer", "Kiss", "Promise", "Wedding", "Vow", "Bride", "Duke", "Season", "Letter", "Garden", "Love",
      "Harbor", "Rose", "Christmas", "Proposal", "Match", "Dance", "Affair", "Bet", "Rival", "Scandal", "Cottage", "Inn"],
    plurals: ["Hearts", "Roses", "Kisses", "Promises", "Vows", "Secrets", "Stars", "Summers", "Wishes", "Letters"],
    themes: ["second chances", "love arriving at the worst possible time", "enemies who cannot stop arguing", "coming home",
      "a fake engagement that starts to feel real", "a summer that changes everything", "choosing love over duty"],
  },
  literary: {
    nouns: ["House", "River", "Garden", "Year", "Daughter", "Son", "Mother", "Field", "Light", "Orchard", "Sea", "Country",
      "Memory", "Wind", "Salt", "Water", "Window", "Island", "Song", "Winter", "Harbour", "Road", "Valley", "Return",
      "Farm", "Shore", "Kitchen", "Bridge"],
    plurals: ["Days", "Years", "Birds", "Rivers", "Wolves", "Lanterns", "Stones", "Swallows", "Hours", "Seasons", "Ghosts",
      "Small Things", "Beginnings", "Sorrows", "Orchards"],
    themes: ["grief and what survives it", "three generations of one family", "memory and forgiveness", "the families we choose",
      "a marriage over forty years", "leaving home and finding it again", "the quiet heroism of ordinary lives", "war and its long shadow"],
  },
  young: {
    nouns: ["Academy", "Rebel", "Queen", "Prince", "Curse", "Quest", "Spell", "Secret", "Friend", "Dragon", "Summer",
      "School", "Club", "Map", "Monster", "Island", "Treehouse", "Heist", "Trial", "Crown", "Compass", "Storm"],
    plurals: ["Secrets", "Stars", "Monsters", "Wishes", "Shadows", "Dragons", "Thieves", "Wolves", "Legends", "Lies"],
    themes: ["friendship against impossible odds", "growing up and fitting in", "a hidden world next door", "first love",
      "standing up for what is right", "finding your own voice", "a magical school with deadly rules"],
  },
  nonfiction: {
    nouns: ["Mind", "Power", "Origins", "Empire", "Genius", "Code", "Gene", "Brain", "Money", "Work", "Time", "Story",
      "Future", "Revolution", "Age", "Body", "Sleep", "Language", "Habit", "Map", "Frontier", "Wonder", "Silk Road", "Ocean",
      "Forest", "Plague", "Machine", "Hunger", "Courage", "Attention"],
    plurals: ["Habits", "Ideas", "Empires", "Maps", "Numbers", "Nations", "Machines", "Minds", "Stories", "Rules", "Islands"],
    themes: ["how ideas shape history", "the science of everyday life", "the forces behind the modern world", "a life fully lived",
      "how we think and decide", "the people history forgot", "building a better life"],
  },
};

/** Nouns that make plausible imprint names: "Heron Press", "Silver Lantern Books". */
export const IMPRINT_NOUNS: readonly string[] = [
  "Harbor", "Lantern", "Orchard", "Raven", "Anchor", "Compass", "Willow", "Heron", "Beacon", "Quill", "Ink", "Oak",
  "Stone", "Fox", "Hare", "Thistle", "Kestrel", "Juniper", "Arbor", "Bramble", "Lighthouse", "Mill", "Bridge", "Owl",
];

