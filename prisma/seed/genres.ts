/**
 * The genre/tag vocabulary of the demo catalogue. Families group genres that share
 * readers (and so share a direction in the hidden taste space); `related` lists the
 * genres a book of this genre is commonly also shelved as.
 */
export type GenreFamily = "speculative" | "crime" | "romance" | "literary" | "young" | "nonfiction";

export interface GenreDefinition {
  readonly slug: string;
  readonly name: string;
  readonly family: GenreFamily;
  /** Relative share of books with this as their main genre. */
  readonly share: number;
  readonly related: readonly string[];
}

export const GENRE_DEFINITIONS: readonly GenreDefinition[] = [
  { slug: "fantasy", name: "Fantasy", family: "speculative", share: 10, related: ["young-adult", "science-fiction", "urban-fantasy", "romance", "magical-realism"] },
  { slug: "science-fiction", name: "Science Fiction", family: "speculative", share: 6, related: ["dystopian", "fantasy", "thriller", "classics"] },
  { slug: "horror", name: "Horror", family: "speculative", share: 3, related: ["paranormal", "thriller", "suspense", "classics"] },
  { slug: "dystopian", name: "Dystopian", family: "speculative", share: 2, related: ["science-fiction", "young-adult", "classics"] },
  { slug: "paranormal", name: "Paranormal", family: "speculative", share: 2, related: ["urban-fantasy", "paranormal-romance", "horror", "young-adult"] },
  { slug: "urban-fantasy", name: "Urban Fantasy", family: "speculative", share: 1.5, related: ["fantasy", "paranormal", "mystery"] },
  { slug: "magical-realism", name: "Magical Realism", family: "speculative", share: 1, related: ["literary-fiction", "fantasy", "classics"] },
  { slug: "mystery", name: "Mystery", family: "crime", share: 7, related: ["thriller", "crime", "suspense", "cozy-mystery", "historical-fiction"] },
  { slug: "thriller", name: "Thriller", family: "crime", share: 6, related: ["suspense", "mystery", "crime"] },
  { slug: "crime", name: "Crime", family: "crime", share: 3, related: ["mystery", "thriller", "true-crime"] },
  { slug: "suspense", name: "Suspense", family: "crime", share: 2, related: ["thriller", "mystery", "womens-fiction"] },
  { slug: "cozy-mystery", name: "Cozy Mystery", family: "crime", share: 1.5, related: ["mystery", "humor", "contemporary"] },
  { slug: "romance", name: "Romance", family: "romance", share: 8, related: ["contemporary-romance", "historical-romance", "womens-fiction", "fantasy"] },
  { slug: "contemporary-romance", name: "Contemporary Romance", family: "romance", share: 3, related: ["romance", "contemporary", "humor"] },
  { slug: "historical-romance", name: "Historical Romance", family: "romance", share: 2, related: ["romance", "historical-fiction"] },
  { slug: "paranormal-romance", name: "Paranormal Romance", family: "romance", share: 1.2, related: ["romance", "paranormal", "urban-fantasy"] },
  { slug: "literary-fiction", name: "Literary Fiction", family: "literary", share: 5, related: ["contemporary", "historical-fiction", "classics", "short-stories"] },
  { slug: "classics", name: "Classics", family: "literary", share: 4, related: ["literary-fiction", "poetry", "historical-fiction"] },
  { slug: "contemporary", name: "Contemporary", family: "literary", share: 4, related: ["literary-fiction", "womens-fiction", "young-adult"] },
  { slug: "historical-fiction", name: "Historical Fiction", family: "literary", share: 6, related: ["literary-fiction", "historical-romance", "history", "mystery"] },
  { slug: "short-stories", name: "Short Stories", family: "literary", share: 1, related: ["literary-fiction", "classics", "horror"] },
  { slug: "poetry", name: "Poetry", family: "literary", share: 1.2, related: ["classics", "literary-fiction", "memoir"] },
  { slug: "womens-fiction", name: "Women's Fiction", family: "literary", share: 1.5, related: ["contemporary", "romance", "historical-fiction"] },
  { slug: "young-adult", name: "Young Adult", family: "young", share: 6, related: ["fantasy", "contemporary", "dystopian", "romance", "paranormal"] },
  { slug: "childrens", name: "Children's", family: "young", share: 2.5, related: ["middle-grade", "fantasy", "classics", "graphic-novels"] },
  { slug: "middle-grade", name: "Middle Grade", family: "young", share: 2, related: ["childrens", "fantasy", "young-adult"] },
  { slug: "graphic-novels", name: "Graphic Novels", family: "young", share: 1.5, related: ["fantasy", "science-fiction", "memoir", "young-adult"] },
  { slug: "nonfiction", name: "Nonfiction", family: "nonfiction", share: 5, related: ["history", "science", "biography", "psychology"] },
  { slug: "biography", name: "Biography", family: "nonfiction", share: 2, related: ["nonfiction", "history", "memoir"] },
  { slug: "memoir", name: "Memoir", family: "nonfiction", share: 2.5, related: ["nonfiction", "biography", "humor"] },
  { slug: "history", name: "History", family: "nonfiction", share: 3, related: ["nonfiction", "biography", "historical-fiction"] },
  { slug: "science", name: "Science", family: "nonfiction", share: 2, related: ["nonfiction", "history", "philosophy", "psychology"] },
  { slug: "philosophy", name: "Philosophy", family: "nonfiction", share: 1.2, related: ["nonfiction", "classics", "religion", "psychology"] },
  { slug: "psychology", name: "Psychology", family: "nonfiction", share: 1.5, related: ["nonfiction", "self-help", "science"] },
  { slug: "self-help", name: "Self Help", family: "nonfiction", share: 2, related: ["nonfiction", "psychology", "business"] },
  { slug: "business", name: "Business", family: "nonfiction", share: 1.5, related: ["nonfiction", "self-help", "psychology"] },
  { slug: "true-crime", name: "True Crime", family: "nonfiction", share: 1.2, related: ["nonfiction", "crime", "history"] },
  { slug: "travel", name: "Travel", family: "nonfiction", share: 0.8, related: ["nonfiction", "memoir", "history"] },
  { slug: "humor", name: "Humor", family: "nonfiction", share: 1, related: ["memoir", "contemporary", "nonfiction"] },
  { slug: "religion", name: "Religion", family: "nonfiction", share: 1, related: ["nonfiction", "philosophy", "history"] },
];

export const GENRE_FAMILIES: readonly GenreFamily[] = ["speculative", "crime", "romance", "literary", "young", "nonfiction"];

export const genreIndexBySlug: ReadonlyMap<string, number> = new Map(GENRE_DEFINITIONS.map((genre, index) => [genre.slug, index]));

export function genreIndex(slug: string): number {
  const index = genreIndexBySlug.get(slug);
  if (index === undefined) throw new RangeError(`unknown genre ${slug}`);
  return index;
}
