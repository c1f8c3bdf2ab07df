#!/bin/sh
# Print the path of a Python 3.10 interpreter (Rasa 3.6 runs on 3.10 only), or explain
# what to install and fail. Looks at $PYTHON310, python3.10 on PATH, pyenv's versions
# and the usual system places.
is_310() { "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' >/dev/null 2>&1; }

pyenv_root="${PYENV_ROOT:-$HOME/.pyenv}"
for candidate in "${PYTHON310:-}" \
    $(ls -d "$pyenv_root"/versions/3.10.*/bin/python3.10 2>/dev/null | sort -V -r) \
    "$(command -v python3.10 2>/dev/null)" \
    /usr/bin/python3.10 /usr/local/bin/python3.10; do
  if [ -n "$candidate" ] && [ -x "$candidate" ] && is_310 "$candidate"; then
    echo "$candidate"
    exit 0
  fi
done

cat >&2 <<'MSG'
No Python 3.10 interpreter found; Rasa Open Source 3.6 needs Python 3.10.
Install one, for example:
  pyenv install 3.10.13            (then run make again)
  apt-get install python3.10 python3.10-venv   (where your distribution has it)
or point PYTHON310 at one:  make run PYTHON310=/path/to/python3.10
MSG
exit 1
