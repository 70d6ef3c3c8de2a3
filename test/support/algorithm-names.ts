/** The models a served `algorithm` names: `als`, `blend(a+b)`, `hybrid(a+b)`, with a `+popularity` or `+personal` suffix. */
export const modelsNamed = (algorithm: string): string[] =>
  (/^(?:blend|hybrid)\((.+)\)/.exec(algorithm)?.[1] ?? algorithm.split("+")[0]!).split("+").filter((name) => name !== "popularity");
