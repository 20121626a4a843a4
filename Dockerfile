# tilsyn images.
#   docker build -t tilsyn .                          # the worker (default: the last stage)
#   docker build --target sim -t tilsyn-sim .         # worker + simulator (`tilsyn simulate`, plots)
#
# Dependencies are installed from pyproject.toml alone, before any source is copied, so a code
# change rebuilds only the last layers. The worker image carries what `tilsyn worker` needs: no
# simulator or plotting library, no embedded broker, no test or bench tools (extras in pyproject.toml).
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TILSYN_HTTP_HOST=0.0.0.0 \
    TILSYN_HTTP_PORT=8080 \
    TILSYN_DATA_DIR=/data

RUN useradd --system --uid 10001 --home-dir /data --no-create-home --shell /usr/sbin/nologin tilsyn \
    && mkdir -p /data && chown tilsyn:tilsyn /data

# dependency layer: building the project without its packages installs exactly its requirements
COPY pyproject.toml README.md /src/
RUN pip install /src && pip uninstall --yes tilsyn

# worker + simulator: `docker compose --profile sim` runs `tilsyn simulate` and `tilsyn produce` from it
FROM base AS sim
RUN pip install "/src[sim]" && pip uninstall --yes tilsyn
COPY streams /src/streams
COPY schemas /src/schemas
COPY agents /src/agents
COPY sim /src/sim
RUN pip install --no-deps /src && rm -rf /src
WORKDIR /data
USER tilsyn
ENTRYPOINT ["tilsyn"]
CMD ["simulate", "--help"]

# the worker (default target)
FROM base AS worker
COPY streams /src/streams
COPY schemas /src/schemas
COPY agents /src/agents
RUN pip install --no-deps /src && rm -rf /src
WORKDIR /data
USER tilsyn
VOLUME ["/data"]
EXPOSE 8080

# Liveness: /healthz answers 503 when input waits and nothing is processed (stall watchdog); the
# compose stack's autoheal restarts an unhealthy container. Readiness is /readyz (docs/OPERATIONS.md).
HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=4 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('TILSYN_HTTP_PORT', '8080'), timeout=4)"]

ENTRYPOINT ["tilsyn"]
CMD ["worker"]
