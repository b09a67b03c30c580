# The patterns' services: Node 20 and this repository, run as
# `node --import tsx <the service's file>` in /app. The dependencies layer is
# rebuilt only when package-lock.json changes; the source layer when the
# source does (.dockerignore keeps node_modules, runs and tools out).
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error
COPY . .
