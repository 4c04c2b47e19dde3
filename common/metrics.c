// SPDX-License-Identifier: MIT
#include "metrics.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct mt6d_metrics {
	FILE *f;
	char path[512];
	char tmp[520];
	char tunnel[128]; /* escaped label value */
};

/* Label values escape backslash, double quote and newline. */
static void escape(char *out, size_t len, const char *in)
{
	size_t o = 0;

	for (; *in && o + 3 < len; in++) {
		if (*in == '\\' || *in == '"' || *in == '\n')
			out[o++] = '\\';
		out[o++] = *in == '\n' ? 'n' : *in;
	}
	out[o] = '\0';
}

int mt6d_metrics_begin(struct mt6d_metrics **out, const char *path, const char *tunnel)
{
	struct mt6d_metrics *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	if (snprintf(m->path, sizeof(m->path), "%s", path) >= (int)sizeof(m->path) ||
	    snprintf(m->tmp, sizeof(m->tmp), "%s.tmp", path) >= (int)sizeof(m->tmp)) {
		free(m);
		return -ENAMETOOLONG;
	}
	escape(m->tunnel, sizeof(m->tunnel), tunnel);
	m->f = fopen(m->tmp, "we");
	if (!m->f) {
		int ret = -errno;

		free(m);
		return ret;
	}
	*out = m;
	return 0;
}

void mt6d_metrics_family(struct mt6d_metrics *m, const char *name, const char *type,
			 const char *help)
{
	fprintf(m->f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void mt6d_metrics_sample(struct mt6d_metrics *m, const char *name, const char *label,
			 const char *value, double v)
{
	char esc[256];

	fprintf(m->f, "%s{tunnel=\"%s\"", name, m->tunnel);
	if (label && value) {
		escape(esc, sizeof(esc), value);
		fprintf(m->f, ",%s=\"%s\"", label, esc);
	}
	/* Integers (counters) exactly up to 2^53, other values to 15 significant digits. */
	if (v < 9007199254740992.0 && v > -9007199254740992.0 && v == (double)(int64_t)v)
		fprintf(m->f, "} %lld\n", (long long)v);
	else
		fprintf(m->f, "} %.15g\n", v);
}

void mt6d_metrics_counter(struct mt6d_metrics *m, const char *name, const char *help, uint64_t v)
{
	mt6d_metrics_family(m, name, "counter", help);
	mt6d_metrics_sample(m, name, NULL, NULL, (double)v);
}

void mt6d_metrics_gauge(struct mt6d_metrics *m, const char *name, const char *help, double v)
{
	mt6d_metrics_family(m, name, "gauge", help);
	mt6d_metrics_sample(m, name, NULL, NULL, v);
}

int mt6d_metrics_commit(struct mt6d_metrics *m)
{
	int ret = 0;

	if (fflush(m->f) != 0 || ferror(m->f))
		ret = -errno ? -errno : -EIO;
	if (fclose(m->f) != 0 && !ret)
		ret = -errno;
	if (!ret && rename(m->tmp, m->path) < 0)
		ret = -errno;
	if (ret)
		unlink(m->tmp);
	free(m);
	return ret;
}
