# Council LINE bot: container image.
#
#   docker build -t council-line-bot .
#   docker run -p 3000:3000 \
#     -e DATABASE_URL=postgresql://user:pass@db:5432/council \
#     -e LINE_CHANNEL_SECRET=... -e LINE_CHANNEL_ACCESS_TOKEN=... \
#     -e PUBLIC_BASE_URL=https://bot.example.org \
#     council-line-bot
#
# Meant for PostgreSQL (DATABASE_URL). Without DATABASE_URL it falls back to
# the embedded PGlite database in /app/data: mount a volume there
# (-v council-data:/app/data) or the data goes with the container.
#
# Migrations and the geography load run at every start (src/main.ts), so a
# new image upgrades the database by itself; no separate migrate step.

ARG NODE_IMAGE=node:20-bookworm-slim

# --- build: the TypeScript compiled to dist/ ----------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json prisma.config.ts tsconfig.json tsconfig.build.json ./
COPY prisma/schema.prisma ./prisma/schema.prisma
# All dependencies (the compiler is a dev dependency); postinstall runs
# `prisma generate` into src/generated/prisma, which is compiled too.
RUN npm ci --no-audit --no-fund
COPY src ./src
RUN npm run build

# --- deps: production dependencies only ----------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
# Only what `npm ci` and its postinstall (`prisma generate`) read, so this
# layer is rebuilt only when dependencies or the schema change.
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma/schema.prisma ./prisma/schema.prisma
# prisma, @prisma/client and tsx are production dependencies (the CLI
# scripts run through tsx), so --omit=dev still runs postinstall. It needs
# no network beyond the npm registry, no native engine download and no
# database.
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force

# --- runtime ------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app

# The bot runs as compiled JavaScript (dist/); the TypeScript sources stay
# for the CLI scripts (npm run roles, ledger:import, ...), which run through tsx.
COPY package.json package-lock.json tsconfig.json prisma.config.ts ./
COPY prisma ./prisma
COPY flex-templates ./flex-templates
COPY src ./src
COPY --from=deps /app/node_modules ./node_modules
COPY --from=deps /app/src/generated ./src/generated
COPY --from=build /app/dist ./dist

# The situation summary's chart is drawn with a Thai font (SUMMARY_CHART_FONT,
# default Garuda from fonts-thai-tlwg); without it the labels do not show.
RUN apt-get update && apt-get install -y --no-install-recommends fonts-thai-tlwg \
 && rm -rf /var/lib/apt/lists/*

# The code stays root-owned (read-only for the app); only the embedded
# database directory (DATA_DIR, default ./data) is writable by `node`.
RUN mkdir -p /app/data && chown node:node /app/data
USER node

EXPOSE 3000

# /healthz answers 200 once the database is reachable and fully migrated.
# Slim images have no curl: use node's fetch. The first start of an empty
# database (migrations + geography) takes a few seconds, hence start-period.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# node is PID 1 and receives SIGTERM itself (docker stop): the bot stops
# taking requests, finishes the events in hand and closes the database.
# Same command as `npm start` (package.json; test/main.test.ts checks they
# agree), without npm in between, which would not pass SIGTERM on to the server.
CMD ["node", "--max-semi-space-size=4", "--heap-growing-percent=50", "--no-wasm-tier-up", "--no-wasm-dynamic-tiering", "dist/main.js"]
