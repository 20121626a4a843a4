# tilsyn worker image: `docker build -t tilsyn .`
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TILSYN_HTTP_HOST=0.0.0.0 \
    TILSYN_HTTP_PORT=8080 \
    TILSYN_DATA_DIR=/data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY streams ./streams
COPY schemas ./schemas
COPY agents ./agents
COPY sim ./sim
RUN pip install . \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin tilsyn \
    && mkdir -p /data && chown tilsyn:tilsyn /data

USER tilsyn
VOLUME ["/data"]
EXPOSE 8080

# /readyz: 200 once the worker has partitions, recovered tables and reaches the broker
HEALTHCHECK --interval=15s --timeout=5s --start-period=90s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/readyz' % os.environ.get('TILSYN_HTTP_PORT', '8080'), timeout=4)"]

ENTRYPOINT ["tilsyn"]
CMD ["worker"]
