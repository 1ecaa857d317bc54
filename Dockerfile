# tensorpix-exporter container image.
#
#   docker build -t tensorpix-exporter .
#   docker run --rm -p 127.0.0.1:10863:10863 tensorpix-exporter --demo
#
# Three stages: `build` compiles TypeScript with the dev dependencies, `deps` installs the
# runtime dependencies only, and the final stage holds those node_modules, dist/ and
# package.json (read for the version) — no sources, no dev dependencies, no npm cache.
# The final stage runs no command, so it needs no shell.
#
# NODE_IMAGE is the base of every stage: the official Node.js image of the active LTS line,
# 26, on Debian 12 slim (glibc, security updates from Debian and Node.js); CI runs the whole
# suite on 26, as on 22 and 24. scripts/container-test.sh substitutes an image made from the
# Node 26 binary CI tests (scripts/fetch-node-lines.sh).
ARG NODE_IMAGE=node:26-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# The registry npm uses; empty means npm's default. CI passes the one its own npm uses.
ARG NPM_CONFIG_REGISTRY
COPY package.json package-lock.json ./
# No package needs an install script; --ignore-scripts keeps the build from running any.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/write-build-info.js scripts/
COPY src/ src/
# The build context has no .git, so the revision comes in as an argument.
ARG REVISION=unknown
RUN TENSORPIX_EXPORTER_REVISION="$REVISION" npm run build

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ARG NPM_CONFIG_REGISTRY
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${NODE_IMAGE}
ARG VERSION=unknown
ARG REVISION=unknown
ARG SOURCE_URL=https://github.com/tensorpix-exporter/tensorpix-exporter
LABEL org.opencontainers.image.title="tensorpix-exporter" \
      org.opencontainers.image.description="Prometheus exporter for the credits balance of TensorPix accounts" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="${SOURCE_URL}" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
ENV NODE_ENV=production
WORKDIR /app
# Everything stays owned by root: the exporter's user can read its code but not change it,
# and the exporter writes nothing, so the root filesystem can be mounted read-only.
COPY --from=deps /app/node_modules/ node_modules/
COPY --from=build /app/dist/ dist/
COPY package.json LICENSE ./
COPY scripts/healthcheck.js scripts/
# A numeric user that needs no /etc/passwd entry, so it works on any base image, and that
# Kubernetes' runAsNonRoot can verify. 10001 is outside the range distributions give to
# system and login users.
USER 10001:10001
EXPOSE 10863
# Without a shell or curl: a few lines of Node that GET /-/healthy (see the script).
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "/app/scripts/healthcheck.js"]
# The exporter is PID 1 and handles SIGTERM itself (it exits 0 within 2 s), so no init is
# needed. Credentials come from the environment or a mounted file, never from CMD; with none
# the exporter exits 2 and says what to set. Try it with `--demo`. The two heap options hold
# V8's young generation and the old generation's growth, as in every way of starting (src/main.ts).
ENTRYPOINT ["node", "--max-semi-space-size=2", "--heap-growing-percent=20", "/app/dist/main.js"]
CMD []
