// SPDX-License-Identifier: MIT
#include "runtime.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mt6d-config.h"

static int runtime_dir(char *buf, size_t len)
{
	const char *env = getenv("RUNTIME_DIRECTORY");
	size_t n;

	if (!env || !*env)
		env = MT6D_RUNDIR;
	/* systemd lists several directories separated by ':'; ours is the first. */
	n = strcspn(env, ":");
	if (n + 1 > len)
		return -ENAMETOOLONG;
	memcpy(buf, env, n);
	buf[n] = '\0';
	return 0;
}

int mt6d_runtime_path(char *buf, size_t len, const char *name, const char *suffix)
{
	char dir[256];
	int ret = runtime_dir(dir, sizeof(dir));

	if (ret < 0)
		return ret;
	ret = snprintf(buf, len, "%s/%s.%s", dir, name, suffix);
	return ret < 0 || (size_t)ret >= len ? -ENAMETOOLONG : 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

int mt6d_runtime_names(char (*names)[64], size_t max)
{
	static const char *const suffixes[] = { ".tunnel.ctl", ".ctl" };
	char dir[256];
	struct dirent *de;
	size_t n = 0;
	DIR *d;
	int ret = runtime_dir(dir, sizeof(dir));

	if (ret < 0)
		return ret;
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d)) && n < max) {
		size_t len = strlen(de->d_name);

		for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
			size_t sl = strlen(suffixes[i]);

			if (len <= sl || len - sl >= 64 ||
			    strcmp(de->d_name + len - sl, suffixes[i]))
				continue;
			memcpy(names[n], de->d_name, len - sl);
			names[n][len - sl] = '\0';
			n++;
			break;
		}
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_name);
	/* Both daemons' sockets name the same tunnel: keep one of each. */
	for (size_t i = 1; i < n;) {
		if (!strcmp(names[i], names[i - 1])) {
			memmove(names[i], names[i + 1], (n - i - 1) * sizeof(names[0]));
			n--;
		} else {
			i++;
		}
	}
	return (int)n;
}

int mt6d_runtime_mkdir(void)
{
	char dir[256];
	int ret = runtime_dir(dir, sizeof(dir));

	if (ret < 0)
		return ret;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int mt6d_runtime_publish(const char *path, const struct mt6d_runtime_sock *s)
{
	char tmp[512], line[128];
	int len, tfd, ret = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	len = snprintf(line, sizeof(line), "%d %d %d %llu %u %u\n", (int)s->pid, s->fd,
		       (int)s->assoc, (unsigned long long)s->epoch, (unsigned int)s->port,
		       (unsigned int)s->serial);
	tfd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (tfd < 0)
		return -errno;
	if (write(tfd, line, (size_t)len) != len)
		ret = errno ? -errno : -EIO;
	if (close(tfd) < 0 && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path) < 0)
		ret = -errno;
	if (ret)
		unlink(tmp);
	return ret;
}

int mt6d_runtime_read(const char *path, struct mt6d_runtime_sock *s)
{
	FILE *f = fopen(path, "re");
	unsigned long long epoch;
	unsigned int port, serial;
	int p, d, a, ret = 0;

	if (!f)
		return -errno;
	if (fscanf(f, "%d %d %d %llu %u %u", &p, &d, &a, &epoch, &port, &serial) != 6 || p <= 0 ||
	    d < 0 || a < 0 || port > 65535)
		ret = -EBADMSG;
	fclose(f);
	if (!ret)
		*s = (struct mt6d_runtime_sock){ .pid = p,
						 .fd = d,
						 .assoc = a,
						 .epoch = epoch,
						 .port = (uint16_t)port,
						 .serial = serial };
	return ret;
}
