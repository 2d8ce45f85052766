/* Shared helpers of the C reference programs: the floor every other implementation is compared with.
 * Plain blocking syscalls, no event loop, no abstraction beyond what a C programmer would write. */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static inline double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline void die(const char *what) {
  fprintf(stderr, "%s: %s\n", what, strerror(errno));
  exit(2);
}

static inline void usage(const char *u) {
  fprintf(stderr, "usage: %s\n", u);
  exit(64);
}

static inline struct sockaddr_in loopback(int port) {
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((unsigned short)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

static inline void nodelay(int fd) {
  int one = 1;
  if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0) die("setsockopt");
}

/* A listening (TCP) or bound (UDP) socket on 127.0.0.1:port; prints "READY <port>". */
static inline int serve(int type, int port) {
  int fd = socket(AF_INET, type, 0);
  if (fd < 0) die("socket");
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = loopback(port);
  if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) die("bind");
  if (type == SOCK_STREAM && listen(fd, 1024) < 0) die("listen");
  socklen_t len = sizeof a;
  if (getsockname(fd, (struct sockaddr *)&a, &len) < 0) die("getsockname");
  printf("READY %d\n", ntohs(a.sin_port));
  fflush(stdout);
  return fd;
}

static inline int dial(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) die("socket");
  struct sockaddr_in a = loopback(port);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) die("connect");
  return fd;
}

/* Timeout mode, the optional last argument of the ping-pong clients: what a C programmer writes for a socket
 * with a deadline, and the system calls Python's settimeout() and bun-socket make on this path. The socket is
 * O_NONBLOCK; a send is tried first and waits in poll() only on EAGAIN (a reply is never there yet, so a
 * receive waits in poll() first). -1: blocking mode. */
static int timeout_ms = -1;

static inline void set_timeout(int fd, double secs) {
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) die("fcntl");
  timeout_ms = (int)(secs * 1000);
}

/* poll() until fd is ready for events; dies at the deadline (no signals are expected in the bench). */
static inline void wait_for(int fd, short events) {
  struct pollfd p = {.fd = fd, .events = events};
  for (;;) {
    int r = poll(&p, 1, timeout_ms);
    if (r > 0) return;
    if (r == 0) {
      errno = ETIMEDOUT;
      die("poll");
    }
    if (errno != EINTR) die("poll");
  }
}

/* send() until all of buf went, as Python's sendall. */
static inline void send_all(int fd, const char *buf, size_t n) {
  while (n > 0) {
    ssize_t r = send(fd, buf, n, MSG_NOSIGNAL);
    if (r < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN && timeout_ms >= 0) {
        wait_for(fd, POLLOUT);
        continue;
      }
      die("send");
    }
    buf += r;
    n -= (size_t)r;
  }
}

/* recv() exactly n bytes; returns 0 at EOF before the first byte, else 1. */
static inline int recv_exact(int fd, char *buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    if (timeout_ms >= 0) wait_for(fd, POLLIN);
    ssize_t r = recv(fd, buf + got, n - got, 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      die("recv");
    }
    if (r == 0) {
      if (got == 0) return 0;
      errno = ECONNRESET;
      die("recv: short message");
    }
    got += (size_t)r;
  }
  return 1;
}

static inline void print_rate(long ops, double secs) {
  printf("{\"ops\":%ld,\"secs\":%.6f,\"rate\":%.3f}\n", ops, secs, (double)ops / secs);
}
#endif
