import type { Dataset, ItemFeatures } from "../../ml-models/data/dataset.ts";
import { RawEventCollector } from "../../ml-models/data/raw-events.ts";
import { createRandom } from "../../ml-models/linalg/random.ts";

/**
 * Small interaction data with a planted structure the models must find: reader
 * groups, each reading almost only books of "its" cluster (each cluster has its own
 * author, genre and vocabulary). Popularity is spread evenly over the clusters, so
 * a popularity list is mostly wrong for everyone while a personalised model is not.
 */
export interface PlantedData {
  readonly users: number;
  readonly items: number;
  readonly groups: number;
  /** user id -> group */
  readonly groupOf: (userId: number) => number;
  /** item id -> cluster (= the group that reads it) */
  readonly clusterOf: (itemId: number) => number;
  readonly rows: { user: number; item: number; rating: number; time: number }[];
  readonly features: Map<number, ItemFeatures>;
}

const THEMES = [
  { title: "Dragons of the north", description: "A quest with wizards, dragons and an ancient sword.", author: "Ann Fable", genre: "Fantasy" },
  { title: "Murder at the harbour", description: "A detective, a body in the harbour and a killer among the suspects.", author: "Bob Sleuth", genre: "Crime" },
  { title: "Starship horizon", description: "Spaceships, distant planets and an alien signal from the void.", author: "Cy Orbit", genre: "Science fiction" },
  { title: "Letters from Bath", description: "A ball, a proposal and a family secret in a country house.", author: "Di Austen", genre: "Romance" },
];

export function plantedData(options: { users?: number; items?: number; perUser?: number; groups?: number; seed?: number } = {}): PlantedData {
  const groups = Math.min(options.groups ?? 4, THEMES.length);
  const users = options.users ?? 160;
  const items = options.items ?? 120;
  const perUser = options.perUser ?? 15;
  const random = createRandom(options.seed ?? 5);
  const size = items / groups;
  const groupOf = (userId: number) => userId % groups;
  const clusterOf = (itemId: number) => Math.min(groups - 1, Math.floor((itemId - 1) / size));
  const rows: PlantedData["rows"] = [];
  // Mildly skewed popularity inside each cluster, identical across clusters.
  const weights = Array.from({ length: size }, (_, i) => 1 / (i + 1) ** 0.5);
  const total = weights.reduce((a, b) => a + b, 0);
  const pick = (cluster: number) => {
    let r = random() * total;
    for (let i = 0; i < size; i++) {
      r -= weights[i]!;
      if (r <= 0) return cluster * size + i + 1;
    }
    return cluster * size + size;
  };
  let clock = Date.UTC(2025, 0, 1);
  for (let user = 1; user <= users; user++) {
    const seen = new Set<number>();
    while (seen.size < perUser) {
      const own = random() < 0.92;
      const cluster = own ? groupOf(user) : Math.floor(random() * groups);
      const item = pick(cluster);
      if (seen.has(item)) continue;
      seen.add(item);
      clock += 60_000;
      rows.push({ user, item, rating: cluster === groupOf(user) ? 4 + Math.round(random()) : 2, time: clock });
    }
  }
  const features = new Map<number, ItemFeatures>();
  for (let item = 1; item <= items; item++) {
    const theme = THEMES[clusterOf(item)]!;
    features.set(item, {
      title: `${theme.title} ${item}`,
      description: theme.description,
      authors: [theme.author],
      genres: [theme.genre],
      year: 1990 + (item % 30),
      language: "en",
    });
  }
  return { users, items, groups, groupOf, clusterOf, rows, features };
}

/** The planted rows as a Dataset (the whole catalogue indexed, with metadata). */
export function plantedDataset(data: PlantedData): Dataset {
  const collector = new RawEventCollector();
  for (const row of data.rows) collector.add(row.user, row.item, row.rating, row.time);
  return collector.build({ catalogue: Array.from({ length: data.items }, (_, i) => i + 1), features: data.features });
}
