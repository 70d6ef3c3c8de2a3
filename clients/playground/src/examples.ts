/** The partner use cases, opened as tabs the first time the playground loads. */
export const exampleTabs = [
  {
    query: `# Catalogue lookup: a book by id or by ISBN, with authors and genres.
query CatalogueLookup {
  book(id: "1") {
    id
    title
    isbn13
    publicationYear
    averageRating
    ratingsCount
    authors { name }
    genres { name }
  }
}
`,
  },
  {
    query: `# Similar books: what readers of this book also liked, and why.
query SimilarBooks($id: ID!) {
  book(id: $id) {
    title
    similar(limit: 10) {
      book { id title authors { name } }
      score
      algorithm
      source
      reasons
    }
  }
}
`,
    variables: `{ "id": "1" }`,
  },
  {
    query: `# Trending: the books most read today.
query TrendingNow {
  trendingBooks(window: DAY, limit: 10) {
    book { id title authors { name } }
    readers
    interactions
  }
}
`,
  },
  {
    query: `# Live trending: keep this running; readers' views and ratings push each new ranking.
subscription TrendingLive {
  trendingChanged(window: DAY, limit: 5) {
    window
    changedAt
    books {
      book { id title }
      readers
    }
  }
}
`,
  },
];
