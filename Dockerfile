# One image for the three apps (and the all-in-one ledger); pick one with APP.
#   docker build --build-arg APP=settlement -t pos-ledger/settlement .
#   docker build -t pos-ledger/ledger . && docker run -p 127.0.0.1:3000:3000 -v ledger-data:/app/data pos-ledger/ledger
# Used by docker-compose.yml. Node 24 comes from the official image here, not from npm.
FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:24-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 LEDGER_DATA_DIR=/app/data
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# Runtime dependencies only; the npm `node` package is a dev dependency and not needed here.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
# The embedded ledger's SQLite files (the services keep theirs in PostgreSQL): owned by the
# user the process runs as, and a volume, so that they outlive the container.
RUN mkdir -p /app/data && chown node:node /app/data
VOLUME /app/data
COPY --from=build /src/dist ./dist
# The web console (npm run build makes it), served at /console/ by the ledger and the reconciliation app.
COPY --from=build /src/apps/console/dist ./apps/console/dist
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --retries=6 CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# Last, so that every layer above (dependencies, bundles) is the same for all apps: built and
# stored once, whichever APP is chosen.
ARG APP=ledger
ENV APP=${APP}
CMD ["sh", "-c", "exec node --enable-source-maps dist/apps/${APP}/main.js"]
