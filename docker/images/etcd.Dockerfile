# quay.io/coreos/etcd:v3.4.23 built without a registry: Debian 12's etcd 3.4.23
# on the debootstrapped base, at the official image's paths.
FROM patternbench/debian:bookworm
RUN apt-get update \
 && apt-get install -y --no-install-recommends etcd-server etcd-client \
 && rm -rf /var/lib/apt/lists/* \
 && ln -s /usr/bin/etcd /usr/local/bin/etcd \
 && ln -s /usr/bin/etcdctl /usr/local/bin/etcdctl \
 && mkdir -p /var/lib/etcd
WORKDIR /var/lib/etcd
EXPOSE 2379 2380
CMD ["/usr/local/bin/etcd"]
