"""Gunicorn's configuration for Kansrijk (decision 0048), read from the environment:

    gunicorn -c python:kansrijk.serving kansrijk.wsgi:application

Every value has an environment variable (``KANSRIJK_WEB_*``, table in docs/operations.md);
the defaults are the ones measured best on the load test (bench/load.py,
bench/RESULTS-operations.md). The database connections: each thread of each worker keeps
one connection open for CONN_MAX_AGE seconds, so one web machine holds up to
``workers × threads`` connections; PostgreSQL's ``max_connections`` must cover that for
every web machine, plus the task workers, plus the administrators (docs/operations.md).
"""

import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _cores() -> int:
    # The cores this process may run on (a container's or systemd's CPU set), not the
    # machine's: a web machine shared with PostgreSQL should be told with KANSRIJK_WEB_WORKERS.
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


bind = os.environ.get("KANSRIJK_WEB_BIND", "127.0.0.1:8000").split(",")

# Threads in a few processes: a request spends part of its time waiting for PostgreSQL,
# during which another thread of the same process renders. One process per core keeps
# the rendering (which holds the GIL) on every core; threads share one process's memory.
# Eight served the most at national scale on two cores (2 × 8: 14.9 requests/s; 2 × 4:
# 10.6; 4 × 4: 9.4; one sync worker: 5.4; bench/RESULTS-operations.md).
worker_class = "gthread"
workers = _int("KANSRIJK_WEB_WORKERS", _cores())
threads = _int("KANSRIJK_WEB_THREADS", 8)

# A worker that stops answering its master's heartbeat for this long is killed and
# replaced. With gthread the heartbeat comes from the worker's main loop, not from the
# request, so a long report download does not trip it; a hung process does.
timeout = _int("KANSRIJK_WEB_TIMEOUT", 60)
# On a restart (systemctl reload, an upgrade) a worker finishes its requests in this time.
graceful_timeout = _int("KANSRIJK_WEB_GRACEFUL_TIMEOUT", 30)
# nginx keeps its connections to gunicorn open ("keepalive" in its upstream block,
# docs/deploy/nginx.conf) and reuses one within this many seconds.
keepalive = _int("KANSRIJK_WEB_KEEPALIVE", 5)

# A worker is replaced after this many requests (with a random spread, so that they are
# not all replaced at once): whatever one request leaves behind in memory goes with it.
max_requests = _int("KANSRIJK_WEB_MAX_REQUESTS", 5000)
max_requests_jitter = _int("KANSRIJK_WEB_MAX_REQUESTS_JITTER", 500)

# Not preloaded: each worker imports Django itself, so `systemctl reload` (SIGHUP) starts
# workers with the new code after an upgrade, and no database connection or thread made
# while importing is shared by forked workers. The memory this costs is small (measured
# in bench/RESULTS-operations.md).
preload_app = os.environ.get("KANSRIJK_WEB_PRELOAD", "").strip().lower() in {"1", "true", "yes"}

# Only the reverse proxy may say which scheme the visitor used (X-Forwarded-Proto):
# Gunicorn honours it from these addresses only. Kansrijk reads the visitor's address
# itself (KANSRIJK_PROXY_COUNT, docs/operations.md).
forwarded_allow_ips = os.environ.get("KANSRIJK_WEB_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# The heartbeat file in memory, not on a disk that may stall under an import's writes.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 - gunicorn makes its own file

# No access log from gunicorn: the reverse proxy keeps one. Errors go to stderr (journald).
accesslog = os.environ.get("KANSRIJK_WEB_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("KANSRIJK_WEB_LOG_LEVEL", "info")
proc_name = "kansrijk-web"
# No control socket (gunicorn ≥ 25.1 puts one in the home directory, which the unit
# makes read-only, and two instances of one user would share it): systemd controls it.
control_socket_disable = True
