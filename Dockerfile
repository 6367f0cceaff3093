# fieldsim image: the simulators, the reference clients, the tests and the Locust profiles.
#   docker build -t fieldsim .
#   docker run --rm -p 8080:8080 fieldsim            # all five APIs on :8080, demo dataset
# docker-compose.yml runs one container per API on a shared redis, plus Locust master + workers.
FROM python:3.11-slim

# MALLOC_ARENA_MAX=2: 16 server threads otherwise keep one glibc arena each at its high-water mark
# (+35% RSS before a plateau in the soak, docs/reliability.md).
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MALLOC_ARENA_MAX=2

WORKDIR /app
COPY pyproject.toml README.md ./
COPY simulators ./simulators
COPY clients ./clients
COPY contracts ./contracts
RUN pip install '.[test]'
# Not part of the installed package: the Locust profiles and the tests, run from /app.
COPY loadtests ./loadtests
COPY tests ./tests

RUN useradd --create-home --uid 10001 fieldsim && mkdir -p /app/reports && chown fieldsim /app/reports
USER fieldsim

EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
  CMD python -c "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:' + __import__('os').environ.get('FIELDSIM_PORT', '8080') + '/__admin/health', timeout=2).status != 200)"
CMD ["fieldsim", "serve", "--host", "0.0.0.0", "--port", "8080"]
