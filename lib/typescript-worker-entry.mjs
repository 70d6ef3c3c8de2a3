// A worker thread's entry from source (lib/typescript-worker.ts): registers tsx in this
// thread, then runs the TypeScript module whose URL is the last argument.
const { register } = await import("tsx/esm/api");
register();
await import(process.argv.at(-1));
