#!/usr/bin/env bash
# Restore a backup made by backup.sh into an EMPTY database and an empty Chroma folder (the
# replicas and the Chroma server stopped), then start them again.
#   PGHOST=db.intranet PGUSER=qa PGDATABASE=qa CHROMA_DATA=/var/lib/qa-app/chroma deploy/restore.sh /backup/qa-2026-12-02
set -euo pipefail
from=${1:?用法：restore.sh 备份目录}
pg_restore --no-owner --exit-on-error --dbname "$PGDATABASE" "$from/qa.dump"
mkdir -p "$(dirname "$CHROMA_DATA")"
if [ -e "$CHROMA_DATA" ] && [ -n "$(ls -A "$CHROMA_DATA")" ]; then
  echo "错误：$CHROMA_DATA 不是空目录，不覆盖" >&2; exit 1
fi
rm -rf "$CHROMA_DATA"
tar -C "$(dirname "$CHROMA_DATA")" -xzf "$from/chroma.tar.gz"
[ "$(basename "$CHROMA_DATA")" = "$(tar -tzf "$from/chroma.tar.gz" | head -1 | cut -d/ -f1)" ] || \
  mv "$(dirname "$CHROMA_DATA")/$(tar -tzf "$from/chroma.tar.gz" | head -1 | cut -d/ -f1)" "$CHROMA_DATA"
echo "已从 $from 恢复：数据库 $PGDATABASE，向量库 $CHROMA_DATA"
