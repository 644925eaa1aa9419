/* gen: a deterministic archive of N article files for the benchmark.
 *
 *     gen N DIR [SEED]
 *
 * The files are shaped like the real archives in tests/corpus/: front
 * matter only; title and excerpt double-quoted, with the odd \" escape,
 * curly quotes and dashes, accents and CJK; URLs, some plain; quality,
 * heat and published each missing in about a quarter of files, heat often
 * -1; 0 to 62 related stories (most files 0 or 1), about a third of them
 * pointing at another file of the archive; topics and images; 0.8 to about
 * 54 KB a file, median about 2 KB. They go 1000 a directory into DIR/000/,
 * DIR/001/, ...
 *
 * Everything comes from a seeded splitmix64, never rand(): the same N and
 * SEED give the same bytes on every machine. A file's head (title, date,
 * provider, webUrl) depends only on SEED and its number, so another file's
 * related story can name it without keeping the archive in memory.
 *
 * One file in twenty is written in a shape lede's fast path does not take,
 * so that the benchmark measures the fallback to libyaml too: the excerpt
 * as a folded block scalar, the provider as a flow mapping, or anchors (no
 * aliases: lede refuses those); and one in fifty has comments, which the
 * fast path takes. Each is still an article with no problem. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { PER_DIR = 1000 };

struct rng {
	uint64_t s;
};

static uint64_t next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* A stream of its own for every (file, purpose), so that changing one part
 * of a file does not shift every later file. */
static struct rng stream(uint64_t seed, uint64_t file, uint64_t purpose)
{
	struct rng r = {seed ^ (file * 0xd1342543de82ef95ull) ^ (purpose << 56)};
	next(&r);
	return r;
}

/* Uniform in [lo, hi]. */
static long range(struct rng *r, long lo, long hi)
{
	return lo + (long)(next(r) % (uint64_t)(hi - lo + 1));
}

/* True with probability pct percent. */
static bool chance(struct rng *r, int pct)
{
	return (long)(next(r) % 100) < pct;
}

#define PICK(r, arr) ((arr)[next(r) % (sizeof(arr) / sizeof *(arr))])

struct buf {
	char *p;
	size_t n, cap;
};

static void die(const char *what)
{
	fprintf(stderr, "gen: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void add(struct buf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			die("realloc");
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static void puts_(struct buf *b, const char *s)
{
	add(b, s, strlen(s));
}

static void printf_(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void printf_(struct buf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof tmp) {
		fprintf(stderr, "gen: line too long\n");
		exit(1);
	}
	add(b, tmp, (size_t)n);
}

/* s as a YAML double-quoted scalar. */
static void quoted(struct buf *b, const char *s)
{
	puts_(b, "\"");
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			add(b, "\\", 1);
		add(b, s, 1);
	}
	puts_(b, "\"");
}

static const char *const words[] = {
	"AI", "artificial", "intelligence", "machine", "learning", "deep", "neural", "network",
	"model", "data", "cloud", "startup", "raises", "million", "funding", "launches", "new",
	"platform", "robot", "robotics", "self-driving", "car", "autonomous", "vehicle", "market",
	"growth", "forecast", "report", "research", "study", "shows", "how", "why", "the", "a",
	"of", "to", "in", "for", "with", "on", "and", "its", "could", "will", "help", "doctors",
	"patients", "healthcare", "chip", "chips", "Nvidia", "Google", "Microsoft", "Amazon",
	"Apple", "Facebook", "IBM", "Baidu", "Tesla", "speech", "recognition", "vision",
	"computer", "language", "processing", "facial", "privacy", "regulation", "ethics",
	"jobs", "workers", "industry", "analysis", "segment", "2020", "2021", "2025", "CAGR",
	"billion", "partnership", "announces", "partners", "quantum", "edge", "IoT", "security",
	"fraud", "banking", "fintech", "retail", "customers", "assistant", "voice", "chatbot",
	"drones", "farming", "climate", "energy", "carbon", "footprint", "training", "GPU",
	"inference", "open-source", "tool", "developers", "benchmark", "state-of-the-art",
	"results", "images", "video", "translation", "search", "ads", "social", "media", "lawsuit",
	"court", "settles", "government", "policy", "Europe", "China", "India", "U.S.", "UK",
};

/* Words that are not plain ASCII, as real titles and excerpts hold them. */
static const char *const intl[] = {
	"café", "Zürich", "São Paulo", "naïve", "résumé", "Montréal", "Škoda", "Łódź",
	"Gödel", "façade", "Ångström", "señor", "人工智能", "自動運転", "機械学習", "深度学习",
	"ロボット", "인공지능", "Москва", "Αθήνα",
};

static const char *const topics[] = {
	"AI", "Machine Learning", "Computer Vision", "Natural Language Processing", "AWS AI",
	"AI in Autos", "AI in Healthcare", "Robotics", "Deep Learning", "Google AI",
	"Microsoft AI", "Facebook AI", "IBM Watson", "AI in Finance", "Speech Recognition",
	"Self-Driving Cars", "Ethics", "Quantum Computing", "Edge AI", "Chatbots",
};

struct prov {
	const char *name, *domain;
};

static const struct prov provs[] = {
	{"Reuters", "reuters.com"},
	{"VentureBeat", "venturebeat.com"},
	{"TechCrunch", "techcrunch.com"},
	{"The Verge", "theverge.com"},
	{"Forbes", "forbes.com"},
	{"ZDNet", "zdnet.com"},
	{"Wired", "wired.com"},
	{"MIT Technology Review", "technologyreview.com"},
	{"The Financial Times", "ft.com"},
	{"Becker's Hospital Review", "beckershospitalreview.com"},
	{"Motor Authority", "motorauthority.com"},
	{"Law360", "law360.com"},
	{"Automotive News", "autonews.com"},
	{"TV Technology", "tvtechnology.com"},
	{"Business Insider", "businessinsider.com"},
	{"The Next Web", "thenextweb.com"},
	{"Biometric Update", "biometricupdate.com"},
	{"KnowTechie", "knowtechie.com"},
	{"IEEE Spectrum", "spectrum.ieee.org"},
	{"Le Monde", "lemonde.fr"},
	{"Nikkei Asia", "asia.nikkei.com"},
	{"Süddeutsche Zeitung", "sueddeutsche.de"},
	{"PR Newswire", "prnewswire.com"},
	{"Market Watch", "marketwatch.com"},
	{"CNBC", "cnbc.com"},
	{"Engadget", "engadget.com"},
	{"Ars Technica", "arstechnica.com"},
	{"Analytics India Magazine", "analyticsindiamag.com"},
	{"Healthcare IT News", "healthcareitnews.com"},
	{"The Robot Report", "therobotreport.com"},
};

static const char *const sections[] = {"news", "article", "tech", "business", "story", "en"};

/* Text of n1..n2 words: mostly plain, now and then curly quotes, a dash,
 * an escaped straight quote, an accented or CJK word. */
static void text(struct rng *r, struct buf *b, int n1, int n2, bool capital)
{
	int n = (int)range(r, n1, n2);
	bool open_curly = false;
	for (int i = 0; i < n; i++) {
		if (i)
			puts_(b, " ");
		int roll = (int)range(r, 0, 999);
		if (roll < 12 && i + 1 < n) {
			puts_(b, "\xe2\x80\x94 "); /* em dash */
		} else if (roll < 20 && i + 1 < n) {
			puts_(b, "\xe2\x80\x93 "); /* en dash */
		} else if (roll < 45) {
			puts_(b, PICK(r, intl));
			continue;
		}
		const char *w = PICK(r, words);
		if (i == 0 && capital && w[0] >= 'a' && w[0] <= 'z') {
			char c = (char)(w[0] - 'a' + 'A');
			add(b, &c, 1);
			puts_(b, w + 1);
		} else if (roll >= 45 && roll < 60 && !open_curly) {
			puts_(b, "\xe2\x80\x9c"); /* “ */
			puts_(b, w);
			open_curly = true;
		} else if (roll >= 60 && roll < 70) {
			puts_(b, "\"");
			puts_(b, w);
			puts_(b, "\"");
		} else if (roll >= 70 && roll < 95) {
			puts_(b, w);
			puts_(b, "\xe2\x80\x99s"); /* ’s */
		} else {
			puts_(b, w);
			if (open_curly && roll % 3 == 0) {
				puts_(b, "\xe2\x80\x9d"); /* ” */
				open_curly = false;
			}
		}
	}
	if (open_curly)
		puts_(b, "\xe2\x80\x9d");
}

struct head {
	struct buf title, url;
	char date[32], day[11];
	const struct prov *prov;
	int64_t when;
};

static void civil(int64_t z, int *y, unsigned *m, unsigned *d)
{
	/* days since 1970-01-01 to y-m-d (H. Hinnant's algorithm) */
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static void format_date(struct rng *r, int64_t t, char *out, size_t size)
{
	int y;
	unsigned m, d;
	civil(t / 86400, &y, &m, &d);
	int s = (int)(t % 86400);
	if (chance(r, 5)) /* an offset, as some sources write them */
		snprintf(out, size, "%04d-%02u-%02uT%02d:%02d:%02d+02:00", y, m, d, s / 3600,
			 s / 60 % 60, s % 60);
	else
		snprintf(out, size, "%04d-%02u-%02uT%02d:%02d:%02dZ", y, m, d, s / 3600,
			 s / 60 % 60, s % 60);
}

/* The URL-safe lower-case ASCII slug of text, at most max bytes. */
static void slug(struct buf *b, const char *s, size_t max)
{
	size_t start = b->n;
	bool dash = false;
	for (; *s && b->n - start < max; s++) {
		char c = *s;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			if (dash && b->n > start)
				add(b, "-", 1);
			add(b, &c, 1);
			dash = false;
		} else {
			dash = true;
		}
	}
	if (b->n == start)
		puts_(b, "story");
}

static void make_head(uint64_t seed, size_t i, struct head *h)
{
	struct rng r = stream(seed, i, 1);
	h->title.n = h->url.n = 0;
	text(&r, &h->title, 5, 16, true);
	/* 2013-01-01 .. 2022-12-31 */
	h->when = (int64_t)range(&r, 15706, 19357) * 86400 + range(&r, 0, 86399);
	format_date(&r, h->when, h->date, sizeof h->date);
	memcpy(h->day, h->date, 10);
	h->day[10] = '\0';
	h->prov = &provs[next(&r) % (sizeof provs / sizeof *provs)];
	printf_(&h->url, "https://www.%s/%s/%.4s/%.2s/", h->prov->domain, PICK(&r, sections),
		h->date, h->date + 5);
	slug(&h->url, h->title.p, 80);
	printf_(&h->url, "-%zu", i);
	if (chance(&r, 15)) /* a query string, as trackers leave them */
		printf_(&h->url, "?utm_source=feed&id=%" PRIu64 "*x@y", next(&r) % 1000000);
}

static void free_head(struct head *h)
{
	free(h->title.p);
	free(h->url.p);
}

/* A URL, plain now and then (real archives have both). */
static void url_field(struct rng *r, struct buf *b, const char *indent, const char *key,
		      const char *url)
{
	printf_(b, "%s%s: ", indent, key);
	if (chance(r, 15))
		puts_(b, url);
	else
		quoted(b, url);
	puts_(b, "\n");
}

static void image(struct rng *r, struct buf *b, const char *indent, const char *domain,
		  const char *title)
{
	char u[256];
	snprintf(u, sizeof u, "https://cdn.%s/uploads/%04" PRIu64 "/%08" PRIx64 ".jpg?w=%ld", domain,
		 next(r) % 10000, next(r) & 0xffffffffu, range(r, 300, 2000));
	printf_(b, "%s- url: ", indent);
	quoted(b, u);
	printf_(b, "\n%s  width: %ld\n%s  height: %ld\n", indent, range(r, 100, 2400), indent,
		range(r, 100, 1600));
	if (title) {
		printf_(b, "%s  title: ", indent);
		quoted(b, title);
		puts_(b, "\n");
	}
	if (chance(r, 50))
		printf_(b, "%s  isCached: true\n", indent);
}

/* How many related stories: as in the real archives, half have none, a
 * quarter one, and a few files have dozens. */
static int related_count(struct rng *r)
{
	int roll = (int)range(r, 0, 999);
	if (roll < 480)
		return 0;
	if (roll < 770)
		return 1;
	if (roll < 880)
		return 2;
	if (roll < 940)
		return 3;
	if (roll < 975)
		return 4;
	if (roll < 995)
		return (int)range(r, 5, 20);
	return (int)range(r, 21, 62);
}

static void related(struct rng *r, struct buf *b, uint64_t seed, size_t i, size_t n,
		    struct head *other)
{
	bool local = n > 1 && chance(r, 33);
	struct buf ex = {0};
	const char *title, *url, *date;
	const struct prov *p;
	struct buf own_title = {0}, own_url = {0};
	char own_date[32];
	if (local) {
		size_t j = (size_t)(next(r) % (n - 1));
		if (j >= i)
			j++;
		make_head(seed, j, other);
		title = other->title.p;
		url = other->url.p;
		date = other->date;
		p = other->prov;
	} else {
		text(r, &own_title, 5, 14, true);
		p = &provs[next(r) % (sizeof provs / sizeof *provs)];
		printf_(&own_url, "https://%s/%s/", p->domain, PICK(r, sections));
		slug(&own_url, own_title.p, 70);
		format_date(r, (int64_t)range(r, 15706, 19357) * 86400 + range(r, 0, 86399), own_date,
			    sizeof own_date);
		title = own_title.p;
		url = own_url.p;
		date = own_date;
	}
	text(r, &ex, 15, 60, true);
	puts_(&ex, " ...");
	puts_(b, "  - title: ");
	quoted(b, title);
	puts_(b, "\n    excerpt: ");
	quoted(b, ex.p);
	printf_(b, "\n    publishedDateTime: %s\n", date);
	url_field(r, b, "    ", "webUrl", url);
	if (chance(r, 30)) {
		struct buf amp = {0};
		printf_(&amp, "%s/amp/", url);
		url_field(r, b, "    ", "ampWebUrl", amp.p);
		free(amp.p);
	}
	printf_(b, "    type: article\n    provider:\n      name: %s\n      domain: %s\n", p->name,
		p->domain);
	if (chance(r, 85))
		printf_(b, "    quality: %ld\n", range(r, 0, 100));
	if (chance(r, 60)) {
		puts_(b, "    images:\n");
		image(r, b, "      ", p->domain, NULL);
	}
	free(ex.p);
	free(own_title.p);
	free(own_url.p);
}

/* The shapes of YAML the fast path leaves to libyaml, one a file at most. */
enum slow { PLAIN, FOLDED, FLOW, ANCHORS, NSLOW };

/* From a stream of its own: the other files stay as they were. */
static enum slow slow_shape(uint64_t seed, size_t i, bool *comments)
{
	struct rng r = stream(seed, i, 5);
	enum slow shape = chance(&r, 5) ? (enum slow)(1 + next(&r) % (NSLOW - 1)) : PLAIN;
	*comments = chance(&r, 2);
	return shape;
}

static void article(uint64_t seed, size_t i, size_t n, struct buf *b, struct head *h,
		    struct head *other)
{
	struct rng r = stream(seed, i, 2);
	bool comments;
	enum slow shape = slow_shape(seed, i, &comments);
	b->n = 0;
	puts_(b, "---\n");
	if (comments)
		puts_(b, "# exported from the newsroom's feed; edit with care\n");
	puts_(b, shape == ANCHORS ? "category: &category news\ntitle: " : "category: news\ntitle: ");
	quoted(b, h->title.p);
	puts_(b, "\nexcerpt: ");
	struct buf ex = {0};
	text(&r, &ex, chance(&r, 20) ? 4 : 20, 60, true);
	if (shape == FOLDED) {
		puts_(b, ">-\n  ");
		puts_(b, ex.p);
	} else {
		quoted(b, ex.p);
	}
	free(ex.p);
	puts_(b, "\n");
	if (!chance(&r, 3))
		printf_(b, "publishedDateTime: %s\n", h->date);
	if (chance(&r, 20))
		url_field(&r, b, "", "originalUrl", h->url.p);
	url_field(&r, b, "", "webUrl", h->url.p);
	if (chance(&r, 35)) {
		struct buf amp = {0};
		printf_(&amp, "%s/amp/", h->url.p);
		url_field(&r, b, "", "ampWebUrl", amp.p);
		amp.n = 0;
		printf_(&amp, "https://www-%s.cdn.ampproject.org/c/s/", h->prov->domain);
		puts_(&amp, h->url.p + strlen("https://"));
		puts_(&amp, "/amp/");
		url_field(&r, b, "", "cdnAmpWebUrl", amp.p);
		free(amp.p);
	}
	puts_(b, comments ? "type: article # or video, podcast\n" : "type: article\n");
	if (!chance(&r, 25))
		printf_(b, "quality: %ld\n", range(&r, 0, 100));
	if (!chance(&r, 25))
		printf_(b, "heat: %ld\n", chance(&r, 40) ? -1L : range(&r, 0, 150));
	if (!chance(&r, 25))
		puts_(b, "published: true\n");

	bool provider_images = chance(&r, 60);
	if (shape == FLOW) {
		puts_(b, "\nprovider: {name: ");
		quoted(b, h->prov->name);
		printf_(b, ", domain: %s}\n", h->prov->domain);
	} else {
		printf_(b, "\nprovider:\n  name: %s\n  domain: %s\n", h->prov->name, h->prov->domain);
	}
	if (provider_images && shape != FLOW) {
		puts_(b, "  images:\n");
		image(&r, b, "    ", h->prov->domain, NULL);
	}

	puts_(b, shape == ANCHORS ? "\ntopics: &topics\n" : "\ntopics:\n");
	int nt = (int)range(&r, 1, 4);
	for (int t = 0; t < nt; t++)
		printf_(b, "  - %s\n",
			t == nt - 1 ? "AI" : topics[1 + next(&r) % (sizeof topics / sizeof *topics - 1)]);

	if (chance(&r, 80)) {
		puts_(b, "\nimages:\n");
		int ni = chance(&r, 10) ? 2 : 1;
		for (int k = 0; k < ni; k++)
			image(&r, b, "  ", h->prov->domain, chance(&r, 40) ? h->title.p : NULL);
	}

	int nr = related_count(&r);
	if (nr) {
		puts_(b, "\nrelated:\n");
		for (int k = 0; k < nr; k++)
			related(&r, b, seed, i, n, other);
	}

	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	puts_(b, "\nsecured: \"");
	long len = range(&r, 300, 440);
	for (long k = 0; k < len; k++)
		add(b, &b64[next(&r) % 64], 1);
	puts_(b, "=;");
	for (int k = 0; k < 22; k++)
		add(b, &b64[next(&r) % 64], 1);
	puts_(b, "==\"\n---\n");
}

static void write_file(const char *path, const struct buf *b)
{
	FILE *f = fopen(path, "w");
	if (!f || fwrite(b->p, 1, b->n, f) != b->n || fclose(f) != 0)
		die(path);
}

int main(int argc, char **argv)
{
	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: gen N DIR [SEED]\n");
		return 2;
	}
	char *end;
	size_t n = strtoull(argv[1], &end, 10);
	if (*end || !n) {
		fprintf(stderr, "gen: bad N '%s'\n", argv[1]);
		return 2;
	}
	uint64_t seed = argc == 4 ? strtoull(argv[3], NULL, 0) : 20210304;
	const char *dir = argv[2];
	if (mkdir(dir, 0777) < 0 && errno != EEXIST)
		die(dir);

	struct buf b = {0}, path = {0};
	struct head h = {0}, other = {0};
	for (size_t i = 0; i < n; i++) {
		path.n = 0;
		printf_(&path, "%s/%03zu", dir, i / PER_DIR);
		if (i % PER_DIR == 0 && mkdir(path.p, 0777) < 0 && errno != EEXIST)
			die(path.p);
		make_head(seed, i, &h);
		printf_(&path, "/%s-", h.day);
		slug(&path, h.title.p, 60);
		printf_(&path, "-%zu.md", i);
		article(seed, i, n, &b, &h, &other);
		write_file(path.p, &b);
	}
	free_head(&h);
	free_head(&other);
	free(b.p);
	free(path.p);
	return 0;
}
