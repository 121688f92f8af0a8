#!/bin/sh
# First start of a provider's PostgreSQL: its read-only role for the agent.
set -eu
psql -v ON_ERROR_STOP=1 -U postgres -c "CREATE ROLE ${PROVIDER}_reader LOGIN PASSWORD '${READER_PASSWORD}'"
