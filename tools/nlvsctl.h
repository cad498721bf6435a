/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlvsctl's parts: the JSON form of its views (nlvsctl_json.c). */
#ifndef NLVSCTL_H
#define NLVSCTL_H

#include <stdio.h>

/** Print the text of @view ("stats", "conns", ...; modified) as JSON on
 *  @out.  0, or -1 for an unknown view or a failed write. */
int nlvsctl_json_print(const char *view, char *text, FILE *out);

#endif /* NLVSCTL_H */
