/* SPDX-License-Identifier: GPL-2.0-or-later */
/* DPDK telemetry commands /nlvs/... (telemetry.c). */
#ifndef NLVS_TELEMETRY_H
#define NLVS_TELEMETRY_H

/** Control thread, once EAL runs and the call queue is open. */
void nlvs_telemetry_register(void);

#endif /* NLVS_TELEMETRY_H */
