// SPDX-License-Identifier: MIT
#include "tun.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "offload.h"

int tun_open(const char *name, char *ifname, bool offload)
{
	struct ifreq ifr = { .ifr_flags = IFF_TUN | IFF_NO_PI };
	int fd, ret, hdr_len = MT6D_VNET_HDR_LEN;
	/* ECN too: a TCP sender that negotiated ECN hands over CWR-marked super-packets. */
	unsigned long feat = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN;

	if (strlen(name) >= IFNAMSIZ)
		return -ENAMETOOLONG;
	if (offload)
		ifr.ifr_flags |= IFF_VNET_HDR;
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	strcpy(ifr.ifr_name, name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		goto fail;
	if (offload &&
	    (ioctl(fd, TUNSETVNETHDRSZ, &hdr_len) < 0 || ioctl(fd, TUNSETOFFLOAD, feat) < 0))
		goto fail;
	memcpy(ifname, ifr.ifr_name, IFNAMSIZ);
	return fd;
fail:
	ret = -errno;
	close(fd);
	return ret;
}
