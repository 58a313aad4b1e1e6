"""Connections for the client tests.

Every setting comes from the usual libpq environment variables (PGHOST,
PGPORT, PGUSER, PGDATABASE), which scripts/test.sh points at its scratch
cluster, so the tests name no server of their own.
"""
import os

import psycopg
import psycopg2


def libpq_url():
    """A connection URL built from the libpq environment, for SQLAlchemy."""
    user = os.environ.get("PGUSER", "postgres")
    database = os.environ.get("PGDATABASE", "postgres")
    host = os.environ.get("PGHOST", "/var/run/postgresql")
    port = os.environ.get("PGPORT", "5432")
    # A Unix socket folder goes in the query string; libpq reads it as host.
    return f"postgresql+psycopg2://{user}@/{database}?host={host}&port={port}"


def connect_psycopg2():
    connection = psycopg2.connect("")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS vector")
    return connection


def connect_psycopg3():
    connection = psycopg.connect("", autocommit=True)
    connection.execute("CREATE EXTENSION IF NOT EXISTS vector")
    return connection


def type_exists(connection, type_name):
    """Whether the installed extension defines type_name (psycopg2 or 3)."""
    cursor = connection.cursor()
    cursor.execute("SELECT to_regtype(%s) IS NOT NULL", (type_name,))
    exists = cursor.fetchone()[0]
    cursor.close()
    return exists
