/* clip: base64, the OSC 52 sequence, and running a copy command. */
#include "lede/clip.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lede/config.h"
#include "lede/spawn.h"
#include "lede/util.h"

char *clip_base64(const void *data, size_t len)
{
	static const char digits[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = data;
	char *out = xmalloc((len + 2) / 3 * 4 + 1), *o = out;
	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		if (i + 1 < len)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		*o++ = digits[v >> 18 & 63];
		*o++ = digits[v >> 12 & 63];
		*o++ = i + 1 < len ? digits[v >> 6 & 63] : '=';
		*o++ = i + 2 < len ? digits[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

char *clip_osc52(const char *text)
{
	char *b64 = clip_base64(text, strlen(text));
	char *seq = xasprintf("\033]52;c;%s\a", b64);
	free(b64);
	return seq;
}

bool clip_is_osc52(const char *command)
{
	return command && !strcasecmp(command, "osc52");
}

int clip_run(const char *command, const char *text, char **msg)
{
	if (!command || !*command) {
		*msg = xstrdup("no copy command: set copy-command to wl-copy, "
			       "\"xclip -selection clipboard\", pbcopy or osc52");
		return -1;
	}
	struct strlist argv = {0};
	char *err = NULL;
	if (config_split_words(command, &argv, &err) < 0 || !argv.n) {
		char *why = xasprintf(": %s", err ? err : "no words");
		*msg = config_quote("bad copy-command ", command, why);
		free(why);
		free(err);
		strlist_free(&argv);
		return -1;
	}
	strlist_push(&argv, NULL);
	argv.n--;
	int rc = spawn_with_input(argv.v, text, strlen(text), msg);
	strlist_free(&argv);
	return rc;
}
