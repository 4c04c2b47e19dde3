/* SPDX-License-Identifier: MIT */
#ifndef MT6D_METRICS_H
#define MT6D_METRICS_H

#include <stdint.h>
#include <stdio.h>

/*
 * Prometheus text exposition, written atomically for node_exporter's textfile
 * collector: everything goes to "PATH.tmp", which replaces PATH only when complete,
 * so a scrape never sees half a file. Names are in base units, counters end in
 * _total; every sample carries the tunnel's name as label "tunnel".
 */
struct mt6d_metrics;

int mt6d_metrics_begin(struct mt6d_metrics **out, const char *path, const char *tunnel)
	__attribute__((warn_unused_result));

/* Declares a family (once, before its samples): type is "counter" or "gauge". */
void mt6d_metrics_family(struct mt6d_metrics *m, const char *name, const char *type,
			 const char *help);

/* One sample; @label/@value add a second label (both NULL: none). */
void mt6d_metrics_sample(struct mt6d_metrics *m, const char *name, const char *label,
			 const char *value, double v);
void mt6d_metrics_counter(struct mt6d_metrics *m, const char *name, const char *help, uint64_t v);
void mt6d_metrics_gauge(struct mt6d_metrics *m, const char *name, const char *help, double v);

/* Flushes, renames into place; -errno on any write failure (the old file stays). */
int mt6d_metrics_commit(struct mt6d_metrics *m) __attribute__((warn_unused_result));

#endif
