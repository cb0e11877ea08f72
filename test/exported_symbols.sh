#!/usr/bin/env bash
# test/exported_symbols.sh: the installed shared library exports only what
# the server looks up: the module magic (Pg_magic_func), _PG_init, and for
# each SQL-callable function its C symbol and pg_finfo_<symbol>.  Every other
# symbol is hidden (-fvisibility=hidden, src/pg_compat.h), so it cannot clash
# with another loaded module.  Also checks that every C symbol named by the
# install script is exported.  Needs nm (binutils) and PG_CONFIG.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
lib="$("${PG_CONFIG:-pg_config}" --pkglibdir)/orchestration_session.so"
failed=0

mapfile -t exported < <(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVW]$/ { print $3 }' | sort -u)
mapfile -t sql_symbols < <(grep -ohE "'MODULE_PATHNAME', '[a-z_0-9]+'" "$ROOT"/orchestration_session--*.sql |
                            sed -E "s/.*, '([a-z_0-9]+)'/\1/" | sort -u)
declare -A wanted=([Pg_magic_func]=1 [_PG_init]=1)
for s in "${sql_symbols[@]}"; do wanted[$s]=1; wanted[pg_finfo_$s]=1; done

for s in "${exported[@]}"; do
    case $s in _init|_fini|_edata|_end|__bss_start) continue ;; esac
    if [ -z "${wanted[$s]:-}" ]; then echo "not ok - exported but internal: $s"; failed=1; fi
done
for s in "${!wanted[@]}"; do
    if ! printf '%s\n' "${exported[@]}" | grep -qx "$s"; then echo "not ok - not exported: $s"; failed=1; fi
done
[ $failed = 0 ] && echo "ok - $lib exports exactly ${#wanted[@]} symbols: the magic, _PG_init and ${#sql_symbols[@]} SQL functions with their pg_finfo records"
exit $failed
