/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The control side's clock: nanoseconds of CLOCK_MONOTONIC (vDSO, no system call). */
#ifndef NLVS_TIME_H
#define NLVS_TIME_H

#include <stdint.h>
#include <time.h>

static inline uint64_t nlvs_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#endif /* NLVS_TIME_H */
