// SPDX-License-Identifier: MIT
#include "runtime.h"

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

int mt6d_runtime_publish(const char *path, pid_t pid, int fd)
{
	char tmp[512], line[64];
	int len, tfd, ret = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	len = snprintf(line, sizeof(line), "%d %d\n", (int)pid, fd);
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

int mt6d_runtime_read(const char *path, pid_t *pid, int *fd)
{
	FILE *f = fopen(path, "re");
	int p, d, ret = 0;

	if (!f)
		return -errno;
	if (fscanf(f, "%d %d", &p, &d) != 2 || p <= 0 || d < 0)
		ret = -EBADMSG;
	fclose(f);
	if (!ret) {
		*pid = p;
		*fd = d;
	}
	return ret;
}
