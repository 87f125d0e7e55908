/* Typed assertions for unit tests: on failure they print the expression,
 * both values and the place, then exit(1). */
#ifndef MS_TEST_ASSERT_H
#define MS_TEST_ASSERT_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MS_FAIL_AT(...)                                                                \
	do {                                                                           \
		fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                        \
		fprintf(stderr, __VA_ARGS__);                                          \
		fputc('\n', stderr);                                                   \
		exit(1);                                                               \
	} while (0)

#define ASSERT_TRUE(c)                                                                 \
	do {                                                                           \
		if (!(c))                                                              \
			MS_FAIL_AT("assertion failed: %s", #c);                        \
	} while (0)

#define ASSERT_EQ_U64(got, want)                                                       \
	do {                                                                           \
		uint64_t g_ = (uint64_t)(got), w_ = (uint64_t)(want);                  \
		if (g_ != w_)                                                          \
			MS_FAIL_AT("%s = %" PRIu64 ", want %s = %" PRIu64, #got, g_, #want, w_); \
	} while (0)

#define ASSERT_EQ_I64(got, want)                                                       \
	do {                                                                           \
		int64_t g_ = (int64_t)(got), w_ = (int64_t)(want);                     \
		if (g_ != w_)                                                          \
			MS_FAIL_AT("%s = %" PRId64 ", want %s = %" PRId64, #got, g_, #want, w_); \
	} while (0)

#define ASSERT_EQ_STR(got, want)                                                       \
	do {                                                                           \
		const char *g_ = (got), *w_ = (want);                                  \
		if (!g_ || !w_ || strcmp(g_, w_))                                      \
			MS_FAIL_AT("%s = \"%s\", want \"%s\"", #got, g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
	} while (0)

#define ASSERT_EQ_MEM(got, want, n)                                                    \
	do {                                                                           \
		if (memcmp((got), (want), (n)))                                        \
			MS_FAIL_AT("%s differs from %s over %zu bytes", #got, #want, (size_t)(n)); \
	} while (0)

#endif
