/* SPDX-License-Identifier: MIT */
#ifndef MT6D_CONFIG_H
#define MT6D_CONFIG_H

#include <net/if.h>
#include <netinet/in.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MT6D_PSK_MIN 32
#define MT6D_PSK_MAX 64
#define MT6D_PADDING_MAX 1024 /* [tunnel] padding, bytes */
#define MT6D_MAX_ROUTES 16
#define MT6D_NAME_MAX 64

struct mt6d_prefix {
	struct in6_addr addr;
	uint8_t len;
};

#define MT6D_MAX_UPLINKS 4
#define MT6D_UPLINK_NAME_MAX 16 /* bytes of an uplink's name with the NUL */
#define MT6D_PREFERENCE_DEFAULT 100

/* One of this gateway's uplinks: an [uplink NAME] section, or [local] interface and prefix. */
struct mt6d_uplink {
	char name[MT6D_UPLINK_NAME_MAX]; /* its derivation label; "": the one of [local] */
	char interface[IFNAMSIZ];
	struct mt6d_prefix prefix; /* a /64; len == 0 when not given (use the interface's) */
	unsigned int preference;   /* 1..1000, the highest live uplink carries the traffic */
};

/* One of the peer's uplinks: a [peer-uplink NAME] section, or [peer] prefix. */
struct mt6d_peer_uplink {
	char name[MT6D_UPLINK_NAME_MAX];
	struct mt6d_prefix prefix; /* a /64 */
};

enum mt6d_delivery {
	MT6D_DELIVERY_UNORDERED,
	MT6D_DELIVERY_ORDERED,
};

/* Partial reliability (RFC 3758): how hard SCTP tries to deliver one message. */
enum mt6d_pr_policy {
	MT6D_PR_FULL, /* retransmit until the association fails */
	MT6D_PR_RTX,  /* at most @value retransmissions */
	MT6D_PR_TTL,  /* give up @value ms after the send */
};

/* How the hashed addresses become this host's own ([rotation] mode). */
enum mt6d_bind_mode {
	MT6D_MODE_INTERFACE, /* each one an address on the uplink */
	MT6D_MODE_ANYIP,     /* one local route for the whole /64, addresses bound non-locally */
};

/*
 * An inclusive range of ports; at least MT6D_PORT_RANGE_MIN of them, so that consecutive
 * association epochs rarely draw the same port.
 */
#define MT6D_PORT_RANGE_MIN 256
struct mt6d_port_range {
	uint16_t lo, hi;
};

struct mt6d_reliability {
	unsigned int policy; /* enum mt6d_pr_policy */
	unsigned int value;
};

struct mt6d_config {
	char path[PATH_MAX];
	char name[MT6D_NAME_MAX]; /* basename of path without ".conf" */

	/* [tunnel] */
	char device[IFNAMSIZ];		     /* default "mt6d0" */
	unsigned int mtu;		     /* inner MTU, 1280..65000; 0: auto (uplink MTU less
					      * the tunnel's overhead), the default */
	uint16_t port;			     /* 1..65535, default 7861 */
	struct mt6d_prefix address;	     /* host mode: this host's inner address on the TUN
					      * device (len = its prefix length); len 0: gateway */
	unsigned int encryption;	     /* enum mt6d_cipher, default aes-256-gcm */
	unsigned int delivery;		     /* enum mt6d_delivery, default unordered */
	struct mt6d_reliability reliability; /* PR-SCTP policy, default full */
	unsigned int offload;		     /* 1: TUN offloads, one SCTP message per TCP
					      * super-packet (default); 0: one per packet */
	unsigned int coalesce;		     /* 1: small packets queued together share one
					      * frame (default); 0: one frame per packet */
	unsigned int padding;		     /* sealed frames padded to a multiple of this many
					      * bytes, 16..MT6D_PADDING_MAX; 0: off (default) */
	unsigned int buffer_size;	     /* KiB of SCTP send and receive buffer, default 4096 */
	unsigned int sack_delay;	     /* ms of delayed SACK (default 200, the kernel's);
					      * 0: acknowledge every packet at once */
	unsigned int rekey_interval;	     /* s between session key epochs, default 120 */

	/* [keys] */
	char psk_file[PATH_MAX];   /* required */
	uint8_t psk[MT6D_PSK_MAX]; /* decoded key, hex or base64 in the file */
	size_t psk_len;		   /* MT6D_PSK_MIN..MT6D_PSK_MAX */

	/* [local] */
	char interface[IFNAMSIZ];	 /* the uplink, unless [uplink NAME] sections name them */
	struct mt6d_prefix local_prefix; /* a /64; len == 0 when not given (use uplink's) */
	struct in6_addr local_iid;	 /* required, upper 64 bits zero, lower not zero */

	/* [peer] */
	struct mt6d_prefix peer_prefix;		    /* unless [peer-uplink NAME] sections */
	struct in6_addr peer_iid;		    /* required, same rules as local_iid */
	struct mt6d_prefix routes[MT6D_MAX_ROUTES]; /* inner prefixes via the tunnel */
	size_t n_routes;			    /* at least one */

	/*
	 * Every uplink of either side, the named sections' in the file's order, or the one of
	 * [local] interface and prefix ([peer] prefix); at least one each.
	 */
	struct mt6d_uplink uplinks[MT6D_MAX_UPLINKS];
	size_t n_uplinks;
	struct mt6d_peer_uplink peer_uplinks[MT6D_MAX_UPLINKS];
	size_t n_peer_uplinks;

	/* [rotation] */
	unsigned int interval; /* seconds per slot, 1..86400, default 10 */
	unsigned int lifetime; /* slots kept after being current, 1..64, default 3 */
	unsigned int mode;     /* enum mt6d_bind_mode, default interface */
	/* Association hopping: a fresh association, on ports derived for its epoch from
	 * port_range, every association_slots slots; 0: off (one association on [tunnel]
	 * port), the default */
	unsigned int association_slots;
	struct mt6d_port_range port_range; /* default 49152-65535 */

	/* [recovery]: failure detection of the association, all in milliseconds but the
	 * retransmission counts */
	struct {
		unsigned int rto_min, rto_max;
		unsigned int heartbeat_interval;
		unsigned int path_max_retrans; /* a path fails after this many */
		unsigned int pf_threshold;     /* potentially failed after this many */
		unsigned int max_retrans;      /* the association dies after this many */
		unsigned int max_backoff;      /* between reconnection attempts */
	} recovery;

	/* [guard]: mt6d-addrmgr's nftables table and confirmed teardown */
	struct {
		unsigned int enable;	      /* 0: no, 1: yes (the default) */
		unsigned int evidence_window; /* ms one inbound packet counts as evidence
					       * the peer uses an address; 0: auto, three
					       * heartbeat intervals */
	} guard;

	/* [metrics] */
	char metrics_dir[PATH_MAX]; /* textfile-collector directory, "" when off */
};

/*
 * Loads and validates @path into @cfg, reading and decoding the key file too.
 * On failure returns -errno (-EINVAL for content errors) and writes a one-line,
 * human-readable message naming the file, the section, the key and what was
 * expected into @err (never containing key material).
 */
int mt6d_config_load(struct mt6d_config *cfg, const char *path, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Wipes the key material. */
void mt6d_config_clear(struct mt6d_config *cfg);

/* Which daemons read a key, and when: what a changed key takes (mt6d-addrmgr --reload). */
#define MT6D_READ_TUNNEL 0x1  /* mt6d-tunnel, at start */
#define MT6D_READ_ADDRMGR 0x2 /* mt6d-addrmgr, at start */
#define MT6D_READ_LIVE 0x4    /* mt6d-addrmgr, again at every reload */

/*
 * The most keys two loads can differ in: every key of the table (config_keys.c allows 64)
 * and every named uplink of either side, in the one load or the other.
 */
#define MT6D_CONFIG_MAX_CHANGES (64 + 4 * MT6D_MAX_UPLINKS)

struct mt6d_config_change {
	const char *section, *name; /* name "": the whole section, [SECTION NAME] */
	const char *uplink;	    /* that NAME, or NULL */
	unsigned int readers;	    /* MT6D_READ_* */
};

/*
 * The keys whose values differ between @a and @b, two loads of one tunnel's file, in the
 * key table's order, then each [uplink NAME] and [peer-uplink NAME] section added, removed
 * or changed; at most @max in @out. Returns how many differ (maybe more than @max). A key
 * file's content is not compared, only its path.
 */
size_t mt6d_config_diff(const struct mt6d_config *a, const struct mt6d_config *b,
			struct mt6d_config_change *out, size_t max);

/* Copies the values of the MT6D_READ_LIVE keys from @from into @to. */
void mt6d_config_apply_live(struct mt6d_config *to, const struct mt6d_config *from);

#endif
