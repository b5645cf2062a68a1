# Dray as a container: the API on 3000, the admin port (health, metrics) on 8081.
#   mvn package && docker build -t dray .
# BASE_IMAGE is any Java 17 runtime; scripts/base-image builds one from Debian's packages for
# machines that cannot pull the official image.
ARG BASE_IMAGE=eclipse-temurin:17-jre
FROM ${BASE_IMAGE}

COPY target/dray.jar config.yml jvm.options /app/
# The dray command-line client, from the same jar: docker exec <container> dray ls
COPY bin/dray /app/bin/dray
RUN ln -s /app/bin/dray /usr/local/bin/dray
WORKDIR /app
# A class-data archive of a training start: with it and jvm.options Dray starts in about 3 s instead of about 5.5 s.
COPY scripts/class-archive /tmp/
RUN /tmp/class-archive /app/dray.jar /app/dray.jsa /app/config.yml && rm /tmp/class-archive

# Output-channel files are made here and mounted into step containers by the host's Docker, so the
# same path must be mounted from the host (-v /tmp:/tmp, as the original needed).
ENV DRAY_DATA_DIR=/tmp/dray

# Set DRAY_API_TOKENS (or DRAY_API_TOKENS_FILE) and DRAY_SECRET_KEY at run time: without tokens the API is open.
# Not root. To use the Docker socket, run with the socket's group: --group-add $(stat -c %g /var/run/docker.sock)
USER 10001:10001
EXPOSE 3000 8081
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["java", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-cp", "/app/dray.jar", "io.dray.HealthProbe"]
ENTRYPOINT ["java", "@/app/jvm.options", "-XX:SharedArchiveFile=/app/dray.jsa", "-jar", "/app/dray.jar", "server", "/app/config.yml"]
