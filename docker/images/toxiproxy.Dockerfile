# ghcr.io/shopify/toxiproxy:2.12.0 built without a registry: the toxiproxy-server
# and toxiproxy-cli that scripts/install.sh builds from source, at the official
# image's paths, entrypoint and default arguments.
FROM patternbench/debian:bookworm
COPY toxiproxy-server /toxiproxy
COPY toxiproxy-cli /toxiproxy-cli
ENV LOG_LEVEL=info
EXPOSE 8474
ENTRYPOINT ["/toxiproxy"]
CMD ["-host=0.0.0.0"]
