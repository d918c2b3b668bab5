/*
 * test_utf8: text from outside cut and cleaned so JSON can always hold it.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <string.h>

#include "replywatch/utf8.h"

Test(utf8, valid_and_invalid_sequences)
{
	cr_assert(rw_utf8_valid("", 0));
	cr_assert(rw_utf8_valid("zażółć 😀", strlen("zażółć 😀")));
	cr_assert_not(rw_utf8_valid("a\0b", 3));
	cr_assert_not(rw_utf8_valid("\xc3", 1));             /* cut */
	cr_assert_not(rw_utf8_valid("\xc0\xaf", 2));         /* overlong */
	cr_assert_not(rw_utf8_valid("\xed\xa0\x80", 3));     /* surrogate */
	cr_assert_not(rw_utf8_valid("\xf4\x90\x80\x80", 4)); /* past U+10FFFF */
	cr_assert_not(rw_utf8_valid("\xff", 1));
}

/* The bug: an error message cut at 120 bytes inside "ł" made Jansson
 * refuse the string, and the source's state was lost with it. */
Test(utf8, regression_cut_inside_a_character_stays_json)
{
	char msg[200], out[121];
	json_t *s;

	memset(msg, 'a', 119);
	strcpy(msg + 119, "ł and more");
	cr_assert_eq(rw_utf8_clean(out, sizeof(out), msg, strlen(msg)), 119);
	s = json_string(out);
	cr_assert_not_null(s);
	json_decref(s);
}

Test(utf8, binary_and_controls_become_question_marks)
{
	char out[32];
	json_t *s;

	cr_assert_eq(rw_utf8_clean(out, sizeof(out), "a\xff\x01\r\nb\tc\0d", 10), 10);
	cr_assert_str_eq(out, "a????b\tc?d");
	s = json_string(out);
	cr_assert_not_null(s);
	json_decref(s);
}

Test(utf8, fits_any_buffer)
{
	char out[4];

	cr_assert_eq(rw_utf8_clean(out, 1, "abc", 3), 0);
	cr_assert_str_eq(out, "");
	cr_assert_eq(rw_utf8_clean(out, sizeof(out), "€€", 6), 3);
	cr_assert_str_eq(out, "€");
	cr_assert_eq(rw_utf8_clean(out, sizeof(out), NULL, 0), 0);
}
