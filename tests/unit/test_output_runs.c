/* The output escapers copy text in runs, found a word at a time: held here
 * against the rules written out byte by byte (the rules of output.h, in the
 * plainest code), over every byte, every code point, invalid UTF-8, runs of
 * every length around the word size and random text. Any byte of
 * difference fails, and says where. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lede/output.h"
#include "lede/util.h"

/* UTF-8 as the rules read it: no overlong form, no surrogate, nothing past
 * U+10FFFF; 0 for anything else. Written apart from util's decoder. */
static int ref_decode(const unsigned char *s, size_t n, unsigned *cp)
{
	int len;
	unsigned c, min;
	if (s[0] < 0x80)
		len = 1, c = s[0], min = 0;
	else if (s[0] >= 0xc0 && s[0] < 0xe0)
		len = 2, c = s[0] & 0x1f, min = 0x80;
	else if (s[0] >= 0xe0 && s[0] < 0xf0)
		len = 3, c = s[0] & 0x0f, min = 0x800;
	else if (s[0] >= 0xf0 && s[0] < 0xf8)
		len = 4, c = s[0] & 0x07, min = 0x10000;
	else
		return 0;
	if ((size_t)len > n)
		return 0;
	for (int k = 1; k < len; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[k] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

static void addf(struct buf *b, const char *fmt, unsigned v)
{
	char t[16];
	int k = snprintf(t, sizeof t, fmt, v);
	buf_add(b, t, (size_t)k);
}

/* --list escaping, one byte or character at a time. */
static void ref_list(struct buf *b, const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		unsigned cp;
		int len;
		if (c == '\\' || c == '\t' || c == '\n' || c == '\r') {
			buf_puts(b, c == '\\' ? "\\\\" : c == '\t' ? "\\t" : c == '\n' ? "\\n" : "\\r");
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			addf(b, "\\x%02x", c);
			i++;
		} else if (c < 0x80) {
			buf_add(b, s + i, 1);
			i++;
		} else if (!(len = ref_decode(s + i, n - i, &cp))) {
			addf(b, "\\x%02x", c);
			i++;
		} else if (cp <= 0x9f) {
			for (int k = 0; k < len; k++)
				addf(b, "\\x%02x", s[i + (size_t)k]);
			i += (size_t)len;
		} else if (cp == 0x2028 || cp == 0x2029 ||
			   unicode_hidden_kind(cp) == UNICODE_INVISIBLE) {
			addf(b, cp > 0xffff ? "\\U%08x" : "\\u%04x", cp);
			i += (size_t)len;
		} else {
			buf_add(b, s + i, (size_t)len);
			i += (size_t)len;
		}
	}
}

/* A JSON string, one byte or character at a time. */
static void ref_json(struct buf *b, const unsigned char *s, size_t n)
{
	buf_putc(b, '"');
	for (size_t i = 0; i < n;) {
		unsigned cp = s[i];
		int len = 1;
		if (cp >= 0x80 && !(len = ref_decode(s + i, n - i, &cp)))
			cp = 0xfffd, len = 1;
		i += (size_t)len;
		if (cp == '"' || cp == '\\') {
			buf_putc(b, '\\');
			buf_putc(b, (char)cp);
		} else if (cp == '\n' || cp == '\r' || cp == '\t' || cp == '\b' || cp == '\f') {
			buf_puts(b, cp == '\n' ? "\\n" : cp == '\r' ? "\\r" : cp == '\t' ? "\\t"
									: cp == '\b' ? "\\b" : "\\f");
		} else if (cp >= 0x20 && cp < 0x7f) {
			buf_putc(b, (char)cp);
		} else if (cp >= 0x10000) {
			addf(b, "\\u%04x", 0xd800 + ((cp - 0x10000) >> 10));
			addf(b, "\\u%04x", 0xdc00 + ((cp - 0x10000) & 0x3ff));
		} else {
			addf(b, "\\u%04x", cp);
		}
	}
	buf_putc(b, '"');
}

/* Escape s[0..n) both ways and compare; the input is copied to a heap
 * block of exactly n bytes, so that a read past it is caught under
 * AddressSanitizer. what names the input in a failure. */
static void check(const void *s, size_t n, const char *what)
{
	char *in = xmalloc(n ? n : 1);
	memcpy(in, s, n);
	struct buf got = {0}, want = {0};
	output_list_escape(&got, in, n);
	ref_list(&want, (const unsigned char *)in, n);
	size_t at = 0;
	while (at < got.len && at < want.len && got.data[at] == want.data[at])
		at++;
	cr_assert(got.len == want.len && at == got.len,
		  "--list escape of %s (%zu bytes): differs at output byte %zu of %zu/%zu", what, n,
		  at, got.len, want.len);
	got.len = want.len = 0;
	output_json_string(&got, in, n);
	ref_json(&want, (const unsigned char *)in, n);
	at = 0;
	while (at < got.len && at < want.len && got.data[at] == want.data[at])
		at++;
	cr_assert(got.len == want.len && at == got.len,
		  "JSON string of %s (%zu bytes): differs at output byte %zu of %zu/%zu", what, n,
		  at, got.len, want.len);
	buf_free(&got);
	buf_free(&want);
	free(in);
}

Test(output_runs, every_byte_and_byte_pair)
{
	for (unsigned x = 0; x < 256; x++) {
		unsigned char s[1] = {(unsigned char)x};
		check(s, 1, "one byte");
	}
	for (unsigned x = 0; x < 65536; x++) {
		unsigned char s[2] = {(unsigned char)(x >> 8), (unsigned char)x};
		check(s, 2, "a byte pair");
	}
}

/* Every code point, the surrogates' encodings among them, each inside
 * plain text (so that a run must end and start again around it) and at
 * every place of a word. */
Test(output_runs, every_code_point)
{
	struct buf in = {0};
	for (unsigned cp = 0; cp <= 0x10ffff; cp++) {
		buf_add(&in, "abcdefgh", cp % 8);
		buf_put_utf8(&in, cp);
		if (in.len > 1 << 16) {
			check(in.data, in.len, "a block of code points");
			in.len = 0;
		}
	}
	check(in.data, in.len, "the last code points");
	buf_free(&in);
}

/* Each hidden code point (by util's table) alone, between long runs, and
 * cut short at every length. */
Test(output_runs, hidden_code_points)
{
	size_t seen = 0;
	for (unsigned cp = 0xa0; cp <= 0x10ffff; cp++) {
		if (unicode_hidden_kind(cp) == UNICODE_SHOWN && cp != 0x2028 && cp != 0x2029)
			continue;
		seen++;
		struct buf in = {0};
		buf_put_utf8(&in, cp);
		check(in.data, in.len, "a hidden code point");
		for (size_t cut = 1; cut < in.len; cut++)
			check(in.data, cut, "a hidden code point cut short");
		struct buf pad = {0};
		for (int k = 0; k < 37; k++)
			buf_puts(&pad, "plain ");
		buf_add(&pad, in.data, in.len);
		buf_puts(&pad, "and more plain text after it");
		check(pad.data, pad.len, "a hidden code point between runs");
		buf_free(&in);
		buf_free(&pad);
	}
	cr_assert_gt(seen, 200, "the hidden table went missing: %zu code points", seen);
}

/* Invalid UTF-8 of every kind, alone and inside runs. */
Test(output_runs, invalid_utf8)
{
	static const char *const bad[] = {
		"\x80", "\xbf", "\xc0\x80", "\xc1\xbf", "\xc2", "\xe0\x80\x80", "\xe0\x9f\xbf",
		"\xe2\x80", "\xed\xa0\x80", "\xed\xbf\xbf", "\xf0\x80\x80\x80", "\xf0\x8f\xbf\xbf",
		"\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xf8\x88\x80\x80\x80", "\xfe", "\xff",
		"\xf0\x9f\x98", "\xe2\x80\xa8\x80", "\xc2\x85\xc2",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		check(bad[i], strlen(bad[i]), "invalid UTF-8");
		for (size_t lead = 0; lead < 17; lead++) {
			char s[64];
			memset(s, 'x', lead);
			size_t n = strlen(bad[i]);
			memcpy(s + lead, bad[i], n);
			memcpy(s + lead + n, "tail text!", 10);
			check(s, lead + n + 10, "invalid UTF-8 inside a run");
		}
	}
}

/* One special byte at every place of runs from 0 to 40 bytes long, and
 * runs far longer than any buffer step. */
Test(output_runs, runs_of_every_length)
{
	static const unsigned char special[] = {'\\', '"', '\t', '\n', '\r', 0, 0x1b,
						0x1f, 0x7f, 0x80, 0xc2, 0xe2, 0xff, ' ', '~'};
	for (size_t len = 0; len <= 40; len++) {
		for (size_t at = 0; at < len; at++) {
			for (size_t k = 0; k < sizeof special; k++) {
				unsigned char s[64];
				for (size_t j = 0; j < len; j++)
					s[j] = (unsigned char)('a' + j % 26);
				s[at] = special[k];
				check(s, len, "a run with one special byte");
			}
		}
	}
	size_t big = 1 << 20;
	char *s = xmalloc(big);
	for (size_t j = 0; j < big; j++)
		s[j] = (char)(' ' + 1 + j % 90 + (j % 90 >= 59)); /* never the backslash */
	check(s, big, "a megabyte of plain ASCII");
	s[big - 1] = '\\';
	s[big / 2] = '"';
	s[3] = '\x1b';
	check(s, big, "a megabyte with three special bytes");
	free(s);
}

/* Random text: all bytes, then mostly text with the odd special, then
 * UTF-8 with hidden characters among it. A fixed seed: the same inputs
 * every run, so that a failure can be met again. */
Test(output_runs, random_text)
{
	static const char *const pieces[] = {
		"word ", "\\", "\"", "\t", "\n", "\x1b[31m", "\x7f", "\xc2\x85", "\xc2\xa0",
		"caf\xc3\xa9", "\xe2\x80\xae", "\xe2\x80\xa8", "\xef\xbb\xbf", "\xf0\x9f\x98\x80",
		"\xf3\xa0\x81\x81", "\xe6\x97\xa5\xe6\x9c\xac", "\xff", "\xe2\x80", "longer plain text ",
	};
	uint64_t state = 0x2545f4914f6cdd1dull;
	for (int round = 0; round < 3000; round++) {
		unsigned char s[512];
		size_t n = 0, want = 1 + round % 500;
		while (n < want) {
			state ^= state << 13, state ^= state >> 7, state ^= state << 17;
			if (round % 3 == 0) {
				s[n++] = (unsigned char)(state >> 24);
			} else {
				const char *p = pieces[(state >> 20) % (sizeof pieces / sizeof *pieces)];
				size_t k = strlen(p);
				if (round % 3 == 2 || n + k > want)
					k = k > want - n ? want - n : k;
				memcpy(s + n, p, k);
				n += k;
			}
		}
		check(s, n, "random text");
	}
}
