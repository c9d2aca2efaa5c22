-- Attendandt: the database, and one LOGIN role + one schema (owned by that role) per service.
--
-- Mirrors libs/platform/src/attendandt/platform/provision.py (what `attendandt migrate
-- --admin-url` does), and adds the passwords, which provision() leaves alone.
-- Idempotent: safe to run again (it then only resets the passwords).
--
-- Run as a superuser with psql >= 15 (needs \getenv):
--   * docker-compose: mounted into /docker-entrypoint-initdb.d, run once on an empty volume;
--   * a managed instance or an operator's cluster: once, by the DBA, before the migration Job:
--       GUESTS_DB_PASSWORD=... VENDORS_DB_PASSWORD=... USERS_DB_PASSWORD=... \
--       PUBLISHER_DB_PASSWORD=... psql "$ADMIN_URL" -v ON_ERROR_STOP=1 -f deploy/postgres/init.sql
--
-- Passwords come from the environment; the fallbacks are for local development only.
-- Keep passwords URL-safe (e.g. `openssl rand -hex 24`): they are embedded in DATABASE_URL.

\set ON_ERROR_STOP on

\getenv guests_password GUESTS_DB_PASSWORD
\if :{?guests_password}
\else
  \set guests_password ''
\endif
\getenv vendors_password VENDORS_DB_PASSWORD
\if :{?vendors_password}
\else
  \set vendors_password ''
\endif
\getenv users_password USERS_DB_PASSWORD
\if :{?users_password}
\else
  \set users_password ''
\endif
\getenv publisher_password PUBLISHER_DB_PASSWORD
\if :{?publisher_password}
\else
  \set publisher_password ''
\endif
-- Unset or empty: the development fallback.
SELECT coalesce(nullif(:'guests_password', ''), 'dev-only-guests') AS guests_password,
       coalesce(nullif(:'vendors_password', ''), 'dev-only-vendors') AS vendors_password,
       coalesce(nullif(:'users_password', ''), 'dev-only-users') AS users_password,
       coalesce(nullif(:'publisher_password', ''), 'dev-only-publisher') AS publisher_password
\gset

-- The database (CREATE DATABASE cannot run inside a DO block or a transaction: \gexec).
SELECT 'CREATE DATABASE attendandt'
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'attendandt') \gexec

-- Roles are cluster-wide. LOGIN NOINHERIT and nothing else, as provision() creates them.
SELECT format('CREATE ROLE %I LOGIN NOINHERIT', r)
FROM unnest(ARRAY['guests', 'vendors', 'users', 'publisher']) AS r
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) \gexec

ALTER ROLE guests PASSWORD :'guests_password';
ALTER ROLE vendors PASSWORD :'vendors_password';
ALTER ROLE users PASSWORD :'users_password';
ALTER ROLE publisher PASSWORD :'publisher_password';

\connect attendandt

-- Each schema is owned by its role: the service migrates and runs as that role only, and
-- cannot touch another service's schema.
CREATE SCHEMA IF NOT EXISTS guests AUTHORIZATION guests;
ALTER SCHEMA guests OWNER TO guests;
CREATE SCHEMA IF NOT EXISTS vendors AUTHORIZATION vendors;
ALTER SCHEMA vendors OWNER TO vendors;
CREATE SCHEMA IF NOT EXISTS users AUTHORIZATION users;
ALTER SCHEMA users OWNER TO users;
CREATE SCHEMA IF NOT EXISTS publisher AUTHORIZATION publisher;
ALTER SCHEMA publisher OWNER TO publisher;

-- Nobody creates objects in `public` (PostgreSQL 15+ already defaults to this; older
-- clusters and restored dumps may not).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
