#!/bin/sh
# First start of the council's MariaDB: the agent's read-only account.
set -eu
mariadb -uroot -p"$MARIADB_ROOT_PASSWORD" -e "
  CREATE USER IF NOT EXISTS 'social_care_reader'@'%' IDENTIFIED BY '$READER_PASSWORD';
  GRANT SELECT ON social_care.* TO 'social_care_reader'@'%';"
