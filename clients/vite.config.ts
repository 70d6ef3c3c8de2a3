import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const here = fileURLToPath(new URL(".", import.meta.url));
// Where `npm run dev:web` sends API calls: the gateway of a running `npm start`.
const gateway = process.env.GATEWAY_ORIGIN ?? "http://127.0.0.1:4000";

/**
 * One build for both browser clients: the reader-facing web app (served at /) and the
 * partner playground (served at /playground). The gateway serves clients/dist as is.
 */
export default defineConfig({
  root: here,
  base: "/",
  plugins: [react()],
  build: {
    outDir: resolve(here, "dist"),
    emptyOutDir: true,
    chunkSizeWarningLimit: 6000,
    rollupOptions: {
      // graphiql's packages carry React-compiler directives that bundling drops harmlessly.
      onwarn(warning, warn) {
        if (warning.code !== "MODULE_LEVEL_DIRECTIVE") warn(warning);
      },
      input: {
        web: resolve(here, "index.html"),
        playground: resolve(here, "playground/index.html"),
      },
    },
  },
  server: {
    proxy: {
      "/graphql": { target: gateway, ws: true, changeOrigin: true },
    },
  },
});
