// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the daemons' control socket: a request as a client sends it, read by
 * mt6d_ctl_accept() from a real SOCK_SEQPACKET socket (truncated to the daemon's 63 bytes,
 * cut at the first NUL, CR or LF) and answered by mt6d_daemon_answer(), whose reply
 * mt6d_ctl_reply() sends back: what on_ctl() in daemon/daemon.c does for every connection.
 *
 * The daemon answering is a stand-in for both: its status report is a few fixed values
 * rendered through show.h, and it takes "rotate" as mt6d-addrmgr does (the real rotation
 * needs the kernel), answering "ok rotated". Each input is one request, sent whole.
 *
 * Checks: the reply is exactly what the request asks for, the request being the bytes up to
 * the first NUL, CR or LF within the first 63: "ok" and the text or JSON report for
 * "status" and "status json", the stand-in's answer for "rotate", "error unknown request"
 * for anything else; the stand-in sees exactly that request; an empty one gets no reply.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl.h"
#include "daemon.h"

#define REQ_MAX 64 /* on_ctl()'s buffer */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[] = "/tmp/mt6d-fuzz-ctl.XXXXXX";
static char path[PATH_MAX];
static int lfd = -1;
static char text_report[256], json_report[256];

/* What the stand-in's request callback last saw. */
static char seen_req[REQ_MAX];
static int requests;

static void show(void *ctx, struct mt6d_show *sh)
{
	mt6d_show_object_begin(sh, NULL);
	mt6d_show_str(sh, "device", "device: %s\n", "mt6d0");
	mt6d_show_u64(sh, "rekeys", "rekeys: %llu\n", 3);
	mt6d_show_bool(sh, "authenticated", "authenticated: %s\n", true);
	mt6d_show_object_end(sh);
}

static bool request(void *ctx, const char *req, FILE *reply)
{
	snprintf(seen_req, sizeof(seen_req), "%s", req);
	requests++;
	if (strcmp(req, "rotate"))
		return false;
	fputs("ok rotated\n", reply);
	return true;
}

static const struct mt6d_daemon_ops ops = {
	.role = "fuzz",
	.show = show,
	.request = request,
};

static void cleanup(void)
{
	if (lfd >= 0)
		close(lfd);
	unlink(path);
	rmdir(dir);
}

static void must(int ok, const char *what)
{
	if (!ok) {
		perror(what);
		abort();
	}
}

/* The status reports as the stand-in renders them, to compare replies with. */
static void render(char *out, size_t len, bool json)
{
	struct mt6d_show sh;
	FILE *f = fmemopen(out, len, "w");

	must(f != NULL, "fmemopen");
	fputs("ok\n", f);
	mt6d_show_init(&sh, f, json);
	show(NULL, &sh);
	must(fclose(f) == 0, "fclose");
}

static void setup(void)
{
	must(mkdtemp(dir) != NULL, "mkdtemp");
	snprintf(path, sizeof(path), "%s/fuzz.ctl", dir);
	lfd = mt6d_ctl_listen(path);
	must(lfd >= 0, "mt6d_ctl_listen");
	atexit(cleanup);
	render(text_report, sizeof(text_report), false);
	render(json_report, sizeof(json_report), true);
}

/* A client's connection with @data sent on it. */
static int client(const uint8_t *data, size_t size)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	must(fd >= 0, "socket");
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	must(connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0, "connect");
	must(send(fd, data, size, 0) == (ssize_t)size, "send");
	return fd;
}

/* What the daemon must take the request for. */
static void expected_request(const uint8_t *data, size_t size, char *req)
{
	size_t n = size < REQ_MAX - 1 ? size : REQ_MAX - 1;

	memcpy(req, data, n);
	req[n] = '\0';
	req[strcspn(req, "\r\n")] = '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char reply[MT6D_CTL_MSG_MAX];
	char req[REQ_MAX], want_req[REQ_MAX], *buf;
	const char *want;
	int cfd, fd, before = requests;
	ssize_t n;

	if (lfd < 0)
		setup();
	if (size > 4096)
		return 0;
	fd = client(data, size);
	cfd = mt6d_ctl_accept(lfd, req, sizeof(req));
	if (!size) {
		/* Nothing said: no request, no reply. */
		if (cfd != -ENODATA)
			abort();
		close(fd);
		return 0;
	}
	if (cfd < 0)
		abort();
	must(mt6d_ctl_reply(
		     cfd, mt6d_daemon_answer(&(struct mt6d_daemon){ .ops = &ops }, req, &buf)) == 0,
	     "mt6d_ctl_reply");
	free(buf);
	n = recv(fd, reply, sizeof(reply) - 1, 0);
	must(n >= 0, "recv");
	reply[n] = '\0';
	close(fd);

	expected_request(data, size, want_req);
	if (strcmp(req, want_req))
		abort();
	if (!strcmp(want_req, "status"))
		want = text_report;
	else if (!strcmp(want_req, "status json"))
		want = json_report;
	else if (!strcmp(want_req, "rotate"))
		want = "ok rotated\n";
	else
		want = "error unknown request\n";
	if (strcmp(reply, want))
		abort();
	/* The stand-in hears every request but the two status requests, and hears it whole. */
	if (want == text_report || want == json_report
		    ? requests != before
		    : requests != before + 1 || strcmp(seen_req, want_req))
		abort();
	return 0;
}
