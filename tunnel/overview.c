// SPDX-License-Identifier: MIT
#include "overview.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "runtime.h"

#define REPORT_MAX_TUNNELS 256

static const struct daemon_sock {
	const char *key;	/* JSON member and text heading */
	const char *suffix;	/* runtime file of its control socket */
} daemons[] = {
	{ "tunnel", "tunnel.ctl" },
	{ "addrmgr", "ctl" },
};

/* The report body after the "ok" line, or NULL when the daemon does not answer. */
static const char *ask(const char *name, const struct daemon_sock *d, bool json, char *buf,
		       size_t len)
{
	char path[512];

	if (mt6d_runtime_path(path, sizeof(path), name, d->suffix) < 0 ||
	    mt6d_ctl_request(path, json ? "status json" : "status", buf, len) < 0 ||
	    strncmp(buf, "ok", 2))
		return NULL;
	/* "ok\n" then the report; an older one-line reply goes on after "ok ". */
	buf += 2;
	return *buf == '\n' || *buf == ' ' ? buf + 1 : buf;
}

static int report_one(FILE *out, const char *name, bool json, bool first, char *buf, size_t len)
{
	int ret = 0;

	if (json)
		fprintf(out, "%s{\"name\":\"%s\"", first ? "" : ",", name);
	else
		fprintf(out, "%stunnel: %s\n", first ? "" : "\n", name);
	for (size_t i = 0; i < sizeof(daemons) / sizeof(daemons[0]); i++) {
		const char *body = ask(name, &daemons[i], json, buf, len);
		size_t blen = body ? strlen(body) : 0;

		if (!body && i == 0)
			ret = -ENOENT;
		if (json) {
			/* The daemon's JSON is one object; drop its trailing newline. */
			while (blen && body[blen - 1] == '\n')
				blen--;
			fprintf(out, ",\"%s\":%.*s", daemons[i].key, (int)(body ? blen : 4),
				body ? body : "null");
		} else if (body && i == 0) {
			fputs(body, out);
		} else if (body) {
			/* The others' reports go under a heading of their own. */
			fprintf(out, "  mt6d-%s:\n", daemons[i].key);
			for (const char *l = body; *l;) {
				size_t n = strcspn(l, "\n");

				fprintf(out, "    %.*s\n", (int)n, l);
				l += n + (l[n] == '\n');
			}
		} else {
			fprintf(out, "  mt6d-%s: not running\n", daemons[i].key);
		}
	}
	if (json)
		fputs("}", out);
	return ret;
}

int overview_print(FILE *out, const char *name, bool json)
{
	char (*names)[64] = NULL, *buf = malloc(MT6D_CTL_MSG_MAX);
	int n = 1, ret = 0;

	if (!buf)
		return -ENOMEM;
	if (!name) {
		names = calloc(REPORT_MAX_TUNNELS, sizeof(*names));
		n = names ? mt6d_runtime_names(names, REPORT_MAX_TUNNELS) : -ENOMEM;
		if (n < 0) {
			ret = n;
			goto out;
		}
	}
	if (json)
		fputs("[", out);
	for (int i = 0; i < n; i++) {
		int r = report_one(out, name ? name : names[i], json, i == 0, buf, MT6D_CTL_MSG_MAX);

		if (r < 0 && !ret)
			ret = r;
	}
	if (json)
		fputs("]\n", out);
out:
	free(names);
	free(buf);
	return ret;
}
