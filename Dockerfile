# The mvs container image: the tools on PATH, run as the non-root user mvs; by default the REST server of
# mvs-migrate on port 8080 of every address. Two stages on the same Debian 12 base: the first builds and
# installs mvs with the build packages of scripts/bootstrap, the second holds only the tools, their man
# pages and the runtime libraries they link.
#   docker build -t mvs:0.1.0 .                     where debian:12-slim can be pulled
#   make image                                      anywhere (builds the base from Debian's packages
#                                                   when debian:12-slim cannot be pulled)
ARG BASE=debian:12-slim

FROM ${BASE} AS build
LABEL mvs.stage=build
# scripts/bootstrap's packages that `make all` needs; its test packages (node, clang, parallel, ...) stay out
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      build-essential pkg-config libgrpc-dev protobuf-c-compiler libprotobuf-c-dev libmsgpack-dev \
      libxxhash-dev libyaml-dev libmicrohttpd-dev libjansson-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# what `make all` and `make install` read, so that edits elsewhere (tests, docs) keep the build cached
COPY Makefile ./
COPY scripts/check-layout scripts/
COPY proto proto/
COPY lib lib/
COPY cmd cmd/
COPY man man/
COPY tests/unit tests/unit/
COPY tests/tools tests/tools/
RUN make -j"$(nproc)" all && make install DESTDIR=/out PREFIX=/usr/local \
 && strip --strip-unneeded /out/usr/local/bin/*

FROM ${BASE}
LABEL mvs.stage=runtime
# the shared libraries the tools link (ldd bin/*), by their Debian 12 package names
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      libgrpc29 libprotobuf-c1 libxxhash0 libyaml-0-2 libmicrohttpd12 libjansson4 \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log \
 && useradd --create-home --uid 10001 --user-group --shell /bin/sh mvs
COPY --from=build /out/usr/local/ /usr/local/
USER mvs
WORKDIR /home/mvs
# mvs-migrate server's default port; it warns when bound beyond loopback without --token-file or
# MVS_REST_TOKEN
EXPOSE 8080
CMD ["mvs-migrate", "server", "run", "--bind", "0.0.0.0"]
ARG VERSION=0.1.0
ARG SOURCE=
ARG REVISION=
LABEL org.opencontainers.image.title="mvs" \
      org.opencontainers.image.description="Moves Milvus collections as Unix pipelines of msgpack streams" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.revision="${REVISION}"
