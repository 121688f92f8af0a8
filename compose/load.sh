#!/bin/sh
# The demo data loader: generates the synthetic Somerset providers (fedgate datagen) into
# each provider's own database server and lets each provider's read-only role read them.
set -eu
persons=${FEDGATE_PERSONS:-120000}
for p in gp acute mental_health; do
  host=$(echo "$p" | tr _ -)-db
  fedgate datagen --persons "$persons" --seed 42 --providers "$p" --quiet \
    --postgres "host=$host user=postgres password=$POSTGRES_PASSWORD"
  PGPASSWORD=$POSTGRES_PASSWORD psql -h "$host" -U postgres -d "$p" -q \
    -c "GRANT CONNECT ON DATABASE $p TO ${p}_reader" \
    -c "GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${p}_reader"
done
fedgate datagen --persons "$persons" --seed 42 --providers social_care --quiet \
  --mariadb "Driver={MariaDB Unicode};Server=social-care-db;Port=3306;Uid=root;Pwd=$MARIADB_ROOT_PASSWORD;"
fedgate datagen --persons "$persons" --seed 42 --providers community --quiet \
  --sqlite-dir /var/lib/fedgate/community
echo "loaded $persons persons into the five providers"
