# syntax=docker/dockerfile:1
# mentorbot's image: `docker compose up` (compose.yaml) runs it with PostgreSQL.
#
# Stage 1 builds a virtualenv with mentorbot and its dependencies (wheels only; nothing to
# compile). Stage 2 is the same slim Python with that virtualenv and no build tools, run as
# an unprivileged user.

FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/mentorbot
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY bot ./bot
COPY handlers ./handlers
COPY matching ./matching
COPY models ./models
COPY migrations ./migrations
RUN /opt/mentorbot/bin/pip install '.[postgres]'

FROM python:3.11-slim
ENV PATH=/opt/mentorbot/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    MPLCONFIGDIR=/tmp/matplotlib \
    NUMBA_CACHE_DIR=/tmp/numba \
    DATABASE_URL=sqlite:////data/mentorbot.db \
    PORT=3000
RUN useradd --system --uid 10001 --user-group --home-dir /data --create-home mentorbot
COPY --from=build /opt/mentorbot /opt/mentorbot
COPY --chmod=0755 scripts/docker-entrypoint.sh /usr/local/bin/mentorbot-entrypoint
USER mentorbot
WORKDIR /data
VOLUME ["/data"]
EXPOSE 3000
# `mentorbot health` asks the bot's own /healthz (PORT in HTTP mode, HEALTH_PORT in Socket
# Mode): unhealthy when the database is unreachable; Slack's state is reported, not failed on.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["mentorbot", "health"]
# SIGTERM drains requests and hands the scheduler lease over (at most STOP_TIMEOUT, 20 s):
# give the container longer than that to stop (compose.yaml sets stop_grace_period: 30s).
STOPSIGNAL SIGTERM
ENTRYPOINT ["mentorbot-entrypoint"]
CMD ["serve"]
