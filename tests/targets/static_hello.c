/* static_hello: linked -static by tests/CMakeLists.txt. LD_PRELOAD cannot
 * load a runtime into it, so `memscope run` must refuse it with one clear
 * error line and a non-zero exit status. Run directly it prints
 * "hello from a static binary" and exits with 0. */
#include <unistd.h>

int main(void)
{
	static const char msg[] = "hello from a static binary\n";
	return write(1, msg, sizeof(msg) - 1) == (ssize_t)(sizeof(msg) - 1) ? 0 : 1;
}
