// SPDX-License-Identifier: MIT
/*
 * The configuration keys: one table row per key, each naming a small typed parser
 * (config_parse.c) that checks the value and stores it in struct mt6d_config, and the
 * look-ups the loader makes in the table.
 */

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "config_keys.h"
#include "config_parse.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define FIELD(f) \
	.offset = offsetof(struct mt6d_config, f), .size = sizeof(((struct mt6d_config *)0)->f)

/* Index order is enum mt6d_cipher's and enum mt6d_delivery's. */
static const char *const cipher_names[] = { "aes-256-gcm", "chacha20-poly1305", "none", NULL };
static const char *const delivery_names[] = { "unordered", "ordered", NULL };
static const char *const off_word[] = { "off", NULL };
static const char *const yes_no[] = { "no", "yes", NULL };
/* Index order is enum mt6d_bind_mode's. */
static const char *const mode_names[] = { "interface", "anyip", NULL };

/* clang-format off */
const struct mt6d_config_key mt6d_config_keys[] = {
	{ .section = "tunnel", .name = "device", .parse = mt6d_config_parse_ifname, FIELD(device),
	  .def = "mt6d0",
	  .readers = MT6D_READ_TUNNEL | MT6D_READ_ADDRMGR },
	{ .section = "tunnel", .name = "mtu", .parse = mt6d_config_parse_auto, FIELD(mtu),
	  .what = "a whole number of bytes", .min = 1280, .max = 65000, .def = "auto",
	  .readers = MT6D_READ_TUNNEL },
	{ .section = "tunnel", .name = "port", .parse = mt6d_config_parse_uint, FIELD(port),
	  .what = "a port number", .min = 1, .max = 65535, .def = "7861",
	  .readers = MT6D_READ_TUNNEL | MT6D_READ_ADDRMGR },
	{ .section = "tunnel", .name = "address", .parse = mt6d_config_parse_address,
	  FIELD(address),
	  .readers = MT6D_READ_TUNNEL },
	{ .section = "tunnel", .name = "encryption", .parse = mt6d_config_parse_choice,
	  FIELD(encryption), .choices = cipher_names, .def = "aes-256-gcm",
	  .readers = MT6D_READ_TUNNEL },
	{ .section = "tunnel", .name = "delivery", .parse = mt6d_config_parse_choice,
	  FIELD(delivery), .choices = delivery_names, .def = "unordered",
	  .readers = MT6D_READ_TUNNEL },
	{ .section = "tunnel", .name = "reliability", .parse = mt6d_config_parse_reliability,
	  FIELD(reliability), .def = "full",
	  .readers = MT6D_READ_TUNNEL },
	{ .section = "tunnel", .name = "offload", .parse = mt6d_config_parse_choice, FIELD(offload),
	  .choices = yes_no, .def = "yes",
	  .readers = MT6D_READ_TUNNEL },
	{ .section = "tunnel", .name = "coalesce", .parse = mt6d_config_parse_choice,
	  FIELD(coalesce), .choices = yes_no, .def = "yes",
	  .readers = MT6D_READ_TUNNEL },
	{ .section = "tunnel", .name = "padding", .parse = mt6d_config_parse_auto, FIELD(padding),
	  .choices = off_word, .what = "a frame size multiple in bytes", .min = 16,
	  .max = MT6D_PADDING_MAX, .def = "off",
	  .readers = MT6D_READ_TUNNEL },
	{ .section = "tunnel", .name = "buffer-size", .parse = mt6d_config_parse_uint,
	  FIELD(buffer_size), .what = "a whole number of KiB", .min = 64, .max = 65536,
	  .def = "4096",
	  .readers = MT6D_READ_TUNNEL },
	{ .section = "tunnel", .name = "sack-delay", .parse = mt6d_config_parse_uint,
	  FIELD(sack_delay), .what = "a whole number of milliseconds", .min = 0, .max = 500,
	  .def = "200",
	  .readers = MT6D_READ_TUNNEL },
	{ .section = "tunnel", .name = "rekey-interval", .parse = mt6d_config_parse_uint,
	  FIELD(rekey_interval), .what = "a whole number of seconds", .min = 10, .max = 86400,
	  .def = "120",
	  .readers = MT6D_READ_TUNNEL },
	{ .section = "keys", .name = "psk-file", .parse = mt6d_config_parse_path, FIELD(psk_file),
	  .required = true,
	  .readers = MT6D_READ_TUNNEL | MT6D_READ_ADDRMGR },
	{ .section = "local", .name = "interface", .parse = mt6d_config_parse_ifname,
	  FIELD(interface),
	  .readers = MT6D_READ_TUNNEL | MT6D_READ_ADDRMGR },
	{ .section = "local", .name = "prefix", .parse = mt6d_config_parse_prefix64,
	  FIELD(local_prefix),
	  .readers = MT6D_READ_TUNNEL | MT6D_READ_ADDRMGR },
	{ .section = "local", .name = "iid", .parse = mt6d_config_parse_iid, FIELD(local_iid),
	  .required = true,
	  .readers = MT6D_READ_TUNNEL | MT6D_READ_ADDRMGR },
	{ .section = "peer", .name = "prefix", .parse = mt6d_config_parse_prefix64,
	  FIELD(peer_prefix),
	  .readers = MT6D_READ_TUNNEL | MT6D_READ_ADDRMGR },
	{ .section = "peer", .name = "iid", .parse = mt6d_config_parse_iid, FIELD(peer_iid),
	  .required = true,
	  .readers = MT6D_READ_TUNNEL | MT6D_READ_ADDRMGR },
	{ .section = "peer", .name = "routes", .parse = mt6d_config_parse_routes, FIELD(routes),
	  .required = true,
	  .readers = MT6D_READ_TUNNEL | MT6D_READ_ADDRMGR },
	{ .section = "rotation", .name = "interval", .parse = mt6d_config_parse_uint,
	  FIELD(interval), .what = "a whole number of seconds", .min = 1, .max = 86400,
	  .def = "10",
	  .readers = MT6D_READ_TUNNEL | MT6D_READ_ADDRMGR },
	{ .section = "rotation", .name = "lifetime", .parse = mt6d_config_parse_uint,
	  FIELD(lifetime), .what = "a whole number of slots", .min = 1, .max = 64, .def = "3",
	  .readers = MT6D_READ_LIVE },
	{ .section = "rotation", .name = "association-slots", .parse = mt6d_config_parse_auto,
	  FIELD(association_slots), .choices = off_word, .what = "a whole number of slots",
	  .min = 1, .max = 1000, .def = "off",
	  .readers = MT6D_READ_TUNNEL | MT6D_READ_ADDRMGR },
	{ .section = "rotation", .name = "port-range", .parse = mt6d_config_parse_port_range,
	  FIELD(port_range), .def = "49152-65535",
	  .readers = MT6D_READ_TUNNEL | MT6D_READ_ADDRMGR },
	{ .section = "rotation", .name = "mode", .parse = mt6d_config_parse_choice, FIELD(mode),
	  .choices = mode_names, .def = "interface",
	  .readers = MT6D_READ_ADDRMGR },
	{ .section = "recovery", .name = "rto-min", .parse = mt6d_config_parse_uint,
	  FIELD(recovery.rto_min), .what = "a whole number of milliseconds", .min = 10,
	  .max = 60000, .def = "100",
	  .readers = MT6D_READ_TUNNEL },
	{ .section = "recovery", .name = "rto-max", .parse = mt6d_config_parse_uint,
	  FIELD(recovery.rto_max), .what = "a whole number of milliseconds", .min = 10,
	  .max = 60000, .def = "1000",
	  .readers = MT6D_READ_TUNNEL },
	{ .section = "recovery", .name = "heartbeat-interval", .parse = mt6d_config_parse_uint,
	  FIELD(recovery.heartbeat_interval), .what = "a whole number of milliseconds", .min = 100,
	  .max = 600000, .def = "1000",
	  .readers = MT6D_READ_TUNNEL | MT6D_READ_ADDRMGR },
	{ .section = "recovery", .name = "path-max-retrans", .parse = mt6d_config_parse_uint,
	  FIELD(recovery.path_max_retrans), .what = "a number of retransmissions", .min = 1,
	  .max = 100, .def = "4",
	  .readers = MT6D_READ_TUNNEL },
	{ .section = "recovery", .name = "pf-threshold", .parse = mt6d_config_parse_uint,
	  FIELD(recovery.pf_threshold), .what = "a number of retransmissions", .min = 0, .max = 100,
	  .def = "1",
	  .readers = MT6D_READ_TUNNEL },
	{ .section = "recovery", .name = "max-retrans", .parse = mt6d_config_parse_uint,
	  FIELD(recovery.max_retrans), .what = "a number of retransmissions", .min = 1, .max = 100,
	  .def = "10",
	  .readers = MT6D_READ_TUNNEL },
	{ .section = "recovery", .name = "max-backoff", .parse = mt6d_config_parse_uint,
	  FIELD(recovery.max_backoff), .what = "a whole number of milliseconds", .min = 250,
	  .max = 600000, .def = "4000",
	  .readers = MT6D_READ_TUNNEL },
	{ .section = "guard", .name = "enable", .parse = mt6d_config_parse_choice,
	  FIELD(guard.enable), .choices = yes_no, .def = "yes",
	  .readers = MT6D_READ_TUNNEL | MT6D_READ_ADDRMGR },
	{ .section = "guard", .name = "evidence-window", .parse = mt6d_config_parse_auto,
	  FIELD(guard.evidence_window), .what = "a whole number of milliseconds", .min = 100,
	  .max = 600000, .def = "auto",
	  .readers = MT6D_READ_ADDRMGR },
	{ .section = "metrics", .name = "directory", .parse = mt6d_config_parse_abspath,
	  FIELD(metrics_dir),
	  .readers = MT6D_READ_TUNNEL | MT6D_READ_LIVE },
};
/* clang-format on */
const size_t mt6d_config_n_keys = ARRAY_SIZE(mt6d_config_keys);
_Static_assert(ARRAY_SIZE(mt6d_config_keys) <= 64, "config.c keeps one bit per key in a uint64_t");

const struct mt6d_config_key *mt6d_config_key_find(const char *section, const char *name)
{
	size_t i;

	for (i = 0; i < mt6d_config_n_keys; i++)
		if (!strcmp(mt6d_config_keys[i].section, section) &&
		    !strcmp(mt6d_config_keys[i].name, name))
			return &mt6d_config_keys[i];
	return NULL;
}

bool mt6d_config_section_known(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < mt6d_config_n_keys; i++)
		if (strlen(mt6d_config_keys[i].section) == len &&
		    !memcmp(mt6d_config_keys[i].section, name, len))
			return true;
	return false;
}

static void append(char *buf, size_t len, const char *word)
{
	size_t used = strlen(buf);

	snprintf(buf + used, len - used, "%s%s", used ? ", " : "", word);
}

void mt6d_config_list_sections(char *buf, size_t len)
{
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < mt6d_config_n_keys; i++)
		if (i == 0 || strcmp(mt6d_config_keys[i].section, mt6d_config_keys[i - 1].section))
			append(buf, len, mt6d_config_keys[i].section);
}

void mt6d_config_list_keys(const char *section, char *buf, size_t len)
{
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < mt6d_config_n_keys; i++)
		if (!strcmp(mt6d_config_keys[i].section, section))
			append(buf, len, mt6d_config_keys[i].name);
}
