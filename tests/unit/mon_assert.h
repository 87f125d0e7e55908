/* The shared typed assertions (assert.h) plus the one the watch-side tests
 * need for floating point: ASSERT_NEAR(got, want, tolerance). */
#ifndef MS_MON_ASSERT_H
#define MS_MON_ASSERT_H

#include <math.h>

#include "assert.h"

/* |got - want| <= tol; NAN equals NAN. */
#define ASSERT_NEAR(got, want, tol)                                                    \
	do {                                                                           \
		double g_ = (got), w_ = (want);                                        \
		if (!(isnan(g_) && isnan(w_)) && !(fabs(g_ - w_) <= (tol)))            \
			MS_FAIL_AT("%s = %.9g, want %s = %.9g (tolerance %g)", #got, g_, #want, w_, \
			           (double)(tol));                                     \
	} while (0)

#endif
