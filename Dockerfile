# parley as a container: build with the dev toolchain, run the compiled JavaScript on a slim
# Node 20 image as a non-root user, history in the /data volume, ops server on 9464.
#   docker build -t parley .
#   docker run --env-file .env -e OPS_TOKEN=... -p 9464:9464 -v parley-data:/data parley

FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary matches.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# The sources are not here yet, so the `prepare` build waits for `npm run build` below.
RUN npm ci --no-audit --no-fund --ignore-scripts && npm rebuild better-sqlite3
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY adapters ./adapters
COPY scripts/build.mjs ./scripts/
RUN npm run build

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    DATA_DIR=/data \
    OPS_PORT=9464 \
    OPS_HOST=0.0.0.0
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only. Scripts are skipped (`prepare` needs TypeScript, a dev tool);
# the one native module comes compiled from the build stage (same base image, same ABI).
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force
COPY --from=build /app/node_modules/better-sqlite3/build ./node_modules/better-sqlite3/build
COPY --from=build /app/dist ./dist
COPY profiles ./profiles
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 9464
# /healthz needs no token; node's own fetch keeps curl out of the image.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.OPS_PORT || 9464) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node as PID 1 gets SIGTERM directly from `docker stop`: readiness fails, replies drain, exit.
# The flags are npm start's (see README, Operations): they keep peak RSS near 80 MB.
CMD ["node", "--liftoff-only", "--max-semi-space-size=2", "dist/src/main.js"]
