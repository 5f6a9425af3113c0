# Build the `kompetens` binary, then run it on a slim image as an unprivileged user.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release -p kompetens-api

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /var/lib/kompetens kompetens \
    && mkdir -p /var/lib/kompetens && chown kompetens /var/lib/kompetens
COPY --from=build /src/target/release/kompetens /usr/local/bin/kompetens
USER kompetens
ENV KOMPETENS_BIND=0.0.0.0:8080 KOMPETENS_DATA_DIR=/var/lib/kompetens KOMPETENS_LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=5 CMD curl -fsS http://127.0.0.1:8080/health/ready || exit 1
ENTRYPOINT ["kompetens"]
CMD ["serve"]
