export const authorNames = (authors: readonly { name: string }[]): string => authors.map((a) => a.name).join(", ");
