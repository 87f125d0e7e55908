/* The program `make demo` records: a small "log indexer" with a heap peak
 * (an index built, used, and dropped), temporaries (a scratch buffer per
 * line), and a leak (sessions that are never released).
 *
 * Known figures (also checked by tests/e2e): 2,000 index entries of 256
 * bytes live together at the peak; 2,000 temporary 64-byte buffers; 25
 * leaked sessions of 48 bytes = 1,200 bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct session {
	char user[32];
	struct session *next;
	long started;
};

struct session *open_sessions; /* external linkage: a real program's global */

static struct session *open_session(const char *user, long t)
{
	struct session *s = malloc(sizeof(*s));
	snprintf(s->user, sizeof(s->user), "%s", user);
	s->started = t;
	s->next = NULL; /* forgotten: never linked into open_sessions, never freed */
	return s;
}

static char *format_line(int i)
{
	char *scratch = malloc(64); /* a temporary: freed before the next allocation */
	snprintf(scratch, 64, "request %d from user%d", i, i % 25);
	return scratch;
}

static char **build_index(int n)
{
	char **index = calloc((size_t)n, sizeof(*index));
	for (int i = 0; i < n; i++) {
		index[i] = malloc(256);
		char *line = format_line(i);
		memcpy(index[i], line, strlen(line) + 1);
		free(line);
	}
	return index;
}

static void drop_index(char **index, int n)
{
	for (int i = 0; i < n; i++)
		free(index[i]);
	free(index);
}

int main(void)
{
	char **index = build_index(2000);
	long hits = 0;
	for (int i = 0; i < 2000; i++)
		hits += strstr(index[i], "user7") != NULL;
	drop_index(index, 2000);

	for (int i = 0; i < 25; i++) {
		char user[16];
		snprintf(user, sizeof(user), "user%d", i);
		volatile struct session *s = open_session(user, i);
		(void)s;
	}
	printf("indexed 2000 lines, %ld hits for user7\n", hits);
	return 0;
}
