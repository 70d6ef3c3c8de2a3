# One image for every Shelfgraph process; docker-compose.yml and deploy/k8s pick the role by command.
# Build stage: all dependencies, TypeScript compiled to dist/ (`npm run build`).
FROM node:20-bookworm-slim AS build
WORKDIR /app
# The Prisma CLI only generates the client here; it must not look for (download) a schema engine.
ENV PRISMA_SCHEMA_ENGINE_BINARY=/bin/true
COPY package.json package-lock.json .npmrc prisma.config.ts ./
COPY prisma/schema.prisma prisma/schema.prisma
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# Runtime stage: production dependencies and compiled code only, as the unprivileged `node` user,
# with tini as PID 1 so signals reach node (graceful shutdown) and zombies are reaped.
FROM node:20-bookworm-slim AS runtime
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini postgresql-client \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    SUPERGRAPH_PATH=dist/schema/supergraph.graphql \
    MODEL_ARTIFACTS_DIR=/data/models \
    PGLITE_DATA_DIR=/data/pglite
COPY package.json package-lock.json .npmrc ./
# --ignore-scripts: the compiled Prisma client is in dist/, and no install step may fetch anything.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The initialised PGlite data directory a fresh embedded install unpacks instead of running initdb (made here, nothing fetched).
RUN node dist/lib/db/pglite-template-cli.js
# Named volumes copy this ownership on first use, so the models and data volumes are writable by `node`.
RUN mkdir -p /data/models /data/pglite /data/backups && chown -R node:node /data
USER node
VOLUME ["/data"]
EXPOSE 4000 4001 4002 4003 4004 9464
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "--max-old-space-size=1536", "--enable-source-maps", "dist/start.js"]
