// SPDX-License-Identifier: MIT
#include "derive.h"

#include <endian.h>
#include <errno.h>
#include <string.h>

static const char addr_label[] = "mt6d-addr-v1";
static const char uplink_label[] = "mt6d-uplink-v1";
static const char port_label[] = "mt6d-port-v1";

int mt6d_deriver_init(struct mt6d_deriver *d, const uint8_t *psk, size_t psk_len)
{
	int ret = mt6d_kdf(psk, psk_len, MT6D_KDF_ADDR, d->k_addr, sizeof(d->k_addr));

	if (ret == 0)
		ret = mt6d_kdf(psk, psk_len, MT6D_KDF_PORT, d->k_port, sizeof(d->k_port));
	if (ret < 0)
		mt6d_deriver_clear(d);
	return ret;
}

void mt6d_deriver_clear(struct mt6d_deriver *d)
{
	mt6d_wipe(d->k_addr, sizeof(d->k_addr));
	mt6d_wipe(d->k_port, sizeof(d->k_port));
}

uint64_t mt6d_slot(time_t now, unsigned int interval)
{
	if (now < 0 || !interval)
		return 0;
	return (uint64_t)now / interval;
}

bool mt6d_iid_reserved(const struct in6_addr *addr)
{
	const uint8_t *iid = addr->s6_addr + 8;
	static const uint8_t zero[8];
	/* RFC 2526 reserved subnet anycast: fdff:ffff:ffff:ff80 .. fdff:ffff:ffff:ffff */
	static const uint8_t anycast[7] = { 0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	/* RFC 5453 proxy mobile and reserved range: 0200:5eff:fe00:0000 .. 0200:5eff:feff:ffff */
	static const uint8_t pmip[5] = { 0x02, 0x00, 0x5e, 0xff, 0xfe };

	if (!memcmp(iid, zero, sizeof(zero))) /* subnet-router anycast */
		return true;
	if (!memcmp(iid, anycast, sizeof(anycast)) && iid[7] >= 0x80)
		return true;
	return !memcmp(iid, pmip, sizeof(pmip));
}

int mt6d_hashed_addr(const struct mt6d_deriver *d, const char *uplink,
		     const struct in6_addr *prefix, const struct in6_addr *iid, uint64_t slot,
		     struct in6_addr *out)
{
	size_t name_len = uplink ? strnlen(uplink, MT6D_UPLINK_NAME_MAX) : 0;
	uint8_t len = (uint8_t)name_len, mac[MT6D_HMAC_LEN];
	uint64_t be_slot = htobe64(slot);

	if (name_len >= MT6D_UPLINK_NAME_MAX)
		return -EINVAL;
	for (uint8_t retry = 0; retry < 16; retry++) {
		/* The unnamed uplink's input is the first formula's: its three parts are empty. */
		const struct mt6d_iov parts[] = {
			{ len ? uplink_label : addr_label,
			  len ? sizeof(uplink_label) - 1 : sizeof(addr_label) - 1 },
			{ &len, len ? 1 : 0 },
			{ uplink, name_len },
			{ prefix->s6_addr, 8 },
			{ iid->s6_addr + 8, 8 },
			{ &be_slot, sizeof(be_slot) },
			{ &retry, 1 },
		};
		int ret = mt6d_hmac(d->k_addr, sizeof(d->k_addr), parts,
				    sizeof(parts) / sizeof(parts[0]), mac);

		if (ret < 0)
			return ret;
		memcpy(out->s6_addr, prefix->s6_addr, 8);
		memcpy(out->s6_addr + 8, mac, 8);
		if (!mt6d_iid_reserved(out))
			return 0;
	}
	/* 16 reserved results in a row has probability ~2^-700: a broken MAC. */
	return -EIO;
}

uint64_t mt6d_assoc_epoch(uint64_t slot, unsigned int association_slots)
{
	return association_slots ? slot / association_slots : 0;
}

unsigned int mt6d_port_attempt(unsigned int failed)
{
	return failed % 2 ? 1 + (failed / 2) % (MT6D_PORT_CANDIDATES - 1) : 0;
}

int mt6d_assoc_port(const struct mt6d_deriver *d, const struct in6_addr *prefix, uint64_t epoch,
		    unsigned int candidate, uint16_t lo, uint16_t hi, uint16_t *port)
{
	uint64_t be_epoch = htobe64(epoch);
	uint8_t i = (uint8_t)candidate, mac[MT6D_HMAC_LEN];
	const struct mt6d_iov parts[] = {
		{ port_label, sizeof(port_label) - 1 },
		{ prefix->s6_addr, 8 },
		{ &be_epoch, sizeof(be_epoch) },
		{ &i, 1 },
	};
	uint32_t v;
	int ret;

	if (candidate >= MT6D_PORT_CANDIDATES || !lo || lo > hi)
		return -EINVAL;
	ret = mt6d_hmac(d->k_port, sizeof(d->k_port), parts, sizeof(parts) / sizeof(parts[0]), mac);
	if (ret < 0)
		return ret;
	memcpy(&v, mac, sizeof(v));
	*port = (uint16_t)(lo + be32toh(v) % ((uint32_t)hi - lo + 1));
	mt6d_wipe(mac, sizeof(mac));
	return 0;
}
