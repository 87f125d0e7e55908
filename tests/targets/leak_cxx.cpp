// leak_cxx: polymorphic objects for `report --by type`. A global points to a
// heap-allocated std::vector (so no destructor runs at exit) holding 3
// Circle (16 bytes) and 2 Square (24 bytes); one more Circle is leaked.
// At exit: Circle 4 blocks (64 bytes, 1 definitely lost), Square 2 blocks
// (48 bytes), no vtable: the vector object (24 bytes) and its buffer
// (reserved for 5 pointers, 40 bytes). memcheck: definitely lost 16 bytes in
// 1 block, still reachable 160 bytes in 7 blocks.
#include <cstring>
#include <vector>

#include "tsupport.h"

struct Shape {
	virtual ~Shape() {}
	virtual double area() const = 0;
};

struct Circle : Shape {
	double r = 1;
	double area() const override { return 3.14159 * r * r; }
};

struct Square : Shape {
	double side = 2;
	long id = 0;
	double area() const override { return side * side; }
};

std::vector<Shape *> *shapes; // external linkage: the root

NOIPA void fill()
{
	shapes = new std::vector<Shape *>;
	shapes->reserve(5);
	for (int i = 0; i < 3; i++)
		shapes->push_back(new Circle);
	for (int i = 0; i < 2; i++)
		shapes->push_back(new Square);
}

NOIPA void leak_circle()
{
	ms_keep(new Circle);
	ms_keep(nullptr);
}

// Every function that held a leaked pointer ran at least two calls below
// main; scrub, one call below main, zeroes that area (no stale copies).
NOIPA void build()
{
	fill();
	leak_circle();
}

NOIPA void scrub()
{
	volatile char buf[8192];
	for (size_t i = 0; i < sizeof buf; i++) /* volatile stores: memset here would be deleted */
		buf[i] = 0;
}

int main()
{
	build();
	scrub();
	double a = 0;
	for (Shape *s : *shapes)
		a += s->area();
	return a > 0 ? 0 : 1;
}
