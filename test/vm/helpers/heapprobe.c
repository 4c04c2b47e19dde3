// SPDX-License-Identifier: MIT
/*
 * Heap figures of a daemon for tests/memflat.sh, and a deliberate leak that shows the test
 * can fail. Preloaded (LD_PRELOAD) into mt6d-tunnel or mt6d-addrmgr; nothing here is
 * linked into mt6d.
 *
 *   MT6D_HEAP_FILE=PATH  on entry to epoll_wait (the event loop is idle: every event of the
 *                        last batch handled), at most every 200 ms, PATH is replaced by one
 *                        line "INUSE LEAKED BINDS": the bytes malloc has handed out and not
 *                        got back (mallinfo2: uordblks, chunk headers included, plus
 *                        hblkhd, the mmap()ed chunks), the bytes the leak below has taken
 *                        (counted the same way) and the calls of sctp_bindx that added
 *                        addresses (mt6d-addrmgr binds each new address once: one per
 *                        rotation). Byte-exact, unlike RSS, which moves by 4 KiB pages
 *                        and keeps what malloc holds after a free.
 *   MT6D_LEAK_BYTES=N    at every such bind, N bytes are malloc()ed, written and forgotten:
 *                        a leak of N bytes per rotation.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#define WRITE_EVERY_NS 200000000LL

typedef int (*epoll_wait_fn)(int, struct epoll_event *, int, int);
typedef int (*bindx_fn)(int, struct sockaddr *, int, int);

static size_t leaked_bytes;
static unsigned long add_binds;

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Replace the file whole (rename), so that a reader never sees half a line. */
static void write_figures(const char *path)
{
	struct mallinfo2 mi = mallinfo2();
	char tmp[4096], line[96];
	int fd, n;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return;
	n = snprintf(line, sizeof(line), "%zu %zu %lu\n", mi.uordblks + mi.hblkhd, leaked_bytes,
		     add_binds);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (write(fd, line, (size_t)n) == n)
		rename(tmp, path);
	close(fd);
}

int epoll_wait(int epfd, struct epoll_event *evs, int max, int timeout)
{
	static epoll_wait_fn real;
	static long long last;
	const char *path = getenv("MT6D_HEAP_FILE");
	int saved = errno;

	if (!real)
		real = (epoll_wait_fn)dlsym(RTLD_NEXT, "epoll_wait");
	if (path && *path && now_ns() - last >= WRITE_EVERY_NS) {
		last = now_ns();
		write_figures(path);
	}
	errno = saved;
	return real(epfd, evs, max, timeout);
}

int sctp_bindx(int sd, struct sockaddr *addrs, int addrcnt, int flags)
{
	static bindx_fn real;
	const char *n = getenv("MT6D_LEAK_BYTES");

	if (!real)
		real = (bindx_fn)dlsym(RTLD_NEXT, "sctp_bindx");
	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	if (flags == SCTP_BINDX_ADD_ADDR) {
		char *p = n && atoi(n) > 0 ? malloc((size_t)atoi(n)) : NULL;

		add_binds++;
		if (p) {
			memset(p, 0xa5, (size_t)atoi(n));
			/* what uordblks counts for it: the usable size and the size field */
			leaked_bytes += malloc_usable_size(p) + sizeof(size_t);
		}
	}
	return real(sd, addrs, addrcnt, flags);
}
