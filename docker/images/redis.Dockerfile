# redis:7 built without a registry: Debian 12's Redis 7 on the debootstrapped
# base, laid out as the official image is (user redis, /data, CMD redis-server),
# so what the runtime and docker-compose.yml start runs on either.
FROM patternbench/debian:bookworm
RUN apt-get update \
 && apt-get install -y --no-install-recommends redis-server \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir /data && chown redis:redis /data
VOLUME /data
WORKDIR /data
USER redis
EXPOSE 6379
CMD ["redis-server"]
