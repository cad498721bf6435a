// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Names of drop reasons, generated from the one X-macro list so the counter
 * array, nlvsctl output and this table can never disagree.
 */
#include "nlvs_drop.h"

static const char *const nlvs_drop_names[NLVS_DROP_MAX] = {
#define NLVS_DROP_NAME(id, name) [NLVS_DROP_##id] = name,
	NLVS_DROP_REASONS(NLVS_DROP_NAME)
#undef NLVS_DROP_NAME
};

const char *nlvs_drop_name(unsigned int reason)
{
	if (reason >= NLVS_DROP_MAX)
		return "?";
	return nlvs_drop_names[reason];
}
