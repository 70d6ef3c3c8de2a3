# One image for every Shelfgraph service; docker-compose.yml picks the role by command.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json .npmrc prisma.config.ts ./
COPY prisma/schema.prisma prisma/schema.prisma
RUN npm ci --include=dev && npm cache clean --force
COPY . .
USER node
EXPOSE 4000 4001 4002 4003 4004
CMD ["npm", "start"]
