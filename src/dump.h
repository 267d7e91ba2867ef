// SPDX-License-Identifier: LGPL-2.1-or-later
/* Internals of `luoctl dump` shared by its source files. */
#pragma once

#include <stdio.h>

#include "kho/kho-fdt.h"

/* dtc -I dtb -O dts output of one blob. 0 or -EIO. */
int dump_dts(FILE *f, const struct kho_fdt *fdt);
