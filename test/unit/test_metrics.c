// SPDX-License-Identifier: MIT
/* Prometheus text output: exact bytes, escaping, and the atomic replace. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "metrics.h"

static char *slurp(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

int main(void)
{
	char dir[] = "/tmp/mt6d-metrics-XXXXXX", path[256], tmp[270];
	struct mt6d_metrics *m;
	const char *want =
		"# HELP mt6d_tx_packets_total Inner packets sent into the association.\n"
		"# TYPE mt6d_tx_packets_total counter\n"
		"mt6d_tx_packets_total{tunnel=\"site\"} 42\n"
		"# HELP mt6d_association_up Whether an authenticated association is up.\n"
		"# TYPE mt6d_association_up gauge\n"
		"mt6d_association_up{tunnel=\"site\"} 1\n"
		"# HELP mt6d_rx_dropped_packets_total Received messages dropped, by reason.\n"
		"# TYPE mt6d_rx_dropped_packets_total counter\n"
		"mt6d_rx_dropped_packets_total{tunnel=\"site\",reason=\"replay\"} 3\n"
		"mt6d_rx_dropped_packets_total{tunnel=\"site\",reason=\"a\\\"b\\\\c\\n\"} 0\n"
		"# HELP mt6d_rtt_seconds Smoothed round-trip time.\n"
		"# TYPE mt6d_rtt_seconds gauge\n"
		"mt6d_rtt_seconds{tunnel=\"site\"} 0.0125\n";
	char *got;

	CHECK(mkdtemp(dir) != NULL, "mkdtemp");
	snprintf(path, sizeof(path), "%s/mt6d-site.prom", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	CHECK(mt6d_metrics_begin(&m, path, "site") == 0, "begin");
	mt6d_metrics_counter(m, "mt6d_tx_packets_total", "Inner packets sent into the association.",
			     42);
	mt6d_metrics_gauge(m, "mt6d_association_up", "Whether an authenticated association is up.",
			   1);
	mt6d_metrics_family(m, "mt6d_rx_dropped_packets_total", "counter",
			    "Received messages dropped, by reason.");
	mt6d_metrics_sample(m, "mt6d_rx_dropped_packets_total", "reason", "replay", 3);
	mt6d_metrics_sample(m, "mt6d_rx_dropped_packets_total", "reason", "a\"b\\c\n", 0);
	/* Until commit, the published file does not exist (or keeps its old content). */
	CHECK(access(path, F_OK) != 0, "nothing published before commit");
	mt6d_metrics_gauge(m, "mt6d_rtt_seconds", "Smoothed round-trip time.", 0.0125);
	CHECK(mt6d_metrics_commit(m) == 0, "commit");
	got = slurp(path);
	CHECK(got && !strcmp(got, want), "exact exposition text:\n%s", got ? got : "(none)");
	CHECK(access(tmp, F_OK) != 0, "temporary file gone");

	CHECK(mt6d_metrics_begin(&m, "/nonexistent-dir/x.prom", "site") < 0,
	      "unwritable path fails");
	unlink(path);
	rmdir(dir);
	return check_done();
}
