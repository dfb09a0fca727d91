#!/bin/sh
# Container entry point: picks the app to run.
#   chargebill-entrypoint <ocpp-gateway|session-service|billing-service>
#   chargebill-entrypoint migrate <app> [--create-database]
#   chargebill-entrypoint            (runs $APP)
#   chargebill-entrypoint <any other command...>
# `exec` makes node PID 1, so it receives SIGTERM itself and drains (bootstrapService).
set -eu
cd /app

if [ "$#" -eq 0 ]; then
  if [ -z "${APP:-}" ]; then
    echo "chargebill: name the app to run (ocpp-gateway, session-service, billing-service) as the argument or in APP" >&2
    exit 64
  fi
  set -- "$APP"
fi

case "$1" in
  ocpp-gateway | session-service | billing-service)
    app="$1"
    shift
    exec node "dist/apps/$app/src/main.js" "$@"
    ;;
  migrate)
    shift
    exec node dist/scripts/migrate.js "$@"
    ;;
  *)
    exec "$@"
    ;;
esac
