// SPDX-License-Identifier: MIT
#include "reload.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The key file's content changed when the keys derived from it did. */
static int key_changed(const struct mt6d_config *next, const struct mt6d_deriver *running)
{
	struct mt6d_deriver d;
	int ret = mt6d_deriver_init(&d, next->psk, next->psk_len);

	if (ret < 0)
		return ret;
	ret = mt6d_memcmp_ct(d.k_addr, running->k_addr, sizeof(d.k_addr)) ||
	      mt6d_memcmp_ct(d.k_port, running->k_port, sizeof(d.k_port));
	mt6d_deriver_clear(&d);
	return ret;
}

static void say(FILE *out, const char *name, const struct mt6d_config_change *c)
{
	bool live = c->readers & MT6D_READ_LIVE, tunnel = c->readers & MT6D_READ_TUNNEL;
	bool addrmgr = c->readers & MT6D_READ_ADDRMGR;

	if (c->uplink)
		fprintf(out, "[%s %s]: ", c->section, c->uplink);
	else
		fprintf(out, "[%s] %s: ", c->section, c->name);
	if (live)
		fputs("applied", out);
	if (live && tunnel)
		fputs("; ", out);
	if (tunnel && addrmgr)
		fprintf(out, "restart mt6d-tunnel@%s and mt6d-addrmgr@%s for it", name, name);
	else if (tunnel)
		fprintf(out, "restart mt6d-tunnel@%s for it%s", name, live ? " too" : "");
	else if (addrmgr)
		fprintf(out, "restart mt6d-addrmgr@%s for it", name);
	fputc('\n', out);
}

int addrmgr_reload(struct mt6d_config *cfg, const struct mt6d_deriver *running, FILE *out)
{
	static const struct mt6d_config_change psk_content = {
		.section = "keys",
		.name = "psk-file",
		.readers = MT6D_READ_TUNNEL | MT6D_READ_ADDRMGR,
	};
	/* One more for the key file's content. */
	struct mt6d_config_change ch[MT6D_CONFIG_MAX_CHANGES + 1];
	struct mt6d_config *next = calloc(1, sizeof(*next));
	char err[512];
	size_t n, i;
	int ret;

	if (!next)
		return -ENOMEM;
	ret = mt6d_config_load(next, cfg->path, err, sizeof(err));
	if (ret < 0) {
		fprintf(out, "error %s; the running configuration stays\n", err);
		goto out;
	}
	ret = key_changed(next, running);
	if (ret < 0) {
		fprintf(out, "error %s: key derivation failed; the running configuration stays\n",
			cfg->path);
		goto out;
	}
	n = mt6d_config_diff(cfg, next, ch, ARRAY_SIZE(ch) - 1);
	if (n > ARRAY_SIZE(ch) - 1) /* not by MT6D_CONFIG_MAX_CHANGES; the list is cut */
		n = ARRAY_SIZE(ch) - 1;
	/* A new key in the same file; a new path is in the list already. */
	for (i = 0; ret && i < n; i++)
		ret = strcmp(ch[i].section, "keys");
	if (ret)
		ch[n++] = psk_content;
	mt6d_config_apply_live(cfg, next);
	fprintf(out, "ok %s: %zu key(s) differ from the running configuration\n", cfg->path, n);
	for (i = 0; i < n; i++)
		say(out, cfg->name, &ch[i]);
	ret = (int)n;
out:
	mt6d_config_clear(next);
	free(next);
	return ret;
}
