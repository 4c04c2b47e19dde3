# SPDX-License-Identifier: MIT
# Shared by the namespace test scripts: the key and configuration of one side whose uplink
# is inet0, carrying 2001:db8:1:1::1 (hashed) and facing 2001:db8:2:2::2 with fd00:b::/64.

# netns_key DIR: a fresh 32-byte PSK as hex in DIR/key (mode 0600); prints the hex.
netns_key() {
	_key=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
	echo "$_key" >"$1/key"
	chmod 600 "$1/key"
	echo "$_key"
}

# netns_conf DIR: DIR/t.conf with [keys], [local] and [peer]; the sections on standard
# input ([tunnel], [rotation], [guard]...) follow them.
netns_conf() {
	{
		cat <<-EOF
			[keys]
			psk-file = $1/key
			[local]
			interface = inet0
			prefix = 2001:db8:1:1::/64
			iid = ::1
			[peer]
			prefix = 2001:db8:2:2::/64
			iid = ::2
			routes = fd00:b::/64
		EOF
		cat
	} >"$1/t.conf"
}

# netns_begin NAME [TOOL...]: the common start of a daemon test. Needs root and each TOOL
# (exits 77, SKIP, without); makes the namespace $ns (lo up, the veth inet0 with its peer
# inet1, both up) and the directory $dir, and an EXIT trap that kills $pid (the daemon,
# when set) and removes both. ok/bad count checks, netns_end reports them.
netns_begin() {
	[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
	_name=$1
	shift
	for _t in "$@"; do
		command -v "$_t" >/dev/null || { echo "SKIP: needs $_t"; exit 77; }
	done
	ns=mt6d-$_name-$$
	dir=$(mktemp -d)
	failed=0
	passed=0
	pid=
	trap netns_cleanup EXIT
	ip netns add "$ns" || { echo "SKIP: cannot create a network namespace"; exit 77; }
	ip -n "$ns" link set lo up
	netns_veth 0
}
netns_veth() { # N: the veth inetN with its peer inet(N+1) in $ns, both up
	ip -n "$ns" link add "inet$1" type veth peer name "inet$(($1 + 1))"
	ip -n "$ns" link set "inet$1" up
	ip -n "$ns" link set "inet$(($1 + 1))" up
}
netns_cleanup() {
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null || :
	ip netns del "$ns" 2>/dev/null || :
	rm -rf "$dir"
}
ok() { passed=$((passed + 1)); echo "ok   - $*"; }
bad() { failed=$((failed + 1)); echo "FAIL - $*"; }
netns_end() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
