# sampler-service: the Spring Boot exec jar on a Java 17 JRE, run as an unprivileged user.
# Build from the repository root after `mvn -B -DskipTests package -pl sampler-service -am`:
#   docker build -f deploy/docker/sampler-service.Dockerfile -t r1/sampler-service:0.1.0 .
FROM eclipse-temurin:17-jre
ARG VERSION=0.1.0-SNAPSHOT
RUN groupadd --system --gid 10001 r1 \
 && useradd --system --uid 10001 --gid 10001 --home-dir /work --no-create-home r1 \
 && mkdir -p /work && chown 10001:10001 /work
COPY sampler-service/target/sampler-service-${VERSION}-exec.jar /app/app.jar
WORKDIR /work
USER 10001:10001
EXPOSE 8082
ENTRYPOINT ["java", "-jar", "/app/app.jar"]
