#!/usr/bin/env bash
# Back up qa-app's shared state: the PostgreSQL database (side store + prose tables) and the
# Chroma server's folder. Stop the Chroma server first (systemctl stop qa-app-chroma); the
# database is dumped consistently while the replicas keep running.
#   PGHOST=db.intranet PGUSER=qa PGDATABASE=qa CHROMA_DATA=/var/lib/qa-app/chroma deploy/backup.sh /backup/qa-2026-12-02
set -euo pipefail
out=${1:?用法：backup.sh 备份目录}
mkdir -p "$out"
pg_dump --format=custom --no-owner --file "$out/qa.dump"
tar -C "$(dirname "$CHROMA_DATA")" -czf "$out/chroma.tar.gz" "$(basename "$CHROMA_DATA")"
echo "已备份到 $out：qa.dump（数据库），chroma.tar.gz（向量库）"
