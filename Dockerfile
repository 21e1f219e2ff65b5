# Build stage: install the locked dependencies and bundle the program into one file.
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
COPY --from=build /src/dist/ecs-deploy-notifier.cjs /pipe/ecs-deploy-notifier.cjs
COPY pipe.yml README.md LICENSE /pipe/
ENV NODE_ENV=production
USER node
ENTRYPOINT ["node", "/pipe/ecs-deploy-notifier.cjs"]
