# Sourced by scripts/serve, scripts/test and .ci/run: make sure a virtual environment is active.
# A Debian system Python refuses `pip install` outside one (PEP 668), so unless one is active
# already this creates ./.venv (installing Debian's python3-venv first where it is missing).
if [ -z "${VIRTUAL_ENV:-}" ]; then
  if [ ! -x .venv/bin/python ]; then
    if ! python3 -m venv .venv >/dev/null 2>&1; then
      rm -rf .venv
      sudo=""
      [ "$(id -u)" -eq 0 ] || sudo="sudo"
      echo "installing Debian's python3-venv to create .venv"
      $sudo apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
      python3 -m venv .venv
    fi
  fi
  # shellcheck disable=SC1091
  . .venv/bin/activate
fi
