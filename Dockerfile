# One image for the API and the worker (docker-compose.yml picks the command). Production talks to a Postgres and a
# Temporal cluster, so no install script runs: nothing embedded, no Temporal binaries.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
# Two malloc arenas instead of eight per core: the worker's native threads otherwise hold freed memory in arenas of
# their own; a worker that started 2,000 workflows sat a third higher in resident memory without it (bench/README.md).
ENV MALLOC_ARENA_MAX=2
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY . .
USER node
EXPOSE 3000
CMD ["node", "--import", "tsx", "api/server.ts"]
