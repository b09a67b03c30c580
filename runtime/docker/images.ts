/**
 * The images the docker runtime and docker-compose.yml start, by the names
 * their publishers give them. Where a registry answers, these are the
 * official images; where none does, `npm run images` builds images of the
 * same names locally (`build-images.ts`), so either way the same names go
 * through the same code.
 */
export const images = {
  redis: 'redis:7',
  postgres: 'postgres:15',
  etcd: 'quay.io/coreos/etcd:v3.4.23',
  toxiproxy: 'ghcr.io/shopify/toxiproxy:2.12.0',
  /** The base of the service image (`docker/service.Dockerfile`). */
  node: 'node:20-bookworm-slim',
} as const;

/** The patterns' services: Node 20 and this repository, built from `docker/service.Dockerfile` by the runtime (layers cached) and by docker-compose. */
export const serviceImage = 'patternbench/service:latest';

/** The Debian 12 base the local builds start from: `debootstrap --variant=minbase bookworm`, imported. */
export const baseImage = 'patternbench/debian:bookworm';
