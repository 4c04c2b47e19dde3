// SPDX-License-Identifier: MIT
#include "overview.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "runtime.h"
#include "show.h"

#define REPORT_MAX_TUNNELS 256

static const struct daemon_sock {
	const char *key;    /* JSON member and text heading */
	const char *suffix; /* runtime file of its control socket */
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
	    strncmp(buf, "ok\n", 3))
		return NULL;
	return buf + 3;
}

/* Text: the others' reports go under a heading of their own. */
static void text_indented(struct mt6d_show *sh, const char *key, const char *body)
{
	if (!body) {
		mt6d_show_text(sh, "  mt6d-%s: not running\n", key);
		return;
	}
	mt6d_show_text(sh, "  mt6d-%s:\n", key);
	for (const char *l = body; *l;) {
		size_t n = strcspn(l, "\n");

		mt6d_show_text(sh, "    %.*s\n", (int)n, l);
		l += n + (l[n] == '\n');
	}
}

static int report_one(struct mt6d_show *sh, const char *name, bool first, char *buf, size_t len)
{
	int ret = 0;

	mt6d_show_object_begin(sh, NULL);
	mt6d_show_str(sh, "name", first ? "tunnel: %s\n" : "\ntunnel: %s\n", name);
	for (size_t i = 0; i < sizeof(daemons) / sizeof(daemons[0]); i++) {
		const char *body = ask(name, &daemons[i], sh->json, buf, len);
		size_t blen = body ? strlen(body) : 0;

		if (!body && i == 0)
			ret = -ENOENT;
		/* The daemon's JSON is one object; its trailing newline is not part of it. */
		while (blen && body[blen - 1] == '\n')
			blen--;
		mt6d_show_json(sh, daemons[i].key, body, blen);
		if (i == 0 && body)
			mt6d_show_text(sh, "%s", body);
		else if (i > 0)
			text_indented(sh, daemons[i].key, body);
	}
	mt6d_show_object_end(sh);
	return ret;
}

int overview_print(FILE *out, const char *name, bool json)
{
	char(*names)[64] = NULL, *buf = malloc(MT6D_CTL_MSG_MAX);
	struct mt6d_show sh;
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
	mt6d_show_init(&sh, out, json);
	mt6d_show_array_begin(&sh, NULL);
	for (int i = 0; i < n; i++) {
		int r = report_one(&sh, name ? name : names[i], i == 0, buf, MT6D_CTL_MSG_MAX);

		if (r < 0 && !ret)
			ret = r;
	}
	mt6d_show_array_end(&sh);
out:
	free(names);
	free(buf);
	return ret;
}
