// SPDX-License-Identifier: MIT
/*
 * Every configuration key the parser accepts is documented in mt6d.conf(5), with its
 * default and range, and the page documents no key the parser does not know.
 * The page's convention: ".SS [section]" opens a section, ".TP" then ".B key" a key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "config_keys.h"

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
	for (size_t i = 0; i < mt6d_config_n_keys; i++) {
		const struct mt6d_config_key *k = &mt6d_config_keys[i];
		const struct doc_key *d = NULL;
		char want[64];

		for (size_t j = 0; j < ndoc && !d; j++)
			if (!strcmp(doc[j].section, k->section) && !strcmp(doc[j].name, k->name))
				d = &doc[j];
		CHECK(d, "[%s] %s is not documented in mt6d.conf(5)", k->section, k->name);
		if (!d)
			continue;
		if (k->def && strcmp(k->section, "local")) {
			snprintf(want, sizeof(want), "Default: \\fI%s\\fR", k->def);
			CHECK(strstr(d->text, want), "[%s] %s: page lacks \"%s\"", k->section,
			      k->name, want);
		}
		if (k->required)
			CHECK(strstr(d->text, "Required."), "[%s] %s: page does not say Required.",
			      k->section, k->name);
		if (k->max) {
			snprintf(want, sizeof(want), "from %u to %u", k->min, k->max);
			CHECK(strstr(d->text, want), "[%s] %s: page lacks the range \"%s\"",
			      k->section, k->name, want);
		}
	}
	for (size_t j = 0; j < ndoc; j++)
		CHECK(mt6d_config_key_find(doc[j].section, doc[j].name),
		      "mt6d.conf(5) documents [%s] %s, which the parser does not accept",
		      doc[j].section, doc[j].name);
	printf("%zu keys in the parser, %zu on the page\n", mt6d_config_n_keys, ndoc);
	return check_done();
}
