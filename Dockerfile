# Build stage: install the locked dependencies and bundle the program (one file, and one beside it
# with the SDK clients only some runs load).
FROM node:26-alpine AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY scripts/bundle.mjs ./scripts/
COPY src ./src
RUN node scripts/bundle.mjs

# Final stage: the bundle and the pipe's metadata only, run as the image's non-root user.
FROM node:26-alpine
WORKDIR /pipe
COPY --from=build /src/dist/ecs-deploy-notifier.cjs /src/dist/ecs-deploy-notifier-extra.cjs /src/dist/ecs-deploy-notifier-cloudwatch.cjs /pipe/
COPY pipe.yml README.md LICENSE /pipe/
ENV NODE_ENV=production
# V8's compiled code for the bundle, made here once rather than at every start: a run without
# variables loads the whole program and stops at the configuration (exit 2). Node keys the cache by
# its version, V8 flags and user, so it is made by the node user with the ENTRYPOINT's flags.
ENV NODE_COMPILE_CACHE=/pipe/compile-cache
RUN mkdir /pipe/compile-cache && chown node /pipe/compile-cache
USER node
RUN node --max-semi-space-size=1 --single-threaded /pipe/ecs-deploy-notifier.cjs > /dev/null 2>&1; test -n "$(ls /pipe/compile-cache)"
# The pipe mostly waits and allocates little: a small young generation and no V8 helper threads
# keep its peak RSS around 90 MB instead of 110 (bench/RESULTS.md), at no measurable cost in
# speed. bench/run.ts runs the bundle with the flags of this line, and the compile cache as made here.
ENTRYPOINT ["node", "--max-semi-space-size=1", "--single-threaded", "/pipe/ecs-deploy-notifier.cjs"]
