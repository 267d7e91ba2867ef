// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The session table luosim shows the tree (sessions-view.c), for luoctl list:
 * the kernel's /proc links name a session ("anon_inode:[luo_session] NAME"),
 * luosim's session objects are sockets ("socket:[INO]"), so the table maps
 * each socket inode to its session.
 */
#pragma once

#include "luosim.h"

#define SESSIONS_VIEW "/sys/kernel/debug/luosim/sessions"

/* Rewrite the table if the sessions changed since the last call. 0 or -errno. */
int sessions_view_publish(const struct luo_emu *e);
