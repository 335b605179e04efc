// The C allocator's tuning calls (glibc): mallopt, malloc_trim.
#include <malloc.h>
