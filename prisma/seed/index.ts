/** The demo-data generator: a pure dataset generator (hidden model included) and the database seeder. */
export { generateDemoData } from "./generate-demo-data.ts";
export { isDatabaseEmpty, MissingSchemaError, seedDemoData, SeedRefusedError, truncateDomainTables, type SeedOptions, type SeedSummary } from "./seed-demo-data.ts";
export * from "./dataset.ts";
