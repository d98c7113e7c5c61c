# One image for every FlowForge service (Kestra's model: one artefact, roles by configuration).
# docker build -t flowforge . ; the compose file picks the service with SERVICE.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY .swcrc tsconfig.base.json tsconfig.json ./
COPY scripts ./scripts
COPY libs ./libs
COPY services ./services
RUN node scripts/build.js && npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER node
ARG SERVICE=embedded
ENV SERVICE=${SERVICE}
CMD ["sh", "-c", "exec node dist/services/${SERVICE}/src/main.js"]
