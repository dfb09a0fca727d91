-- Runs once, when the compose Postgres volume is first initialised (/docker-entrypoint-initdb.d).
-- One database per app (libs/testing/src/stack/apps.ts); each app's migrations create its tables.
CREATE DATABASE ocpp_gateway;
CREATE DATABASE charging_sessions;
CREATE DATABASE billing;
