// SPDX-License-Identifier: MIT
/* Bounded reads of the configuration's small files. */

#include <errno.h>
#include <unistd.h>

#include "config_read.h"

ssize_t mt6d_config_read_all(int fd, char *buf, size_t max)
{
	size_t len = 0;
	ssize_t n;

	while (len <= max) {
		n = read(fd, buf + len, max + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	return (ssize_t)len;
}
