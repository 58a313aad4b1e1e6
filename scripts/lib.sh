# scripts/lib.sh: helpers shared by scripts/demo.sh, scripts/test.sh and
# bench/run.sh.  Source it; it defines functions and a few variables and runs
# nothing by itself.
#
#   VECTOR_ROOT            the checkout (set here)
#   VECTOR_CLUSTER_PORT    port of the scratch cluster (default 54329)
#   VECTOR_CLUSTER_DIR     folder of the scratch cluster (default .cluster in the
#                          checkout, whatever the port: set it, and the port, to run
#                          a second cluster beside one already running there)
#   PG_CONFIG              pg_config to build against (default: PostgreSQL 15's,
#                          even when other server versions are installed too)

set -euo pipefail

VECTOR_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VECTOR_CLUSTER_PORT="${VECTOR_CLUSTER_PORT:-54329}"
PG_CONFIG="${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}"

# Debian packages every script needs; callers add their own.
VECTOR_BASE_PACKAGES=(build-essential postgresql-15 postgresql-server-dev-15
	postgresql-contrib libxsimd-dev)

log() {
	printf '\033[1m==> %s\033[0m\n' "$*" >&2
}

die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}

is_root() {
	[ "$(id -u)" -eq 0 ]
}

# Run a command with root privileges: directly as root, through sudo otherwise.
as_root() {
	if is_root; then
		"$@"
	else
		command -v sudo >/dev/null || die "not root and no sudo: cannot run '$*'"
		sudo "$@"
	fi
}

package_installed() {
	[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

# Install the Debian packages that are not installed yet; do nothing (and need
# no root) when all are there.  apt-get update runs at most once per script.
VECTOR_APT_UPDATED=no
ensure_packages() {
	local missing=() package
	for package in "$@"; do
		package_installed "$package" || missing+=("$package")
	done
	[ "${#missing[@]}" -eq 0 ] && return 0

	log "installing Debian packages: ${missing[*]}"
	if [ "$VECTOR_APT_UPDATED" = no ]; then
		as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
		VECTOR_APT_UPDATED=yes
	fi
	as_root env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# Node.js and npm: a node that came from elsewhere (NodeSource bundles npm in
# its nodejs package, which conflicts with Debian's npm) counts as installed.
ensure_node() {
	if command -v node >/dev/null && command -v npm >/dev/null; then
		return 0
	fi
	ensure_packages nodejs npm
}

pg_bindir() {
	"$PG_CONFIG" --bindir
}

# Build vector.so and install it into the PostgreSQL that pg_config names.
# The lock keeps two builds in one checkout, or two installs on one machine,
# from running over each other.
VECTOR_BUILD_LOCK=/tmp/vector-build.lock
build_and_install_extension() {
	local jobs sudo=""
	jobs="$(nproc)"
	is_root || sudo=sudo
	log "building and installing the extension into $("$PG_CONFIG" --pkglibdir)"
	(
		cd "$VECTOR_ROOT"
		flock "$VECTOR_BUILD_LOCK" bash -c \
			'make -j"$1" PG_CONFIG="$2" && $3 make install PG_CONFIG="$2"' \
			build "$jobs" "$PG_CONFIG" "$sudo"
	)
}

# ---------------------------------------------------------------------------
# Scratch cluster
#
# A throwaway PostgreSQL cluster in $VECTOR_ROOT/.cluster, created afresh by
# cluster_start and stopped by cluster_stop (which cluster_start registers as
# an EXIT trap).  The server never runs as root: as root it runs as the
# postgres system user.  Clients reach it through the Unix socket in the
# cluster folder; cluster_start exports PGHOST, PGPORT, PGUSER and PGDATABASE.
# ---------------------------------------------------------------------------

CLUSTER_DIR=""
CLUSTER_USER=""

# Run a command as the user the cluster runs as.
as_cluster_user() {
	if is_root; then
		runuser -u "$CLUSTER_USER" -- "$@"
	else
		"$@"
	fi
}

# Pick (and create) the cluster folder: $VECTOR_CLUSTER_DIR when set, else
# .cluster in the checkout when the cluster user can write there, else a
# folder under /tmp.
choose_cluster_dir() {
	local wanted="$VECTOR_ROOT/.cluster"
	local socket="$wanted/.s.PGSQL.$VECTOR_CLUSTER_PORT"

	if is_root; then
		CLUSTER_USER=postgres
		id "$CLUSTER_USER" >/dev/null 2>&1 ||
			die "running as root needs the 'postgres' system user (package postgresql-15)"
	else
		CLUSTER_USER="$(id -un)"
	fi

	if [ -n "${VECTOR_CLUSTER_DIR:-}" ]; then
		choose_given_cluster_dir "$VECTOR_CLUSTER_DIR"
		return 0
	fi

	# A Unix socket path must fit in 107 bytes.
	if [ "${#socket}" -lt 100 ]; then
		mkdir -p "$wanted"
		if is_root; then chown "$CLUSTER_USER": "$wanted"; fi
		if as_cluster_user test -w "$wanted" -a -x "$wanted"; then
			CLUSTER_DIR="$wanted"
			return 0
		fi
		rmdir "$wanted" 2>/dev/null || true
	fi

	CLUSTER_DIR="/tmp/vector-cluster-$(id -u)-$VECTOR_CLUSTER_PORT"
	mkdir -p "$CLUSTER_DIR"
	if is_root; then chown "$CLUSTER_USER": "$CLUSTER_DIR"; fi
	log "user $CLUSTER_USER cannot use $wanted; the scratch cluster goes to $CLUSTER_DIR"
}

# Use the folder the caller named: it must exist or be creatable, be usable
# by the cluster user, and be short enough for a Unix socket path.
choose_given_cluster_dir() {
	local dir="$1"
	local socket="$dir/.s.PGSQL.$VECTOR_CLUSTER_PORT"
	[ "${#socket}" -lt 100 ] || die "VECTOR_CLUSTER_DIR=$dir is too long for a Unix socket path"
	mkdir -p "$dir"
	CLUSTER_DIR="$(cd "$dir" && pwd)"
	if is_root; then chown "$CLUSTER_USER": "$CLUSTER_DIR"; fi
	as_cluster_user test -w "$CLUSTER_DIR" -a -x "$CLUSTER_DIR" ||
		die "user $CLUSTER_USER cannot write to VECTOR_CLUSTER_DIR=$CLUSTER_DIR"
}

# Stop a server left running in the cluster folder by an earlier, killed run.
stop_leftover_server() {
	local data="$1"
	if [ -f "$data/postmaster.pid" ]; then
		as_cluster_user "$(pg_bindir)/pg_ctl" -D "$data" -m immediate stop >/dev/null 2>&1 || true
	fi
}

# cluster_start [postgresql.conf line]...: initdb a fresh cluster and start it.
# Extra arguments are appended to postgresql.conf (e.g. "shared_buffers = 4GB").
cluster_start() {
	local bindir data setting
	bindir="$(pg_bindir)"
	choose_cluster_dir
	data="$CLUSTER_DIR/data"

	stop_leftover_server "$data"
	rm -rf "$data" "$CLUSTER_DIR/server.log"

	log "creating the scratch cluster in $CLUSTER_DIR (port $VECTOR_CLUSTER_PORT, user $CLUSTER_USER)"
	as_cluster_user "$bindir/initdb" -D "$data" -U postgres -A trust -E UTF8 \
		--locale=C.UTF-8 --no-sync >"$CLUSTER_DIR/initdb.log" 2>&1 ||
		{ cat "$CLUSTER_DIR/initdb.log" >&2; die "initdb failed"; }

	{
		echo "# added by scripts/lib.sh"
		echo "port = $VECTOR_CLUSTER_PORT"
		echo "listen_addresses = ''"
		echo "unix_socket_directories = '$CLUSTER_DIR'"
		# Throwaway data: no need to wait for the disk.
		echo "fsync = off"
		echo "synchronous_commit = off"
		echo "full_page_writes = off"
		for setting in "$@"; do
			echo "$setting"
		done
	} | as_cluster_user tee -a "$data/postgresql.conf" >/dev/null

	# Stop the server however the script ends (Ctrl-C and kill included).
	trap cluster_stop EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	as_cluster_user "$bindir/pg_ctl" -D "$data" -l "$CLUSTER_DIR/server.log" -w -t 60 start >/dev/null ||
		{ tail -n 30 "$CLUSTER_DIR/server.log" >&2; die "the scratch cluster did not start"; }

	export PGHOST="$CLUSTER_DIR" PGPORT="$VECTOR_CLUSTER_PORT" PGUSER=postgres PGDATABASE=postgres
}

cluster_stop() {
	[ -n "$CLUSTER_DIR" ] && [ -f "$CLUSTER_DIR/data/postmaster.pid" ] || return 0
	log "stopping the scratch cluster"
	as_cluster_user "$(pg_bindir)/pg_ctl" -D "$CLUSTER_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
}

# psql against the scratch cluster: quiet, stop at the first error.
cluster_psql() {
	"$(pg_bindir)/psql" -X -q -v ON_ERROR_STOP=1 "$@"
}
