// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The one printer for text and JSON (iproute2 style). Every field is emitted
 * once, with its JSON key, its text format and its value; the printer writes
 * whichever form is active. PRINT_TEXT and PRINT_JSON restrict a call to one
 * form (decorations in text, members only JSON readers need).
 *
 * JSON: keys are stable and documented in the man pages. u64 values are JSON
 * numbers; from 2^53 on, where double-based readers round, a member KEY is
 * followed by KEY_hex ("0x...") and a keyed array by KEY_hex, all its elements
 * in hex. Addresses (out_hex) are strings "0x..." so no reader loses bits.
 * Strings: bytes that are not valid UTF-8 are written as \udcXX.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

enum out_when { PRINT_ANY, PRINT_TEXT, PRINT_JSON };

void out_begin(bool json, bool pretty);
bool out_is_json(void);
/* key NULL: an anonymous object/array (top level or array element). */
void out_open_object(const char *key);
void out_close_object(void);
void out_open_array(const char *key);
void out_close_array(void);
void out_string(enum out_when w, const char *key, const char *textfmt, const char *v);
void out_u64(enum out_when w, const char *key, const char *textfmt, uint64_t v);
void out_i64(enum out_when w, const char *key, const char *textfmt, int64_t v);
void out_hex(enum out_when w, const char *key, const char *textfmt, uint64_t v);
void out_bool(enum out_when w, const char *key, const char *textfmt, bool v);
/* JSON null (text form: textfmt printed as is, if not NULL). */
void out_null(enum out_when w, const char *key, const char *textfmt);
/* Text mode only: free text such as headings and indentation. */
__attribute__((format(printf, 1, 2))) void out_text(const char *fmt, ...);
/* Closes the JSON document, flushes stdout. 0, or -errno if stdout could not be written. */
int out_end(void);
