# postgres:15 built without a registry: Debian 12's PostgreSQL 15 on the
# debootstrapped base, with the official image's user (postgres), PATH, PGDATA,
# volume and stop signal. patternbench starts it with its own script
# (docker/postgres-start.sh), not the official entrypoint, on either image.
FROM patternbench/debian:bookworm
RUN mkdir -p /etc/postgresql-common \
 && echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.conf \
 && apt-get update \
 && apt-get install -y --no-install-recommends postgresql-15 \
 && rm -rf /var/lib/apt/lists/* \
 && install --directory --owner postgres --group postgres --mode 3777 /var/run/postgresql
ENV PATH=$PATH:/usr/lib/postgresql/15/bin PGDATA=/var/lib/postgresql/data
RUN install --directory --owner postgres --group postgres --mode 1777 "$PGDATA"
VOLUME /var/lib/postgresql/data
STOPSIGNAL SIGINT
EXPOSE 5432
CMD ["postgres"]
