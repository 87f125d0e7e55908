/* html_demo: a program whose heap has a known shape, for the HTML report
 * and flame graph tests (built by the test itself, -O0 -g).
 *   parse_input: 5000 temporary blocks of 128 bytes (parse_line, freed at once)
 *   load_index:  8 blocks of 256 KiB through alloc_block, live at the peak
 *   load_cache: 16 blocks of 64 KiB through alloc_block, live at the peak
 *   release_all frees those 24; remember_config leaks 5 blocks of 1000 bytes.
 * peak 3 MiB (3,145,728 B: index 2 MiB + cache 1 MiB), leaked 5,000 B in 5
 * blocks, 5,029 allocations. Sleeps spread the phases over time. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void *volatile sink;
void *kept[24];

__attribute__((noinline)) void *alloc_block(size_t n)
{
	void *p = malloc(n);
	memset(p, 7, n);
	return p;
}

__attribute__((noinline)) void parse_line(void)
{
	char *p = malloc(128);
	sink = p;
	free(p);
}

__attribute__((noinline)) void parse_input(void)
{
	for (int i = 0; i < 5000; i++)
		parse_line();
}

__attribute__((noinline)) void load_index(void)
{
	for (int i = 0; i < 8; i++) {
		kept[i] = alloc_block(256 * 1024);
		usleep(3000);
	}
}

__attribute__((noinline)) void load_cache(void)
{
	for (int i = 0; i < 16; i++) {
		kept[8 + i] = alloc_block(64 * 1024);
		usleep(2000);
	}
}

__attribute__((noinline)) void release_all(void)
{
	for (int i = 0; i < 24; i++) {
		free(kept[i]);
		usleep(1000);
	}
}

__attribute__((noinline)) void remember_config(void)
{
	for (int i = 0; i < 5; i++)
		sink = alloc_block(1000);
}

int main(void)
{
	parse_input();
	load_index();
	load_cache();
	usleep(20000);
	release_all();
	remember_config();
	return 0;
}
