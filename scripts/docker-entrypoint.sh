#!/bin/sh
# The container's entrypoint: `mentorbot serve` by default; `docker run IMAGE report eng`
# runs that mentorbot command; anything else (a shell) runs as given. `exec`, so mentorbot
# is the process Docker signals on stop and drains cleanly.
set -eu
if [ "$#" -eq 0 ]; then
  set -- serve
fi
case "$1" in
  serve | db | round | report | import | health | -* ) exec mentorbot "$@" ;;
  *) exec "$@" ;;
esac
