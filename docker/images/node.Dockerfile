# node:20-bookworm-slim built without a registry: this machine's own Node 20
# (the binary and its npm) on the debootstrapped base, at the official image's
# paths, with its user node (uid 1000). It trusts the certificate authorities
# this machine trusts (its CA bundle), as this machine's Node does, so that
# `npm ci` in an image built on it reaches the registry the way the host does.
FROM patternbench/debian:bookworm
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && groupadd --gid 1000 node \
 && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \
 && node --version && npm --version
CMD ["node"]
