#!/usr/bin/env bash
# Lists the longest functions (lines from signature to closing brace, lambdas excluded) per
# folder of src/, using universal-ctags' end lines. STYLE.md / issue "One house for the node"
# ask for none over ~80 lines in node/, poster/, validator/, arbos/.
#   scripts/function-lengths.sh [FOLDER...]     default: every folder of src/; top 3 each
#   TOP=10 scripts/function-lengths.sh src/node
set -euo pipefail
cd "$(dirname "$0")/.."
top="${TOP:-3}"
folders=("$@")
[ ${#folders[@]} -eq 0 ] && folders=(src/*/)
for d in "${folders[@]}"; do
  d="${d%/}"
  ctags --languages=C++ --kinds-c++=f --fields=+ne -f - -R "$d" 2>/dev/null |
    awk -F'\t' -v dir="$d" '
      $1 !~ /^__anon/ && $0 ~ /end:[0-9]+/ && $2 !~ /_test\.cpp$/ {
        line = ""; end = ""
        for (i = 4; i <= NF; i++) {
          if ($i ~ /^line:/) line = substr($i, 6)
          if ($i ~ /^end:/) end = substr($i, 5)
        }
        if (line != "" && end != "") printf "%d\t%s\t%s:%s\n", end - line + 1, $1, $2, line
      }' | sort -rn | head -n "$top" | sed "s|^|$d\t|"
done
