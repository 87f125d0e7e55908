// memcheck's leak-check heuristics (--leak-check-heuristics=all is its
// default): interior pointers that count as start pointers. Every block is
// held by a global only through a pointer 8 or 24 bytes into it.
//   arr:   new Obj[10], Obj has a destructor, so new[] puts the count (10)
//          before the elements: +8, newarray -> still reachable, 48 B
//   len64: 64 bytes whose first word is 56 (the size after it): +8,
//          length64 -> still reachable, 64 B
//   str:   35 bytes laid out as length 5, capacity 10, refcount, 11 chars:
//          +24, stdstring -> still reachable, 35 B
//   bad8:  40 bytes, first word 7 (does not divide 32): +8, no heuristic
//          -> possibly lost, 40 B
//   zero8: 48 bytes, first word 0: +8, no heuristic -> possibly lost, 48 B
// Totals: still reachable 147 B in 3 blocks, possibly lost 88 B in 2.
#include <cstdint>
#include <cstdlib>
#include <cstring>

struct Obj {
	int v;
	~Obj() { v = 0; }
};

Obj *arr;
char *len64, *str, *bad8, *zero8;

static char *block(size_t size, uint64_t w0, uint64_t w1, size_t off)
{
	char *p = static_cast<char *>(std::malloc(size));
	std::memset(p, 0, size);
	std::memcpy(p, &w0, 8);
	if (size >= 16)
		std::memcpy(p + 8, &w1, 8);
	return p + off;
}

int main()
{
	arr = new Obj[10];
	arr[0].v = 1;
	len64 = block(64, 56, 0, 8);
	str = block(35, 5, 10, 24);
	bad8 = block(40, 7, 0, 8);
	zero8 = block(48, 0, 0, 8);
	return 0;
}
