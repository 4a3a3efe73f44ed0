#!/bin/sh
# Static analysis of init/: cppcheck and clang-tidy, both must be silent.
# clang-tidy's checks are in init/.clang-tidy. cppcheck runs its warning,
# style, performance and portability checks; inline suppressions in the code
# say why at each place. variableScope is off: buffers are declared at the top
# of a function on purpose, where the reader sees the stack it uses.
set -eu
cd "$(dirname "$0")/../.."
rc=0
echo "== cppcheck"
cppcheck --error-exitcode=1 --enable=warning,style,performance,portability \
	--std=c11 -D_GNU_SOURCE --inline-suppr --quiet \
	--suppress=missingIncludeSystem --suppress=variableScope \
	--template='{file}:{line}: {severity}: {id}: {message}' init/ || rc=1
echo "== clang-tidy"
for f in init/*.c; do
	clang-tidy --quiet "$f" -- -std=gnu11 -D_GNU_SOURCE -Iinit 2>/dev/null || { echo "clang-tidy: $f"; rc=1; }
done
[ $rc = 0 ] && echo "lint: clean"
exit $rc
