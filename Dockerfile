# studybot: one process (`studybot run`) with its inference workers.
#   CPU image (default):  docker build -t studybot .
#   CUDA image:           docker build -t studybot:cuda --build-arg TORCH_INDEX_URL=https://download.pytorch.org/whl/cu128 .
FROM python:3.11-slim-bookworm

ARG TORCH_VERSION=2.13.0
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
# Optional extras, e.g. --build-arg EXTRAS=ray for INFERENCE_BACKEND=ray.
ARG EXTRAS=""

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HOME=/models \
    DATABASE_PATH=/data/studybot.sqlite3 \
    TINY_MODELS_DIR=/data/tiny-models \
    HEALTH_FILE=/data/health.json \
    MPLCONFIGDIR=/tmp/matplotlib

RUN groupadd --system --gid 10001 studybot \
    && useradd --system --uid 10001 --gid studybot --home-dir /app --shell /usr/sbin/nologin studybot

WORKDIR /app

# torch first, from the chosen index, so installing the project never pulls another build.
RUN pip install --index-url "${TORCH_INDEX_URL}" "torch==${TORCH_VERSION}"

COPY pyproject.toml README.md ./
COPY bot ./bot
COPY cogs ./cogs
# The project itself (with EXTRAS when set); its dependencies are bounded in pyproject.toml.
# hadolint ignore=DL3013
RUN pip install ".${EXTRAS:+[${EXTRAS}]}" \
    && mkdir -p /data /models \
    && chown studybot:studybot /data /models

USER 10001:10001
VOLUME ["/data", "/models"]

HEALTHCHECK --interval=30s --timeout=10s --start-period=120s --retries=3 CMD ["studybot", "health"]
CMD ["studybot", "run", "--no-console"]
