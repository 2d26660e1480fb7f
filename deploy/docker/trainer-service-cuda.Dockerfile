# trainer-service on an NVIDIA GPU: the exec jar on a CUDA 12.8 runtime with libtorch 2.7.1+cu128.
# DJL 0.36 ships no cu128 native jar, so its PyTorch engine loads this libtorch through
# PYTORCH_LIBRARY_PATH / PYTORCH_VERSION / PYTORCH_FLAVOR (its JNI for 2.7.1 has the cu128 binding).
# Build from the repository root after `mvn -B -DskipTests package -pl trainer-service -am`:
#   docker build -f deploy/docker/trainer-service-cuda.Dockerfile -t r1/trainer-service-cuda:0.1.0 .
FROM ubuntu:24.04 AS libtorch
ARG LIBTORCH_URL=https://download.pytorch.org/libtorch/cu128/libtorch-cxx11-abi-shared-with-deps-2.7.1%2Bcu128.zip
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl unzip \
 && curl -fsSL "$LIBTORCH_URL" -o /tmp/libtorch.zip \
 && unzip -q /tmp/libtorch.zip -d /opt \
 && rm /tmp/libtorch.zip

FROM eclipse-temurin:17-jre AS jre

FROM nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04
ARG VERSION=0.1.0-SNAPSHOT
COPY --from=jre /opt/java/openjdk /opt/java/openjdk
COPY --from=libtorch /opt/libtorch /opt/libtorch
ENV JAVA_HOME=/opt/java/openjdk \
    PATH=/opt/java/openjdk/bin:$PATH \
    PYTORCH_LIBRARY_PATH=/opt/libtorch/lib \
    PYTORCH_VERSION=2.7.1 \
    PYTORCH_FLAVOR=cu128 \
    LD_LIBRARY_PATH=/opt/libtorch/lib \
    NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility
RUN groupadd --system --gid 10001 r1 \
 && useradd --system --uid 10001 --gid 10001 --home-dir /work --no-create-home r1 \
 && mkdir -p /work && chown 10001:10001 /work
COPY trainer-service/target/trainer-service-${VERSION}-exec.jar /app/app.jar
WORKDIR /work
USER 10001:10001
EXPOSE 8084
ENTRYPOINT ["java", "-jar", "/app/app.jar"]
