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
