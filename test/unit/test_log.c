// SPDX-License-Identifier: MIT
/*
 * Log lines on stderr: with a timestamp and the name, or, when JOURNAL_STREAM names
 * stderr (as systemd does for a service), with the syslog priority prefix journald reads.
 * stderr goes to a temporary file; check.h reports on stdout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "log.h"

static char path[] = "/tmp/mt6d-test-log.XXXXXX";

/* Empties the file behind stderr, logs a warning and an info line, reads them back. */
static void capture(char *out, size_t len)
{
	FILE *f;
	size_t n;

	fflush(stderr);
	if (ftruncate(STDERR_FILENO, 0) < 0 || lseek(STDERR_FILENO, 0, SEEK_SET) < 0)
		abort();
	log_warnx("a warning %d", 1);
	log_info("an info line");
	fflush(stderr);
	f = fopen(path, "r");
	n = f ? fread(out, 1, len - 1, f) : 0;
	out[n] = 0;
	if (f)
		fclose(f);
}

int main(void)
{
	char buf[512], stream[64];
	struct stat st;
	int fd = mkstemp(path);

	if (fd < 0 || dup2(fd, STDERR_FILENO) < 0 || fstat(STDERR_FILENO, &st) < 0)
		return 2;
	close(fd);

	unsetenv("JOURNAL_STREAM");
	log_init("mt6d-test", true, 0);
	capture(buf, sizeof(buf));
	CHECK(strstr(buf, " mt6d-test: a warning 1\n") &&
		      strstr(buf, " mt6d-test: an info line\n") && buf[0] != '<',
	      "plain stderr: time and name, no priority prefix (got \"%s\")", buf);

	/* Another stream's numbers: not the journal. */
	snprintf(stream, sizeof(stream), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino + 1);
	setenv("JOURNAL_STREAM", stream, 1);
	log_init("mt6d-test", true, 0);
	capture(buf, sizeof(buf));
	CHECK(buf[0] != '<', "JOURNAL_STREAM of another file: plain lines (got \"%s\")", buf);

	snprintf(stream, sizeof(stream), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", stream, 1);
	log_init("mt6d-test", true, 0);
	capture(buf, sizeof(buf));
	CHECK(!strcmp(buf, "<4>a warning 1\n<6>an info line\n"),
	      "journal: <4> warning, <6> info, no time or name (got \"%s\")", buf);
	unlink(path);
	return check_done();
}
