/* cxx_new: every operator new / delete variant, and one leak.
 *
 * Calls (sizes in bytes; "aligned" = the std::align_val_t overloads):
 *   plain_new         new int (4) / delete                       (sized delete)
 *   array_new         new int[10] (40) / delete[]                (sized delete[])
 *   nothrow_new       new (nothrow) char (1) / delete
 *                     new (nothrow) char[33] (33) / delete[]
 *   sized_delete      operator new(24) / operator delete(p, 24)
 *                     operator new[](48) / operator delete[](p, 48)
 *   cookie_array      new Dtor[3]: 3 x 16 + 8-byte cookie = 56 / delete[]
 *   aligned_types     Over (alignas 64, 128 bytes): new Over / delete
 *                     new Over[2] (256) / delete[]
 *                     new (nothrow) Over (128) / delete
 *   aligned_explicit  operator new(100, align 32) / operator delete(p, align 32)
 *                     operator new[](200, align 64) / operator delete[](p, 200, align 64)
 *                     operator new(64, align 128, nothrow) / operator delete(p, align 128, nothrow)
 *   leak_here         new int[25] (100) at LEAK-LINE, never deleted
 * Own allocations: 14, frees 13, bytes 4+40+1+33+24+48+56+128+256+128+100+200+64+100 = 1182.
 *
 * libstdc++ also allocates its emergency exception pool (72704 bytes) at
 * start and frees it in __gnu_cxx::__freeres at exit, which valgrind and the
 * runtime call. Expected totals (valgrind 3.19 memcheck and DHAT agree):
 *   allocations 15, frees 14, bytes_allocated 73886
 *   leaked_bytes 100 in leaked_blocks 1
 *   peak_bytes 72704 + 256 = 72960 (the pool and Over[2]; the leak comes
 *   after Over[2] is deleted) */
#include <cstdlib>
#include <new>

#include "tsupport.h"

struct Dtor {
	long a, b;
	~Dtor() { ms_isink++; }
};

struct alignas(64) Over {
	char c[100];
};

NOIPA void plain_new()
{
	int *p = new int(7);
	ms_keep(p);
	delete p;
}

NOIPA void array_new()
{
	int *p = new int[10];
	ms_keep(p);
	delete[] p;
}

NOIPA void nothrow_new()
{
	char *p = new (std::nothrow) char;
	ms_keep(p);
	delete p;
	char *q = new (std::nothrow) char[33];
	ms_keep(q);
	delete[] q;
}

NOIPA void sized_delete()
{
	void *p = ::operator new(24);
	ms_keep(p);
	::operator delete(p, (std::size_t)24);
	void *q = ::operator new[](48);
	ms_keep(q);
	::operator delete[](q, (std::size_t)48);
}

NOIPA void cookie_array()
{
	Dtor *p = new Dtor[3];
	ms_keep(p);
	delete[] p;
}

NOIPA void aligned_types()
{
	Over *p = new Over;
	ms_keep(p);
	if ((unsigned long)p % 64)
		std::abort();
	delete p;
	Over *q = new Over[2];
	ms_keep(q);
	if ((unsigned long)q % 64)
		std::abort();
	delete[] q;
	Over *r = new (std::nothrow) Over;
	ms_keep(r);
	if ((unsigned long)r % 64)
		std::abort();
	delete r;
}

NOIPA void aligned_explicit()
{
	void *p = ::operator new(100, std::align_val_t(32));
	ms_keep(p);
	::operator delete(p, std::align_val_t(32));
	void *q = ::operator new[](200, std::align_val_t(64));
	ms_keep(q);
	::operator delete[](q, (std::size_t)200, std::align_val_t(64));
	void *r = ::operator new(64, std::align_val_t(128), std::nothrow);
	ms_keep(r);
	if ((unsigned long)r % 128)
		std::abort();
	::operator delete(r, std::align_val_t(128), std::nothrow);
}

NOIPA void leak_here()
{
	int *p = new int[25]; /* LEAK-LINE */
	ms_keep(p);
}

int main()
{
	plain_new();
	array_new();
	nothrow_new();
	sized_delete();
	cookie_array();
	aligned_types();
	aligned_explicit();
	leak_here();
	return 0;
}
