#!/bin/sh
# The tests need nothing outside the repository: no tracked file except *.md names the old
# out-of-tree data location (the parent folder's shared/, the variable that pointed there, or
# its absolute path), every file under tests/conformance/data is tracked (so a clean clone has
# it), and each data folder keeps its SOURCE.md and a licence file.
. "$(dirname "$0")/../lib/harness.sh"
cd "$MXG_ROOT" || exit 2

# Tracked files (all files but build output when this is not a Git checkout).
if git ls-files --error-unmatch tests/suites >/dev/null 2>&1; then
	files() { git ls-files; }
	untracked=$(git ls-files --others -- tests/conformance/data)
	mxg_eq "every file under tests/conformance/data is tracked" "$untracked" ""
else
	files() { find . -path ./build -prune -o -path ./.git -prune -o -type f -print | sed 's|^\./||'; }
	echo "# not a Git checkout: scanning every file outside build/"
fi

# Built from pieces so that this script does not match itself.
sh_dir='shar''ed'
pattern="\.\./$sh_dir|MXG_$(echo "$sh_dir" | tr a-z A-Z)|/work/$sh_dir"
hits=$(files | grep -v '\.md$' | tr '\n' '\0' | xargs -0 grep -I -n -E "$pattern" -- /dev/null)
if [ -z "$hits" ]; then
	mxg_ok "no tracked file outside *.md refers to data outside the repository"
else
	mxg_not_ok "tracked files refer to data outside the repository (use tests/conformance/data):"
	printf '%s\n' "$hits" | sed 's/^/    /'
fi

for d in spf arc psl dkim/rfc8463 dkim/dkimpy dkim/mail-dkim; do
	dir=$MXG_DATA/$d
	mxg_check "data/$d has SOURCE.md" test -f "$dir/SOURCE.md"
	lic=$(ls "$dir" 2>/dev/null | grep -E '^(LICENSE|LICENCE|.*\.LICENSE)' | head -n 1)
	mxg_check "data/$d has a licence file" test -n "$lic"
done
mxg_done
