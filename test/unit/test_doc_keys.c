// SPDX-License-Identifier: MIT
/*
 * Every configuration key the parser accepts, those of [uplink NAME] and [peer-uplink NAME]
 * too, is documented in mt6d.conf(5), with its default and range, and the page documents
 * no key the parser does not know.
 * The page's convention: ".SS [section]" opens a section, ".TP" then ".B key" a key.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "config_keys.h"
#include "config_uplink.h"

#define MAX_DOC 64

struct doc_key {
	char section[32];
	char name[32];
	char text[2048]; /* the paragraph, roff escapes "\-" turned into "-" */
};

static void unescape(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] == '-')
			r++;
		*w++ = *r;
	}
	*w = '\0';
}

static size_t read_page(const char *path, struct doc_key *keys)
{
	char line[512], section[32] = "";
	size_t n = 0;
	int want_name = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		perror(path);
		exit(2);
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		unescape(line);
		if (!strncmp(line, ".SH", 3)) {
			section[0] = '\0';
		} else if (sscanf(line, ".SS [%31[^]]]", section) == 1) {
			continue;
		} else if (!strcmp(line, ".TP") && section[0]) {
			want_name = 1;
			continue;
		} else if (want_name && !strncmp(line, ".B ", 3) && n < MAX_DOC) {
			snprintf(keys[n].section, sizeof(keys[n].section), "%s", section);
			snprintf(keys[n].name, sizeof(keys[n].name), "%.31s", line + 3);
			keys[n++].text[0] = '\0';
		} else if (n && section[0]) {
			strncat(keys[n - 1].text, line,
				sizeof(keys[n - 1].text) - strlen(keys[n - 1].text) - 2);
			strcat(keys[n - 1].text, " ");
		}
		want_name = 0;
	}
	fclose(f);
	return n;
}

/* The page's paragraph of key @k of section @section, or NULL. */
static const struct doc_key *doc_find(const struct doc_key *doc, size_t ndoc, const char *section,
				      const char *name)
{
	for (size_t j = 0; j < ndoc; j++)
		if (!strcmp(doc[j].section, section) && !strcmp(doc[j].name, name))
			return &doc[j];
	return NULL;
}

/* @k is documented under [@section], with its default, range and whether it is required. */
static void check_key(const struct doc_key *doc, size_t ndoc, const char *section,
		      const struct mt6d_config_key *k)
{
	const struct doc_key *d = doc_find(doc, ndoc, section, k->name);
	char want[64];

	CHECK(d, "[%s] %s is not documented in mt6d.conf(5)", section, k->name);
	if (!d)
		return;
	if (k->def && strcmp(section, "local")) {
		snprintf(want, sizeof(want), "Default: \\fI%s\\fR", k->def);
		CHECK(strstr(d->text, want), "[%s] %s: page lacks \"%s\"", section, k->name, want);
	}
	if (k->required)
		CHECK(strstr(d->text, "Required."), "[%s] %s: page does not say Required.", section,
		      k->name);
	if (k->max) {
		snprintf(want, sizeof(want), "from %u to %u", k->min, k->max);
		CHECK(strstr(d->text, want), "[%s] %s: page lacks the range \"%s\"", section,
		      k->name, want);
	}
}

/* A key of the page's [uplink NAME] or [peer-uplink NAME], in that kind's table. */
static bool uplink_key_known(const char *section, const char *name)
{
	char word[32];
	const struct mt6d_config_key *keys;
	size_t n;

	if (sscanf(section, "%31s NAME", word) != 1 || !strstr(section, " NAME"))
		return false;
	keys = mt6d_config_uplink_keys(word, &n);
	for (size_t i = 0; keys && i < n; i++)
		if (!strcmp(keys[i].name, name))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	static struct doc_key doc[MAX_DOC];
	size_t ndoc;

	if (argc != 2) {
		fprintf(stderr, "usage: %s man/mt6d.conf.5\n", argv[0]);
		return 2;
	}
	ndoc = read_page(argv[1], doc);
	CHECK(ndoc > 0, "no keys found in %s", argv[1]);
	for (size_t i = 0; i < mt6d_config_n_keys; i++)
		check_key(doc, ndoc, mt6d_config_keys[i].section, &mt6d_config_keys[i]);
	for (size_t w = 0; w < 2; w++) {
		const char *word = w ? "peer-uplink" : "uplink";
		char section[32];
		size_t n;
		const struct mt6d_config_key *keys = mt6d_config_uplink_keys(word, &n);

		CHECK(keys && n, "no key table for [%s NAME]", word);
		snprintf(section, sizeof(section), "%s NAME", word);
		for (size_t i = 0; keys && i < n; i++)
			check_key(doc, ndoc, section, &keys[i]);
	}
	for (size_t j = 0; j < ndoc; j++)
		CHECK(mt6d_config_key_find(doc[j].section, doc[j].name) ||
			      uplink_key_known(doc[j].section, doc[j].name),
		      "mt6d.conf(5) documents [%s] %s, which the parser does not accept",
		      doc[j].section, doc[j].name);
	printf("%zu keys in the parser, %zu on the page\n", mt6d_config_n_keys, ndoc);
	return check_done();
}
