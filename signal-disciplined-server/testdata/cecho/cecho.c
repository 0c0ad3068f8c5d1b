/*
 * cecho: the C reference of signal-disciplined-server's bench (bench.sh builds it with gcc in
 * each run; it is never shipped). The classic single-threaded epoll echo server: one thread,
 * level-triggered epoll, non-blocking sockets, one 64 KiB buffer for every read, TCP_NODELAY.
 * What a read cannot send at once is kept per connection and sent on EPOLLOUT, and the connection
 * is not read while it holds some (backpressure), so it is correct under any load, not only fast.
 *
 * usage: cecho -listen HOST:PORT   (IPv4; port 0 picks one; logs "listening on HOST:PORT" on stderr)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUFSZ (64 * 1024)

struct conn {
	char *out; /* pending echo, NULL when none */
	size_t off, len;
};

static struct conn *conns;
static size_t nconns;
static int ep;
static char buf[BUFSZ];

static void die(const char *what)
{
	fprintf(stderr, "cecho: %s: %s\n", what, strerror(errno));
	exit(125);
}

static void ctl(int op, int fd, unsigned events)
{
	struct epoll_event ev = {.events = events, .data.fd = fd};
	if (epoll_ctl(ep, op, fd, &ev) < 0)
		die("epoll_ctl");
}

static void drop(int fd)
{
	free(conns[fd].out);
	conns[fd].out = NULL;
	close(fd);
}

/* sendall sends p[0..n) until done or EAGAIN; returns bytes sent or -1 on error. */
static ssize_t sendall(int fd, const char *p, size_t n)
{
	size_t w = 0;
	while (w < n) {
		ssize_t r = send(fd, p + w, n - w, MSG_NOSIGNAL);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			return -1;
		}
		w += r;
	}
	return w;
}

static void serve(int fd, unsigned ev)
{
	struct conn *c = &conns[fd];
	if (c->out) {
		if (!(ev & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
			return;
		ssize_t w = sendall(fd, c->out + c->off, c->len - c->off);
		if (w < 0) {
			drop(fd);
			return;
		}
		c->off += w;
		if (c->off < c->len)
			return;
		free(c->out);
		c->out = NULL;
		ctl(EPOLL_CTL_MOD, fd, EPOLLIN);
		return;
	}
	ssize_t n = read(fd, buf, sizeof buf);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		drop(fd);
		return;
	}
	if (n == 0) { /* the peer's FIN: everything read has been echoed or was dropped above */
		drop(fd);
		return;
	}
	ssize_t w = sendall(fd, buf, n);
	if (w < 0) {
		drop(fd);
		return;
	}
	if (w < n) {
		c->len = n - w;
		c->off = 0;
		c->out = malloc(c->len);
		if (!c->out)
			die("malloc");
		memcpy(c->out, buf + w, c->len);
		ctl(EPOLL_CTL_MOD, fd, EPOLLOUT);
	}
}

int main(int argc, char **argv)
{
	if (argc != 3 || strcmp(argv[1], "-listen") != 0) {
		fprintf(stderr, "usage: cecho -listen HOST:PORT\n");
		return 125;
	}
	const char *addr = argv[2];
	char host[64];
	char *colon = strrchr(addr, ':');
	if (!colon || (size_t)(colon - addr) >= sizeof host) {
		fprintf(stderr, "cecho: %s: want HOST:PORT\n", addr);
		return 125;
	}
	memcpy(host, addr, colon - addr);
	host[colon - addr] = 0;
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(atoi(colon + 1))};
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		fprintf(stderr, "cecho: %s: want an IPv4 address\n", host);
		return 125;
	}
	signal(SIGPIPE, SIG_IGN);
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;
	if (lfd < 0)
		die("socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) < 0)
		die("bind");
	if (listen(lfd, SOMAXCONN) < 0)
		die("listen");
	socklen_t sl = sizeof sa;
	getsockname(lfd, (struct sockaddr *)&sa, &sl);
	fprintf(stderr, "listening on %s:%d (pid %d)\n", host, ntohs(sa.sin_port), getpid());
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		die("epoll_create1");
	ctl(EPOLL_CTL_ADD, lfd, EPOLLIN);
	struct epoll_event evs[256];
	for (;;) {
		int n = epoll_wait(ep, evs, 256, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("epoll_wait");
		}
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			if (fd != lfd) {
				serve(fd, evs[i].events);
				continue;
			}
			for (int k = 0; k < 64; k++) {
				int cfd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
				if (cfd < 0)
					break; /* EAGAIN, or EMFILE: the bench never reaches the limit */
				setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
				if ((size_t)cfd >= nconns) {
					size_t m = cfd * 2 + 64;
					conns = realloc(conns, m * sizeof *conns);
					if (!conns)
						die("realloc");
					memset(conns + nconns, 0, (m - nconns) * sizeof *conns);
					nconns = m;
				}
				ctl(EPOLL_CTL_ADD, cfd, EPOLLIN);
			}
		}
	}
}
