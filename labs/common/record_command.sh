#!/bin/sh
# labs/common/record_command.sh OUT CMD ARGS... — run CMD ARGS..., first writing
# the working directory and then each argument, one per line, to OUT.
#
# cmake/GradlabLab.cmake installs it as the compile and link launcher
# (RULE_LAUNCH_COMPILE / RULE_LAUNCH_LINK) of each phase's reference build, so
# that `gradlab grade` can replay CMake's exact compiler and linker command
# lines with a student's files in place of reference.cpp.
out="$1"
shift
mkdir -p "$(dirname "$out")"
{
  pwd
  for arg in "$@"; do printf '%s\n' "$arg"; done
} > "$out.tmp.$$" && mv -f "$out.tmp.$$" "$out"
exec "$@"
