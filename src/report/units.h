/* Human units for text reports: counts with thousands separators, bytes in
 * B/KiB/MiB/GiB with the exact figure, durations. Each writes into buf (at
 * least MS_FMT_MAX bytes) and returns it. */
#ifndef MS_REPORT_UNITS_H
#define MS_REPORT_UNITS_H

#include <stdint.h>

#define MS_FMT_MAX 64

char *ms_fmt_count(char *buf, uint64_t v);      /* "1,234,567" */
char *ms_fmt_size(char *buf, uint64_t bytes);   /* "1.5 MiB" or "12 B" */
char *ms_fmt_bytes(char *buf, uint64_t bytes);  /* "1.5 MiB (1,572,864 B)" or "12 B" */
char *ms_fmt_duration(char *buf, uint64_t ns);  /* "1.234 s", "12.3 ms", "850 us", "10 ns" */
/* A sampled estimate and the half-width of its interval: "14.1 MiB +/- 1.90 MiB" */
char *ms_fmt_estimate(char *buf, uint64_t bytes, uint64_t half);

#endif
