/* B's sender written four ways, to find what sets one bulk sender apart from another on loopback.
 *   send <port> <total> <chunk> <mode>
 * mode: block     blocking send() until each chunk went (bench/c/bulk.c, Python, bun-socket)
 *       nodelay   the same with TCP_NODELAY set (Bun's sockets set it on every connection)
 *       dontwait  send(MSG_DONTWAIT), poll() for POLLOUT on EAGAIN (how Bun's event loop writes)
 *       hybrid    send(MSG_DONTWAIT) first, then blocking send() for what did not fit
 *       dwnd      dontwait with TCP_NODELAY
 * Connects to 127.0.0.1:port (bench/build/bulk sink), sends total bytes in chunks, shuts down, waits for the
 * sink's one-byte ack; prints {"mode","rate","sends","polls"} (rate in bytes per second). */
#include "../c/common.h"

int main(int argc, char **argv) {
  if (argc < 5) usage("send <port> <total> <chunk> block|nodelay|dontwait|hybrid|dwnd");
  int port = atoi(argv[1]);
  long long total = atoll(argv[2]);
  size_t chunk = (size_t)atol(argv[3]);
  const char *mode = argv[4];
  int nd = !strcmp(mode, "nodelay") || !strcmp(mode, "dwnd");
  int dontwait = !strcmp(mode, "dontwait") || !strcmp(mode, "dwnd");
  int hybrid = !strcmp(mode, "hybrid");
  if (!nd && !dontwait && !hybrid && strcmp(mode, "block")) usage("unknown mode");
  char *buf = malloc(chunk);
  memset(buf, 'x', chunk);
  int fd = dial(port);
  if (nd) nodelay(fd);
  long sends = 0, polls = 0;
  double t0 = now_s();
  for (long long left = total; left > 0;) {
    size_t m = left < (long long)chunk ? (size_t)left : chunk;
    left -= (long long)m;
    const char *p = buf;
    int first = 1;
    while (m > 0) {
      int flags = MSG_NOSIGNAL | (dontwait || (hybrid && first) ? MSG_DONTWAIT : 0);
      first = 0;
      ssize_t r = send(fd, p, m, flags);
      sends++;
      if (r < 0) {
        if (errno == EINTR || (errno == EAGAIN && hybrid)) continue;
        if (errno != EAGAIN) die("send");
        struct pollfd q = {.fd = fd, .events = POLLOUT};
        if (poll(&q, 1, 10000) <= 0) die("poll");
        polls++;
        continue;
      }
      p += r;
      m -= (size_t)r;
    }
  }
  if (shutdown(fd, SHUT_WR) < 0) die("shutdown");
  char ack;
  if (!recv_exact(fd, &ack, 1)) die("ack");
  double t1 = now_s();
  printf("{\"mode\":\"%s\",\"rate\":%.0f,\"sends\":%ld,\"polls\":%ld}\n", mode, (double)total / (t1 - t0), sends, polls);
  return 0;
}
